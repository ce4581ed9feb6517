"""The forum's demo data: what the issue asks the demo to show, seeded once."""
from sqlalchemy import func, select

from app import features
from app.extensions import db
from app.models.forum import ForumCategory, ForumFlag, ForumPost, ForumThread
from tests.conftest import shown


def test_the_demo_has_four_categories_nested_replies_a_deleted_one_a_pin_a_flag_and_appreciations(app, client):
    with app.app_context():
        first = features.seed_demo()
        again = features.seed_demo()
        # (The partnerships' demo adds the hidden private category of their conversations.)
        categories = db.session.scalars(select(ForumCategory).where(ForumCategory.private.is_(False))).all()
        assert len(categories) == 4 and sum(c.members_only for c in categories) == 1
        assert all(c.stewards for c in categories)
        assert first["forum_threads"] == 4 and again["forum_threads"] == 0
        assert db.session.scalar(select(func.max(ForumPost.depth))) >= 3
        assert db.session.scalar(select(func.count()).select_from(ForumPost).where(ForumPost.deleted_at.isnot(None))) == 1
        assert db.session.scalar(select(func.count()).select_from(ForumThread).where(ForumThread.pinned)) == 1
        assert db.session.scalar(select(func.count()).select_from(ForumFlag).where(ForumFlag.resolved_at.is_(None))) == 1
        assert db.session.scalar(select(func.sum(ForumPost.appreciation_count))) >= 5
        deep = db.session.scalar(select(ForumPost).order_by(ForumPost.depth.desc()).limit(1))
        thread_id = deep.thread_id
        deleted_in = db.session.scalar(select(ForumPost.thread_id).where(ForumPost.deleted_at.isnot(None)))
    page = shown(client.get(f"/forum/threads/{thread_id}"), "in reply to")
    shown(client.get(f"/forum/threads/{deleted_in}"), "This reply was deleted.")
    assert "Leaders' circle" not in shown(client.get("/forum"), "Introductions", "Running gatherings")
    assert page
