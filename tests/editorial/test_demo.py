"""Editorial demo data: every state, deterministic, and safe to load twice."""
import random

from sqlalchemy import func, select

from app.editorial.demo import seed_editorial
from app.editorial.workflow import State
from app.extensions import db
from app.models.editorial import Comment, Proposal, Revision
from app.models.mail import OutboxMessage


def test_demo_has_every_state_and_loads_once(app):
    with app.app_context():
        counts = seed_editorial(random.Random(2026), {})
        db.session.commit()
        assert counts["proposals"] == 12 and counts["published posts"] == 4
        states = set(db.session.scalars(select(Proposal.state)))
        assert states == set(State)
        assert db.session.scalar(select(func.count()).select_from(Revision)) > 10
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 6
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert seed_editorial(random.Random(2026), {}) == {"proposals": 0}
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 12
