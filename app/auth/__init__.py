"""Signing up, verifying email, logging in and out, resetting a forgotten password."""
