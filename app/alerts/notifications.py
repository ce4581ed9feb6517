"""The alerts' kinds of notification, and the signed one-click links their mail carries (one alert's
mail, or the alerts one mail is about)."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.notifications.kinds import Kind
from app.urls import site_url

ALERT_FOUND = Kind("alert_found", "Something new appears near one of my alerts")  # in-app only
ALERT_MAIL = Kind(
    "alert_mail", "Email me what my alerts find, daily or weekly as I chose on my alerts page",
    "New leaders and gatherings near the places you saved; each alert in the mail has a link "
    "to stop that alert's mail alone",
    template="alert_mail")

# Listed in app/features.py (the site's table of kinds), in the settings page's order.
KINDS = (ALERT_FOUND, ALERT_MAIL)

# Not timed: a link in a mail read months later must still work. Its own salt, so no other
# token of the site (a forum thread's, a kind's) can be passed off as one.
_SALT = "alerts-unsubscribe"
MAX_ALERTS_IN_TOKEN = 50


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_url(user_id: int, alert_ids: list[int]) -> str:
    """The link that stops the mail of these alerts of this person (one alert: the link in its
    part of the mail; all of a mail's alerts: the List-Unsubscribe header's)."""
    token = _serializer().dumps({"user": user_id, "alerts": sorted(set(alert_ids))})
    return site_url("alerts.unsubscribe", token=token)


def read_unsubscribe_token(token: str) -> tuple[int, list[int]] | None:
    """(user id, alert ids) from a good token, None from any other."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not _is_id(data.get("user")):
        return None
    alerts = data.get("alerts")
    if not (isinstance(alerts, list) and 0 < len(alerts) <= MAX_ALERTS_IN_TOKEN and all(map(_is_id, alerts))):
        return None
    return data["user"], alerts


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
