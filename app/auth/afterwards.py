"""Work done once the answer has been sent, so how long it takes cannot be read from the answer."""
import logging

from flask import Flask, current_app, g
from sqlalchemy import inspect as inspect_state

from app import mail
from app.extensions import db

log = logging.getLogger(__name__)


def after_response(response, work, *args) -> None:
    """Call work(*args) when the server has sent `response`, in a fresh app context and
    transaction of its own; commit, then send any mail it queued."""
    app = current_app._get_current_object()
    response.call_on_close(lambda: _run(app, work, args))


def _run(app: Flask, work, args) -> None:
    with app.app_context():
        try:
            work(*args)
            db.session.commit()
        except Exception:  # the answer has gone: nobody to show an error page to
            log.exception("Work after the response (%s) failed", getattr(work, "__name__", work))
            db.session.rollback()
            return
        queued = g.pop("mail_queued", None)
        if not queued or not app.config["MAIL_DELIVER_AFTER_REQUEST"]:
            return  # `flask mail deliver` (cron) sends it
        ids = [state.identity[0] for state in map(inspect_state, queued)
               if state.persistent and state.identity]
        try:
            # This thread is no longer answering anyone; a worker that stops waits for it.
            mail.deliver_pending(ids=ids)
        except Exception:
            log.exception("Mail delivery after the response failed")
            db.session.rollback()
