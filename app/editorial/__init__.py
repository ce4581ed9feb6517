"""Editorial workflow: proposals, reviews, decisions."""
