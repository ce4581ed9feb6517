"""Concurrent writers against gunicorn for a while, then an audit: every acknowledged write is stored exactly once.

Builds a database in a temporary folder (SQLite) or its own PostgreSQL database on 127.0.0.1
(`leaders_load_<pid>`, dropped afterwards), migrates it, loads places and the demo data, makes
a leader with a profile and a member for each writer, starts a local SMTP server and gunicorn
on 127.0.0.1, then lets N writers act as people in a browser for T seconds: real forms, CSRF
tokens and a cookie jar each. Each writer, over and over, does one of:
  register   a new visitor signs up (a users row and a verification mail in the outbox);
  bio        its leader rewrites the profile bio with a numbered marker;
  contact    its member sends a leader a message with a marker (a mail in the outbox);
  proposal   its leader saves or submits a story proposal with a marker in the title.
A write is acknowledged when the server answers the redirect a person would see after a
success. Afterwards SQL checks that each acknowledged write is there once (for bios: the last
acknowledged edit, or a later one, is what the profile shows). Prints requests, statuses,
latency, acknowledged/found/lost/duplicated per kind and the outbox state; exits 1 if any
acknowledged write is lost or duplicated, or if any answer was a 500.

Run from the repository root:
    .venv/bin/python bench/load.py --db sqlite --seconds 30 --writers 20
    .venv/bin/python bench/load.py --db postgresql --slow-smtp 2 --deliver
    .venv/bin/python bench/load.py --kill-worker-at 10
"""
import argparse
import asyncio
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from _http import server_env as bench_env
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PG_URL = "postgresql://leaders:leaders@127.0.0.1:5432/{name}"
PASSWORD = "quiet river lantern 42"
REQUEST_TIMEOUT = 30
KINDS = ("register", "bio", "contact", "proposal")
KIND_LABELS = {"register": "registration", "verify": "verification mail",
               "bio": "bio edit (last per leader)", "contact": "contact message",
               "proposal": "proposal"}
MARK = re.compile(r"LOADMARK-([a-z]+)-w(\d+)-n(\d+)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--slow-smtp", type=float, default=0, metavar="SECONDS",
                        help="the SMTP server waits this long before accepting each message")
    parser.add_argument("--kill-worker-at", type=float, metavar="SECONDS",
                        help="SIGKILL one gunicorn worker this long into the run")
    parser.add_argument("--deliver", action="store_true",
                        help="afterwards run `flask mail deliver` and show the outbox again")
    parser.add_argument("--double-submit", type=float, default=0.1, metavar="SHARE",
                        help="share of sign-ups sent twice at once, as a double click (default 0.1)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="load-bench-"))
    mailbox = Mailbox(args.slow_smtp)
    smtp = Controller(mailbox, hostname=HOST, port=free_port())
    smtp.start()
    database = Database.make(args.db, scratch)
    try:
        env = server_env(database.url, scratch, smtp.port)
        accounts = build(env, args.writers)
        failed = run(env, args, accounts, database, mailbox, scratch)
    finally:
        smtp.stop()
        database.drop()
        shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(1 if failed else 0)


# The world around the server -----------------------------------------------------------------

class Mailbox:
    """An SMTP handler that accepts everything, after a pause when asked to be slow."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received += 1
        return "250 Message accepted for delivery"


class Database:
    """The run's own database: a file in the scratch folder or a PostgreSQL database made for it."""

    def __init__(self, kind: str, url: str, name: str | None = None) -> None:
        self.kind, self.url, self.name = kind, url, name

    @classmethod
    def make(cls, kind: str, scratch: Path) -> "Database":
        if kind == "sqlite":
            return cls(kind, f"sqlite:///{scratch / 'leaders.sqlite3'}")
        name = f"leaders_load_{os.getpid()}"
        cls._admin(f"CREATE DATABASE {name}")
        return cls(kind, PG_URL.format(name=name), name)

    @staticmethod
    def _admin(sql: str) -> None:
        import psycopg
        with psycopg.connect(PG_URL.format(name="postgres"), autocommit=True) as connection:
            connection.execute(sql)

    def rows(self, sql: str) -> list[tuple]:
        if self.kind == "sqlite":
            import sqlite3
            connection = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30)
            try:
                return connection.execute(sql).fetchall()
            finally:
                connection.close()
        import psycopg
        with psycopg.connect(self.url) as connection:
            return connection.execute(sql).fetchall()

    def drop(self) -> None:
        if self.name:
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def server_env(url: str, scratch: Path, smtp_port: int) -> dict:
    """The benchmarks' environment (bench/_http.py), with real mail to the test SMTP server."""
    return {
        **bench_env(url, scratch),
        # Writers log in and post far faster than the per-IP limits allow one person.
        "LEADERS_CONTACT_RATE_LIMIT": "1000000",
        "LEADERS_MAIL_SERVER": HOST,
        "LEADERS_MAIL_PORT": str(smtp_port),
        "LEADERS_MAIL_DELIVER_AFTER_REQUEST": "true",  # the load includes sending the mail
    }


def build(env: dict, writers: int) -> list[dict]:
    """Migrate, load places and demo data (editors get the submitted proposals), make the writers' accounts."""
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    started = time.perf_counter()
    quiet = {"cwd": ROOT, "env": env, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([*flask, "db", "upgrade"], stderr=subprocess.DEVNULL, **quiet)
    subprocess.run([*flask, "geo", "load", "--min-population", "15000", "--no-postal"], **quiet)
    subprocess.run([*flask, "seed-demo", "--no-banner"], **quiet)
    made = subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "_load_setup.py"), str(writers)],
                          input=PASSWORD, capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    print(f"database ready in {time.perf_counter() - started:.0f} s")
    return json.loads(made.stdout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def workers_of(master: int) -> list[int]:
    """The master's children, from /proc."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            children.append(int(entry))
    return sorted(children)


def commit_line() -> str:
    head = subprocess.run(["git", "log", "-1", "--oneline"], cwd=ROOT, capture_output=True, text=True)
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                             capture_output=True, text=True).stdout.splitlines()
    if head.returncode:
        return "not a git checkout"
    line = head.stdout.strip()[:72]
    return line + (f" (+ {len(changed)} files changed in the tree)" if changed else "")


# A browser, more or less -----------------------------------------------------------------------

@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.fields)

    def filled(self, **values: str) -> list[tuple[str, str]]:
        """The fields as the browser would send them, with these values typed in."""
        kept = [(key, value) for key, value in self.fields if key not in values]
        return kept + list(values.items())


class FormParser(HTMLParser):
    """The forms on a page with what a browser would submit: inputs, ticked boxes, textareas, selects."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "form":
            self._form = Form(attributes.get("action") or "")
            self.forms.append(self._form)
        elif self._form is None or not name and tag != "option":
            return
        elif tag == "input":
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self._form.fields.append((name, attributes.get("value") or "on"))
                return
            self._form.fields.append((name, attributes.get("value") or ""))
        elif tag == "textarea":
            self._textarea = (name, [])
        elif tag == "select":
            self._select = {"name": name, "first": None, "chosen": []}
        elif tag == "option" and self._select is not None:
            value = attributes.get("value") or ""
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attributes:
                self._select["chosen"].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            text = text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text
            if self._form is not None:
                self._form.fields.append((name, text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] or [self._select["first"]]
            if self._form is not None:
                self._form.fields += [(self._select["name"], value) for value in chosen
                                      if value is not None]
            self._select = None


def form_with(html: str, field_name: str) -> Form | None:
    parser = FormParser()
    parser.feed(html)
    return next((form for form in parser.forms if form.has(field_name)), None)


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Stats:
    """Every request's outcome and time, shared by the writers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, float, float]] = []  # label, status, ms, at
        self.started = time.monotonic()

    def add(self, label: str, status: str, ms: float) -> None:
        with self.lock:
            self.requests.append((label, status, ms, time.monotonic() - self.started))


class Browser:
    """One person's browser: a cookie jar and one new connection per request (sync workers close them)."""

    def __init__(self, port: int, stats: Stats | None) -> None:
        self.port, self.stats = port, stats
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, label: str, data: list | None = None) -> Answer | None:
        headers = {"Accept": "text/html", "User-Agent": "bench/load.py"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self._record(f"{method} {label}", f"error: {type(error).__name__}", started)
            return None
        finally:
            connection.close()
        self._record(f"{method} {label}", str(response.status), started)
        for header in response.headers.get_all("Set-Cookie") or []:
            self._keep(header)
        return Answer(response.status, response.headers.get("Location") or "", text)

    def _record(self, label: str, status: str, started: float) -> None:
        if self.stats is not None:
            self.stats.add(label, status, (time.perf_counter() - started) * 1000)

    def _keep(self, header: str) -> None:
        jar = SimpleCookie()
        try:
            jar.load(header)
        except Exception:  # noqa: BLE001  (an odd cookie is dropped, as browsers do)
            return
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def submit(self, path: str, field_name: str, label: str, **values: str) -> Answer | None:
        """GET the page, fill in the form that has field_name, POST it; None if either failed."""
        page = self.request("GET", path, label)
        if page is None or page.status != 200:
            return None
        form = form_with(page.body, field_name)
        if form is None:
            raise RuntimeError(f"{path}: no form with a {field_name!r} field")
        return self.request("POST", urljoin(path, form.action) if form.action else path, label,
                            form.filled(**values))

    def follow(self, answer: Answer, label: str) -> None:
        """What the person sees next: the page the redirect points to."""
        self.request("GET", urlsplit(answer.location).path or "/", label)


def redirected_to(answer: Answer | None, pattern: str) -> bool:
    return (answer is not None and answer.status in (302, 303)
            and re.fullmatch(pattern, urlsplit(answer.location).path) is not None)


# The writers ---------------------------------------------------------------------------------

class Ledger:
    """What the server acknowledged, per kind of write, and what was tried."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tried: Counter = Counter()
        self.acknowledged: dict[str, list] = defaultdict(list)
        self.ack_times: list[float] = []
        self.started = time.monotonic()

    def try_(self, kind: str) -> None:
        with self.lock:
            self.tried[kind] += 1

    def ack(self, kind: str, item) -> None:
        with self.lock:
            self.acknowledged[kind].append(item)
            self.ack_times.append(time.monotonic() - self.started)


class Writer(threading.Thread):
    def __init__(self, number: int, port: int, accounts: list[dict], stats: Stats, ledger: Ledger,
                 double_submit: float) -> None:
        super().__init__(daemon=True, name=f"writer-{number}")
        self.number, self.port, self.stats, self.ledger = number, port, stats, ledger
        self.mine = accounts[number]
        self.others = [account["slug"] for account in accounts if account is not self.mine]
        self.double_submit = double_submit
        self.random = random.Random(number)
        self.count = 0
        self.deadline = 0.0
        self.leader = Browser(port, None)
        self.member = Browser(port, None)

    def log_in(self) -> None:
        for browser, email in ((self.leader, self.mine["leader"]), (self.member, self.mine["member"])):
            answer = browser.submit("/login", "email", "login", email=email, password=PASSWORD)
            if not redirected_to(answer, "/"):
                raise SystemExit(f"{email} could not log in: {answer and answer.status}")
            browser.stats = self.stats

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            self.count += 1
            kind = self.random.choice(KINDS)
            self.ledger.try_(kind)
            if not getattr(self, kind)():
                time.sleep(0.1)  # an error or a refusal: a person would look before trying again

    def marker(self, kind: str) -> str:
        return f"LOADMARK-{kind}-w{self.number}-n{self.count}"

    def register(self) -> bool:
        visitor = Browser(self.port, self.stats)
        email = f"{self.marker('register').lower()}@example.com"
        page = visitor.request("GET", "/register", "register")
        form = form_with(page.body, "email") if page is not None and page.status == 200 else None
        if form is None:
            return False
        data = form.filled(display_name=f"Visitor {self.number}-{self.count}", email=email,
                           password=f"{secrets.token_hex(4)} amber orchard lantern")
        answers = [None, None]

        def post(slot: int) -> None:
            answers[slot] = visitor.request("POST", "/register", "register", data)

        if self.random.random() < self.double_submit:  # a double click: the same form twice at once
            second = threading.Thread(target=post, args=(1,))
            second.start()
            time.sleep(0.02)
            post(0)
            second.join(REQUEST_TIMEOUT + 5)
        else:
            post(0)
        done = [answer for answer in answers if redirected_to(answer, "/register/sent")]
        if done:
            self.ledger.ack("register", email)
            visitor.follow(done[0], "register")
        return bool(done)

    def bio(self) -> bool:
        slug, number = self.mine["slug"], self.count
        answer = self.leader.submit(f"/leaders/{slug}/edit", "bio", "bio",
                                    bio=f"I run a Saturday homework club. {self.marker('bio')}")
        if not redirected_to(answer, f"/leaders/{slug}/edit"):
            return False
        self.ledger.ack("bio", (self.number, number))
        self.leader.follow(answer, "bio")
        return True

    def contact(self) -> bool:
        slug = self.random.choice(self.others)
        answer = self.member.submit(f"/leaders/{slug}/contact", "message", "contact",
                                    message="Hello! Could we talk about starting a homework club? "
                                            + self.marker("contact"))
        if not redirected_to(answer, f"/leaders/{slug}"):
            return False
        self.ledger.ack("contact", self.marker("contact"))
        self.member.follow(answer, "contact")
        return True

    def proposal(self) -> bool:
        intent = self.random.choice(("save", "submit"))
        answer = self.leader.submit(
            "/proposals/new", "title", "proposal", intent=intent,
            title=f"How our street shares a vegetable patch {self.marker('proposal')}",
            summary="Twelve households turned their front lawns into one shared garden.",
            why_it_matters="Other streets can copy it in a weekend.", tags="food, neighbours")
        if not redirected_to(answer, r"/proposals/\d+"):
            return False
        self.ledger.ack("proposal", (self.marker("proposal"), intent))
        self.leader.follow(answer, "proposal")
        return True


# The run ---------------------------------------------------------------------------------------

def run(env: dict, args, accounts: list[dict], database: Database, mailbox: Mailbox,
        scratch: Path) -> bool:
    port = free_port()
    log_path = scratch / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(args.workers), "--bind", f"{HOST}:{port}",
             "--log-level", "warning", "wsgi:app"], env=env, cwd=ROOT, stdout=log, stderr=log)
    killed = []
    try:
        wait_until_up(port)
        stats, ledger = Stats(), Ledger()
        writers = [Writer(number, port, accounts, stats, ledger, args.double_submit)
                   for number in range(args.writers)]
        for writer in writers:
            writer.log_in()
        smtp = f"SMTP waits {args.slow_smtp:g} s per message" if args.slow_smtp else "SMTP answers at once"
        print(f"{args.writers} writers for {args.seconds:g} s; gunicorn, {args.workers} sync workers, "
              f"{args.db}; {smtp}" + (f"; one worker killed at {args.kill_worker_at:g} s"
                                      if args.kill_worker_at is not None else ""))
        print(f"code: {commit_line()}\n")
        stats.started = ledger.started = time.monotonic()
        deadline = stats.started + args.seconds
        for writer in writers:
            writer.deadline = deadline
            writer.start()
        timer = threading.Timer(args.kill_worker_at or 0, kill_a_worker, (server.pid, killed, stats))
        timer.daemon = True
        if args.kill_worker_at is not None:
            timer.start()
        cut_off = deadline + 2 * REQUEST_TIMEOUT + 10  # in-flight requests end by their own timeout
        for writer in writers:
            writer.join(max(0.0, cut_off - time.monotonic()))
        timer.cancel()
        elapsed = time.monotonic() - stats.started
        stuck = sum(writer.is_alive() for writer in writers)
        at_stop = outbox_states(database)
    finally:
        server.terminate()
        try:
            server.wait(40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    with stats.lock:
        requests = list(stats.requests)
    report_requests(requests, elapsed, ledger, killed, stuck)
    audit_failed = report_audit(database, ledger)
    print(f"\noutbox when the writers stopped: {format_states(at_stop)}")
    report_outbox(database, mailbox, "outbox after gunicorn stopped")
    if args.deliver:
        deliver(env, database, mailbox)
    report_server_errors(log_path)
    server_errors = sum(1 for _, status, _, _ in requests if status == "500")
    problems = (["acknowledged writes lost or duplicated"] if audit_failed else []) + (
        [f"{server_errors} answers were 500"] if server_errors else [])
    print("\nFAILED: " + "; ".join(problems) if problems else
          "\nOK: every acknowledged write is stored exactly once and no answer was a 500")
    return bool(problems)


def kill_a_worker(master: int, killed: list, stats: Stats) -> None:
    workers = workers_of(master)
    if not workers:
        print("no gunicorn worker to kill")
        return
    os.kill(workers[0], signal.SIGKILL)
    killed.append((workers[0], time.monotonic() - stats.started))
    time.sleep(3)
    killed.append(workers_of(master))


# What it found ---------------------------------------------------------------------------------

def percentile(values: list[float], share: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1]


def report_requests(requests: list, elapsed: float, ledger: Ledger, killed: list, stuck: int) -> None:
    statuses = Counter(status for _, status, _, _ in requests)
    times = [ms for _, _, ms, _ in requests]
    print(f"requests: {len(requests):,} in {elapsed:.1f} s ({len(requests) / elapsed:.0f}/s)")
    print("statuses: " + ", ".join(f"{status} × {count:,}" for status, count in sorted(statuses.items())))
    print(f"latency: p50 {percentile(times, 50):.0f} ms, p95 {percentile(times, 95):.0f} ms, "
          f"max {max(times, default=0):.0f} ms")
    print(f"\n{'':20} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuses")
    by_label = defaultdict(list)
    for label, status, ms, _ in requests:
        by_label[label].append((status, ms))
    for label in sorted(by_label, key=lambda item: (item.split()[1], item)):
        rows = by_label[label]
        values = [ms for _, ms in rows]
        counted = Counter(status for status, _ in rows)
        print(f"{label:20} {len(rows):9,} {percentile(values, 50):8.0f} {percentile(values, 95):8.0f} "
              f"{max(values):8.0f}  " + ", ".join(f"{s} × {n}" for s, n in sorted(counted.items())))
    buckets = Counter(int(at // 5) for at in ledger.ack_times)
    print("\nwrites acknowledged per 5 s: " + " ".join(str(buckets[index])
                                                    for index in range(int(elapsed // 5) + 1)))
    if killed:
        pid, at = killed[0]
        print(f"killed gunicorn worker {pid} at {at:.1f} s; workers 3 s later: "
              f"{killed[1] if len(killed) > 1 else '?'}")
    if stuck:
        print(f"{stuck} writers were still waiting for an answer when the run was cut off")


def report_audit(database: Database, ledger: Ledger) -> bool:
    """Acknowledged against found, per kind; True if anything is lost or duplicated."""
    emails = Counter(email for (email,) in database.rows(
        "SELECT email FROM users WHERE email LIKE 'loadmark-%'"))
    outbox = database.rows("SELECT kind, \"to\", body FROM outbox")
    verifications = Counter(to for kind, to, _ in outbox if kind == "verify")
    contacts = Counter(found.group(0) for kind, _, body in outbox if kind == "contact"
                       for found in MARK.finditer(body))
    bios = {int(match.group(2)): (int(match.group(3)), len(MARK.findall(bio)))
            for (bio,) in database.rows("SELECT bio FROM leader_profiles WHERE bio LIKE '%LOADMARK-%'")
            for match in [MARK.search(bio)]}
    proposals = defaultdict(list)
    for title, state in database.rows("SELECT title, state FROM proposals WHERE title LIKE '%LOADMARK-%'"):
        proposals[MARK.search(title).group(0)].append(state)

    acknowledged = ledger.acknowledged
    rows = []
    registered = acknowledged["register"]
    rows.append(("register", len(registered), *tally(emails[e] for e in registered)))
    rows.append(("verify", len(registered), *tally(verifications[e] for e in registered)))
    last_bio: dict[int, int] = {}
    for writer, number in acknowledged["bio"]:
        last_bio[writer] = max(number, last_bio.get(writer, 0))
    # The saved bio must hold the last acknowledged edit, or a later one whose answer was lost.
    bio_counts = []
    for writer, number in last_bio.items():
        saved, markers = bios.get(writer, (0, 0))
        bio_counts.append(markers if saved >= number else 0)
    rows.append(("bio", len(last_bio), *tally(bio_counts)))
    rows.append(("contact", len(acknowledged["contact"]),
                 *tally(contacts[marker] for marker in acknowledged["contact"])))
    expected_state = {"save": "draft", "submit": "submitted"}
    rows.append(("proposal", len(acknowledged["proposal"]), *tally(
        sum(state == expected_state[intent] for state in proposals[marker])
        for marker, intent in acknowledged["proposal"])))

    print(f"\n{'':28} {'tried':>6} {'acknowledged':>13} {'found':>6} {'lost':>5} {'duplicated':>11}")
    bad = False
    for kind, count, found, lost, duplicated in rows:
        tried = ledger.tried.get(kind, "")
        print(f"{KIND_LABELS[kind]:28} {tried!s:>6} {count:13,} {found:6,} {lost:5,} {duplicated:11,}")
        bad = bad or lost > 0 or duplicated > 0
    print(f"(bio edits acknowledged: {len(acknowledged['bio']):,}; stored though their answer was "
          f"lost: {len(set(emails) - set(registered))} sign-ups, "
          f"{len(set(contacts) - set(acknowledged['contact']))} messages, "
          f"{len(set(proposals) - {m for m, _ in acknowledged['proposal']})} proposals)")
    return bad


def tally(counts) -> tuple[int, int, int]:
    """(found once, lost, duplicated) from how many times each acknowledged write was found."""
    counts = list(counts)
    return (sum(c == 1 for c in counts), sum(c == 0 for c in counts), sum(c > 1 for c in counts))


def outbox_states(database: Database) -> Counter:
    return Counter(dict(database.rows("SELECT status, COUNT(*) FROM outbox GROUP BY status")))


def format_states(states: Counter) -> str:
    return ", ".join(f"{state} {states.get(state, 0):,}" for state in ("pending", "sending", "sent", "failed"))


def report_outbox(database: Database, mailbox: Mailbox, title: str) -> None:
    print(f"{title}: {format_states(outbox_states(database))}; "
          f"the SMTP server accepted {mailbox.received:,} messages")


def deliver(env: dict, database: Database, mailbox: Mailbox, timeout: float = 120) -> None:
    started = time.perf_counter()
    try:
        done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "mail", "deliver"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=timeout)
        said = (done.stdout.strip() or done.stderr.strip().splitlines()[-1:] or ["?"])
        print(f"\nflask mail deliver ({time.perf_counter() - started:.0f} s): "
              f"{said if isinstance(said, str) else said[0]}")
    except subprocess.TimeoutExpired:
        print(f"\nflask mail deliver had not finished after {timeout:.0f} s and was stopped")
    report_outbox(database, mailbox, "outbox after flask mail deliver")


def report_server_errors(log_path: Path) -> list[str]:
    """The distinct exceptions the server logged (the last line of each traceback)."""
    lines = log_path.read_text(errors="replace").splitlines()
    errors = Counter(line.strip()[:160] for index, line in enumerate(lines)
                     if re.match(r"^[\w.]+(Error|Exception|Exit)\b.*", line)
                     and (index + 1 == len(lines) or not lines[index + 1].startswith(" ")))
    errors.update(line.strip()[:160] for line in lines if "[CRITICAL]" in line or "WORKER TIMEOUT" in line)
    if errors:
        print("\nexceptions in the server log (lines):")
        for line, count in errors.most_common(10):
            print(f"  {count:5} × {line}")
    return list(errors)


if __name__ == "__main__":
    main()
