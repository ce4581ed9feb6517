"""What a person keeps of others' messages: appreciations (one each, counted on the message)
and bookmarks. Views commit."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app import permissions
from app.database import insert_unique
from app.extensions import db
from app.models.accounts import User
from app.models.forum import ForumAppreciation, ForumBookmark, ForumPost, ForumThread

BOOKMARKS_SHOWN = 200


def toggle_appreciation(user: User, post: ForumPost) -> None:
    """Appreciates the message, or takes the appreciation back; the count moves with the
    rows, in one statement each. Nothing happens for those who may not (their own message)."""
    if not permissions.can_appreciate(user, post):
        return
    mine = db.session.get(ForumAppreciation, (post.id, user.id))
    if mine is not None:
        db.session.delete(mine)
        db.session.flush()
        step = -1
    elif insert_unique(ForumAppreciation(post_id=post.id, user_id=user.id)):
        step = 1
    else:
        return  # another click of theirs gave it a moment ago
    db.session.execute(update(ForumPost).where(ForumPost.id == post.id).values(
        appreciation_count=ForumPost.appreciation_count + step))
    db.session.expire(post, ["appreciation_count"])


def toggle_bookmark(user: User, post: ForumPost) -> bool:
    """Bookmarks the message, or removes the bookmark; whether it is bookmarked now."""
    mine = db.session.get(ForumBookmark, (user.id, post.id))
    if mine is not None:
        db.session.delete(mine)
        return False
    insert_unique(ForumBookmark(user_id=user.id, post_id=post.id))
    return True


def bookmarked(user: User) -> list[ForumPost]:
    """The person's bookmarks, newest first, in categories they may still read."""
    posts = db.session.scalars(
        select(ForumPost).join(ForumBookmark, ForumBookmark.post_id == ForumPost.id)
        .where(ForumBookmark.user_id == user.id)
        .options(selectinload(ForumPost.author),
                 selectinload(ForumPost.thread).selectinload(ForumThread.category))
        .order_by(ForumBookmark.created_at.desc()).limit(BOOKMARKS_SHOWN)).all()
    return [post for post in posts if permissions.can_read_thread(user, post.thread)]
