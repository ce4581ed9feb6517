"""A slow mail server slows nobody down: while SMTP hangs on a message, the site keeps writing."""
import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models.accounts import User
from app.models.mail import MessageStatus, OutboxMessage
from tests.live import Visitor, at_once


def test_writes_go_on_while_the_mail_server_hangs(app, mailbox, live):
    arrived, release = threading.Event(), threading.Event()

    def hang():
        arrived.set()
        release.wait(30)

    mailbox.on_data = hang
    first = Visitor(live.url)
    signed_up = first.post("/register", {"display_name": "Noa Levi", "email": "noa@example.com",
                                         "password": "olive groves after the rain"})
    assert signed_up.status == 302
    assert arrived.wait(10), "the confirmation mail reached the SMTP server"
    try:
        # The mail server holds the first message; five people sign up meanwhile. Each would
        # wait for the database's write lock (10 s) if the mail thread kept a transaction open.
        people = [Visitor(live.url, timeout=5) for _ in range(5)]
        answers = at_once([lambda n=n, p=p: p.post("/register", {
            "display_name": f"Person {n}", "email": f"person{n}@example.com",
            "password": "olive groves after the rain"}) for n, p in enumerate(people)])
        assert [answer.status for answer in answers] == [302] * 5
    finally:
        mailbox.on_data = lambda: None
        release.set()
    mailbox.wait_for("noa@example.com", "Confirm")
    for n in range(5):
        mailbox.wait_for(f"person{n}@example.com", "Confirm")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 6
        statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert statuses.count(MessageStatus.SENT) + statuses.count(MessageStatus.SENDING) == 6
