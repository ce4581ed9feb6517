"""Error pages (HTML for people, JSON for the API) for every status the site answers."""
import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from app import kept
from app.extensions import db, login

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something was wrong with that request", "Check what you entered and try again."),
    403: ("You cannot do that", "Your account does not have permission for this page. "
          "If you think it should, contact an administrator."),
    404: ("Page not found", "If you typed the address, check it is correct. "
          "If you followed a link, it may be out of date."),
    405: ("That action is not available here", "Go back to the previous page and use its buttons."),
    409: ("That change clashes with the current state", "Someone or something changed this first. "
          "Reload the page to see where things stand."),
    413: ("That file is too large", "Choose a smaller file (at most 5 MB) and try again."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Sorry, something went wrong on our side", "We have been told about it. "
          "Try again in a few minutes."),
    503: ("The site is busy", "Try again in a few minutes."),
}
DATABASE_DOWN = ("We can't reach our database right now; nothing you typed was saved. "
                 "Try again in a few minutes.")
# Form fields never shown back, even to the person who typed them.
_NOT_SHOWN = {"csrf_token", "password", "new_password", "current_password", "confirm",
              "password_confirm", "version", "intent", "remember"}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )


def render_error(status: int, message: str | None = None, title: str | None = None):
    default_title, default_message = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    message = message or default_message
    if wants_json():
        return jsonify(error=message), status
    return render_template("errors/error.html", status=status, title=title or default_title,
                           message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # Back to the form, filled with what was typed (through the login page if need be).
        response = None if wants_json() else kept.refused_form()
        if response is not None:
            return response
        return render_error(400, "This form has expired or was sent from another site. "
                                 "Go back, reload the page and try again.",
                            title="The form could not be sent")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        # Only messages we wrote ourselves (abort(code, "...")) are shown to people.
        custom = error.description if error.description != type(error).description else None
        response, status = render_error(error.code, custom)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response = app.make_response((response, status))
            response.headers["Allow"] = ", ".join(error.valid_methods)
            return response
        return response, status

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unreachable(error):
        log.error("Database unreachable on %s %s: %s", request.method, request.path, error)
        return _database_down_page()

    @app.errorhandler(InternalServerError)
    def server_error(error):
        original = getattr(error, "original_exception", None)
        if isinstance(original, (OperationalError, InterfaceError)):
            return _database_down_page()  # raised again while handling it
        _forget_session()
        if original is not None:
            log.error("Unhandled error on %s %s", request.method, request.path, exc_info=original)
        return render_error(500)


def _forget_session() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the session is discarded at teardown anyway
        log.debug("rollback failed", exc_info=True)


def _database_down_page():
    """503 without touching the database again: the page is drawn for an anonymous visitor
    (current_user would be loaded from the database), and shows back what was typed."""
    _forget_session()
    g._login_user = login.anonymous_user()
    g.database_down = True
    if wants_json():
        response = jsonify(error=DATABASE_DOWN)
    else:
        response = current_app.make_response(render_template(
            "errors/database_down.html", message=DATABASE_DOWN, typed=_typed_text()))
    response.status_code = 503
    response.headers["Retry-After"] = "60"
    response.headers["Cache-Control"] = "no-store"
    return response


def _typed_text() -> list[tuple[str, str]]:
    """The text a person sent with a form, so nothing they wrote is lost with the request."""
    if request.method != "POST":
        return []
    return [(name, value) for name, value in request.form.items(multi=True)
            if name not in _NOT_SHOWN and value.strip() and "password" not in name]
