"""No typed text is lost, in a browser: a long draft saved after the session ended comes back
after logging in again, and is then saved."""
import pytest
from sqlalchemy import delete, select

from app.auth.services import create_user
from app.extensions import db
from app.models.accounts import Role, UserSession
from app.models.editorial import Proposal

PASSWORD = "lantern orchard cello 41"
LEADER = "kept.journey@example.com"
DRAFT = ("The first evening we pinned a bedsheet to the wall of the community hall and borrowed a "
         "projector from the school. Eleven people came; two brought their own chairs. ") * 12


@pytest.fixture(params=[{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                ids=["desktop", "phone"])
def viewport(request):
    return request.param


def _draft(app) -> tuple[int, int]:
    with app.app_context():
        leader = create_user(LEADER, "Rosa Lantern", PASSWORD, Role.LEADER, verified=True)
        proposal = Proposal(author=leader, title="Pop-up cinema on the estate",
                            summary="Films on the side of the community hall.",
                            why_it_matters="Every age comes out on the same evening.")
        db.session.add(proposal)
        db.session.commit()
        return leader.id, proposal.id


def log_in(page, a11y):
    page.get_by_label("Email address").fill(LEADER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    a11y(page)


def test_a_draft_saved_after_the_session_expired_is_back_and_saved_after_logging_in(
        page, a11y, live_app):
    leader_id, proposal_id = _draft(live_app)
    page.goto(f"/login?next=/proposals/{proposal_id}")
    a11y(page)
    log_in(page, a11y)
    page.get_by_label("The full post").fill(DRAFT)

    with live_app.app_context():  # the session ends on the server while they type
        db.session.execute(delete(UserSession).where(UserSession.user_id == leader_id))
        db.session.commit()
    page.get_by_role("button", name="Save draft").click()
    a11y(page)
    assert "/login" in page.url
    assert "Log in again and the form comes back" in page.locator(".flashes").inner_text()

    log_in(page, a11y)
    assert f"/proposals/{proposal_id}?kept=" in page.url
    assert page.get_by_label("The full post").input_value().strip() == DRAFT.strip()
    assert "Everything you typed is below" in page.locator("[data-error-summary]").inner_text()

    page.get_by_role("button", name="Save draft").click()
    a11y(page)
    with live_app.app_context():
        assert db.session.scalar(select(Proposal.body).where(Proposal.id == proposal_id)).strip() \
            == DRAFT.strip()
