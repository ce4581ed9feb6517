"""gunicorn.conf.py: gunicorn accepts it; LEADERS_BIND and LEADERS_WORKERS adjust it."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEADERS_")}
    env.update(LEADERS_DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
               LEADERS_SECRET_KEY="g" * 40)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return env


def gunicorn(env, *options):
    return subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *options,
                           "wsgi:app"], cwd=ROOT, env=env, capture_output=True, text=True)


def settings(output: str) -> dict:
    pairs = (line.split("=", 1) for line in output.splitlines() if " = " in line)
    return {key.strip(): value.strip() for key, value in pairs}


def test_gunicorn_accepts_the_config_and_loads_the_app(server_env):
    checked = gunicorn(server_env, "--check-config")
    assert checked.returncode == 0, checked.stderr

    printed = settings(gunicorn(server_env, "--print-config").stdout)
    assert printed["bind"] == "['127.0.0.1:8000']"  # loopback only: the proxy faces the world
    assert printed["worker_class"] == "sync"
    assert printed["timeout"] == "30"
    assert printed["accesslog"] == "-"
    assert int(printed["max_requests"]) > 0 and int(printed["max_requests_jitter"]) > 0
    assert 3 <= int(printed["workers"]) <= 12


def test_bind_and_workers_come_from_the_environment(server_env):
    env = {**server_env, "LEADERS_BIND": "127.0.0.1:8123", "LEADERS_WORKERS": "3"}
    done = gunicorn(env, "--print-config")
    assert done.returncode == 0, done.stderr
    printed = settings(done.stdout)
    assert printed["bind"] == "['127.0.0.1:8123']"
    assert printed["workers"] == "3"
