"""Requests that race, sent in parallel to a live server: double submits, two tabs, a flood
of messages. Each ends the way one person would expect, and none answers 500."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.accounts import Role, User
from app.models.directory import ContactMessage, FocusArea, LeaderApplication, LeaderProfile
from app.models.editorial import Proposal, Tag
from app.models.mail import OutboxMessage
from tests.conftest import PASSWORD
from tests.directory.profile_helpers import make_leader  # noqa: F401  (fixture)
from tests.live import Visitor, at_once

PITCH = {"title": "Seed swaps in the old tram depot", "intent": "save",
         "summary": "Once a month forty gardeners trade seeds and cuttings under one roof.",
         "why_it_matters": "Anyone with a spare hall can start one next month.", "body": "",
         "excerpt": ""}


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def visitor(live, user=None) -> Visitor:
    person = Visitor(live.url)
    if user is not None:
        person.log_in(user.email, PASSWORD)
    return person


def test_a_double_submitted_registration_makes_one_account_and_a_clear_message(app, live):
    form = {"display_name": "Ama Owusu", "email": "ama@example.com",
            "password": "harmattan evenings by the lagoon"}
    people = [Visitor(live.url) for _ in range(6)]
    answers = at_once([lambda p=p: p.post("/register", form) for p in people])
    # Every answer is the same "check your email" (a taken address gets no other answer).
    assert [(answer.status, answer.location) for answer in answers] == [(302, "/register/sent")] * 6
    pages = {person.get("/register/sent").text for person in people}
    assert len(pages) == 1 and "Check your email" in pages.pop()
    assert count(app, User, User.email == "ama@example.com") == 1
    # One confirmation mail; a double submit does not warn the owner about themselves.
    assert count(app, OutboxMessage, OutboxMessage.to == "ama@example.com") == 1


def test_a_double_clicked_start_my_profile_makes_one_profile(app, live, make_user):
    leader = make_user(role=Role.LEADER, name="Tomás Rivera")
    person = visitor(live, leader)
    answers = at_once([lambda: person.post("/leaders/me", {}) for _ in range(4)])
    assert [answer.status for answer in answers] == [302] * 4
    assert len({answer.location for answer in answers}) == 1, "every click lands on the same profile"
    assert count(app, LeaderProfile, LeaderProfile.user_id == leader.id) == 1


def test_two_leaders_adding_the_same_new_focus_area_at_once_share_it(app, live, make_leader):
    leaders = [make_leader(display_name=f"Leader {n}") for n in range(4)]
    people = [(visitor(live, user), slug) for user, slug in leaders]
    answers = at_once([lambda p=p, s=s: p.post(f"/leaders/{s}/edit", {
        "display_name": "A leader", "precision": "city", "free_tags": "Rooftop Beekeeping"})
        for p, s in people])
    assert [answer.status for answer in answers] == [302] * 4, [a.status for a in answers]
    assert count(app, FocusArea, FocusArea.slug == "rooftop-beekeeping") == 1
    with app.app_context():
        area = db.session.scalar(select(FocusArea).where(FocusArea.slug == "rooftop-beekeeping"))
        holders = db.session.scalar(select(func.count()).select_from(LeaderProfile).where(
            LeaderProfile.focus_areas.contains(area)))
    assert holders == 4


def test_two_leaders_pitching_with_the_same_new_tag_at_once_share_it(app, live, make_user):
    leaders = [make_user(role=Role.LEADER) for _ in range(4)]
    people = [visitor(live, user) for user in leaders]
    answers = at_once([lambda p=p: p.post("/proposals/new", {**PITCH, "tags": "Seed Libraries"})
                       for p in people])
    assert [answer.status for answer in answers] == [302] * 4, [a.status for a in answers]
    assert count(app, Tag, Tag.slug == "seed-libraries") == 1
    assert count(app, Proposal) == 4


def test_parallel_messages_cannot_pass_the_hourly_limit(app, live, make_leader, make_user):
    _, slug = make_leader()
    sender = make_user()
    person = visitor(live, sender)
    message = {"message": "Could you tell me when the next repair café opens?"}
    answers = at_once([lambda: person.post(f"/leaders/{slug}/contact", message) for _ in range(12)])
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [302] * 5 + [429] * 7, statuses
    assert count(app, ContactMessage, ContactMessage.sender_id == sender.id) == 5


def test_a_double_submitted_application_makes_one(app, live, make_user):
    member = make_user()
    person = visitor(live, member)
    form = {"motivation": "I run the Saturday repair café in our parish hall and want to "
                          "meet other organisers."}
    answers = at_once([lambda: person.post("/leaders/apply", form) for _ in range(4)])
    assert 500 not in [answer.status for answer in answers]
    assert count(app, LeaderApplication, LeaderApplication.user_id == member.id) == 1


def _version(page: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)


def test_two_tabs_editing_one_profile_the_second_save_gets_a_conflict_and_keeps_its_text(
        app, live, make_leader):
    user, slug = make_leader(display_name="Ines Duarte", bio="Before.")
    person = visitor(live, user)
    first_tab = _version(person.get(f"/leaders/{slug}/edit").text)
    second_tab = _version(person.get(f"/leaders/{slug}/edit").text)
    saved = person.post(f"/leaders/{slug}/edit", {"display_name": "Ines Duarte", "precision": "city",
                                                 "bio": "Written in the first tab.", "version": first_tab})
    assert saved.status == 302
    late = person.post(f"/leaders/{slug}/edit", {"display_name": "Ines Duarte", "precision": "city",
                                                "bio": "Written in the second tab.", "version": second_tab})
    assert late.status == 409
    assert "This profile was saved somewhere else" in late.text
    assert "Written in the second tab." in late.text, "the typed text is kept"
    assert "Written in the first tab." in late.text, "the saved text is shown beside it"
    with app.app_context():
        assert db.session.scalar(select(LeaderProfile.bio).where(LeaderProfile.slug == slug)) == \
            "Written in the first tab."
    again = person.post(f"/leaders/{slug}/edit", {"display_name": "Ines Duarte", "precision": "city",
                                                 "bio": "Written in the second tab.",
                                                 "version": _version(late.text)})
    assert again.status == 302, "saving from the conflict page keeps the second version"


@pytest.mark.parametrize("tabs", [4])
def test_saves_of_one_version_sent_at_once_keep_exactly_one(app, live, make_leader, tabs):
    user, slug = make_leader(display_name="Kofi Boateng")
    person = visitor(live, user)
    version = _version(person.get(f"/leaders/{slug}/edit").text)
    answers = at_once([lambda n=n: person.post(f"/leaders/{slug}/edit", {
        "display_name": "Kofi Boateng", "precision": "city", "bio": f"Tab {n}", "version": version})
        for n in range(tabs)])
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [302] + [409] * (tabs - 1), statuses
    winner = next(n for n, answer in enumerate(answers) if answer.status == 302)
    with app.app_context():
        assert db.session.scalar(select(LeaderProfile.bio).where(LeaderProfile.slug == slug)) == \
            f"Tab {winner}"


def test_publish_due_run_on_three_hosts_at_once_publishes_each_post_once(app, make_user):
    """Cron runs `editorial publish-due` on every app host: run together, they share the due
    posts out (each published once, its author told once) and report only their own."""
    from datetime import timedelta

    from app.editorial import steps
    from app.editorial.workflow import Stage, State
    from app.models.base import utcnow
    from app.models.editorial import Event
    from app.models.notifications import Notification
    author = make_user(role=Role.LEADER)
    with app.app_context():
        for number in range(6):
            db.session.add(Proposal(author_id=author.id, title=f"Post {number}", slug=f"post-{number}",
                                    state=State.SCHEDULED, stage=Stage.POST, body="Words.",
                                    summary="S", why_it_matters="W", first_submitted_at=utcnow(),
                                    publish_at=utcnow() - timedelta(minutes=number + 1)))
        db.session.commit()

    def run_job():
        with app.app_context():
            return [post.id for post in steps.publish_due()]

    reports = at_once([run_job, run_job, run_job])
    published = [post_id for report in reports for post_id in report]
    assert sorted(published) == sorted(set(published)) and len(published) == 6
    assert count(app, Proposal, Proposal.state == State.PUBLISHED) == 6
    assert count(app, Event, Event.action == "publish_due") == 6
    assert count(app, Notification, Notification.kind == "post_published") == 6
