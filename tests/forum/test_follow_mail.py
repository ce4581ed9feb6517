"""'Email me when people reply': who follows, the reply mail (once, within ten minutes at most
one), its one-click unsubscribe (RFC 8058), the box on the thread; in-app replies and mentions."""
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app import mail
from app.extensions import db
from app.forum import members, posting, telling
from app.models.accounts import User
from app.models.forum import ForumCategory, ForumFollow, ForumPost, ForumThread
from app.models.mail import OutboxMessage
from app.models.notifications import Notification
from app.notifications import services
from tests.conftest import login, shown

UNSUBSCRIBE = re.compile(r"<(http://localhost(/forum/unsubscribe/[^>]+))>")


@pytest.fixture
def forum(app, make_user):
    """A category, Tess who started a thread in it, Ravi who will reply, Mina who may be named."""
    tess = make_user(email="tess@example.com", name="Tess Starter")
    ravi = make_user(email="ravi@example.com", name="Ravi Replier")
    mina = make_user(email="mina@example.com", name="Mina Named")
    with app.app_context():
        category = ForumCategory(name="Running a food bank", slug="food-banks")
        db.session.add(category)
        db.session.flush()
        opening = posting.start_thread(db.session.get(User, tess.id), category,
                                       "Where do you store fresh food?", "We have one fridge.")
        handles = {person.id: members.member(db.session.get(User, person.id)).handle
                   for person in (tess, ravi, mina)}
        db.session.commit()
        return SimpleNamespace(tess=tess.id, ravi=ravi.id, mina=mina.id, category=category.id,
                               thread=opening.thread_id, opening=opening.id, handles=handles)


def _reply(app, user_id, thread_id, body, parent_id=None, **options) -> int:
    """A reply written through the service (as the reply page does), committed; its id."""
    with app.app_context():
        thread = db.session.get(ForumThread, thread_id)
        parent = db.session.get(ForumPost, parent_id) if parent_id else db.session.scalar(
            select(ForumPost).where(ForumPost.thread_id == thread_id, ForumPost.depth == 0))
        post = posting.reply(db.session.get(User, user_id), thread, parent, body, **options)
        db.session.commit()
        return post.id


def _deliver(app) -> None:
    """What `flask mail deliver` does from cron: send the outbox to the SMTP server."""
    with app.app_context():
        mail.deliver_pending()


def _follow_mails(app, address) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.to == address, OutboxMessage.kind == "forum_follow"))


def _follow(app, user_id, thread_id) -> ForumFollow | None:
    with app.app_context():
        row = db.session.get(ForumFollow, (user_id, thread_id))
        if row is not None:
            db.session.expunge(row)
        return row


def _age_last_mail(app, thread_id, minutes=11) -> None:
    """Move the clock: every last mail about the thread was sent `minutes` ago."""
    with app.app_context():
        for row in db.session.scalars(select(ForumFollow).where(
                ForumFollow.thread_id == thread_id, ForumFollow.last_mailed_at.is_not(None))):
            row.last_mailed_at -= timedelta(minutes=minutes)
        db.session.commit()


def _notes(app, user_id) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(note.kind, note.message, note.link) for note in db.session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))]


def test_a_reply_through_the_page_mails_the_author_once_with_its_text_and_link(
        app, client, forum, mailbox):
    assert _follow(app, forum.tess, forum.thread).following is True, "the author follows"
    login(client, "ravi@example.com")
    response = client.post(f"/forum/threads/{forum.thread}/reply/{forum.opening}", data={
        "body": "Ask the **bakery** next door: they lend a walk-in fridge.", "follow": "y",
        "form_token": "reply-1"})
    assert response.status_code == 302, response.text
    with app.app_context():
        reply_id = db.session.scalar(select(func.max(ForumPost.id)))

    message = mailbox.wait_for("tess@example.com", "new reply")
    assert message["Subject"] == "A new reply in “Where do you store fresh food?”"
    body = mailbox.body(message)
    assert "Ravi Replier replied in “Where do you store fresh food?”" in body
    assert "Ask the bakery next door: they lend a walk-in fridge." in body
    assert "**" not in body, "the reply's text, not its Markdown"
    permalink = f"http://localhost/forum/threads/{forum.thread}/posts/{reply_id}"
    assert permalink in body
    assert client.get(permalink).status_code == 302, "the link leads to the reply"

    url, path = UNSUBSCRIBE.fullmatch(message["List-Unsubscribe"]).groups()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in body, "the header's link is the one in the text"
    assert _follow_mails(app, "tess@example.com") == 1
    assert _follow_mails(app, "ravi@example.com") == 0, "no mail about one's own reply"
    assert _follow(app, forum.ravi, forum.thread).following is True, "replying follows"
    assert _notes(app, forum.tess) == [
        ("forum_reply", "Ravi Replier replied to you in “Where do you store fresh food?”",
         f"/forum/threads/{forum.thread}/posts/{reply_id}")]
    assert _notes(app, forum.ravi) == []


def test_replies_within_ten_minutes_wait_and_go_out_together(app, runner, forum, mailbox):
    first = _reply(app, forum.ravi, forum.thread, "First idea: a second fridge.")
    assert _follow_mails(app, "tess@example.com") == 1
    second = _reply(app, forum.ravi, forum.thread, "Second idea: cool boxes.")
    third = _reply(app, forum.mina, forum.thread, "Third idea: deliver the same day.",
                   parent_id=second)
    assert _follow_mails(app, "tess@example.com") == 1, "held: her last mail is too recent"
    assert _follow(app, forum.tess, forum.thread).held_since is not None

    result = runner.invoke(args=["forum", "send-replies"])
    assert result.exit_code == 0 and "reply mails queued 0" in result.output, result.output
    _age_last_mail(app, forum.thread)
    result = runner.invoke(args=["forum", "send-replies"])
    assert result.exit_code == 0 and "reply mails queued 1" in result.output, result.output
    _deliver(app)

    held = mailbox.wait_for("tess@example.com", "2 new replies")
    body = mailbox.body(held)
    assert "Second idea: cool boxes." in body and "Third idea: deliver the same day." in body
    assert "First idea" not in body, "a reply is mailed once"
    assert f"/forum/threads/{forum.thread}/posts/{second}" in body
    assert f"/forum/threads/{forum.thread}/posts/{third}" in body
    assert UNSUBSCRIBE.fullmatch(held["List-Unsubscribe"])
    # Ravi follows since his first reply and had no mail yet: Mina's answer went to him at once,
    # and his own replies are not news to him.
    to_ravi = mailbox.wait_for("ravi@example.com", "new reply")
    assert "Third idea" in mailbox.body(to_ravi) and "Second idea" not in mailbox.body(to_ravi)
    assert f"posts/{first}" not in mailbox.body(to_ravi)
    assert "reply mails queued 0" in runner.invoke(args=["forum", "send-replies"]).output
    assert _follow(app, forum.tess, forum.thread).held_since is None


def test_each_follower_gets_their_own_greeting_and_their_own_stop_link(app, forum, mailbox):
    """The mails of one reply are drawn once and filled in for each follower."""
    _reply(app, forum.mina, forum.thread, "Mina follows by answering.")
    _age_last_mail(app, forum.thread)
    with app.app_context():  # a name with what a template or a mark might trip on
        db.session.get(User, forum.mina).display_name = "Mina {{ x }} \\1 & <b>"
        db.session.commit()
    _reply(app, forum.ravi, forum.thread, "One answer for both of them.")
    _deliver(app)
    tess = mailbox.wait_for("tess@example.com", "new reply")  # her second: Mina's came first
    mina = mailbox.wait_for("mina@example.com", "new reply")
    bodies = {who: mailbox.body(message) for who, message in (("tess", tess), ("mina", mina))}
    assert bodies["tess"].startswith("Hello Tess Starter,")
    assert bodies["mina"].startswith("Hello Mina {{ x }} \\1 & <b>,")
    assert "One answer for both of them." in bodies["tess"] and "One answer for both of them." in bodies["mina"]
    assert "Mina follows by answering." not in bodies["tess"] + bodies["mina"], "mailed already / her own"
    links = {who: UNSUBSCRIBE.fullmatch(message["List-Unsubscribe"]).groups()
             for who, message in (("tess", tess), ("mina", mina))}
    assert links["tess"] != links["mina"]
    for who, (url, path) in links.items():
        assert url in bodies[who] and "\x00" not in bodies[who]
    app.test_client().post(links["mina"][1], data={"List-Unsubscribe": "One-Click"})
    assert _follow(app, forum.mina, forum.thread).following is False
    assert _follow(app, forum.tess, forum.thread).following is True


def test_a_reply_after_the_window_takes_the_waiting_ones_along(app, forum):
    _reply(app, forum.ravi, forum.thread, "One.")
    _reply(app, forum.ravi, forum.thread, "Two.")
    _age_last_mail(app, forum.thread)
    _reply(app, forum.ravi, forum.thread, "Three.")  # before cron ran: one mail, Two and Three
    with app.app_context():
        bodies = db.session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.to == "tess@example.com").order_by(OutboxMessage.id)).all()
        assert len(bodies) == 2
        assert "Two." in bodies[1] and "Three." in bodies[1] and "One." not in bodies[1]
        assert telling.send_held_replies() == 0


def test_one_click_unsubscribe_by_post_without_a_session_stops_that_threads_mail(
        app, forum, mailbox):
    _reply(app, forum.ravi, forum.thread, "A first answer.")
    _deliver(app)
    url, path = UNSUBSCRIBE.fullmatch(
        mailbox.wait_for("tess@example.com", "new reply")["List-Unsubscribe"]).groups()

    stranger = app.test_client()  # a mail client: no session, no CSRF token
    asked = shown(stranger.get(path), "Stop emails about this thread",
                  "Where do you store fresh food?")
    assert f'<form method="post" action="{path}">' in asked
    assert _follow(app, forum.tess, forum.thread).following is True, "GET changes nothing"
    app.config["WTF_CSRF_ENABLED"] = True  # the link works without a form's token
    shown(stranger.post(path, data={"List-Unsubscribe": "One-Click"}), "Emails stopped")
    assert _follow(app, forum.tess, forum.thread).following is False

    _age_last_mail(app, forum.thread)
    _reply(app, forum.ravi, forum.thread, "A second answer.")
    assert _follow_mails(app, "tess@example.com") == 1
    assert [kind for kind, _, _ in _notes(app, forum.tess)] == ["forum_reply"] * 2, \
        "replies to her are still told on the site"


def test_a_bad_or_forged_unsubscribe_link_is_a_clear_400(app, forum):
    from itsdangerous import URLSafeSerializer
    with app.app_context():
        other = URLSafeSerializer("another-secret", salt="forum-thread-unsubscribe")
        digest = URLSafeSerializer(app.config["SECRET_KEY"], salt="forum-digest-unsubscribe")
        own = URLSafeSerializer(app.config["SECRET_KEY"], salt="forum-thread-unsubscribe")
        forged = [other.dumps({"user": forum.tess, "thread": forum.thread}),
                  digest.dumps({"user": forum.tess, "thread": forum.thread}),
                  own.dumps({"user": forum.tess, "thread": 999999}),
                  own.dumps({"user": True, "thread": forum.thread}), "x" * 300]
    for token in forged:
        for method in ("GET", "POST"):
            response = app.test_client().open(f"/forum/unsubscribe/{token}", method=method)
            assert response.status_code == 400, (token, method)
            assert "Nothing was changed." in response.text
    assert _follow(app, forum.tess, forum.thread).following is True


def test_unticking_the_box_stops_mail_and_replying_again_does_not_follow_again(
        app, client, forum):
    login(client, "tess@example.com")
    response = client.post(f"/forum/threads/{forum.thread}/follow", data={"following": "0"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/forum/threads/{forum.thread}")
    assert _follow(app, forum.tess, forum.thread).following is False

    _reply(app, forum.ravi, forum.thread, "Ravi answers.")
    _reply(app, forum.tess, forum.thread, "Tess answers Ravi.")  # the box left as it is
    _age_last_mail(app, forum.thread)
    _reply(app, forum.ravi, forum.thread, "Ravi answers again.")
    assert _follow(app, forum.tess, forum.thread).following is False
    assert _follow_mails(app, "tess@example.com") == 0
    with app.app_context():
        thread = db.session.get(ForumThread, forum.thread)
        assert telling.reply_box_ticked(db.session.get(User, forum.tess), thread) is False
        assert telling.reply_box_ticked(db.session.get(User, forum.mina), thread) is True

    client.post(f"/forum/threads/{forum.thread}/follow", data={"following": "1"})
    _reply(app, forum.ravi, forum.thread, "Ravi, a third time.")
    with app.app_context():
        mailed = db.session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.to == "tess@example.com")).all()
    assert len(mailed) == 1 and "a third time" in mailed[0] and "again" not in mailed[0], \
        "following again mails what comes next, not what was missed"


def test_the_box_needs_a_login_and_a_thread(app, client, forum):
    response = client.post(f"/forum/threads/{forum.thread}/follow", data={"following": "1"})
    assert response.status_code == 303, "logged out: back to the thread to log in"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ForumFollow)) == 1, "Tess's own"
    login(client, "mina@example.com")
    assert client.post("/forum/threads/999999/follow", data={"following": "1"}).status_code == 404


def test_the_default_for_replies_is_the_persons_choice(app, client, forum):
    login(client, "ravi@example.com")
    page = shown(client.get("/forum/settings"), "Forum settings", "Follow the threads I reply to")
    assert re.search(r'<input[^>]*checked[^>]*name="follow_on_reply"|'
                     r'<input[^>]*name="follow_on_reply"[^>]*checked', page)
    response = client.post("/forum/settings", data={"digest": "off", "digest_hour": "8",
                                                    "digest_weekday": "0", "time_zone": "UTC"})
    assert response.status_code == 302
    _reply(app, forum.ravi, forum.thread, "Not following this one.")
    assert _follow(app, forum.ravi, forum.thread).following is False


def test_turning_off_thread_mail_in_notification_settings_stops_all_of_it(app, client, forum):
    login(client, "tess@example.com")
    page = shown(client.get("/notifications/settings"),
                 "Email me when people reply in forum threads I follow")
    assert "forum_digest" not in page, "the digest is chosen on the forum settings page"
    with app.app_context():
        services.set_email_choice(db.session.get(User, forum.tess), "forum_follow", False)
        db.session.commit()
    _reply(app, forum.ravi, forum.thread, "Nobody mails Tess this.")
    assert _follow_mails(app, "tess@example.com") == 0
    assert _notes(app, forum.tess)[0][0] == "forum_reply"


def test_mentions_tell_in_the_app_only_people_who_can_read(app, forum, make_user,
                                                          monkeypatch):
    outsider = make_user(email="out@example.com", name="Olu Outsider")
    coder = make_user(email="cody@example.com", name="Cody Code")
    with app.app_context():
        olu, cody = (members.member(db.session.get(User, person.id)).handle
                     for person in (outsider, coder))
        db.session.commit()
    # A rule stricter than today's (which lets every account read): Olu may not read here.
    readable = telling.can_read_category
    monkeypatch.setattr(telling, "can_read_category",
                        lambda user, category: user.id != outsider.id and readable(user, category))
    mina = forum.handles[forum.mina]
    reply_id = _reply(app, forum.ravi, forum.thread,
                      f"@{mina.upper()} and @{olu}, see `@{cody}` and write to ravi@{cody}.org."
                      f" Thanks @{mina}!\n\n    @{cody} in a code block")
    link = f"/forum/threads/{forum.thread}/posts/{reply_id}"
    assert _notes(app, forum.mina) == [
        ("forum_mention", "Ravi Replier mentioned you in “Where do you store fresh food?”", link)]
    assert _notes(app, outsider.id) == [], "a person who cannot read is not told"
    assert _notes(app, coder.id) == [], "code and addresses are not mentions"
    assert [kind for kind, _, _ in _notes(app, forum.tess)] == ["forum_reply"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.to == "mina@example.com")) == 0, "mentions are told in the app"


def test_the_person_answered_is_told_once_even_when_also_mentioned(app, forum):
    _reply(app, forum.ravi, forum.thread, f"Yes @{forum.handles[forum.tess]}, a second fridge.")
    assert [kind for kind, _, _ in _notes(app, forum.tess)] == ["forum_reply"]


def test_a_mention_of_oneself_or_of_nobody_tells_no_one(app, forum):
    _reply(app, forum.ravi, forum.thread,
           f"@{forum.handles[forum.ravi]} @no-such-person " + " ".join(f"@p{n}" for n in range(20)))
    assert _notes(app, forum.ravi) == []
    assert telling.mentioned_handles("@a @b @a `@c`") == ["a", "b"]
    assert len(telling.mentioned_handles(" ".join(f"@p{n}" for n in range(20)))) == 10
