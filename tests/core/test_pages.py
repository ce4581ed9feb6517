"""Health check, error pages and configuration order."""
import pytest
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db
from tests.conftest import base_config, shown


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "schema": "current",
                                   "writable": True}


def test_healthz_answers_503_when_the_database_is_unreachable(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    with app.app_context():
        monkeypatch.setattr(db.engine, "connect", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


@pytest.mark.parametrize("status", [400, 403, 404, 405, 409, 413, 429, 500])
def test_error_pages_are_friendly(app, client, status):
    from flask import abort

    @app.get(f"/fail-{status}")
    def fail():
        abort(status)

    response = client.get(f"/fail-{status}")
    assert response.status_code == status
    assert b"<h1>" in response.data and b"Go to the home page" in response.data
    api = client.get(f"/fail-{status}", headers={"Accept": "application/json"})
    assert api.status_code == status
    assert "error" in api.get_json()


def test_upload_too_large_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post("/login", data={"email": "x" * 500, "password": "y"})
    assert response.status_code == 413
    assert b"too large" in response.data


def test_site_name_comes_from_config(tmp_path):
    app = create_app(base_config(tmp_path, SITE_NAME="Leaders of Lisbon"))
    with app.app_context():
        db.create_all()
    assert b"Leaders of Lisbon" in app.test_client().get("/").data


def test_configuration_order_defaults_instance_file_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text("SITE_NAME = 'From file'\nMAIL_PORT = 2525\n")
    monkeypatch.setenv("LEADERS_SITE_NAME", "From environment")
    monkeypatch.setenv("LEADERS_DATABASE_URL", "postgresql://u:p@db.example/leaders")
    from flask import Flask
    from app import config
    app = Flask("probe", instance_path=str(instance), instance_relative_config=True)
    config.load(app, None)
    assert app.config["SITE_NAME"] == "From environment"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["LOG_LEVEL"] == "INFO"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/leaders"
    # Development keeps one generated secret key in the instance folder.
    key = app.config["SECRET_KEY"]
    assert len(key) >= 32 and (instance / "secret_key").read_text().strip() == key
    again = Flask("probe", instance_path=str(instance), instance_relative_config=True)
    config.load(again, None)
    assert again.config["SECRET_KEY"] == key


def test_register_and_about_promise_only_what_members_can_do(client):
    register = shown(client.get("/register"), "<h1>Join the network</h1>")
    about = shown(client.get("/about"), "There is no forum yet")
    for html in (register, about):
        assert "take part in the forum" not in html and "talk with them in the forum" not in html
    # Pitching is for leaders; members apply to become one.
    assert "pitch stories" not in register.split("Do you lead")[0]
    assert "apply to be listed as a leader" in register
    assert "There is no forum yet" in about
    assert 'href="/leaders/apply"' in about



def test_a_missing_file_asked_for_by_a_script_tag_is_not_answered_as_json(client):
    # Browsers ask for scripts with Accept: */*; a JSON 404 would be a second error on top.
    response = client.get("/static/js/no-such-file.js", headers={"Accept": "*/*"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert client.get("/anything", headers={"Accept": "application/json"}).mimetype == "application/json"
