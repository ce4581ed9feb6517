"""What moderation tells people, in the app only: a steward removed their message, paused their
posting, decided on a held message or answered their appeal."""
from app.notifications.kinds import Kind

FORUM_MODERATION = Kind(
    "forum_moderation", "A steward acts on one of your forum messages or on your posting",
    "A message removed (and which guideline it broke), a held message approved or not, a pause "
    "on your posting, the answer to your appeal")

# Listed in app/features.py (the forum's Feature entry).
MODERATION_KINDS = (FORUM_MODERATION,)
