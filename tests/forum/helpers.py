"""Making forum rows for tests: categories, threads and replies through the forum's own rules."""
from __future__ import annotations

import secrets

from app.extensions import db
from app.forum import posting
from app.models.accounts import User
from app.models.forum import ForumCategory, ForumPost, ForumSteward, ForumThread


def make_category(app, name="Getting started", slug=None, members_only=False, stewards=()) -> int:
    with app.app_context():
        category = ForumCategory(name=name, slug=slug or name.lower().replace(" ", "-"),
                                 description=f"About {name.lower()}.", members_only=members_only)
        db.session.add(category)
        db.session.flush()
        for person in stewards:
            db.session.add(ForumSteward(category_id=category.id, user_id=person.id))
        db.session.commit()
        return category.id


def start_thread(app, author, category_id, title="A question for everyone", body=None) -> tuple[int, int]:
    """(thread id, opening message id); the body names the title (the same text twice is refused)."""
    body = body or f"What do you think about {title.lower()}?"
    with app.test_request_context():
        user = db.session.get(User, author.id)
        opening = posting.start_thread(user, db.session.get(ForumCategory, category_id), title, body,
                                       accepted_guidelines=True, form_token=secrets.token_hex(8))
        db.session.commit()
        return opening.thread_id, opening.id


def reply_to(app, author, post_id, body=None) -> int:
    with app.test_request_context():
        user = db.session.get(User, author.id)
        parent = db.session.get(ForumPost, post_id)
        thread = db.session.get(ForumThread, parent.thread_id)
        answer = posting.reply(user, thread, parent, body or f"An answer to {post_id}, {secrets.token_hex(3)}",
                               accepted_guidelines=True, form_token=secrets.token_hex(8))
        db.session.commit()
        return answer.id
