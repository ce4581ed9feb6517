"""Times /forgot-password and /register for addresses with and without an account, printing medians.

An attacker who can tell the two apart by the time an answer takes learns who has an
account. This starts the app on 127.0.0.1 (werkzeug, threaded, SQLite in a temporary folder,
rate limits off, mail printed to the log and the log silenced), then alternates requests
for each kind of address and prints the median and 90th percentile of each, in ms.

Run from the repository root:
    .venv/bin/python bench/enumeration_timing.py --rounds 300
"""
import argparse
import http.client
import logging
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

PASSWORD = "quiet river lantern 42"


def start(folder: Path):
    app = create_app({
        "SECRET_KEY": "enumeration-bench-secret-key-0123456789abcdef",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}", "CREATE_DATABASE": True,
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "LOG_LEVEL": "ERROR",
    })
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server


def make_accounts(app, emails, long_ago: bool) -> None:
    from app.auth.services import create_user
    from app.models.base import utcnow
    with app.app_context():
        for email in emails:
            user = create_user(email, "Known Person", PASSWORD)
            if long_ago:
                user.created_at = utcnow() - timedelta(days=30)
        db.session.commit()


def post(port: int, path: str, form: dict) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urlencode(form)
    started = time.perf_counter()
    connection.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    assert response.status in (200, 302), (path, response.status)
    return elapsed * 1000


def report(title: str, samples: dict[str, list[float]]) -> None:
    print(title)
    for label, values in samples.items():
        values = sorted(values)
        print(f"  {label:<38} median {statistics.median(values):7.2f} ms   "
              f"p90 {values[int(len(values) * 0.9)]:7.2f} ms   (n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        app, server = start(Path(folder))
        port = server.server_port
        rounds = args.rounds
        register_rounds = max(rounds // 3, 10)  # a password hash each: slower
        owners = [f"owner{number}@example.com" for number in range(register_rounds)]
        # All accounts first: a long transaction here would hold up the server's own writes.
        make_accounts(app, ["known@example.com", *owners], long_ago=True)
        reset = {"known address": [], "unknown address": []}
        for number in range(rounds):
            reset["known address"].append(post(port, "/forgot-password", {"email": "known@example.com"}))
            reset["unknown address"].append(post(port, "/forgot-password",
                                                 {"email": f"ghost{number}@example.com"}))
        report("POST /forgot-password", reset)

        rounds = register_rounds
        register = {"new address": [], "taken (its owner is mailed)": [],
                    "taken (owner already mailed this hour)": []}
        form = {"display_name": "Someone", "password": "saffron kettle orbit"}
        for number in range(rounds):
            register["new address"].append(post(port, "/register",
                                                {**form, "email": f"new{number}@example.com"}))
            register["taken (its owner is mailed)"].append(
                post(port, "/register", {**form, "email": owners[number]}))
            register["taken (owner already mailed this hour)"].append(
                post(port, "/register", {**form, "email": owners[0]}))
        report("POST /register", register)
        server.shutdown()


if __name__ == "__main__":
    main()
