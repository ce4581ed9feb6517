"""Error pages (HTML for people, JSON for the API) for every status the site answers."""
import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

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


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
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

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("Unhandled error on %s %s", request.method, request.path, exc_info=original)
        return render_error(500)
