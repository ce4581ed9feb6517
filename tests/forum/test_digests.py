"""The forum digest: at the person's hour in their own time zone, daily or weekly, once a period,
new threads and appreciated replies of the categories they follow; its one-click unsubscribe."""
import re
import threading
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from app import mail
from app.extensions import db
from app.forum import digests, members, posting
from app.models.accounts import User
from app.models.base import utcnow
from app.models.forum import ForumCategory, ForumCategoryFollow, ForumMember, ForumThread
from app.models.mail import OutboxMessage
from tests.conftest import login, shown

UNSUBSCRIBE = re.compile(r"<(http://localhost(/forum/digest/unsubscribe/[^>]+))>")
# The days are of March 2026 (10 March is a Tuesday): Auckland is 13 hours ahead (daylight
# time), Los Angeles 7 behind, Lisbon on UTC.


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of March 2026, naive UTC as the database keeps it."""
    return datetime(2026, 3, day, hour, minute)


@pytest.fixture
def forum(app, make_user):
    """Two open categories; Wren writes, Dana reads digests; nothing chosen yet."""
    wren = make_user(email="wren@example.com", name="Wren Writer")
    dana = make_user(email="dana@example.com", name="Dana Digest")
    with app.app_context():
        gardens = ForumCategory(name="Community gardens", slug="gardens", position=1)
        funding = ForumCategory(name="Funding", slug="funding", position=2)
        db.session.add_all([gardens, funding])
        for person in (wren, dana):
            members.member(db.session.get(User, person.id))
        db.session.commit()
        return SimpleNamespace(wren=wren.id, dana=dana.id, gardens=gardens.id, funding=funding.id)


def _choose(app, user_id, **values) -> None:
    with app.app_context():
        db.session.execute(update(ForumMember).where(ForumMember.user_id == user_id)
                           .values(**values))
        db.session.commit()


def _thread(app, forum, category_id, title, when: datetime, replies=()) -> SimpleNamespace:
    """A thread written at `when` with replies [(text, appreciations)] an hour later."""
    with app.app_context():
        wren = db.session.get(User, forum.wren)
        opening = posting.start_thread(wren, db.session.get(ForumCategory, category_id), title,
                                       f"All about {title.lower()}.")
        thread = db.session.get(ForumThread, opening.thread_id)
        thread.created_at = opening.created_at = when
        ids = []
        for text, appreciated in replies:
            reply = posting.reply(wren, thread, opening, text)
            reply.created_at = when.replace(hour=(when.hour + 1) % 24)
            reply.appreciation_count = appreciated
            ids.append(reply.id)
        db.session.commit()
        return SimpleNamespace(id=thread.id, opening=opening.id, replies=ids)


def _send(app, now: datetime) -> dict:
    with app.app_context():
        counts = digests.send_digests(now)
        mail.deliver_pending()
        return counts


def _digests_to(app, address) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.to == address, OutboxMessage.kind == "forum_digest")
            .order_by(OutboxMessage.id)))


def _sent_for(app, user_id) -> str:
    with app.app_context():
        return db.session.get(ForumMember, user_id).digest_sent_for


def test_a_daily_digest_comes_at_the_hour_chosen_in_the_persons_own_zone(app, forum, mailbox):
    _choose(app, forum.dana, digest="daily", digest_hour=8, time_zone="Pacific/Auckland")
    shed = _thread(app, forum, forum.gardens, "Sharing a tool shed", at(10, 12),
            replies=[("Put a padlock on it.", 3), ("A rota works.", 1), ("Nice.", 0)])
    _thread(app, forum, forum.funding, "Old news from last week", at(3, 12))

    assert _send(app, at(10, 18, 59)) == {"sent": 0, "nothing_new": 0}, "07:59 in Auckland"
    assert _send(app, at(10, 19, 5)) == {"sent": 1, "nothing_new": 0}, "08:05 in Auckland"
    message = mailbox.wait_for("dana@example.com", "daily forum digest")
    assert message["Subject"] == "Your daily forum digest: 1 new thread and 2 appreciated replies"
    body = mailbox.body(message)
    assert "“Sharing a tool shed” in Community gardens, by Wren Writer" in body
    assert "All about sharing a tool shed." in body
    assert body.index("Put a padlock on it.") < body.index("A rota works."), "the most first"
    assert "(appreciated by 3)" in body
    assert "Nice." not in body and "Old news" not in body
    assert f"http://localhost/forum/threads/{shed.id}/posts/{shed.opening}" in body
    assert f"http://localhost/forum/threads/{shed.id}/posts/{shed.replies[0]}" in body
    url, _path = UNSUBSCRIBE.fullmatch(message["List-Unsubscribe"]).groups()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in body
    assert _sent_for(app, forum.dana) == "2026-03-11", "Auckland's date"


def test_the_same_hour_in_utc_is_another_moment_and_covers_another_day(app, forum):
    _choose(app, forum.dana, digest="daily", digest_hour=8, time_zone="UTC")
    _thread(app, forum, forum.gardens, "Watering in a heatwave", at(10, 7))
    assert _send(app, at(10, 7, 59))["sent"] == 0
    assert _send(app, at(10, 8, 0))["sent"] == 1
    assert "Watering in a heatwave" in _digests_to(app, "dana@example.com")[0]
    assert _sent_for(app, forum.dana) == "2026-03-10"


def test_never_twice_for_one_period(app, forum, runner):
    _choose(app, forum.dana, digest="daily", digest_hour=6, time_zone="America/Los_Angeles")
    _thread(app, forum, forum.gardens, "Seed swap in spring", at(10, 9))
    assert _send(app, at(10, 14))["sent"] == 1  # 07:00 in Los Angeles
    assert _send(app, at(10, 14, 15)) == {"sent": 0, "nothing_new": 0}
    _choose(app, forum.dana, digest_hour=7)  # a new hour the same day sends nothing more
    assert _send(app, at(11, 6, 30))["sent"] == 0  # still 10 March there: 23:30
    _thread(app, forum, forum.gardens, "Compost bins", at(10, 20))
    assert _send(app, at(11, 14, 5))["sent"] == 1  # the next day's, at its new hour
    bodies = _digests_to(app, "dana@example.com")
    assert len(bodies) == 2 and "Compost bins" in bodies[1] and "Seed swap" not in bodies[1]


def test_two_runs_at_once_send_one_digest(app, forum):
    _choose(app, forum.dana, digest="daily", digest_hour=8, time_zone="UTC")
    _thread(app, forum, forum.gardens, "Rain barrels", at(9, 20))
    start = threading.Barrier(2)
    results = []

    def run():
        with app.app_context():
            start.wait()
            results.append(digests.send_digests(at(10, 8, 5))["sent"])
            db.session.remove()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for each in runs:
        each.start()
    for each in runs:
        each.join(30)
    assert sorted(results) == [0, 1]
    assert len(_digests_to(app, "dana@example.com")) == 1


def test_a_weekly_digest_comes_on_the_chosen_weekday(app, forum):
    _choose(app, forum.dana, digest="weekly", digest_weekday=2, digest_hour=9,
            time_zone="Europe/Lisbon")  # Wednesdays at 09:00 (UTC+0 in March)
    _thread(app, forum, forum.funding, "Small grants that work", at(6, 10))
    assert _send(app, at(10, 9, 30))["sent"] == 0, "Tuesday"
    assert _send(app, at(11, 8, 59))["sent"] == 0, "Wednesday, before nine"
    assert _send(app, at(11, 9, 1))["sent"] == 1
    assert _sent_for(app, forum.dana) == "2026-W11"
    _thread(app, forum, forum.funding, "Crowdfunding a van", at(12, 10))
    assert _send(app, at(14, 12)) == {"sent": 0, "nothing_new": 0}, "the same week"
    assert _send(app, at(18, 9, 15))["sent"] == 1, "next Wednesday"
    first, second = _digests_to(app, "dana@example.com")
    assert "Small grants that work" in first and "Crowdfunding" not in first
    assert "Crowdfunding a van" in second and "Small grants" not in second
    assert "weekly" in second


def test_only_the_categories_followed_and_nothing_when_nothing_is_new(app, forum):
    _choose(app, forum.dana, digest="daily", digest_hour=8)
    with app.app_context():
        db.session.add(ForumCategoryFollow(user_id=forum.dana, category_id=forum.gardens))
        db.session.commit()
    _thread(app, forum, forum.funding, "Funding only", at(9, 12))
    assert _send(app, at(10, 8, 30)) == {"sent": 0, "nothing_new": 1}
    assert _digests_to(app, "dana@example.com") == []
    assert _sent_for(app, forum.dana) == "2026-03-10", "the period is done all the same"
    _thread(app, forum, forum.gardens, "Gardens at last", at(10, 12))
    _thread(app, forum, forum.funding, "Funding again", at(10, 13))
    assert _send(app, at(11, 8, 30))["sent"] == 1
    [body] = _digests_to(app, "dana@example.com")
    assert "Gardens at last" in body and "Funding" not in body


def test_a_writer_is_not_sent_their_own_threads_and_a_bad_zone_counts_as_utc(app, forum):
    _choose(app, forum.wren, digest="daily", digest_hour=8, time_zone="Mars/Olympus_Mons")
    _choose(app, forum.dana, digest="daily", digest_hour=8, time_zone="Mars/Olympus_Mons")
    _thread(app, forum, forum.gardens, "Greenhouse glass", at(9, 12))
    assert _send(app, at(10, 7, 55))["sent"] == 0
    assert _send(app, at(10, 8, 5)) == {"sent": 1, "nothing_new": 1}
    assert _digests_to(app, "wren@example.com") == []
    assert len(_digests_to(app, "dana@example.com")) == 1


def test_the_cli_command_sends_digests_and_waiting_reply_mail(app, forum, runner):
    _choose(app, forum.dana, digest="daily", digest_hour=0)  # midnight UTC: due all day
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    _thread(app, forum, forum.gardens, "Any news from yesterday?", midnight - timedelta(hours=1))
    result = runner.invoke(args=["forum", "send-digests"])
    assert result.exit_code == 0, result.output
    assert result.output == "digests queued 1, nothing new for 0\nreply mails queued 0\n"
    assert "Any news from yesterday?" in _digests_to(app, "dana@example.com")[0]
    again = runner.invoke(args=["forum", "send-digests"])
    assert again.output.startswith("digests queued 0, nothing new for 0")


def test_the_digest_one_click_unsubscribe_turns_it_off(app, forum, mailbox):
    _choose(app, forum.dana, digest="weekly", digest_weekday=1, digest_hour=8)
    _thread(app, forum, forum.gardens, "Tool library", at(5, 12))
    _send(app, at(10, 8, 30))
    url, path = UNSUBSCRIBE.fullmatch(
        mailbox.wait_for("dana@example.com", "weekly forum digest")["List-Unsubscribe"]).groups()
    stranger = app.test_client()
    shown(stranger.get(path), "Stop the forum digest")
    with app.app_context():
        assert db.session.get(ForumMember, forum.dana).digest == "weekly", "GET changes nothing"
    app.config["WTF_CSRF_ENABLED"] = True  # a mail client POSTs with no session nor token
    shown(stranger.post(path, data={"List-Unsubscribe": "One-Click"}), "Emails stopped")
    with app.app_context():
        assert db.session.get(ForumMember, forum.dana).digest == "off"
    assert stranger.post(path[:-3] + "xyz").status_code == 400


def test_the_settings_page_chooses_the_digest(app, client, forum):
    login(client, "dana@example.com")
    page = shown(client.get("/forum/settings"), "Forum settings", "Pacific/Auckland",
                 "Community gardens", "Funding")
    assert '<option selected value="UTC">' in page or '<option value="UTC" selected>' in page
    response = client.post("/forum/settings", data={
        "follow_on_reply": "y", "digest": "weekly", "digest_hour": "7", "digest_weekday": "4",
        "time_zone": "Pacific/Auckland", "categories": [str(forum.funding), "999999"]})
    assert response.status_code == 302
    with app.app_context():
        member = db.session.get(ForumMember, forum.dana)
        assert (member.digest, member.digest_hour, member.digest_weekday, member.time_zone,
                member.follow_on_reply) == ("weekly", 7, 4, "Pacific/Auckland", True)
        assert digests.chosen_categories(member.user) == [forum.funding]
    page = client.get("/forum/settings").text
    assert re.search(rf'<input[^>]*checked[^>]*value="{forum.funding}"|'
                     rf'<input[^>]*value="{forum.funding}"[^>]*checked', page)
    refused = client.post("/forum/settings", data={"digest": "hourly", "digest_hour": "25",
                                                   "digest_weekday": "0", "time_zone": "Mars/Base"})
    assert refused.status_code == 200 and "There is a problem" in refused.text
    with app.app_context():
        assert db.session.get(ForumMember, forum.dana).digest == "weekly"


def test_the_period_due_and_what_it_covers():
    member = ForumMember(digest="daily", digest_hour=8, digest_weekday=0,
                         time_zone="Pacific/Auckland", digest_sent_for="")
    period = digests.due_period(member, at(10, 19))
    assert (period.key, period.starts, period.ends) == ("2026-03-11", at(9, 19), at(10, 19))
    member.digest_sent_for = "2026-03-11"
    assert digests.due_period(member, at(10, 23)) is None
    member.digest, member.digest_weekday = "weekly", 6  # Sundays
    period = digests.due_period(member, at(14, 19, 30))  # Sunday 15 March, 08:30 there
    assert (period.key, period.starts, period.ends) == ("2026-W11", at(7, 19), at(14, 19))
    member.digest = "off"
    assert digests.due_period(member, at(14, 19, 30)) is None
