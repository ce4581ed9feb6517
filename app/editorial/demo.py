"""Demo data for the Leaders Blog (filled in below)."""
