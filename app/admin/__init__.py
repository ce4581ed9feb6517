"""Administration: people, roles and deactivation."""
