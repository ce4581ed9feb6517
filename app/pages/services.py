"""Pages that belong to no feature, as the feature list (app/features.py) sees them."""
from app.urls import site_url


def sitemap_entries():
    """(address, last change) of the home and about pages."""
    yield site_url("pages.home"), None
    yield site_url("pages.about"), None
