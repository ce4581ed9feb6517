"""Work done once the answer has been sent, so how long it takes cannot be read from the answer."""
import logging

from flask import Flask, current_app

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
        ids = mail.take_queued()
        if not ids or not app.config["MAIL_DELIVER_AFTER_REQUEST"]:
            return  # `flask mail deliver` (cron) sends it
        try:
            # This thread is no longer answering anyone; a worker that stops waits for it.
            mail.deliver_pending(ids=ids)
        except Exception:
            log.exception("Mail delivery after the response failed")
            db.session.rollback()
