"""Pages that belong to no feature: home, about, health check."""
