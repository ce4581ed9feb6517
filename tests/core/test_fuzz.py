"""Hostile input on every route, as every role: no request answers 5xx.

The walk takes every rule of app.url_map but static files and, for each role (anonymous,
member, leader, editor, admin), sends:

- each hostile value in each path variable, the other variables real (a value the converter
  refuses is a 404 from routing whoever asks, so only the first role sends it);
- with real path values, a GET, and a POST where the rule takes one, carrying a plausible
  value for every field of every form in app/; the app notes which names it read;
- each name read with each hostile value (the first role the page answers) or with one (the
  other roles), then every known name at once with one.

A page that reads its whole query string (a link builder) has every known query name tried.
Values come from a seeded generator and rules in url_map order, so every run sends the same
requests, about 5,700.
"""
import io
import random
import re
from collections import Counter
from typing import NamedTuple
from functools import cache
from itertools import product
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import select
from flask import got_request_exception
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import AnyConverter
from wtforms import (BooleanField, DateTimeLocalField, EmailField, FileField, FloatField, Form,
                     HiddenField, PasswordField, RadioField, SelectChoice, SelectField,
                     SelectMultipleField, URLField)
from wtforms.fields.core import UnboundField

import app as app_package
from app.auth.services import verification_token
from app.editorial.workflow import Action
from app.extensions import db
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.directory import (FocusArea, LeaderApplication, LeaderProfile, Program,
                                  ProfileProgram)
from app.models.editorial import Comment, Proposal
from app.models.notifications import Notification
from app.notifications.unsubscribe import token_for
from tests.conftest import PASSWORD, login
from tests.editorial.conftest import make_proposal  # noqa: F401 (a fixture)

SEED = 9
HOSTILE = (
    str(2**63), str(2**31), "-1", "0", "²", "٣", "9" * 5000, "x" * 5000, "../../../etc/passwd",
    "%00\x00", "' OR 1=1 --", "<script>alert(1)</script>", "NaN", "\r\nX-Injected: 1", "",
)
# Names read from query strings besides form fields; the last five are url_for's own.
QUERY_NAMES = (
    "page", "per_page", "near", "lat", "lng", "radius", "radius_km", "unit", "keyword",
    "focus_area", "language", "program", "online", "sort", "q", "role", "status", "assignee",
    "state", "tag", "older_than", "from", "to", "version", "intent", "back", "next", "_scan",
    "endpoint", "_method", "_external", "_anchor", "_scheme",
)
ROLES = ("anonymous", "member", "leader", "editor", "admin")
# These delete what the other rules are walked with (a focus area, the comment, the profile,
# the account), so they come last.
LAST = ("admin.directory.remove", "editorial.delete_comment", "directory.delete",
        "account.delete")
TEXT = "Repair café for neighbours"  # valid in every text field: 26 characters, one tag
APP_DIR = str(Path(app_package.__file__).parent)


# The names a request read ------------------------------------------------------------------

EVERY_NAME = "*"
noted: set[str] = set()


class NotingMultiDict(ImmutableMultiDict):
    """request.args and request.form that note each name the app reads from them."""

    def __getitem__(self, key):
        noted.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        noted.add(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):
        noted.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        noted.add(key)
        return super().getlist(key, type)

    def __iter__(self):
        noted.add(EVERY_NAME)
        return super().__iter__()

    def items(self, multi=False):
        noted.add(EVERY_NAME)
        return super().items(multi)

    def lists(self):
        noted.add(EVERY_NAME)
        return super().lists()

    def to_dict(self, flat=True):
        noted.add(EVERY_NAME)
        return super().to_dict(flat)


# The fields the app knows and values they accept -------------------------------------------

@cache
def form_fields() -> dict[str, UnboundField]:
    """Every field of every form class in app/ (imported by create_app), by name (the first
    to use a name wins)."""
    classes, todo = [], [Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("app."):
                classes.append(sub)
    fields = {}
    for cls in sorted(classes, key=lambda cls: (cls.__module__, cls.__qualname__)):
        for name in sorted(dir(cls)):
            if isinstance(getattr(cls, name, None), UnboundField):
                fields.setdefault(name, getattr(cls, name))
    return fields


def plausible(field: UnboundField, email: str) -> str | None:
    """A value the field accepts, so the form gets past validation to the code behind it."""
    kind, kwargs = field.field_class, field.kwargs
    if issubclass(kind, FileField):
        return None
    if issubclass(kind, BooleanField):
        return "y"
    if issubclass(kind, EmailField):
        return email
    if issubclass(kind, PasswordField):
        return PASSWORD
    if issubclass(kind, URLField):
        return "https://example.org"
    if issubclass(kind, FloatField):
        return ""  # both coordinates or neither
    if issubclass(kind, DateTimeLocalField):
        return "2031-05-01T09:30"
    if issubclass(kind, SelectMultipleField):
        return "1" if kwargs.get("coerce") else None
    if issubclass(kind, (RadioField, SelectField)):
        if kwargs.get("default") is not None:
            return str(kwargs["default"])
        first = (kwargs.get("choices") or [("", "")])[0]
        return str(first.value if isinstance(first, SelectChoice) else first[0])
    if issubclass(kind, HiddenField):
        return ""
    return TEXT


# Text fields whose rules plain words do not meet, and names read outside any form.
NAMED = {"place": "", "links": "https://example.org/about", "intent": "save", "back": "profile"}


def plausible_form(email: str) -> dict[str, str]:
    values = {name: plausible(field, email) for name, field in form_fields().items()}
    values.update(NAMED)
    return {name: value for name, value in values.items() if value is not None}


def hostile(name: str, value: str):
    """The value as the field carries it: file fields get a file holding it."""
    if name in form_fields() and issubclass(form_fields()[name].field_class, FileField):
        return (io.BytesIO(value.encode()), f"{value[:40]}.jpg")
    return value


# The world the rules are walked in -------------------------------------------------------

@pytest.fixture
def app_config(app_config):
    # Errors answer as they would in production (the 500 page) rather than raise in the test;
    # a pool of connections (the app fixture disposes of it) instead of one per request.
    # Limits high rather than RATELIMIT_ENABLED=False: the limiter is one object for the whole
    # process, and turning it off would leave it off for every later test's app.
    unlimited = "1000000 per minute"
    app_config.update(PROPAGATE_EXCEPTIONS=False, MAIL_DELIVER_AFTER_REQUEST=False,
                      BLOG_PER_PAGE=2, SQLALCHEMY_ENGINE_OPTIONS={},
                      **{name: unlimited for name in (
                          "LOGIN_RATE_LIMIT", "RESET_RATE_LIMIT", "REGISTER_RATE_LIMIT",
                          "API_RATE_LIMIT", "SEARCH_RATE_LIMIT", "GATHERING_MESSAGE_RATE_LIMIT")})
    return app_config


@pytest.fixture
def world(app, make_user, make_proposal):
    """Someone in every role, a leader's profile, proposals, a comment, published posts, an
    application, and enough rows that every list has a second page."""
    # Password hashes are quick in tests (TEST_PASSWORD_HASH_METHOD in base_config), so the
    # walk's thousand password checks take no time.
    people = {role: make_user(role=role) for role in ROLES[1:]}
    author, applicant, leader = make_user(role="leader"), make_user(), people["leader"]
    submitted, draft = make_proposal(leader.id, state="submitted"), make_proposal(leader.id)
    published = [make_proposal(author.id, state="published", title=f"Our garden {n}")
                 for n in (1, 2, 3)]
    for n in range(26):  # the editor queue's second page
        make_proposal(author.id, state="submitted", title=f"Waiting {n}")
    with app.app_context():
        area = FocusArea(name="Food", slug="food", official=True)
        program = Program(name="Mentoring", slug="mentoring")
        db.session.add_all([area, program])
        db.session.flush()
        profile = LeaderProfile(user_id=leader.id, display_name="Lee Leader", slug="lee-leader",
                                focus_areas=[area])
        profile.programs.append(ProfileProgram(program_id=program.id))
        comment = Comment(proposal_id=submitted, writer_id=leader.id, body="A first thought.")
        application = LeaderApplication(user_id=applicant.id, motivation=TEXT * 2)
        db.session.add_all([profile, comment, application])
        for number in range(26):  # a second page of people, leaders and notifications
            user = User(email=f"crowd{number}@example.com", display_name=f"Crowd {number}",
                        password_hash="-", role=Role.LEADER, email_verified_at=utcnow())
            db.session.add(user)
            db.session.flush()
            db.session.add(LeaderProfile(user_id=user.id, display_name=user.display_name,
                                         slug=f"crowd-{number}"))
            db.session.add_all(Notification(user_id=person.id, kind="post_published",
                                            message=f"Note {number}", link="/blog")
                               for person in people.values())
        db.session.commit()
        comment_id, application_id, area_id, program_id = comment.id, application.id, area.id, program.id
        profile_slug, first_post_slug = profile.slug, db.session.get(Proposal, published[0]).slug
        author_token = verification_token(db.session.get(User, author.id))
    # The forum and the gatherings: a thread with an answer, a published gathering with a
    # waitlist and a request, a draft, and a calendar feed.
    from tests.forum.helpers import make_category, reply_to, start_thread
    from tests.gatherings.helpers import make_gathering, rsvp
    category = make_category(app, "Getting started")
    thread_id, opening = start_thread(app, author, category)
    answer = reply_to(app, people["member"], opening)
    gathering = make_gathering(app, leader, capacity=1, cohosts=[])
    asked = make_gathering(app, leader, approval_required=True, title="Ask first, then come")
    gathering_draft = make_gathering(app, leader, publish=False, title="A draft gathering")
    rsvp(app, people["member"], gathering)
    rsvp(app, people["editor"], gathering)
    rsvp(app, people["member"], asked)
    # A learning partnership of the member and the leader (its meeting, conversation, an answer,
    # an invitation waiting for the editor) and a request on the board.
    from tests.partnerships.fuzz import partnership_world
    partnerships = partnership_world(app, people["member"], people["leader"], people["editor"])
    with app.app_context():
        from app.gatherings.calendar import feed_of
        from app.models.gatherings import Rsvp
        request_id = db.session.scalar(select(Rsvp.id).where(Rsvp.gathering_id == asked))
        feed_secret = feed_of(db.session.get(User, people["member"].id)).secret
        join_token = db.session.scalar(select(Rsvp.join_token).where(Rsvp.gathering_id == gathering))
        db.session.commit()
        real = {
            "thread_id": [thread_id, partnerships["thread_id"]],
            "post_id": [opening, answer, partnerships["post_id"]],
            "gathering_id": [gathering, asked, gathering_draft, partnerships["gathering_id"]],
            "rsvp_id": [request_id], "partnership_id": [partnerships["partnership_id"]],
            "request_id": [partnerships["request_id"]], "invitation_id": [partnerships["invitation_id"]],
            "secret": [feed_secret],
            "user_id": [author.id], "proposal_id": [submitted, draft],
            "comment_id": [comment_id], "application_id": [application_id],
            "item_id": [area_id], "program_id": [program_id], "slug": [profile_slug, "getting-started"],
            "tag": ["repairs"], "name": ["0" * 32 + ".jpg"],
            "token": [author_token],
        }
        by_rule = {("blog.post", "slug"): [first_post_slug],
                   ("editorial.act", "name"): [action.value for action in Action],
                   ("gatherings.join", "token"): [join_token],
                   ("notifications.unsubscribe", "token"): [
                       token_for(author.id, "proposal_decision")]}
    return {"people": people, "real": real, "by_rule": by_rule}


# The walk ----------------------------------------------------------------------------------

class Failure(NamedTuple):
    status: int
    role: str
    method: str
    path: str
    changed: str
    cause: str  # the exception and the line in app/ it came from
    message: str


class Walk:
    """Sends the requests, counts them and keeps every 5xx with the exception behind it."""

    def __init__(self, app, world):
        self.world = world
        self.rng = random.Random(SEED)
        self.sent = 0
        self.failures: list[Failure] = []
        self.first_to_reach: dict[tuple, str] = {}
        self._exception = None
        # What the app's own hooks read before every view (a NUL byte check reads it all) is
        # not what the page reads: forgotten as the view's turn comes.
        app.before_request(noted.clear)
        self.clients = {"anonymous": app.test_client(use_cookies=False)}
        self.emails = {"anonymous": "visitor@example.com"}
        for role, person in world["people"].items():
            self.clients[role], self.emails[role] = app.test_client(), person.email
            assert login(self.clients[role], person.email).status_code == 302
        app.request_class = type("NotingRequest", (app.request_class,),
                                 {"parameter_storage_class": NotingMultiDict})
        got_request_exception.connect(self._keep_exception, app)

    def _keep_exception(self, sender, exception, **extra):
        self._exception = exception

    def send(self, role, method, path, values=None, changed="") -> tuple[bool, set[str]]:
        """One request; True when the page answered (not refused or missing), and what it read."""
        noted.clear()
        self._exception = None
        values = values or {}
        response = self.clients[role].open(
            path, method=method, query_string=None if method == "POST" else values,
            data=values if method == "POST" else None)
        self.sent += 1
        if response.status_code >= 500:
            self.failures.append(Failure(response.status_code, role, method, path[:80], changed,
                                         *self._cause()))
        refused = (response.status_code in (401, 403, 404, 405)
                   or urlsplit(response.headers.get("Location", "")).path == "/login")
        return not refused, set(noted)

    def _cause(self) -> tuple[str, str]:
        """Where in app/ the exception came from, and what it said."""
        if self._exception is None:
            return "(no exception)", ""
        where, tb = "", self._exception.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename.startswith(APP_DIR):
                where = f"app{code.co_filename[len(APP_DIR):]}:{tb.tb_lineno}"
            tb = tb.tb_next
        message = (str(self._exception).splitlines() or [""])[0][:100]
        return f"{type(self._exception).__name__} at {where}", message

    def rule(self, rule, role) -> None:
        combos = real_values(rule, self.world)
        allowed = [method for method in ("GET", "POST") if method in rule.methods]
        for name, converter in rule._converters.items():
            for value in HOSTILE:
                # A value the converter refuses is a 404 from routing whoever asks: sent once.
                if value and (role == ROLES[0] or re.fullmatch(converter.regex, value)):
                    self.send(role, allowed[0], path_of(rule, {**combos[0], name: value}),
                              changed=f"path {name}={value[:20]!r}")
        for number, combo in enumerate(combos):
            path = path_of(rule, combo)
            for method in allowed:
                base = plausible_form(self.emails[role]) if method == "POST" else {}
                answered, read = self.send(role, method, path, base)
                if number == 0:  # with more real values: each once, hostile ones on the first
                    self.hostile(rule, role, method, path, base, answered, read)

    def hostile(self, rule, role, method, path, base, answered, read) -> None:
        """Each name the page read with each hostile value (the first role it answers) or one
        (the others), then every known name at once with one."""
        names = read - {EVERY_NAME}
        if EVERY_NAME in read:
            names |= set(QUERY_NAMES if method == "GET" else base)
        full = answered and self.first_to_reach.setdefault((rule.endpoint, method), role) == role
        for name in sorted(names) if answered else []:
            for value in HOSTILE if full else [self.rng.choice(HOSTILE)]:
                self.send(role, method, path, {**base, name: hostile(name, value)},
                          f"{name}={value[:20]!r}")
        value = self.rng.choice(HOSTILE)
        self.send(role, method, path, {name: hostile(name, value)
                                       for name in sorted(set(QUERY_NAMES) | set(base))},
                  f"every name={value[:20]!r}")


def path_of(rule, values: dict) -> str:
    """The rule's path with the values put in as they are (percent-encoded), unchecked."""
    parts = [quote(str(values[text]), safe="") if variable else text
             for variable, text in rule._trace]
    return "".join(parts).split("|", 1)[1]


def real_values(rule, world) -> list[dict]:
    """Each combination of real values for the rule's variables."""
    choices = []
    for name, converter in rule._converters.items():
        given = world["by_rule"].get((rule.endpoint, name))
        if given is None and isinstance(converter, AnyConverter):
            given = sorted(converter.items)
        choices.append([(name, value) for value in given or world["real"].get(name, ["x"])])
    return [dict(combo) for combo in product(*choices)]


def test_no_route_answers_5xx_to_hostile_input(app, world):
    walk = Walk(app, world)
    rules = sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
                   key=lambda rule: LAST.index(rule.endpoint) + 1 if rule.endpoint in LAST else 0)
    signed_in_again = 0
    for rule in rules:
        for role in ROLES:
            walk.rule(rule, role)
            if role != "anonymous" and not walk.send(role, "GET", "/account")[0]:
                signed_in_again += 1  # logged out by the walk (POST /logout): log in again
                login(walk.clients[role], walk.emails[role])
    print(f"\n{walk.sent} requests, {len(rules)} rules, {signed_in_again} fresh logins, "
          f"{len(walk.failures)} answered 5xx")
    causes = Counter(failure.cause for failure in walk.failures)
    example = {failure.cause: failure for failure in reversed(walk.failures)}
    report = [f"{count:5d}  {cause}\n       e.g. {example[cause]}"
              for cause, count in causes.most_common()]
    print("\n".join(report))
    assert not walk.failures, (f"{len(walk.failures)} of {walk.sent} requests answered 5xx:\n"
                               + "\n".join(report))


# What the fixes mean for people --------------------------------------------------------

def test_page_links_carry_a_lists_own_filters_and_nothing_else(app, world):
    admin = app.test_client()
    assert login(admin, world["people"]["admin"].email).status_code == 302
    for client, url, kept in (
            (app.test_client(), "/leaders?unit=mi&_method=POST&endpoint=x&sort=x", "unit=mi"),
            (admin, "/admin/users?role=leader&_method=POST&endpoint=x&_external=1", "role=leader")):
        response = client.get(url)
        assert response.status_code == 200
        next_link = re.search(r'rel="next" href="([^"]+)"', response.text)[1]
        assert kept in next_link and "page=2" in next_link
        assert "_method" not in next_link and "endpoint" not in next_link


def test_numbers_the_database_cannot_hold_are_not_found(app, world):
    client = app.test_client()
    author = world["real"]["user_id"][0]
    assert client.get(f"/blog/author/{author}").status_code == 200
    for value in (2**31, 2**63, "٣", "0"):
        assert client.get(f"/blog/author/{value}").status_code == 404
    for page in (2**63, "²", "٣"):
        assert "Page 1 of 2" in client.get(f"/blog?page={page}").text
