"""The forum in the feature list: a person's part of "download my data", and what deleting
an account does here (threads stay readable: their messages say "This reply was deleted."
under "Former member")."""
from __future__ import annotations

from sqlalchemy import delete, select, update

from app.extensions import db
from app.forum.posting import forget_text
from app.models.accounts import User
from app.models.forum import (
    ForumAppreciation, ForumBookmark, ForumCategoryFollow, ForumDraft, ForumFlag, ForumFollow,
    ForumMember, ForumPost, ForumSteward, ForumThread, ModerationAction,
)


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def export_data(user: User) -> dict:
    posts = db.session.scalars(select(ForumPost).where(ForumPost.author_id == user.id)
                               .order_by(ForumPost.id)).all()
    threads = [post for post in posts if post.is_opening]
    member = db.session.get(ForumMember, user.id)
    return {"forum": {
        "handle": member.handle if member else None,
        "settings": None if member is None else {
            "follow_threads_i_reply_to": member.follow_on_reply, "digest": member.digest,
            "digest_hour": member.digest_hour, "digest_weekday": member.digest_weekday,
            "time_zone": member.time_zone, "accepted_guidelines_version": member.accepted_guidelines},
        "threads": [{"thread_id": post.thread_id, "title": post.thread.title, "body": post.body,
                     "created_at": _when(post.created_at), "status": post.status,
                     "deleted_at": _when(post.deleted_at)} for post in threads],
        "replies": [{"id": post.id, "thread_id": post.thread_id, "answers": post.parent_id,
                     "body": post.body, "created_at": _when(post.created_at),
                     "edited_at": _when(post.edited_at), "deleted_at": _when(post.deleted_at),
                     "removed_at": _when(post.removed_at), "status": post.status,
                     "appeal": post.appeal, "appealed_at": _when(post.appealed_at)}
                    for post in posts if not post.is_opening],
        "drafts": [{"place": draft.place, "title": draft.title, "body": draft.body,
                    "saved_at": _when(draft.saved_at)}
                   for draft in db.session.scalars(select(ForumDraft).where(ForumDraft.user_id == user.id))],
        "bookmarks": [{"post_id": row.post_id, "at": _when(row.created_at)}
                      for row in db.session.scalars(select(ForumBookmark).where(ForumBookmark.user_id == user.id))],
        "flags": [{"post_id": flag.post_id, "guideline_item": flag.item, "note": flag.note,
                   "at": _when(flag.created_at), "resolution": flag.resolution or None}
                  for flag in db.session.scalars(select(ForumFlag).where(ForumFlag.flagger_id == user.id))],
        "following": [row.thread_id for row in db.session.scalars(
            select(ForumFollow).where(ForumFollow.user_id == user.id, ForumFollow.following.is_(True)))],
    }}


def forget_user(user: User) -> None:
    """Their messages lose their text and their name; everything else of theirs goes."""
    for post in db.session.scalars(select(ForumPost).where(ForumPost.author_id == user.id)):
        forget_text(post)
        post.author_id = None
    db.session.execute(update(ForumThread).where(ForumThread.author_id == user.id).values(author_id=None))
    db.session.execute(update(ForumThread).where(ForumThread.last_reply_by_id == user.id)
                       .values(last_reply_by_id=None))
    given = select(ForumAppreciation.post_id).where(ForumAppreciation.user_id == user.id)
    db.session.execute(update(ForumPost).where(ForumPost.id.in_(given))
                       .values(appreciation_count=ForumPost.appreciation_count - 1))
    for model in (ForumAppreciation, ForumBookmark, ForumDraft, ForumFollow, ForumCategoryFollow,
                  ForumSteward, ForumMember):
        db.session.execute(delete(model).where(model.user_id == user.id))
    # Their flags stay for the stewards to decide, without their name or their words.
    db.session.execute(update(ForumFlag).where(ForumFlag.flagger_id == user.id)
                       .values(flagger_id=None, note=""))
    db.session.execute(update(ForumPost).where(ForumPost.removed_by_id == user.id).values(removed_by_id=None))
    for column in (ModerationAction.actor_id, ModerationAction.subject_id):
        db.session.execute(update(ModerationAction).where(column == user.id).values({column.key: None}))
