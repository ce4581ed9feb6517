"""How gatherings read for the person looking: times in their own zone (their account's, or the
gathering's own for visitors, whose browser then adds theirs: static/js/gatherings.js)."""
from __future__ import annotations

from flask_login import current_user
from markupsafe import Markup, escape

from app import permissions
from app.gatherings import notices, times
from app.models.gatherings import Gathering


def viewer_zone() -> str | None:
    """The zone chosen in the person's account, if any."""
    if permissions.is_signed_in(current_user) and times.is_zone(current_user.time_zone):
        return current_user.time_zone
    return None


def time_label(gathering: Gathering, zone_name: str | None = None) -> times.TimeLabel:
    return times.label(gathering.starts_at, gathering.time_zone,
                       zone_name if zone_name is not None else viewer_zone(), place=notices.town(gathering))


_VIEWER = object()  # when(): "the viewer's zone, looked up"


def when(gathering: Gathering, *, until: bool = False, zone=_VIEWER) -> Markup:
    """The start as a <time>: "Tue 3 Dec, 18:00 in Hartford (EST) · 00:00 your time (CET)";
    until=True adds the end in the gathering's own zone ("…(EST), until 19:30").

    Without an account zone, the browser's script adds "your time" (data-starts is UTC); the
    text without it is the no-JavaScript fallback. zone: the viewer's zone when the caller has
    looked it up already (a card draws several times from it), None for none."""
    zone = viewer_zone() if zone is _VIEWER else zone
    label = time_label(gathering, zone or "")
    utc = gathering.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    yours = f' <span class="gathering-time__yours">· {escape(label.yours)}</span>' if label.yours else ""
    script = "" if zone else ' data-local-time'
    end = f", until {escape(end_label(gathering))}" if until else ""
    return Markup(f'<time class="gathering-time" datetime="{utc}" data-starts="{utc}" '
                  f'data-zone="{escape(gathering.time_zone)}"{script}>{escape(label.there)}{end}</time>{yours}')


def end_label(gathering: Gathering) -> str:
    """"19:30", or "Wed 4 Dec 01:00" when it ends another day (in the gathering's zone)."""
    start = times.to_local(gathering.starts_at, gathering.time_zone)
    end = times.to_local(gathering.ends_at, gathering.time_zone)
    return times.clock(end) if start.date() == end.date() else f"{times.day_label(end)} {times.clock(end)}"


def span(gathering: Gathering) -> str:
    return times.span_label(gathering.starts_at, gathering.ends_at, gathering.time_zone)


def moment(utc, gathering: Gathering) -> str:
    """Another time of a gathering (a deadline, an offer's end) in the viewer's zone, else its own:
    "Mon 2 Dec, 18:00 (CET)"."""
    zone_name = viewer_zone() or gathering.time_zone
    local = times.to_local(utc, zone_name)
    return f"{times.day_label(local)}, {times.clock(local)} ({times.abbreviation(local)})"


def deadline(gathering: Gathering) -> str:
    return moment(gathering.rsvp_deadline, gathering) if gathering.rsvp_deadline else ""


def offer_expiry(rsvp) -> str:
    return moment(rsvp.offer_expires_at, rsvp.gathering) if rsvp.offer_expires_at else ""


def init_app(app) -> None:
    app.jinja_env.globals.update(gathering_when=when, gathering_span=span,
                                 gathering_time_label=time_label, gathering_deadline=deadline,
                                 gathering_offer_expiry=offer_expiry)
