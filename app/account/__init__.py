"""A signed-in person's own account: password, email, data download, deletion."""
