"""What gatherings tell people, in-app and by mail (app.notifications), each once per person:
changes of time, place or link, cancellations, waitlist offers, the host's answer, reminders.

STUB: the bodies are filled in by the notices/reminders work; the signatures are the contract.
"""
from __future__ import annotations

from app.models.gatherings import Gathering, Rsvp


def tell_changed(gathering: Gathering, parts: list[str]) -> None:
    """Attendees (going) hear that its time, place or link changed (parts: "time", "place",
    "link"), once per person and change (keyed by the gathering's sequence)."""


def tell_cancelled(gathering: Gathering) -> None:
    """Attendees, the waitlist and people waiting for approval hear it is cancelled, with the reason."""


def tell_offer(rsvp: Rsvp) -> None:
    """A place freed up: the person is offered it until rsvp.offer_expires_at ("Claim your place")."""


def tell_answered(rsvp: Rsvp) -> None:
    """The host approved (going, or waitlisted when full) or declined the person's RSVP."""
