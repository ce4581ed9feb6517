"""Becoming a leader, and the directory's admin pages: applications, lists, verified programs, quotes."""
from sqlalchemy import select

from app.extensions import db
from app.models.accounts import Role, User
from app.models.directory import ApplicationStatus, FocusArea, LeaderApplication, Program, ProfileProgram
from tests.conftest import login
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


def test_a_declined_applicant_stays_a_member_and_is_told(app, client, make_user, login_as, mailbox):
    member = make_user()
    login(client, member.email)
    client.post("/leaders/apply", data={"motivation": MOTIVATION})
    client.post("/logout")
    login_as(Role.ADMIN)
    application = application_of(app, member.id)
    client.post(f"/admin/directory/applications/{application.id}/decline")
    assert application_of(app, member.id).status == ApplicationStatus.DECLINED
    with app.app_context():
        assert db.session.get(User, member.id).role == Role.MEMBER
    mailbox.wait_for(member.email, "About your application")


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
    assert "bring chairs" not in client.get("/").get_data(True)
    login_as(Role.ADMIN)
    assert "bring chairs" in client.get("/admin/directory/quotes").get_data(True)
    client.post(f"/admin/directory/quotes/{slug}/feature")
    assert "If nobody brings chairs, bring chairs." in client.get("/").get_data(True)
    client.post(f"/admin/directory/quotes/{slug}/unfeature")
    assert "bring chairs" not in client.get("/").get_data(True)


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
