"""The learning partnerships' kinds of notification: invitations and their answers, the opening
done, the agreement changed (accept it again), a partner leaving, a pause."""
from __future__ import annotations

from app.notifications.kinds import Kind

# Every kind's mail is the same short template (mail/partnership_notice.txt): what happened, then
# the link; the partnership's own page holds the rest, for its partners only.
PARTNERSHIP_INVITATION = Kind(
    "partnership_invitation", "Email me when someone invites me to a learning partnership",
    "Who invited you and what they wrote; you answer on your partnerships page",
    template="partnership_notice")
PARTNERSHIP_ANSWER = Kind(
    "partnership_answer", "Email me when someone accepts or declines my invitation to a partnership",
    template="partnership_notice")
PARTNERSHIP_OPENED = Kind(
    "partnership_opened", "Email me when my partnership's opening is done and it becomes active",
    "Everyone answered the opening questions and accepted the agreement",
    template="partnership_notice")
PARTNERSHIP_AGREEMENT = Kind(
    "partnership_agreement", "Email me when a partner changes our agreement",
    "Each new version waits for every partner to accept it again", template="partnership_notice")
PARTNERSHIP_LEFT = Kind(
    "partnership_left", "Email me when a partner leaves one of my partnerships",
    template="partnership_notice")
PARTNERSHIP_PAUSED = Kind(
    "partnership_paused", "Email me when a partner pauses or resumes one of my partnerships",
    template="partnership_notice")

# Listed in app/features.py (the site's table of kinds), in the settings page's order.
KINDS = (PARTNERSHIP_INVITATION, PARTNERSHIP_ANSWER, PARTNERSHIP_OPENED, PARTNERSHIP_AGREEMENT,
         PARTNERSHIP_LEFT, PARTNERSHIP_PAUSED)
