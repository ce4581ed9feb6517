"""Admin pages: people list and search, roles, deactivation."""
from app.extensions import db
from app.models.accounts import Role, User
from tests.conftest import login, shown


def test_only_admins_reach_admin_pages(client, login_as):
    assert client.get("/admin/users").status_code == 302
    login_as(Role.EDITOR)
    assert client.get("/admin/users").status_code == 403


def test_admin_lists_and_searches_people(client, login_as, make_user):
    make_user(name="Priya Raman", email="priya@example.com")
    make_user(name="Mateo Silva", email="mateo@example.com", role=Role.LEADER)
    login_as(Role.ADMIN)
    everyone = client.get("/admin/users")
    assert b"Priya Raman" in everyone.data and b"Mateo Silva" in everyone.data
    found = client.get("/admin/users?q=priya")
    shown(found, "Priya Raman")
    assert b"Priya Raman" in found.data and b"Mateo Silva" not in found.data
    leaders = client.get("/admin/users?role=leader")
    shown(leaders, "Mateo Silva")
    assert b"Mateo Silva" in leaders.data and b"Priya Raman" not in leaders.data


def test_admin_changes_a_role(app, client, login_as, make_user):
    person = make_user()
    login_as(Role.ADMIN)
    client.post(f"/admin/users/{person.id}/role", data={"role": "editor"})
    with app.app_context():
        assert db.session.get(User, person.id).role == Role.EDITOR
    client.post(f"/admin/users/{person.id}/role", data={"role": "emperor"})
    with app.app_context():
        assert db.session.get(User, person.id).role == Role.EDITOR


def test_admin_cannot_change_own_role(app, client, login_as):
    admin = login_as(Role.ADMIN)
    client.post(f"/admin/users/{admin.id}/role", data={"role": "member"})
    with app.app_context():
        assert db.session.get(User, admin.id).role == Role.ADMIN


def test_deactivation_ends_the_persons_sessions_at_once(app, client, login_as, make_user):
    person = make_user()
    their_browser = app.test_client()
    login(their_browser, person.email, remember=True)
    assert their_browser.get("/account").status_code == 200

    login_as(Role.ADMIN)
    confirm = client.get(f"/admin/users/{person.id}/deactivate")
    assert b"Deactivate" in confirm.data
    with app.app_context():
        assert db.session.get(User, person.id).active, "the confirmation page changes nothing"
    client.post(f"/admin/users/{person.id}/deactivate")
    assert their_browser.get("/account").status_code == 302
    assert login(their_browser, person.email).status_code == 200

    client.post(f"/admin/users/{person.id}/reactivate")
    assert login(their_browser, person.email).status_code == 302


def test_unknown_user_is_404(client, login_as):
    login_as(Role.ADMIN)
    assert client.get("/admin/users/9999").status_code == 404


def test_each_admin_area_checks_its_own_rule(app, client, login_as, monkeypatch):
    """The people pages ask can_manage_users and the directory pages can_manage_directory, once
    for each area: an admin refused one area still reaches the other."""
    from app import permissions
    login_as(Role.ADMIN)
    assert client.get("/admin/users").status_code == 200
    assert client.get("/admin/directory/programs").status_code == 200
    monkeypatch.setattr(permissions, "can_manage_directory", lambda user: False)
    assert client.get("/admin/directory").status_code == 403
    assert client.get("/admin/directory/programs").status_code == 403
    assert client.post("/admin/directory/programs", data={"name": "Sneaked in"}).status_code == 403
    people = client.get("/admin/users")
    assert people.status_code == 200 and b"<h1>People</h1>" in people.data
    monkeypatch.undo()
    monkeypatch.setattr(permissions, "can_manage_users", lambda user: False)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/directory/programs").status_code == 200


def test_every_admin_page_is_in_an_area_with_a_rule(app):
    """A view added to the outer admin blueprint would skip both checks: none is."""
    admin_rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")]
    assert len(admin_rules) > 10
    for rule in admin_rules:
        assert rule.endpoint.startswith(("admin.users.", "admin.directory.")), rule.rule
