"""A leader's public card as plain data: what anyone may see, the same for the API and the page's map."""
from flask import url_for

from app.directory.search import Summary


def public_card(leader: Summary, url: str | None = None) -> dict:
    """The public facts of a leader (Summary.of(profile) for a loaded profile): never the private point.

    url is the profile page's address; the page's own path unless the caller gives another
    (the API gives the full address).
    """
    return {
        "slug": leader.slug,
        "name": leader.name,
        "headline": leader.headline,
        "city": leader.city,
        "region": leader.region,
        "country": leader.country,
        "lat": leader.lat,
        "lng": leader.lng,
        "url": url_for("directory.profile", slug=leader.slug) if url is None else url,
        "online": bool(leader.online),
    }
