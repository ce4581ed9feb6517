"""Command-line tasks: users, roles, demo data."""
import subprocess
import sys

from sqlalchemy import func, select

from app.extensions import db
from app.models.accounts import Role, User


def user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_users_create_prompts_for_the_password_twice(app, runner):
    result = runner.invoke(args=["users", "create", "ed@example.com", "--name", "Edda Berg",
                                 "--role", "editor"], input="copper violin meadow\n"
                                                            "copper violin meadow\n")
    assert result.exit_code == 0, result.output
    created = user(app, "ed@example.com")
    assert created.role == Role.EDITOR and created.is_verified
    assert created.check_password("copper violin meadow")
    assert "copper violin meadow" not in result.output


def test_users_create_refuses_mismatched_or_common_passwords(app, runner):
    mismatch = runner.invoke(args=["users", "create", "a@example.com", "--name", "A"],
                             input="copper violin meadow\nsomething else entirely\n"
                                   "copper violin meadow\ncopper violin meadow\n")
    assert "do not match" in mismatch.output.lower()
    common = runner.invoke(args=["users", "create", "b@example.com", "--name", "B"],
                           input="password1\npassword1\n")
    assert common.exit_code != 0 and "too common" in common.output
    assert user(app, "b@example.com") is None


def test_users_create_refuses_a_duplicate(app, runner, make_user):
    make_user(email="dup@example.com")
    result = runner.invoke(args=["users", "create", "dup@example.com", "--name", "D"],
                           input="copper violin meadow\ncopper violin meadow\n")
    assert result.exit_code != 0 and "already exists" in result.output


def test_set_role(app, runner, make_user):
    make_user(email="r@example.com")
    result = runner.invoke(args=["users", "set-role", "r@example.com", "admin"])
    assert result.exit_code == 0
    assert user(app, "r@example.com").role == Role.ADMIN
    assert runner.invoke(args=["users", "set-role", "r@example.com", "king"]).exit_code != 0
    assert "No account" in runner.invoke(args=["users", "set-role", "x@example.com",
                                               "admin"]).output


def test_seed_demo_is_deterministic_and_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo", "--seed", "7"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.leaders.example" in first.output
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(User))
    second = runner.invoke(args=["seed-demo", "--seed", "7"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == count
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has accounts" in skipped.output


def test_password_can_be_piped_on_stdin(tmp_path):
    """The real command, as an operator would pipe it."""
    database = tmp_path / "cli.sqlite3"
    env = {"LEADERS_DATABASE_URL": f"sqlite:///{database}", "PATH": "/usr/bin:/bin",
           "LEADERS_SECRET_KEY": "k" * 40}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run(flask + ["db", "upgrade"], env=env, check=True, capture_output=True)
    done = subprocess.run(flask + ["users", "create", "pipe@example.com", "--name", "Piped",
                                   "--role", "admin"],
                          input="granite puffin sonata\ngranite puffin sonata\n", text=True,
                          env=env, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert "Created admin pipe@example.com" in done.stdout
