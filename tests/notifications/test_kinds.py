"""The table of kinds: what the settings page offers, and notify() refusing an undeclared kind."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.accounts import User
from app.models.notifications import Notification
from app.notifications import services
from app.notifications.kinds import EXTENSION, Kind, KindTable, UnknownKind, kinds
from tests.conftest import shown

REMINDER = Kind("gathering_reminder", "Email me the day before a gathering I joined",
                "A reminder with the time and the place", template="editorial_published")
QUIET = Kind("gathering_digest", "Email me a weekly list of gatherings near me",
             email_by_default=False, template="editorial_published")


def _checked(page: str, name: str) -> bool:
    box = re.search(rf'<input [^>]*name="{name}"[^>]*>', page).group(0)
    return " checked" in box


def test_a_kind_a_feature_declares_appears_on_the_settings_page(app, client, people, act_as):
    app.extensions[EXTENSION].register(REMINDER)
    app.extensions[EXTENSION].register(QUIET)
    act_as(people.member)
    page = shown(client.get("/notifications/settings"), "Email me the day before a gathering I joined")
    assert "Email me the day before a gathering I joined" in page
    assert "A reminder with the time and the place" in page
    assert _checked(page, "gathering_reminder") is True
    assert _checked(page, "gathering_digest") is False  # off by default
    assert "Email me when an editor decides" in page
    assert "sent or resent to the editors" not in page  # offered to editors only

    assert client.post("/notifications/settings", data={"gathering_digest": "y"}).status_code == 302
    with app.app_context():
        chosen = services.email_choices(db.session.get(User, people.member))
    assert chosen["gathering_reminder"] is False and chosen["gathering_digest"] is True
    assert chosen["proposal_decision"] is False
    assert chosen["proposal_submitted"] is True, "a kind not offered keeps its choice"


def test_the_settings_page_lists_the_kinds_in_the_table_and_no_others(app, client, people,
                                                                     act_as):
    app.extensions[EXTENSION] = KindTable([REMINDER])
    act_as(people.editor)
    page = shown(client.get("/notifications/settings"), "Email me the day before a gathering I joined")
    assert "Email me the day before a gathering I joined" in page
    assert "Email me when an editor decides" not in page


def test_notify_refuses_a_kind_no_feature_declared(app, people):
    with app.test_request_context():
        user = db.session.get(User, people.author)
        with pytest.raises(UnknownKind):
            services.notify(user, "proposal_decisoin", "Typo", "/")
        services.notify(user, "comment", "Someone commented.", "/proposals/1")
        assert db.session.scalar(select(Notification.kind)) == "comment"
        assert "comment" in kinds() and not kinds()["comment"].sends_mail


def test_a_kind_is_declared_once():
    with pytest.raises(ValueError, match="declared twice"):
        KindTable([REMINDER, REMINDER])


def test_the_menu_counts_only_the_persons_own_unread_notifications(app, client, people, act_as):
    act_as(people.member)
    assert "unread</span>" not in client.get("/blog").get_data(True)
    with app.test_request_context():
        member, author = db.session.get(User, people.member), db.session.get(User, people.author)
        for n in range(3):
            services.notify(member, "comment", f"Comment {n}", "/proposals/1")
        services.notify(author, "comment", "Not for the member", "/proposals/1")
        db.session.commit()
    assert '3<span class="visually-hidden"> unread</span>' in client.get("/blog").get_data(True)
    assert client.post("/notifications/read").status_code == 302  # "Mark all as read"
    assert "unread</span>" not in client.get("/blog").get_data(True)
