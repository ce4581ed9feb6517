"""The gatherings' kinds of notification: changes and cancellations, reminders, waitlist offers,
the host's answer (for attendees), and requests to come (for hosts)."""
from __future__ import annotations

from app.notifications.kinds import Kind

GATHERING_CHANGE = Kind(
    "gathering_change",
    "Email me when a gathering I'm going to changes its time, place or link, or is cancelled",
    "The new time in your own time zone, and your personal join address",
    template="gathering_change")
# "gathering_reminders", not "..._reminder": tests/notifications/test_kinds.py registers a
# made-up kind of that name in the site's table, which would then be declared twice.
GATHERING_REMINDERS = Kind(
    "gathering_reminders", "Email me reminders before gatherings I'm going to",
    "24 hours and 1 hour before, with the time, the place or your join address",
    template="gathering_reminder")
GATHERING_OFFER = Kind(
    "gathering_offer", "Email me when a place frees up for me on a waitlist",
    "The place is held for you for 48 hours: claim it on the gathering's page",
    template="gathering_offer")
GATHERING_ANSWER = Kind(
    "gathering_answer", "Email me when a host answers my request to come",
    "For gatherings whose hosts approve each RSVP", template="gathering_answer")
GATHERING_RSVP = Kind("gathering_rsvp", "Someone asks to come to a gathering I host")  # in-app only

# Listed in app/features.py (the site's table of kinds), in the settings page's order.
KINDS = (GATHERING_CHANGE, GATHERING_REMINDERS, GATHERING_OFFER, GATHERING_ANSWER, GATHERING_RSVP)
