"""A partnership's private discussion: one forum thread in the forum's hidden, private category,
written and read through the forum's own pieces (posting, the reply tree, follows and reply mail,
@mentions), so it is the forum's conversation, not a copy of it. Only current partners read it
(app.permissions.can_read_thread); no list, search, feed, sitemap, profile, API or moderation
queue of the forum shows it."""
from __future__ import annotations

from sqlalchemy import delete, select

from app.database import get_or_create
from app.extensions import db
from app.forum import posting, reading
from app.forum import telling as forum_telling
from app.models.accounts import User
from app.models.forum import ForumCategory, ForumDraft, ForumFollow, ForumPost, ForumThread
from app.models.partnerships import Partnership
from app.partnerships import members
from app.partnerships.members import Refused

# No category made by admins can have this address (managing.SLUG allows no underscore), so it
# is never one of theirs; /forum/_partnerships answers 404 (forum.routes._readable_category).
CATEGORY_SLUG = "_partnerships"
TITLE = "Our partnership's conversation"


def category() -> ForumCategory:
    """The forum's private category holding every partnership's thread, made on first need."""
    found = get_or_create(ForumCategory, lambda: ForumCategory(
        name="Learning partnerships", slug=CATEGORY_SLUG, private=True, position=100_000,
        description="Each learning partnership's own conversation, for its partners only."),
        slug=CATEGORY_SLUG)
    if not found.private:  # never written so; a guard against a row changed by hand
        raise RuntimeError(f"The forum category {CATEGORY_SLUG!r} must be private.")
    return found


def thread_of(partnership: Partnership) -> ForumThread | None:
    return db.session.get(ForumThread, partnership.thread_id) if partnership.thread_id else None


def write(partnership: Partnership, user: User, body: str, *, accepted_guidelines: bool = False,
          form_token: str | None = None, follow: bool = True) -> ForumPost:
    """A message to the partners: the first starts the thread (every partner then follows it),
    the others answer its first message. posting.Refused says what to fix."""
    if not members.is_partner(partnership, user):
        raise Refused("Only the partners write in their conversation.")
    members.hold(partnership)  # two first messages at once: one thread
    thread = thread_of(partnership)
    if thread is None:
        opening = posting.start_thread(user, category(), TITLE, body, accepted_guidelines=accepted_guidelines,
                                       form_token=form_token, follow=follow, private=True)
        partnership.thread_id = opening.thread_id
        db.session.flush()
        for person in members.current_people(partnership):
            if person.id != user.id:
                follow_for(partnership, person)
        return opening
    return posting.reply(user, thread, reading.opening_of(thread), body, accepted_guidelines=accepted_guidelines,
                         form_token=form_token, follow=follow)


def follow_for(partnership: Partnership, person: User) -> None:
    """A partner gets the forum's reply mail for the conversation (they may stop it there)."""
    thread = thread_of(partnership)
    if thread is not None:
        forum_telling.set_following(person, thread, True, chosen=True)


def forget_for(partnership: Partnership, person: User) -> None:
    """Someone who leaves: no more mail about the conversation, no drafts for it."""
    thread = thread_of(partnership)
    if thread is None:
        return
    db.session.execute(delete(ForumFollow).where(ForumFollow.thread_id == thread.id,
                                                 ForumFollow.user_id == person.id))
    db.session.execute(delete(ForumDraft).where(ForumDraft.user_id == person.id,
                                                ForumDraft.place.like(f"thread:{thread.id}:%")))


def partnership_of_thread(thread_id: int) -> Partnership | None:
    return db.session.scalar(select(Partnership).where(Partnership.thread_id == thread_id))
