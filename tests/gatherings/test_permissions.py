"""Who may open each gatherings page: every route for visitors, members, other leaders, the
host, a co-host and admins, for a published gathering and for a draft."""
import pytest

from app.extensions import db
from app.models.directory import LeaderProfile
from tests.conftest import login
from tests.gatherings.helpers import make_gathering

ROLES = ("visitor", "member", "unconfirmed", "other leader", "host", "cohost", "admin")
# (path template, published: {role: status}, draft: {role: status}); "login" is a redirect to log in.
MANAGE = {"visitor": "login", "member": 403, "unconfirmed": 403, "other leader": 403,
          "host": 200, "cohost": 200, "admin": 200}
DRAFT_MANAGE = {**MANAGE, "member": 404, "unconfirmed": 404, "other leader": 404}
PUBLIC = dict.fromkeys(ROLES, 200)
DRAFT_PUBLIC = {**dict.fromkeys(ROLES, 404), "host": 200, "cohost": 200, "admin": 200}
PAGES = [
    ("/gatherings/{id}", PUBLIC, DRAFT_PUBLIC),
    ("/gatherings/{id}.ics", PUBLIC, DRAFT_PUBLIC),
    ("/gatherings/{id}/edit", MANAGE, DRAFT_MANAGE),
    ("/gatherings/{id}/cancel", MANAGE, DRAFT_MANAGE),
    ("/gatherings/{id}/attendees", MANAGE, DRAFT_MANAGE),
    ("/gatherings/{id}/attendees.csv", MANAGE, DRAFT_MANAGE),
    ("/gatherings/{id}/message", MANAGE, DRAFT_MANAGE),
]


@pytest.fixture
def cast(app, make_user):
    """Someone in every role, and a published gathering and a draft hosted with a co-host."""
    people = {"member": make_user(), "unconfirmed": make_user(verified=False),
              "other leader": make_user(role="leader"), "host": make_user(role="leader"),
              "cohost": make_user(role="leader"), "admin": make_user(role="admin")}
    with app.app_context():
        db.session.add(LeaderProfile(user_id=people["cohost"].id, display_name="Co Host", slug="co-host"))
        db.session.commit()
    published = make_gathering(app, people["host"], cohosts=["co-host"])
    draft = make_gathering(app, people["host"], publish=False, cohosts=["co-host"], title="Still a draft")
    return people, published, draft


def status_of(answer) -> int | str:
    if answer.status_code in (302, 303) and "/login" in answer.headers.get("Location", ""):
        return "login"
    return answer.status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_it_should(app, client, cast, role):
    people, published, draft = cast
    if role != "visitor":
        assert login(client, people[role].email).status_code == 302
    for path, for_published, for_draft in PAGES:
        assert status_of(client.get(path.format(id=published))) == for_published[role], (path, role)
        assert status_of(client.get(path.format(id=draft))) == for_draft[role], (path, role, "draft")


@pytest.mark.parametrize("role, status", [("visitor", "login"), ("member", 403), ("unconfirmed", 403),
                                          ("other leader", 200), ("admin", 200)])
def test_who_may_host(app, client, cast, role, status):
    people, _, _ = cast
    if role != "visitor":
        login(client, people[role].email)
    assert status_of(client.get("/gatherings/new")) == status


@pytest.mark.parametrize("path", ["/gatherings/mine", "/gatherings/calendar", "/account/time-zone"])
def test_a_persons_own_pages_ask_visitors_to_log_in(client, path):
    assert status_of(client.get(path)) == "login"


@pytest.mark.parametrize("role", ["member", "other leader"])
def test_people_who_do_not_host_cannot_publish_cancel_or_answer_requests(app, client, cast, role):
    people, published, draft = cast
    login(client, people[role].email)
    assert client.post(f"/gatherings/{draft}/publish").status_code == 404
    assert client.post(f"/gatherings/{published}/cancel",
                       data={"reason": "I should not be able to do this."}).status_code == 403
    assert client.post(f"/gatherings/{published}/requests/1", data={"decision": "approve"}).status_code in (403, 404)
    page = client.get(f"/gatherings/{published}").get_data(as_text=True)
    assert "This gathering is cancelled" not in page


def test_nothing_that_does_not_exist_answers_other_than_404(client, login_as):
    login_as("admin")
    for path in ("/gatherings/999999", "/gatherings/999999.ics", "/gatherings/999999/edit",
                 "/gatherings/999999/attendees", "/gatherings/999999/join/nothing",
                 "/gatherings/calendar/nothing.ics"):
        assert client.get(path).status_code == 404, path
