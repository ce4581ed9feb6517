"""No typed text is ever lost: a form refused for its session or its token comes back filled.

Two things can refuse a form that someone spent an hour on: its CSRF token (the session that
held it ended, because they logged out in another tab, or it is older than the token's time
limit) and `login_required` (their session ended on the server). Instead of a 400 "go back and
reload", or a redirect to the login page that drops the text, both do the same:

1. what was typed is kept in ``kept_forms`` (never passwords, never the CSRF token), under a
   random token that only goes into this person's own address bar;
2. the person is sent to the page that shows that form, ``?kept=<token>`` added, through the
   login page first when they are logged out;
3. on that page, the form whose fields are the ones that were sent is drawn filled with the
   kept text (app.forms.Form reads it) with an error summary saying what happened, ready to be
   sent again. Nothing is saved on their behalf: they check it and press the button.

A kept form belongs to nobody until someone logged in opens it; from then on only they can.
Kept forms are deleted after KEEP_FOR.
"""
import json
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, redirect, request
from flask_login import current_user, login_url
from sqlalchemy import delete
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from app.extensions import db, login
from app.models.base import utcnow
from app.models.kept import KeptForm
from app.security import is_safe_next

KEEP_FOR = timedelta(days=1)
MAX_KEPT_CHARS = 200_000  # a long post and its pitch; more is not a form anyone typed
PARAM = "kept"
# Field types whose value a browser sends even when empty (hidden fields are left out: a page
# may not draw them all).
ALWAYS_SENT = {"StringField", "TextAreaField", "SelectField", "EmailField",
               "IntegerField", "DecimalField", "FloatField", "DateField", "DateTimeLocalField",
               "URLField", "SearchField", "TelField"}  # never passwords: they are not kept

MESSAGE = ("Your session had ended or this page was open too long, so nothing was sent. "
           "Everything you typed is below: check it and send it again.")
LOG_IN_AGAIN = ("You were logged out, so what you sent was not saved yet. Log in again and "
                "the form comes back with everything you typed.")


def is_kept(name: str) -> bool:
    """Fields worth keeping: everything typed, and the hidden fields that say which version of
    what it was typed over; never the CSRF token and never a password."""
    return name != "csrf_token" and "password" not in name.lower()


def refused_form():
    """The response to a form refused because its token or its session is no longer valid: back
    to the form's page with what was typed (app.auth's unauthorized handler sends people who
    must log in to the login page first). None when nothing was typed or no page shows the form."""
    fields = [(name, value) for name, value in request.form.items(multi=True) if is_kept(name)]
    if not any(value.strip() for _, value in fields):
        return None
    target = form_page()
    if target is None or sum(len(name) + len(value) for name, value in fields) > MAX_KEPT_CHARS:
        return None
    token = secrets.token_urlsafe(24)
    db.session.rollback()
    db.session.execute(delete(KeptForm).where(KeptForm.created_at < utcnow() - KEEP_FOR))
    owner = current_user.id if current_user.is_authenticated else None
    db.session.add(KeptForm(token=token, user_id=owner, path=target,
                            data=json.dumps({"fields": fields})))
    db.session.commit()
    return redirect(f"{target}?{PARAM}={token}", 303)


def form_page() -> str | None:
    """The page that shows the form just sent: its own address when it answers GET (most forms
    post to the page they are on), else the page it was sent from, else the nearest page above
    it (/proposals/7/save is sent from /proposals/7)."""
    if _answers_get(request.path):
        return request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and is_safe_next(referrer.path) and _answers_get(referrer.path):
        return referrer.path
    path = request.path.rstrip("/")
    while "/" in path.strip("/"):
        path = path.rsplit("/", 1)[0]
        if _answers_get(path):
            return path
    return None


def _answers_get(path: str) -> bool:
    adapter = current_app.url_map.bind(request.host, script_name=request.script_root or None)
    try:
        endpoint, _ = adapter.match(path, method="GET")
    except RequestRedirect:
        return False
    except (MethodNotAllowed, NotFound, HTTPException):
        return False
    return endpoint != "static"


def _restore() -> None:
    """On a GET with ?kept=, make the kept text this request's form data (see app.forms.Form)."""
    token = request.args.get(PARAM)
    if request.method != "GET" or not token or len(token) > 64:
        return
    kept = db.session.get(KeptForm, token)
    if kept is None or kept.path != request.path or kept.created_at < utcnow() - KEEP_FOR:
        return
    if kept.user_id is None and current_user.is_authenticated:
        kept.user_id = current_user.id  # the first person to open it, logged in, owns it
        db.session.commit()
    elif kept.user_id is not None and (not current_user.is_authenticated or kept.user_id != current_user.id):
        return
    g.kept_form_data = MultiDict([tuple(pair) for pair in json.loads(kept.data)["fields"]])


def fits(form, data: MultiDict) -> bool:
    """Is `data` what this form sent? Some of its fields were sent, and every field a browser
    always sends (text boxes, text areas, menus) is among them, so on a page with
    several forms only the one that was sent is filled. (Buttons' names are sent too.)"""
    names = set(data.keys())
    fields = {name for name in form._fields if name != "csrf_token"}
    always_sent = {name for name in fields if form._fields[name].type in ALWAYS_SENT}
    return bool(names & fields) and always_sent <= names


def log_in_first():
    """Flask-Login's answer to someone logged out: the login page, coming back afterwards to
    the page they were on; a form they sent is kept first and comes back filled."""
    if request.method == "POST":
        response = refused_form()
        if response is not None:
            return response  # to the form's page, which sends them here again with ?kept=
    flash(LOG_IN_AGAIN if PARAM in request.args else login.login_message,
          "warning" if PARAM in request.args else login.login_message_category)
    back = request.url if request.method == "GET" else form_page()
    return redirect(login_url(login.login_view, next_url=back) if back else login_url(login.login_view))


def init_app(app: Flask) -> None:
    app.before_request(_restore)
