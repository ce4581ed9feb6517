"""Rate limits hold across gunicorn workers sharing a Redis; per-worker counts are refused in production."""
import logging
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from app import create_app
from app.config import ConfigError
from tests.conftest import IN_CI, base_config, free_port
from tests.live import Visitor

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")
LIMITS = {"LEADERS_LOGIN_RATE_LIMIT": "10 per minute", "LEADERS_API_RATE_LIMIT": "20 per minute",
          "LEADERS_SEARCH_RATE_LIMIT": "15 per minute"}
REFUSAL = "Rate limits are kept in each worker's memory"


def production_config(tmp_path, **overrides) -> dict:
    return base_config(tmp_path, ENV="production", TESTING=False, **overrides)


# In one process ------------------------------------------------------------------------------

def test_production_refuses_memory_limits_with_several_workers(tmp_path):
    with pytest.raises(ConfigError, match=REFUSAL):
        create_app(production_config(tmp_path, WORKERS=2))


def test_production_warns_when_the_number_of_workers_is_unknown(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="app.config"):
        create_app(production_config(tmp_path))
    assert "RATE LIMITS ARE NOT SHARED" in caplog.text


@pytest.mark.parametrize("settings", [{"WORKERS": 1},
                                      {"WORKERS": 4, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6399"}])
def test_one_worker_or_a_shared_store_starts_quietly(tmp_path, caplog, settings):
    with caplog.at_level(logging.WARNING, logger="app.config"):
        create_app(production_config(tmp_path, **settings))
    assert "RATE LIMITS" not in caplog.text


def test_the_search_page_is_limited_per_address_with_a_clear_page(app, client):
    app.config["SEARCH_RATE_LIMIT"] = "3 per minute"
    assert [client.get("/leaders").status_code for _ in range(3)] == [200] * 3
    response = client.get("/leaders", query_string={"near": "London"})
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Searches from one address are limited to 3 per minute" in page
    assert "Wait a minute, then search again." in page
    assert int(response.headers["Retry-After"]) > 0
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
    other = client.get("/leaders", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200, "another address has its own count"


# Two gunicorn workers ------------------------------------------------------------------------

class Redis:
    def __init__(self, process: subprocess.Popen, port: int):
        self.process, self.url = process, f"redis://127.0.0.1:{port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    """A Redis of the test's own on a free port, keeping nothing on disk."""
    if REDIS_SERVER is None:
        message = "redis-server is not installed: run scripts/test-services.sh"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    import redis
    port = free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError("redis-server did not start")
        yield Redis(server, port)
    finally:
        client.close()
        Redis(server, port).stop()


def server_env(tmp_path, **settings) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEADERS_")}
    port = free_port()
    env.update(LEADERS_ENV="production", LEADERS_SECRET_KEY="r" * 40,
               LEADERS_SITE_URL=f"http://127.0.0.1:{port}", LEADERS_BIND=f"127.0.0.1:{port}",
               LEADERS_DATABASE_URL=f"sqlite:///{tmp_path / 'limits.sqlite3'}",
               LEADERS_WTF_CSRF_ENABLED="false")
    env.update(settings)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return env


def gunicorn(env, log, *options) -> subprocess.Popen:
    # %(p)s: the worker's pid in each access line, to see that both workers answered.
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *options,
         "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


@contextmanager
def serving(tmp_path, **settings):
    env = server_env(tmp_path, **settings)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = gunicorn(env, log)
        base = env["LEADERS_SITE_URL"]
        try:
            for _ in range(200):
                if server.poll() is not None:
                    raise AssertionError("gunicorn stopped:\n" + log_path.read_text())
                try:
                    if Visitor(base, timeout=2).get("/healthz").status == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            else:
                raise AssertionError("gunicorn did not answer:\n" + log_path.read_text())
            yield base, log_path
        finally:
            server.terminate()
            server.wait(30)


def send(base: str, requests: list) -> list:
    """Each request from a new visitor on its own connection, four at a time, so both workers answer."""
    def one(request):
        method, path, data = request
        visitor = Visitor(base)
        return visitor.post(path, data) if method == "POST" else visitor.get(path)

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, requests))


def workers_that_answered(log_path: Path, path: str) -> set:
    return {line.split()[0] for line in log_path.read_text().splitlines()
            if line.startswith("<") and f" {path} " in line}


@pytest.mark.sqlite_only  # the server makes its own SQLite file; what is tested is the shared Redis
def test_limits_hold_across_two_gunicorn_workers_sharing_redis(tmp_path, redis_server):
    login = ("POST", "/login", {"email": "someone@example.com", "password": "not the password"})
    with serving(tmp_path, LEADERS_WORKERS="2", LEADERS_RATELIMIT_STORAGE_URI=redis_server.url,
                 **LIMITS) as (base, log_path):
        logins = send(base, [login] * 30)
        api = send(base, [("GET", "/api/leaders", None)] * 40)
        searches = send(base, [("GET", "/leaders", None)] * 25)
        redis_server.stop()
        # Redis gone: each worker counts alone again (logged), but nothing answers 500.
        without_redis = send(base, [login] * 6 + [("GET", "/api/places?q=Lon", None)] * 6)

    assert Counter(answer.status for answer in logins) == {200: 10, 429: 20}
    assert Counter(answer.status for answer in api) == {200: 20, 429: 20}
    assert Counter(answer.status for answer in searches) == {200: 15, 429: 10}
    for path in ("/login", "/api/leaders", "/leaders"):
        assert len(workers_that_answered(log_path, path)) == 2, f"one worker answered every {path}"

    refused_login = next(answer for answer in logins if answer.status == 429)
    assert "Too many attempts" in refused_login.text
    refused_call = next(answer for answer in api if answer.status == 429)
    assert refused_call.headers["Content-Type"] == "application/json"
    assert int(refused_call.headers["Retry-After"]) > 0
    refused_search = next(answer for answer in searches if answer.status == 429)
    assert "Searches from one address are limited to 15 per minute" in refused_search.text
    assert {answer.status for answer in without_redis} == {200}
    assert "Rate limit storage unreachable" in log_path.read_text()


@pytest.mark.sqlite_only  # no request is answered: gunicorn refuses to start
def test_gunicorn_with_several_workers_refuses_per_worker_limits_in_production(tmp_path):
    env = server_env(tmp_path, LEADERS_RATELIMIT_STORAGE_URI="memory://")
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        # --workers on the command line: the app learns the count from gunicorn.conf.py's hook.
        server = gunicorn(env, log, "--workers", "2")
        try:
            code = server.wait(60)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(10)
    output = log_path.read_text()
    assert code != 0
    assert REFUSAL in output
    assert "redis://localhost:6379" in output
