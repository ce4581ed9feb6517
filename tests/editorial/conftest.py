"""Editorial fixtures: people in every role, proposals in any state, acting as someone."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.editorial.workflow import Stage, State
from app.extensions import db
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.editorial import Event, Proposal, Revision
from app.editorial import services, steps

LATER_STATES = (State.APPROVED, State.SCHEDULED, State.PUBLISHED)


def _user(email, name, role):
    user = User(email=email, display_name=name, role=role, email_verified_at=utcnow(),
                password_hash="not-used-in-these-tests")
    db.session.add(user)
    return user


@pytest.fixture
def people(app):
    """A leader (the author), another leader, two editors, an admin and a member."""
    with app.app_context():
        users = {
            "author": _user("author@example.com", "Amara Author", Role.LEADER),
            "other_leader": _user("other@example.com", "Olu Other", Role.LEADER),
            "editor": _user("editor@example.com", "Eda Editor", Role.EDITOR),
            "editor2": _user("editor2@example.com", "Ezra Second", Role.EDITOR),
            "admin": _user("admin@example.com", "Ada Admin", Role.ADMIN),
            "member": _user("member@example.com", "Mo Member", Role.MEMBER),
        }
        db.session.commit()
        return SimpleNamespace(**{key: user.id for key, user in users.items()})


@pytest.fixture
def act_as(client, app):
    """act_as(user_id): log the test client in as that person without a password round trip."""

    def log_in(user_id):
        from app.auth import sessions
        with app.app_context():
            user = db.session.get(User, user_id)
            sessions.start(user, remember=False)  # the server-side session the cookie names
            db.session.commit()
            session_id = user.get_id()
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = session_id
            session["_fresh"] = True
        return client

    return log_in


def stage_for(state: State, stage: Stage | None = None) -> Stage:
    if stage is not None:
        return stage
    return Stage.POST if state in LATER_STATES else Stage.PITCH


@pytest.fixture
def make_proposal(app):
    """make_proposal(author_id, state=..., stage=..., editor_id=..., **fields) -> id."""

    def make(author_id, state=State.DRAFT, stage=None, editor_id=None, submitted=None,
             **fields):
        state = State(state)
        with app.app_context():
            author = db.session.get(User, author_id)
            values = {
                "title": "Saturday repair café in Riverside",
                "summary": "Neighbours fix each other's kettles and bikes every Saturday.",
                "why_it_matters": "Other leaders can start one with a room and a toolbox.",
                "body": "We began with **three tables** and a kettle.\n\nNow forty people come.",
                "excerpt": "How a repair café grew from three tables.",
            }
            values.update(fields)
            tags = values.pop("tags", ["repairs", "neighbours"])
            proposal = Proposal(author=author, state=state, stage=stage_for(state, stage),
                                **values)
            if stage_for(state, stage) is Stage.PITCH and "body" not in fields:
                proposal.body = ""
            db.session.add(proposal)
            services._set_tags(proposal, tags)
            if editor_id:
                proposal.editor_id = editor_id
            was_submitted = state is not State.DRAFT if submitted is None else submitted
            if was_submitted:
                proposal.first_submitted_at = utcnow() - timedelta(days=2)
                db.session.add(Revision(proposal=proposal, number=1, kind="submit",
                                        made_by=author, title=proposal.title,
                                        summary=proposal.summary,
                                        why_it_matters=proposal.why_it_matters,
                                        body=proposal.body, tags="repairs, neighbours"))
            if state is State.SCHEDULED:
                proposal.publish_at = utcnow() + timedelta(days=1)
            if state is State.PUBLISHED:
                proposal.published_at = utcnow() - timedelta(hours=1)
                proposal.slug = steps.unique_slug(proposal)
            db.session.add(Event(proposal=proposal, actor=author, action="create",
                                 to_state=state))
            db.session.commit()
            return proposal.id

    return make


@pytest.fixture
def proposal_state(app):
    def read(proposal_id):
        with app.app_context():
            proposal = db.session.get(Proposal, proposal_id)
            return proposal.state, proposal.version
    return read
