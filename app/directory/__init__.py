"""The leader directory: profiles, locations and "find leaders near you"."""
