"""A partnership is its current partners' alone: its page, opening answers, agreement, rhythm,
check-ins, meetings (private gatherings) and conversation (a private forum thread) answer 404 on
every route to a visitor, a leader outside it, a partner of another partnership, an admin, and a
partner who left. Admins see only that it exists and its size."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models.base import utcnow
from app.models.gatherings import Gathering
from app.models.partnerships import Partnership
from app.partnerships import lifecycle, meetings, space
from tests.conftest import PASSWORD, login, shown
from tests.partnerships.helpers import SECRET_WORD, log_in_as, make_partnership, meeting_ids

ROLES = ("visitor", "member", "outsider", "other_partner", "admin", "former")


def _write(app, partnership_id, person, text) -> int:
    import secrets
    with app.test_request_context(method="POST"):
        message = space.write(db.session.get(Partnership, partnership_id), db.session.get(type(person), person.id),
                              text, accepted_guidelines=True, form_token=secrets.token_hex(8))
        db.session.commit()
        return message.id


@pytest.fixture
def world(app, make_user):
    cleo, ana, ben = make_user(name="Cleo Former"), make_user(name="Ana Partner"), make_user(name="Ben Partner")
    partnership_id = make_partnership(app, [cleo, ana, ben], opened=True, rhythm=True)
    [past] = meeting_ids(app, partnership_id)
    with app.test_request_context(method="POST"):
        meeting = db.session.get(Gathering, past)
        assert meeting.host_id == cleo.id  # the partner who will leave convened the past meeting
        meeting.starts_at, meeting.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=2)
        partnership = db.session.get(Partnership, partnership_id)
        meetings.check_in(partnership, db.session.get(type(cleo), cleo.id), meeting, True, f"We met {SECRET_WORD}")
        db.session.commit()
    [_, upcoming] = meeting_ids(app, partnership_id)
    opening = _write(app, partnership_id, ana, f"Hello both, about {SECRET_WORD} first")
    reply = _write(app, partnership_id, ben, f"Yes, {SECRET_WORD} it is")
    cleos = _write(app, partnership_id, cleo, f"Before I go: {SECRET_WORD} matters")
    with app.test_request_context(method="POST"):
        lifecycle.leave(db.session.get(Partnership, partnership_id), db.session.get(type(cleo), cleo.id))
        db.session.commit()
        thread_id = db.session.get(Partnership, partnership_id).thread_id
    outsider = make_user(role="leader")
    other = make_user()
    make_partnership(app, [other, make_user()])
    people = {"partner": ana, "former": cleo, "outsider": outsider, "other_partner": other, "member": make_user(),
              "admin": make_user(role="admin")}
    return {"people": people, "p": partnership_id, "past": past, "upcoming": upcoming, "thread": thread_id,
            "opening": opening, "reply": reply, "cleos": cleos}


def routes(w) -> list[tuple[str, str]]:
    p, past, upcoming, t, first, reply, own = (w["p"], w["past"], w["upcoming"], w["thread"], w["opening"],
                                                w["reply"], w["cleos"])
    return [
        ("GET", f"/partnerships/{p}"), ("GET", f"/partnerships/{p}/opening"), ("POST", f"/partnerships/{p}/opening"),
        ("GET", f"/partnerships/{p}/agreement"), ("POST", f"/partnerships/{p}/agreement"),
        ("POST", f"/partnerships/{p}/agreement/accept"), ("GET", f"/partnerships/{p}/rhythm"),
        ("POST", f"/partnerships/{p}/rhythm"), ("POST", f"/partnerships/{p}/conversation"),
        ("GET", f"/partnerships/{p}/meetings/{past}/check-in"), ("POST", f"/partnerships/{p}/meetings/{past}/check-in"),
        ("GET", f"/partnerships/{p}/pause"), ("POST", f"/partnerships/{p}/pause"), ("POST", f"/partnerships/{p}/resume"),
        ("GET", f"/partnerships/{p}/leave"), ("POST", f"/partnerships/{p}/leave"),
        ("GET", f"/partnerships/discussions/{t}"), ("GET", f"/partnerships/discussions/{t}?post={reply}"),
        # Its meetings: private gatherings.
        ("GET", f"/gatherings/{past}"), ("GET", f"/gatherings/{upcoming}"), ("GET", f"/gatherings/{upcoming}.ics"),
        ("GET", f"/gatherings/{past}.ics"), ("GET", f"/gatherings/{upcoming}/attendees"),
        ("GET", f"/gatherings/{upcoming}/attendees.csv"), ("GET", f"/gatherings/{upcoming}/message"),
        ("GET", f"/gatherings/{upcoming}/edit"), ("GET", f"/gatherings/{upcoming}/cancel"),
        ("POST", f"/gatherings/{upcoming}/rsvp"), ("GET", f"/gatherings/{past}/edit"),
        # Its conversation: a private forum thread.
        ("GET", f"/forum/threads/{t}"), ("GET", f"/forum/threads/{t}/slug"), ("GET", f"/forum/threads/{t}/posts/{reply}"),
        ("GET", f"/forum/threads/{t}/replies/{first}"), ("GET", f"/forum/threads/{t}/reply/{first}"),
        ("POST", f"/forum/threads/{t}/reply/{first}"), ("GET", f"/forum/posts/{own}/edit"),
        ("POST", f"/forum/posts/{own}/edit"), ("GET", f"/forum/posts/{own}/delete"),
        ("GET", f"/forum/posts/{own}/versions"), ("POST", f"/forum/posts/{reply}/appreciate"),
        ("GET", f"/forum/posts/{reply}/appreciations"), ("POST", f"/forum/posts/{reply}/bookmark"),
        ("GET", f"/forum/posts/{reply}/flag"), ("GET", f"/forum/posts/{reply}/remove"),
        ("GET", f"/forum/posts/{own}/appeal"), ("POST", f"/forum/posts/{reply}/approve"),
        ("POST", f"/forum/posts/{reply}/reject"), ("POST", f"/forum/threads/{t}/lock"),
        ("POST", f"/forum/threads/{t}/pin"), ("POST", f"/forum/threads/{t}/follow"),
        ("GET", f"/forum/threads/{t}/feed.atom"), ("GET", f"/api/forum/threads/{t}"),
        ("GET", "/forum/_partnerships"), ("GET", "/forum/_partnerships/new"), ("GET", "/forum/_partnerships/feed.atom"),
    ]


FORM = {"body": "Let me in", "text": "A new agreement of mine, long enough.", "base": "1", "number": "1",
        "met": "yes", "note": "hello", "answers-0": "x", "reason": "I want to cancel it now.", "going": "1",
        "following": "1", "frequency": "weekly", "first": "2031-05-01T09:30", "time_zone": "Europe/Berlin",
        "duration": "60", "mode": "online", "meeting_url": "https://meet.example/other", "language": "English"}


def _send(client, method, path):
    return client.get(path) if method == "GET" else client.post(path, data=FORM)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_404_to_everyone_but_the_partners(app, client, world, role):
    if role != "visitor":
        assert login(client, world["people"][role].email, PASSWORD).status_code == 302
    for method, path in routes(world):
        answer = _send(client, method, path)
        where = f"{role}: {method} {path}"
        if role == "visitor" and answer.status_code in (302, 303):
            # Log in first (as for any number at all), or the text typed kept for the page it came
            # from (app.kept), which then answers 404.
            for _ in range(3):
                going = answer.headers.get("Location", "")
                if "/login" in going or answer.status_code not in (302, 303):
                    break
                answer = client.get(going)
            assert "/login" in going or answer.status_code == 404, where
            continue
        assert answer.status_code == 404, f"{where} answered {answer.status_code}"
        assert SECRET_WORD not in answer.get_data(as_text=True), where
    # Nothing changed hands: the partnership stands as it was.
    with app.app_context():
        found = db.session.get(Partnership, world["p"])
        assert found.state == "active" and found.partner_count == 2 and found.agreement_version == 1


def test_the_partners_themselves_open_every_page(app, client, world):
    assert login(client, world["people"]["partner"].email, PASSWORD).status_code == 302
    p, past, upcoming, t = world["p"], world["past"], world["upcoming"], world["thread"]
    for path in (f"/partnerships/{p}", f"/partnerships/{p}/opening", f"/partnerships/{p}/agreement",
                 f"/partnerships/{p}/rhythm", f"/partnerships/{p}/meetings/{past}/check-in",
                 f"/partnerships/{p}/pause", f"/partnerships/{p}/leave", f"/gatherings/{past}", f"/gatherings/{upcoming}",
                 f"/gatherings/{upcoming}.ics", f"/forum/threads/{t}/reply/{world['opening']}",
                 f"/forum/posts/{world['opening']}/edit"):
        assert client.get(path).status_code == 200, path
    page = shown(client.get(f"/partnerships/{p}"), f"about {SECRET_WORD} first", f"We met {SECRET_WORD}")
    assert "Cleo Former" in page  # her check-in and her message stay; she is no longer listed as a partner
    assert shown(client.get(f"/forum/threads/{t}/posts/{world['reply']}"), status=302)
    moved = client.get(f"/forum/threads/{t}/posts/{world['reply']}")
    assert moved.headers["Location"].endswith(f"/partnerships/discussions/{t}?post={world['reply']}")
    assert client.get(moved.headers["Location"]).headers["Location"].endswith(f"/partnerships/{p}#post-{world['reply']}")


def test_admins_see_that_it_exists_and_its_size_only(client, world):
    log_in_as(client, world["people"]["admin"])
    page = shown(client.get("/partnerships/admin"), "For abuse reports only")
    assert f"<td>{world['p']}</td>" in page
    for name in ("Ana Partner", "Ben Partner", "Cleo Former", SECRET_WORD):
        assert name not in page
    log_in_as(client, world["people"]["outsider"])
    assert client.get("/partnerships/admin").status_code == 403


def test_the_former_partner_sees_none_of_it_in_their_own_lists(client, world):
    log_in_as(client, world["people"]["former"])
    page = shown(client.get("/partnerships"), "Your learning partnerships")
    assert f"/partnerships/{world['p']}\"" not in page
    assert SECRET_WORD not in shown(client.get("/gatherings/mine"), "Your gatherings")
    assert SECRET_WORD not in shown(client.get("/forum/bookmarks"))
