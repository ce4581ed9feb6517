"""Becoming a leader, and the directory's admin pages: applications, lists, verified programs, quotes."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.accounts import Role, User
from app.models.directory import ApplicationStatus, FocusArea, LeaderApplication, Program, ProfileProgram
from app.models.mail import OutboxMessage
from tests.conftest import PASSWORD, login, shown
from tests.live import Visitor, at_once
from tests.directory.profile_helpers import load_profile, make_leader  # noqa: F401

MOTIVATION = "I run a reading circle for thirty children in my neighbourhood every Saturday."


def application_of(app, user_id) -> LeaderApplication:
    with app.app_context():
        found = db.session.scalar(select(LeaderApplication).where(LeaderApplication.user_id == user_id))
        db.session.expunge_all()
        return found


def test_a_member_applies_once_and_an_admin_approves(app, client, make_user, mailbox):
    member = make_user(name="Rafa Member")
    admin = make_user(role=Role.ADMIN)
    login(client, member.email)
    assert "Send application" in client.get("/leaders/apply").get_data(True)
    response = client.post("/leaders/apply", data={"motivation": MOTIVATION})
    assert response.status_code == 302
    page = client.get("/leaders/apply").get_data(True)
    assert "You will get an email" in page or "will look at it soon" in page
    client.post("/leaders/apply", data={"motivation": MOTIVATION})  # a second try changes nothing
    with app.app_context():
        assert len(db.session.scalars(select(LeaderApplication)).all()) == 1
    client.post("/logout")

    login(client, admin.email)
    queue = client.get("/admin/directory/applications").get_data(True)
    assert "Rafa Member" in queue and MOTIVATION in queue
    application = application_of(app, member.id)
    response = client.post(f"/admin/directory/applications/{application.id}/approve")
    assert response.status_code == 302
    assert application_of(app, member.id).status == ApplicationStatus.APPROVED
    with app.app_context():
        assert db.session.get(User, member.id).role == Role.LEADER
    body = mailbox.body(mailbox.wait_for(member.email, "You are now a leader"))
    assert "/leaders/me" in body
    # Deciding twice is refused.
    client.post(f"/admin/directory/applications/{application.id}/decline")
    assert application_of(app, member.id).status == ApplicationStatus.APPROVED
    client.post("/logout")

    login(client, member.email)
    assert client.get("/leaders/apply").headers["Location"].endswith("/leaders/me")
    assert "Start my profile" in client.get("/leaders/me").get_data(True)


def applied_then_admin(app, client, make_user, login_as, **person):
    """A member who applied; then the client is logged in as an admin."""
    member = make_user(**person)
    login(client, member.email)
    client.post("/leaders/apply", data={"motivation": MOTIVATION})
    client.post("/logout")
    login_as(Role.ADMIN)
    return member, application_of(app, member.id)


def test_a_declined_applicant_stays_a_member_and_is_told(app, client, make_user, login_as, mailbox):
    member, application = applied_then_admin(app, client, make_user, login_as)
    client.post(f"/admin/directory/applications/{application.id}/decline",
                data={"reason": "We list people who already lead a group."})
    assert application_of(app, member.id).status == ApplicationStatus.DECLINED
    with app.app_context():
        assert db.session.get(User, member.id).role == Role.MEMBER
    mailbox.wait_for(member.email, "About your application")


def mails_to(app, address) -> list:
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == address)).all()


def test_decline_asks_for_a_reason_on_its_own_page_and_mails_it(app, client, make_user, login_as,
                                                                mailbox):
    member, application = applied_then_admin(app, client, make_user, login_as, name="Tomas Reyes")
    queue = client.get("/admin/directory/applications").get_data(True)
    assert f'href="/admin/directory/applications/{application.id}/decline"' in queue

    page = client.get(f"/admin/directory/applications/{application.id}/decline")
    html = page.get_data(True)
    assert page.status_code == 200
    assert "Decline Tomas Reyes" in html and MOTIVATION in html and 'name="reason"' in html
    assert application_of(app, member.id).status == ApplicationStatus.PENDING  # looking changes nothing

    # No reason (or only spaces): the form again, the field marked, the message linked to it.
    for reason in ("", "   "):
        refused = client.post(f"/admin/directory/applications/{application.id}/decline",
                              data={"reason": reason})
        html = refused.get_data(True)
        assert refused.status_code == 200
        assert 'href="#reason">Enter the reason for declining' in html
        assert 'aria-invalid="true"' in html and "field--error" in html
    assert application_of(app, member.id).status == ApplicationStatus.PENDING
    assert not [m for m in mails_to(app, member.email) if "About your application" in m.subject]

    reason = "Your group meets online only for now; apply again once it meets in person."
    response = client.post(f"/admin/directory/applications/{application.id}/decline",
                           data={"reason": reason})
    assert response.status_code == 302
    declined = application_of(app, member.id)
    assert declined.status == ApplicationStatus.DECLINED and declined.decline_reason == reason
    body = mailbox.body(mailbox.wait_for(member.email, "About your application"))
    assert reason in body and "/leaders/apply" in body
    assert reason in client.get("/admin/directory/applications?status=declined").get_data(True)


def test_deciding_a_decided_application_says_so(app, client, make_user, login_as):
    member, application = applied_then_admin(app, client, make_user, login_as, name="Lina Berg")
    client.post(f"/admin/directory/applications/{application.id}/approve")

    page = client.get(f"/admin/directory/applications/{application.id}/decline")
    assert page.status_code == 200
    assert "already decided" in page.get_data(True) and 'name="reason"' not in page.get_data(True)
    late = client.post(f"/admin/directory/applications/{application.id}/decline",
                       data={"reason": "Too late."})
    assert late.status_code == 409 and "was approved" in late.get_data(True)
    assert application_of(app, member.id).status == ApplicationStatus.APPROVED
    assert application_of(app, member.id).decline_reason == ""
    assert client.get("/admin/directory/applications/999999/decline").status_code == 404


APPLY_LINK = "List yourself as a leader"


def test_members_find_the_way_to_apply_where_they_look(client, login_as):
    login_as(Role.MEMBER)
    home = client.get("/").get_data(True)
    assert home.count(APPLY_LINK) >= 2  # the header and the home page
    assert 'href="/leaders/apply"' in home
    assert APPLY_LINK in client.get("/account").get_data(True)
    assert APPLY_LINK in client.get("/leaders").get_data(True)  # the header, on every page


def test_a_pending_application_is_shown_instead_of_a_link_to_apply(client, login_as):
    login_as(Role.MEMBER)
    client.post("/leaders/apply", data={"motivation": MOTIVATION})
    for path in ("/", "/account"):
        html = shown(client.get(path), "being reviewed")
        assert APPLY_LINK not in html, path
        assert "being reviewed" in html, path
    assert "Your leader application" in client.get("/blog").get_data(True)
    assert "Your application is being reviewed" in client.get("/leaders/apply").get_data(True)


@pytest.mark.parametrize("role", [Role.LEADER, Role.EDITOR, Role.ADMIN])
def test_people_who_cannot_apply_are_not_offered_it(client, login_as, role):
    login_as(role)
    for path, working in (("/", 'action="/leaders"'), ("/account", "<h1>Your account</h1>")):
        assert APPLY_LINK not in shown(client.get(path), working), (role, path)


def test_visitors_are_told_how_to_become_a_leader(app, client):
    assert APPLY_LINK in client.get("/").get_data(True)
    page = client.get("/leaders/apply")
    html = page.get_data(True)
    assert page.status_code == 200 and "Create a free account" in html
    assert 'href="/register?next=/leaders/apply"' in html
    assert 'href="/login?next=/leaders/apply"' in html
    # Joining from there keeps the way back to the application for the Log in link.
    register = client.get("/register?next=%2Fleaders%2Fapply").get_data(True)
    assert 'href="/login?next=/leaders/apply"' in register
    evil = shown(client.get("/register?next=https://evil.example/"), "<h1>Join the network</h1>", 'href="/login"')
    assert 'href="/login?next=' not in evil
    # Sending the form still needs an account.
    refused = client.post("/leaders/apply", data={"motivation": MOTIVATION})
    assert refused.status_code in (302, 303)
    with app.app_context():
        assert db.session.scalars(select(LeaderApplication)).all() == []


def test_logging_in_from_the_application_comes_back_to_it(client, make_user):
    member = make_user()
    response = client.post("/login?next=%2Fleaders%2Fapply",
                           data={"email": member.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/leaders/apply")
    assert "Send application" in client.get("/leaders/apply").get_data(True)


def test_a_member_at_new_proposal_is_offered_the_application(client, login_as):
    login_as(Role.MEMBER)
    for path in ("/proposals/new", "/proposals"):
        page = client.get(path)
        html = page.get_data(True)
        assert page.status_code == 403, path
        assert APPLY_LINK in html and 'href="/leaders/apply"' in html, path
        assert "ask an administrator" not in html, path
    client.post("/leaders/apply", data={"motivation": MOTIVATION})
    html = shown(client.get("/proposals/new"), "Your application is being reviewed", status=403)
    assert "Your application is being reviewed" in html and APPLY_LINK not in html


def test_a_short_motivation_is_explained(client, login_as):
    login_as(Role.MEMBER)
    html = client.post("/leaders/apply", data={"motivation": "pls"}).get_data(True)
    assert "Write 20 to 3,000 characters" in html


def test_only_admins_reach_the_directory_admin(client, login_as):
    login_as(Role.EDITOR)
    for path in ("/admin/directory", "/admin/directory/applications", "/admin/directory/focus-areas",
                 "/admin/directory/programs", "/admin/directory/quotes", "/admin/directory/verifications"):
        assert client.get(path).status_code == 403, path


def test_admins_add_rename_and_remove_focus_areas(app, client, login_as, make_leader):
    login_as(Role.ADMIN)
    client.post("/admin/directory/focus-areas", data={"name": "Food security"})
    with app.app_context():
        area = db.session.scalar(select(FocusArea).where(FocusArea.slug == "food-security"))
        assert area.official
        area_id = area.id
    html = client.post("/admin/directory/focus-areas", data={"name": "Food  Security"}).get_data(True)
    with app.app_context():
        assert len(db.session.scalars(select(FocusArea)).all()) == 1
    client.post(f"/admin/directory/focus-areas/{area_id}", data={"name": "Food justice"})
    with app.app_context():
        assert db.session.get(FocusArea, area_id).name == "Food justice"
    assert "Remove the focus area" in client.get(f"/admin/directory/focus-areas/{area_id}/remove").get_data(True)
    client.post(f"/admin/directory/focus-areas/{area_id}/remove")
    with app.app_context():
        assert db.session.get(FocusArea, area_id) is None
    assert html


def test_admins_manage_programs_and_verify_a_leaders_program(app, client, login_as, make_leader):
    _, slug = make_leader(display_name="Ama Okan")
    login_as(Role.ADMIN)
    client.post("/admin/directory/programs", data={"name": "Mentor Training", "description": "Six weeks."})
    assert "already a program" in client.post("/admin/directory/programs",
                                              data={"name": "Mentor Training"}).get_data(True)
    profile = load_profile(app, slug)
    with app.app_context():
        program = db.session.scalar(select(Program))
        db.session.add(ProfileProgram(profile_id=profile.id, program_id=program.id))
        db.session.commit()
        program_id, profile_id = program.id, profile.id
    queue = client.get("/admin/directory/verifications").get_data(True)
    assert "Ama Okan" in queue and "Mentor Training" in queue
    client.post(f"/admin/directory/leaders/{slug}/programs/{program_id}/verify")
    with app.app_context():
        assert db.session.get(ProfileProgram, (profile_id, program_id)).verified
    assert "Nothing is waiting" in client.get("/admin/directory/verifications").get_data(True)
    client.post("/logout")
    assert "Mentor Training<span class=\"visually-hidden\"> (verified)" in client.get(f"/leaders/{slug}").get_data(True)


def test_admins_choose_the_quotes_on_the_home_page(app, client, login_as, make_leader):
    _, slug = make_leader(quote="If nobody brings chairs, bring chairs.")
    assert "bring chairs" not in shown(client.get("/"), 'action="/leaders"')
    login_as(Role.ADMIN)
    assert "bring chairs" in client.get("/admin/directory/quotes").get_data(True)
    client.post(f"/admin/directory/quotes/{slug}/feature")
    assert "If nobody brings chairs, bring chairs." in client.get("/").get_data(True)
    client.post(f"/admin/directory/quotes/{slug}/unfeature")
    assert "bring chairs" not in shown(client.get("/"), 'action="/leaders"')


def test_every_directory_admin_page_opens(app, client, login_as):
    login_as(Role.ADMIN)
    client.post("/admin/directory/programs", data={"name": "Mentor Training"})
    client.post("/admin/directory/focus-areas", data={"name": "Housing"})
    with app.app_context():
        program_id = db.session.scalar(select(Program.id))
        area_id = db.session.scalar(select(FocusArea.id))
    for path in ("/admin/directory", "/admin/directory/applications?status=declined",
                 "/admin/directory/applications?status=nonsense", f"/admin/directory/programs/{program_id}",
                 f"/admin/directory/focus-areas/{area_id}", f"/admin/directory/programs/{program_id}/remove"):
        assert client.get(path).status_code == 200, path
    assert "Directory admin" in client.get("/").get_data(True)


def test_two_admins_declining_at_once_send_one_decision(app, live, make_user):
    member = make_user(name="Nils Ek")
    with app.app_context():
        db.session.add(LeaderApplication(user_id=member.id, motivation=MOTIVATION))
        db.session.commit()
    application = application_of(app, member.id)
    admins = [Visitor(live.url) for _ in range(3)]
    for n, person in enumerate(admins):
        person.log_in(make_user(role=Role.ADMIN).email, PASSWORD)
    answers = at_once([lambda p=p, n=n: p.post(f"/admin/directory/applications/{application.id}/decline",
                                               {"reason": f"Reason number {n}."})
                       for n, p in enumerate(admins)])
    assert sorted(answer.status for answer in answers) == [302, 409, 409]
    declined = [m for m in mails_to(app, member.email) if "About your application" in m.subject]
    assert len(declined) == 1
    assert application_of(app, member.id).decline_reason in declined[0].body


def test_an_application_sent_after_the_session_ended_comes_back_after_logging_in(app, client, make_user):
    member = make_user()
    sent = client.post("/leaders/apply", data={"motivation": MOTIVATION})  # logged out meanwhile
    kept_page = sent.headers["Location"]
    assert "kept=" in kept_page
    to_login = client.get(kept_page)
    assert to_login.status_code == 302 and "/login" in to_login.headers["Location"]
    back = client.post(to_login.headers["Location"], data={"email": member.email, "password": PASSWORD})
    html = client.get(back.headers["Location"]).get_data(True)
    assert MOTIVATION in html and "Send application" in html
    with app.app_context():
        assert db.session.scalars(select(LeaderApplication)).all() == []  # sent again by them
