"""The configured geocoder (LEADERS_GEOCODER), bound to the request's database session."""
from flask import current_app, g

from app.extensions import db
from app.geo.geocoder import Geocoder, OfflineGeocoder, make_geocoder


def get_geocoder() -> Geocoder:
    """One geocoder per request or CLI context: "offline" (default) or "nominatim"."""
    if "geocoder" not in g:
        name = current_app.config["GEOCODER"]
        g.geocoder = make_geocoder(
            name, db.session,
            user_agent=current_app.config["NOMINATIM_USER_AGENT"],
            fallback=OfflineGeocoder(db.session),
        )
    return g.geocoder
