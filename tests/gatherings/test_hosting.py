"""The hosts' tools: the attendee list and its CSV file (names, never email addresses), answers to
RSVP requests, and messages to the attendees through the outbox, paced and sent once."""
import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.gatherings import HostMessage, Rsvp
from app.models.mail import OutboxMessage
from tests.conftest import PASSWORD, login, shown
from tests.directory.profile_helpers import make_leader  # noqa: F401 (a fixture)
from tests.gatherings.helpers import SECRET_LINK, make_gathering, rsvp, rsvp_row
from tests.live import Visitor, at_once

MESSAGE = {"subject": "Bring a cup", "recipients": "going",
           "body": "We share tea after the talk: bring a cup if you can.\r\nSee you there!"}


@pytest.fixture
def hosted(app, make_user, make_leader):
    """A published gathering with a host and a co-host (leaders), and its id."""
    host = make_user(role="leader", name="Hana Host", email="hana.host@example.com")
    cohost, cohost_slug = make_leader(user_name="Cole Cohost", display_name="Cole Cohost")
    gathering_id = make_gathering(app, host, cohosts=[cohost_slug], capacity=2,
                                  title="Tea and neighbourhood gardens")
    return host, cohost, gathering_id


def outbox(app, to=None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if to is not None:
            query = query.where(OutboxMessage.to == to)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def host_messages(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HostMessage))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


# Who may see and do what -------------------------------------------------------------------

def pages(gathering_id, rsvp_id=1):
    return [("get", f"/gatherings/{gathering_id}/attendees"),
            ("get", f"/gatherings/{gathering_id}/attendees.csv"),
            ("get", f"/gatherings/{gathering_id}/message"),
            ("post", f"/gatherings/{gathering_id}/message"),
            ("post", f"/gatherings/{gathering_id}/requests/{rsvp_id}")]


def test_visitors_are_asked_to_log_in_on_every_hosting_page(app, client, make_user, hosted):
    host, _, gathering_id = hosted
    pending_id = make_gathering(app, host, approval_required=True)
    asker = make_user()
    rsvp(app, asker, pending_id)
    request_id = rsvp_row(app, asker, pending_id).id
    for method, path in pages(gathering_id) + pages(pending_id, request_id) + pages(999_999):
        response = getattr(client, method)(path, data={**MESSAGE, "decision": "approve"}
                                           if method == "post" else None)
        if response.status_code == 303:
            # A form sent logged out is kept and its page shown again (which asks to log in,
            # or is the public gathering page for the answer buttons): nothing was done.
            assert "?kept=" in response.headers["Location"], path
            continue
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"], path
    assert host_messages(app) == 0 and outbox(app) == []
    assert rsvp_row(app, asker, pending_id).status == "pending"


@pytest.mark.parametrize("role", ["member", "leader", "editor"])
def test_people_who_do_not_host_it_are_refused_everywhere(app, client, make_user, hosted, role):
    _, _, gathering_id = hosted
    pending_id = make_gathering(app, hosted[0], approval_required=True)
    asker = make_user()
    rsvp(app, asker, pending_id)
    request_id = rsvp_row(app, asker, pending_id).id
    someone = make_user(role=role)
    rsvp(app, someone, gathering_id)  # going, even: that gives no access to the list
    login(client, someone.email)
    for method, path in pages(gathering_id) + pages(pending_id, request_id):
        response = getattr(client, method)(path, data={**MESSAGE, "decision": "approve"})
        assert response.status_code == 403, path
        assert "You cannot do that" in response.get_data(as_text=True)
    assert host_messages(app) == 0 and outbox(app) == []
    assert rsvp_row(app, asker, pending_id).status == "pending"


@pytest.mark.parametrize("who", ["host", "cohost", "admin"])
def test_the_hosts_and_admins_open_every_page(app, client, make_user, hosted, who):
    host, cohost, gathering_id = hosted
    person = {"host": host, "cohost": cohost, "admin": None}[who] or make_user(role="admin")
    login(client, person.email)
    shown(client.get(f"/gatherings/{gathering_id}/attendees"), "<h1>Attendees</h1>",
          "Tea and neighbourhood gardens")
    assert client.get(f"/gatherings/{gathering_id}/attendees.csv").status_code == 200
    shown(client.get(f"/gatherings/{gathering_id}/message"), "<h1>Message the attendees</h1>",
          'name="subject"', 'name="body"')


def test_a_gathering_that_is_not_there_is_not_found(app, client, hosted):
    host, _, gathering_id = hosted
    login(client, host.email)
    for method, path in pages(999_999):
        assert getattr(client, method)(path, data=MESSAGE).status_code == 404, path
    assert client.post(f"/gatherings/{gathering_id}/requests/999999",
                       data={"decision": "approve"}).status_code == 404


def test_someone_elses_draft_is_not_found_rather_than_forbidden(app, client, make_user, hosted):
    host, _, _ = hosted
    draft_id = make_gathering(app, host, publish=False, title="A draft nobody sees")
    stranger = make_user(role="leader")
    login(client, stranger.email)
    for method, path in pages(draft_id)[:4]:
        assert getattr(client, method)(path, data=MESSAGE).status_code == 404, path
    client.post("/logout")
    login(client, host.email)
    page = shown(client.get(f"/gatherings/{draft_id}/attendees"), "<h1>Attendees</h1>")
    assert "This gathering is a draft" in page


# The attendee list ---------------------------------------------------------------------------

@pytest.fixture
def answered(app, make_user, make_leader, hosted):
    """Two going (one a leader with a public profile), two on the waitlist, one who can't go."""
    host, _, gathering_id = hosted
    leader, slug = make_leader(user_name="Lena Leader", display_name="Lena Leader")
    first = make_user(name="Ada Early", email="ada.early@example.com")
    waiting = [make_user(name="Wim Waiting", email="wim.waiting@example.com"),
               make_user(name="Zoe Queue", email="zoe.queue@example.com")]
    away = make_user(name="Nora Away", email="nora.away@example.com")
    assert rsvp(app, first, gathering_id) == "going"
    assert rsvp(app, leader, gathering_id, show_name=False) == "going"
    assert [rsvp(app, person, gathering_id) for person in waiting] == ["waitlisted", "waitlisted"]
    assert rsvp(app, away, gathering_id, going=False) == "not_going"
    emails = [first.email, leader.email, *(person.email for person in waiting), away.email, host.email]
    return gathering_id, slug, emails


def test_the_list_shows_each_part_with_names_linking_to_profiles_and_no_emails(app, client, hosted,
                                                                              answered):
    host, cohost, _ = hosted
    gathering_id, slug, emails = answered
    login(client, host.email)
    page = shown(client.get(f"/gatherings/{gathering_id}/attendees"),
                 "Going <span class=\"muted\">(2)</span>", "2 going of 2 places", "0 left",
                 "2 on the waitlist", "Ada Early", "Nora Away", "Can&#39;t go")
    assert f'<a href="/leaders/{slug}">Lena Leader</a>' in page
    assert "Name hidden from others" in page  # Lena chose not to be shown; hosts still see her
    assert "Ada Early</a>" not in page  # no profile: a plain name
    # The waitlist in its order, each with their place in line.
    waitlist = page[page.index('id="waitlist-title"'):page.index('id="not-going-title"')]
    assert waitlist.index("Wim Waiting") < waitlist.index("Zoe Queue")
    assert "<td>1</td>" in waitlist and "<td>2</td>" in waitlist
    for address in emails + [cohost.email]:
        assert address not in page
    assert SECRET_LINK not in page


def test_a_place_offered_from_the_waitlist_shows_until_when(app, client, make_user, hosted):
    host, _, _ = hosted
    gathering_id = make_gathering(app, host, capacity=1, title="One chair left")
    first, next_one = make_user(name="Fay First"), make_user(name="Ned Next")
    assert [rsvp(app, first, gathering_id), rsvp(app, next_one, gathering_id)] == ["going", "waitlisted"]
    rsvp(app, first, gathering_id, going=False)  # the place frees: offered to the next in line
    offered = rsvp_row(app, next_one, gathering_id)
    assert offered.status == "offered"
    login(client, host.email)
    page = shown(client.get(f"/gatherings/{gathering_id}/attendees"), "Offered a freed place",
                 "Offer ends", "1 place offered", "Ned Next")
    assert f'datetime="{offered.offer_expires_at.replace(microsecond=0).isoformat()}Z"' in page
    rows = csv_rows(client.get(f"/gatherings/{gathering_id}/attendees.csv"))
    assert ["Ned Next", "Offered a place"] == rows[1][:1] + rows[1][2:3]


def test_rsvp_times_are_shown_in_the_viewers_zone_or_the_gatherings(app, client, hosted, answered):
    host, _, _ = hosted
    gathering_id, _, _ = answered
    login(client, host.email)
    page = shown(client.get(f"/gatherings/{gathering_id}/attendees"), "Times are in Europe/Berlin")
    assert "CET" in page or "CEST" in page
    with app.app_context():
        db.session.get(User, host.id).time_zone = "America/New_York"
        db.session.commit()
    page = shown(client.get(f"/gatherings/{gathering_id}/attendees"), "Times are in America/New_York")
    assert "EST" in page or "EDT" in page
    assert 'datetime="20' in page and 'Z">' in page  # each time carries its UTC moment


def test_the_csv_lists_names_profiles_statuses_utc_times_and_waitlist_places(app, client, hosted,
                                                                              answered):
    host, _, _ = hosted
    gathering_id, slug, emails = answered
    login(client, host.email)
    response = client.get(f"/gatherings/{gathering_id}/attendees.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="tea-and-neighbourhood-gardens-20')
    assert '-attendees.csv"; filename*=UTF-8\'\'Tea%20and%20neighbourhood%20gardens%2020' in disposition
    rows = csv_rows(response)
    assert rows[0] == ["Name", "Profile", "Status", "RSVP time (UTC)", "Waitlist position"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Ada Early", "Lena Leader", "Wim Waiting", "Zoe Queue", "Nora Away"}
    assert by_name["Lena Leader"][1] == f"http://localhost/leaders/{slug}"
    assert by_name["Ada Early"][1] == ""
    assert [by_name[name][2] for name in ("Ada Early", "Wim Waiting", "Nora Away")] == [
        "Going", "On the waitlist", "Can't go"]
    assert by_name["Wim Waiting"][4] == "1" and by_name["Zoe Queue"][4] == "2"
    assert by_name["Ada Early"][4] == ""
    for row in rows[1:]:
        assert row[3].endswith("Z") and row[3][:2] == "20"
    text = response.get_data(as_text=True)
    for address in emails:
        assert address not in text
    assert SECRET_LINK not in text and "@" not in text


def test_the_csv_cannot_carry_a_formula_into_a_spreadsheet(app, client, make_user, hosted):
    host, _, gathering_id = hosted
    names = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+41 Plus", "-2+3", "@SUM(A1)", "Plain Name"]
    people = [make_user(name=f"Someone {n}") for n in range(len(names))]
    for person, name in zip(people, names):
        with app.app_context():
            db.session.get(User, person.id).display_name = name
            db.session.commit()
        rsvp(app, person, gathering_id, going=False)
    login(client, host.email)
    cells = [row[0] for row in csv_rows(client.get(f"/gatherings/{gathering_id}/attendees.csv"))[1:]]
    assert sorted(cells) == sorted(["'=HYPERLINK(\"http://evil.example\",\"x\")", "'+41 Plus", "'-2+3",
                                    "'@SUM(A1)", "Plain Name"])


# Answering requests ----------------------------------------------------------------------------

def test_the_host_approves_and_declines_requests(app, client, make_user, hosted):
    host, _, _ = hosted
    gathering_id = make_gathering(app, host, approval_required=True, capacity=1,
                                  cohosts=[], title="Supper by invitation")
    asking = [make_user(name=name) for name in ("Pia Please", "Quinn Query", "Rui Request")]
    assert [rsvp(app, person, gathering_id) for person in asking] == ["pending"] * 3
    login(client, host.email)
    page = shown(client.get(f"/gatherings/{gathering_id}/attendees"), "Waiting for your answer",
                 "Pia Please", "Quinn Query", 'value="approve"', 'value="decline"')
    for person in asking:
        assert person.email not in page
    ids = [rsvp_row(app, person, gathering_id).id for person in asking]

    answer = client.post(f"/gatherings/{gathering_id}/requests/{ids[0]}", data={"decision": "approve"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/gatherings/{gathering_id}/attendees")
    assert "Pia Please is going." in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert rsvp_row(app, asking[0], gathering_id).status == "going"

    # Full now: the next one approved waits in line.
    client.post(f"/gatherings/{gathering_id}/requests/{ids[1]}", data={"decision": "approve"})
    assert rsvp_row(app, asking[1], gathering_id).status == "waitlisted"

    answer = client.post(f"/gatherings/{gathering_id}/requests/{ids[2]}", data={"decision": "decline"})
    assert "You declined Rui Request&#39;s request." in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert rsvp_row(app, asking[2], gathering_id).status == "declined"

    # A decision that is neither changes nothing.
    answer = client.post(f"/gatherings/{gathering_id}/requests/{ids[2]}", data={"decision": "maybe"})
    assert "Choose Approve or Decline." in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert rsvp_row(app, asking[2], gathering_id).status == "declined"
    # A request of this gathering asked through another one's address is not found.
    other_id = make_gathering(app, host, approval_required=True, title="Another supper")
    assert client.post(f"/gatherings/{other_id}/requests/{ids[2]}",
                       data={"decision": "approve"}).status_code == 404


def test_a_cohost_answers_requests_too(app, client, make_user, hosted):
    host, cohost, _ = hosted
    with app.app_context():
        slug = db.session.get(User, cohost.id).leader_profile.slug
    gathering_id = make_gathering(app, host, approval_required=True, cohosts=[slug])
    asker = make_user(name="Sam Asks")
    rsvp(app, asker, gathering_id)
    login(client, cohost.email)
    row = rsvp_row(app, asker, gathering_id)
    client.post(f"/gatherings/{gathering_id}/requests/{row.id}", data={"decision": "approve"})
    assert rsvp_row(app, asker, gathering_id).status == "going"


# Messages to the attendees ---------------------------------------------------------------------

def test_a_message_reaches_the_people_going_by_real_mail_without_any_address_or_link(
        app, client, make_user, hosted, mailbox):
    host, cohost, gathering_id = hosted
    going = make_user(name="Gus Going", email="gus.going@example.com")
    other = make_user(name="Gia Going", email="gia.going@example.com")
    waiting = make_user(name="Wes Waiting", email="wes.waiting@example.com")
    for person in (going, other, waiting):
        rsvp(app, person, gathering_id)
    login(client, host.email)
    form = shown(client.get(f"/gatherings/{gathering_id}/message"), "People going (2)",
                 "People going and on the waitlist (3)")
    assert SECRET_LINK not in form and going.email not in form
    answer = client.post(f"/gatherings/{gathering_id}/message", data=MESSAGE)
    assert answer.status_code == 302
    assert "Your message is on its way to 2 people." in client.get(answer.headers["Location"]).get_data(as_text=True)

    mail = mailbox.wait_for(going.email, "Bring a cup")
    mailbox.wait_for(other.email, "Bring a cup")
    assert "Tea and neighbourhood gardens" in mail["Subject"]
    assert mail["Reply-To"] is None
    body = mailbox.body(mail).replace("\r\n", "\n")
    assert "Hana Host, who hosts “Tea and neighbourhood gardens”" in body
    assert "We share tea after the talk: bring a cup if you can.\nSee you there!" in body
    assert f"http://localhost/gatherings/{gathering_id}" in body
    assert "do not reply to this email" in body
    for secret in (host.email, cohost.email, other.email, SECRET_LINK):
        assert secret not in body and secret not in mail.as_string()
    # The waitlist was not chosen; the message is stored once with its count.
    assert outbox(app, waiting.email) == []
    with app.app_context():
        stored = db.session.scalars(select(HostMessage)).one()
        assert (stored.subject, stored.recipients, stored.sender_id) == ("Bring a cup", 2, host.id)
        assert stored.body == MESSAGE["body"].replace("\r\n", "\n")

    # Going and waiting: the waitlist hears it too.
    client.post(f"/gatherings/{gathering_id}/message",
                data={**MESSAGE, "subject": "Room change", "recipients": "going_waitlist"})
    mail = mailbox.wait_for(waiting.email, "Room change")
    assert "going and on the waitlist" in mailbox.body(mail)
    assert "You are on the waitlist" in mailbox.body(mail)
    assert len(outbox(app)) == 5


def test_a_host_with_a_profile_is_answered_through_its_contact_form(app, client, make_user, hosted):
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = False
    _, cohost, gathering_id = hosted
    person = make_user(email="asks.back@example.com")
    rsvp(app, person, gathering_id)
    login(client, cohost.email)
    assert client.post(f"/gatherings/{gathering_id}/message", data=MESSAGE).status_code == 302
    [mail] = outbox(app, person.email)
    with app.app_context():
        slug = db.session.get(User, cohost.id).leader_profile.slug
    assert f"To answer Cole Cohost, write to them on the site:\nhttp://localhost/leaders/{slug}/contact" in mail.body
    assert mail.reply_to is None and cohost.email not in mail.body


def test_a_message_with_the_meeting_link_in_it_is_refused(app, client, make_user, hosted):
    host, _, gathering_id = hosted
    rsvp(app, make_user(), gathering_id)
    login(client, host.email)
    typed = {**MESSAGE, "body": f"Here is the room: {SECRET_LINK} see you"}
    page = shown(client.post(f"/gatherings/{gathering_id}/message", data=typed),
                 "Take the meeting link out of the message", status=422)
    assert host_messages(app) == 0 and outbox(app) == []
    assert "Bring a cup" in page  # the subject typed is still there


def test_a_short_or_long_message_is_explained_with_the_text_kept(app, client, make_user, hosted):
    host, _, gathering_id = hosted
    rsvp(app, make_user(), gathering_id)
    login(client, host.email)
    page = shown(client.post(f"/gatherings/{gathering_id}/message",
                             data={**MESSAGE, "subject": "x" * 151, "body": "Too short"}),
                 "Write a subject of 3 to 150 characters.", "Write a message of 10 to 5,000 characters.")
    assert "Too short" in page
    assert host_messages(app) == 0


def test_nobody_going_means_nothing_to_send(app, client, hosted):
    host, _, gathering_id = hosted
    login(client, host.email)
    shown(client.post(f"/gatherings/{gathering_id}/message", data=MESSAGE),
          "Nobody is going yet", status=422)
    assert host_messages(app) == 0


def test_three_messages_a_day_per_gathering_then_a_refusal_that_keeps_the_text(app, client, make_user,
                                                                               hosted):
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = False
    host, cohost, gathering_id = hosted
    rsvp(app, make_user(), gathering_id)
    login(client, host.email)
    for n in range(3):
        answer = client.post(f"/gatherings/{gathering_id}/message",
                             data={**MESSAGE, "subject": f"Note number {n}"})
        assert answer.status_code == 302
    typed = {**MESSAGE, "subject": "A fourth note", "body": "Words I took care over, kept for later."}
    page = shown(client.post(f"/gatherings/{gathering_id}/message", data=typed),
                 "Your message was not sent", "sent 3 messages in the last 24 hours",
                 "You can send it from", "A fourth note", "Words I took care over, kept for later.",
                 status=429)
    assert "You cannot send another message just now" in page
    assert host_messages(app) == 3 and len(outbox(app)) == 3
    # The limit is the gathering's: a co-host is refused too.
    client.post("/logout")
    login(client, cohost.email)
    assert client.post(f"/gatherings/{gathering_id}/message", data=typed).status_code == 429
    # A day later it may go.
    with app.app_context():
        for stored in db.session.scalars(select(HostMessage)):
            stored.sent_at -= timedelta(hours=24, minutes=1)
        db.session.commit()
    assert client.post(f"/gatherings/{gathering_id}/message", data=typed).status_code == 302
    assert host_messages(app) == 4


def test_ten_messages_a_day_per_host_across_gatherings(app, client, make_user, hosted):
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = False
    host, _, gathering_id = hosted
    rsvp(app, make_user(), gathering_id)
    others = [make_gathering(app, host, title=f"Another evening {n}") for n in range(4)]
    with app.app_context():
        for n in range(10):  # sent from the other gatherings (at most 3 each) over the last day
            db.session.add(HostMessage(gathering_id=others[n % 4], sender_id=host.id,
                                       subject=f"Earlier {n}", body="An earlier message.",
                                       recipients=1, sent_at=utcnow() - timedelta(hours=n + 1)))
        db.session.commit()
    login(client, host.email)
    shown(client.post(f"/gatherings/{gathering_id}/message", data=MESSAGE),
          "You have sent 10 messages to attendees in the last 24 hours", "Bring a cup", status=429)
    assert host_messages(app) == 10 and outbox(app) == []


def test_the_same_form_sent_twice_sends_once(app, client, make_user, hosted):
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = False
    host, _, gathering_id = hosted
    person = make_user(email="once.only@example.com")
    rsvp(app, person, gathering_id)
    login(client, host.email)
    first = client.post(f"/gatherings/{gathering_id}/message", data=MESSAGE)
    again = client.post(f"/gatherings/{gathering_id}/message", data=MESSAGE)
    assert first.status_code == again.status_code == 302
    assert "Your message was sent already" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert host_messages(app) == 1 and len(outbox(app, person.email)) == 1


def test_a_double_click_racing_itself_sends_once(app, live, make_user, hosted):
    app.config["MAIL_DELIVER_AFTER_REQUEST"] = False
    host, _, gathering_id = hosted
    person = make_user(email="raced.once@example.com")
    rsvp(app, person, gathering_id)
    visitor = Visitor(live.url)
    visitor.log_in(host.email, PASSWORD)
    answers = at_once([lambda: visitor.post(f"/gatherings/{gathering_id}/message", MESSAGE)
                       for _ in range(4)])
    assert [answer.status for answer in answers] == [302] * 4
    assert host_messages(app) == 1 and len(outbox(app, person.email)) == 1


def test_posting_messages_has_a_ceiling_per_person(app, client, make_user, hosted):
    app.config.update(MAIL_DELIVER_AFTER_REQUEST=False, GATHERING_MESSAGE_RATE_LIMIT="2 per minute")
    host, _, gathering_id = hosted
    rsvp(app, make_user(), gathering_id)
    login(client, host.email)
    for _ in range(2):
        assert client.post(f"/gatherings/{gathering_id}/message", data={}).status_code == 200
    assert client.post(f"/gatherings/{gathering_id}/message", data=MESSAGE).status_code == 429
    assert host_messages(app) == 0
    assert client.get(f"/gatherings/{gathering_id}/message").status_code == 200  # reading is not limited


def test_a_cancelled_gathering_takes_no_more_messages(app, client, make_user, hosted):
    host, _, gathering_id = hosted
    rsvp(app, make_user(), gathering_id)
    from app.gatherings import services
    from app.models.gatherings import Gathering
    with app.test_request_context():
        services.cancel(db.session.get(Gathering, gathering_id), db.session.get(User, host.id),
                        "The hall is flooded, sorry.")
        db.session.commit()
    login(client, host.email)
    page = shown(client.get(f"/gatherings/{gathering_id}/message"), "This gathering is cancelled")
    assert 'name="body"' not in page
    shown(client.post(f"/gatherings/{gathering_id}/message", data=MESSAGE), "is cancelled", status=422)
    assert host_messages(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rsvp)) == 1
