"""The one-click link from a mail, opened in a browser with no session: it asks, then stops."""
from app.auth.services import create_user
from app.extensions import db
from app.models.accounts import Role, User
from app.notifications import services
from app.notifications.unsubscribe import token_for

PASSWORD = "lantern harbour quince 31"


def test_the_link_in_a_mail_asks_then_stops_that_kind(page, a11y, live_app, live_server):
    with live_app.app_context():
        user = create_user("reader.unsub@example.com", "Rin Reader", PASSWORD, Role.LEADER,
                           verified=True)
        db.session.commit()
        user_id = user.id
        token = token_for(user_id, "post_published")

    page.goto(f"/notifications/unsubscribe/{token}")
    a11y(page)
    assert page.get_by_role("heading", name="Stop these emails").is_visible()
    page.get_by_role("button", name="Stop these emails").click()
    a11y(page)
    assert page.get_by_role("heading", name="Emails stopped").is_visible()
    with live_app.app_context():
        choices = services.email_choices(db.session.get(User, user_id))
    assert choices["post_published"] is False and choices["proposal_decision"] is True

