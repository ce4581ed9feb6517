"""The partnerships' demo, once (nothing is added when partnerships exist): the demo leader in an
active partnership with the demo editor and a showcase leader (their answers, a second version of
their agreement, two meetings behind them with check-ins, the next one arranged, a conversation),
and in a second one still in its opening; the demo member in none; a request board of a dozen
requests. Every word invented for the demo."""
from __future__ import annotations

import random
import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import delete, func, select, update

from app.auth import services as accounts
from app.extensions import db
from app.gatherings import services as gatherings, times
from app.models.accounts import User
from app.models.base import utcnow
from app.models.directory import FocusArea
from app.models.gatherings import Frequency, Gathering, Mode, Rsvp, RsvpStatus, State
from app.models.mail import OutboxMessage
from app.models.notifications import Notification
from app.models.partnerships import (
    CheckIn, PartnerRequest, Partnership, PartnershipEvent, PartnershipInvitation, RequestMode,
    RequestState,
)
from app.directory.services import public_place
from app.partnerships import board, forming, meetings, members, opening, space
from app.text.markdown import render_markdown

DEMO = "demo.leaders.example"
ZONE = "Africa/Accra"
LINK = "https://meet.example/learning-circle-accra"

# The active partnership's answers, one list per partner, in the questions' order.
ANSWERS = {
    f"leader@{DEMO}": [
        "I want to stop saying yes to every new project. If this works, I will have one evening a week "
        "that is nobody's but mine, and the projects I keep will be better for it.",
        "Let me finish my thought, even when it wanders. I speak more freely when I know nobody is "
        "waiting to fix my problem straight away.",
        "Anything about the people in our programmes stays here. Our own ideas we can share freely.",
        "Say it in the meeting, not afterwards. I would rather hear a hard thing kindly than find out later.",
        "Every two weeks suits me, on a weekday evening. Only illness or a family matter would make me cancel.",
    ],
    f"editor@{DEMO}": [
        "I edit other people's stories all day; I would like to learn to tell my own work plainly, "
        "and to hear how organisers decide what to drop.",
        "Ask me questions rather than give advice. I listen best when I have taken notes.",
        "Names of people and places stay between us. Lessons we draw can travel.",
        "Take a breath, then each says what they heard the other say. It slows us down in a good way.",
        "Every two weeks. I travel a lot, so I will join from wherever I am.",
    ],
    "leader-002": [
        "How to hand over a youth club I started, so it lives on without me.",
        "Be direct. I am from a big family; I am used to being interrupted, but I do not love it.",
        "What we say about our own doubts stays here.",
        "Name the disagreement, then sleep on it before we decide anything.",
        "Thursdays are best. The power sometimes goes in the evening, so I may join by phone.",
    ],
    "leader-003": [
        "I want our volunteers to stay longer than a season, and to learn what keeps people coming back.",
        "Slowly, please: I think in Swahili first and translate as I go.",
        "The names of our volunteers stay between us.",
        "Ask questions until we understand each other, then decide.",
        "Once a month is all I can promise, on a Saturday morning.",
    ],
}
AGREEMENT_ADDITION = ("\n- We keep our phones away during the meeting, unless one of us is on call for "
                      "family.")
CONVERSATION = [
    (f"editor@{DEMO}", "Before Thursday: I read the piece about saying no that Amara mentioned. The "
                       "line about “a yes is a promise to your future self” stayed with me."),
    (f"leader@{DEMO}", "Same here. I said no to a new committee this week, and the sky did not fall. "
                       "I will tell you both how it went."),
    ("leader-002", "I may be ten minutes late on Thursday: the club has a football final. Start "
                   "without me and I will catch up."),
]
CHECK_INS = [
    # (meeting number, person, met, note)
    (1, f"leader@{DEMO}", True, "We met: a first long talk about what we each want from this."),
    (1, f"editor@{DEMO}", True, "We met. We agreed to keep to one question a meeting."),
    (1, "leader-002", True, ""),
    (2, f"leader@{DEMO}", True, "Two of us met; we missed {third}."),
    (2, "leader-002", False, "the power was out across our part of Lagos all evening."),
]

# (whose: "leader-NNN" (a showcase leader) or an account's address, time zone, mode, focus areas,
#  languages, what they hope to learn)
REQUESTS = [
    ("leader-001", "Africa/Accra", RequestMode.EITHER, ["Youth mentoring", "Digital skills"], "English, Twi",
     "I run a coding club for teenagers. I want to learn how other mentors keep young people coming "
     "back after the first exciting month."),
    ("leader-006", "Africa/Kigali", RequestMode.ONLINE, ["Women's leadership"], "Kinyarwanda, French, English",
     "I train women who want to stand for their cooperative's board. I would like partners to think "
     "with about confidence: how it grows, and what knocks it down."),
    ("leader-007", "Africa/Dakar", RequestMode.EITHER, ["Food security"], "French, Wolof",
     "Our market garden feeds forty families. I want to learn how to share the work fairly when "
     "some can give hours and others only money."),
    ("leader-010", "Africa/Johannesburg", RequestMode.IN_PERSON, ["Housing"], "English, Zulu",
     "Tenants in our block are organising for repairs. I am looking for someone nearby who has been "
     "through a rent strike, to meet over coffee once a month."),
    ("leader-011", "Africa/Johannesburg", RequestMode.ONLINE, ["Climate action"], "English",
     "I lead beach clean-ups and want to move from clean-ups to changing what ends up in the sea. "
     "Looking for people who made that shift."),
    ("leader-013", "Europe/London", RequestMode.EITHER, ["Refugee welcome"], "English",
     "I coordinate volunteers who meet families at the station. I want to learn to notice burnout "
     "in a team early, before people quietly drop away."),
    ("leader-014", "Europe/London", RequestMode.EITHER, ["Refugee welcome", "Arts and culture"], "English",
     "Our choir sings in six languages. I would like partners who use art to bring newcomers and "
     "neighbours together, to swap what works."),
    ("leader-016", "Europe/Paris", RequestMode.ONLINE, ["Elder care"], "French, English",
     "I visit older neighbours with a group of students. How do you keep such visits going over "
     "the summer, when everyone leaves?"),
    ("leader-018", "Europe/Berlin", RequestMode.ONLINE, ["Neighbourhood safety"], "German, English",
     "I chair a street group on safety. I want to learn to run meetings where the quiet people "
     "speak, not only the angry ones."),
    ("leader-027", "Asia/Kolkata", RequestMode.ONLINE, ["Adult literacy"], "Marathi, Hindi, English",
     "Our reading circles for adults are full of willing volunteers but few trained ones. I am "
     "looking for partners who built a small training of their own."),
    ("leader-029", "Asia/Dhaka", RequestMode.ONLINE, ["Public health"], "Bengali, English",
     "I organise health camps. I want partners to learn with about asking communities what they "
     "need, rather than guessing."),
    (f"member@{DEMO}", "Asia/Tokyo", RequestMode.ONLINE, ["Digital skills", "Youth mentoring"], "Japanese, English",
     "I am new to organising: I started a homework club at our community centre this year. I would "
     "like one or two partners a little further along the road."),
]


def _first_name(user: User) -> str:
    return user.display_name.split()[0]


def _person(who: str) -> User | None:
    return accounts.find_by_email(who if "@" in who else f"{who}@{DEMO}")


def seed(rng: random.Random, options: dict) -> dict[str, int]:
    if db.session.scalar(select(func.count()).select_from(Partnership)):
        return {"partnerships": 0, "partner requests": 0}
    leader, editor, third = _person(f"leader@{DEMO}"), _person(f"editor@{DEMO}"), _person("leader-002")
    if leader is None or editor is None or third is None:
        return {"partnerships": 0, "partner requests": 0}  # the demo accounts and leaders come first
    last_mail = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    last_note = db.session.scalar(select(func.max(Notification.id))) or 0
    made = _active(leader, editor, third)
    made += _opening(leader)
    requests = _requests(leader)
    # The demo's steps are not mailed to anyone, nor announced in the app.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > last_mail))
    db.session.execute(delete(Notification).where(Notification.id > last_note))
    db.session.commit()
    return {"partnerships": made, "partner requests": requests}


def _join(partnership: Partnership, inviter: User, person: User, message: str = "") -> None:
    invitation = PartnershipInvitation(partnership_id=partnership.id, from_id=inviter.id, to_id=person.id,
                                       message=message)
    db.session.add(invitation)
    db.session.flush()
    forming.accept(person, invitation)


def _answer(partnership: Partnership, person: User, key: str) -> None:
    texts = ANSWERS[key]
    questions = opening.questions_of(partnership)
    opening.save_answers(partnership, person, (texts * 2)[:len(questions)])


def _active(leader: User, editor: User, third: User) -> int:
    now = utcnow()
    partnership = forming.start(leader)
    _join(partnership, leader, editor, "Tomas, you said you wanted to write about your own work. Shall we learn together?")
    _join(partnership, leader, third,
          f"{_first_name(third)}, we met at the Accra gathering: would you like to join us?")
    for person, key in ((leader, f"leader@{DEMO}"), (editor, f"editor@{DEMO}"), (third, "leader-002")):
        _answer(partnership, person, key)
    first = opening.current_agreement(partnership)
    opening.edit_agreement(partnership, editor, first.text + AGREEMENT_ADDITION,
                           "Added a line about phones", first.number)
    # Two meetings behind them (every two weeks, Thursdays 18:00 in Accra), then the rhythm.
    today = times.to_local(now, ZONE).date()
    thursday = today + timedelta(days=(3 - today.weekday()) % 7 or 7)
    past_days = [thursday - timedelta(days=28), thursday - timedelta(days=14)]
    partnership.frequency, partnership.first_date = Frequency.FORTNIGHTLY, past_days[0]
    partnership.weekday, partnership.start_minute, partnership.time_zone = 3, 18 * 60, ZONE
    partnership.duration_minutes, partnership.mode, partnership.meeting_url = 60, Mode.ONLINE, LINK
    people = {f"leader@{DEMO}": leader, f"editor@{DEMO}": editor, "leader-002": third}
    past = [_past_meeting(partnership, number, day, host)
            for number, (day, host) in enumerate(zip(past_days, (leader, editor)), start=1)]
    for number, who, met, note in CHECK_INS:
        meeting = past[number - 1]
        db.session.add(CheckIn(partnership_id=partnership.id, gathering_id=meeting.id, user_id=people[who].id,
                               met=met, note=note.format(third=_first_name(third)),
                               created_at=meeting.ends_at + timedelta(hours=1)))
    for person in (leader, third):
        opening.accept_agreement(partnership, person, partnership.agreement_version)
    db.session.flush()
    # The story's days: started five weeks ago, the opening done before the first meeting.
    started = datetime.combine(past_days[0] - timedelta(days=10), time(9))
    partnership.created_at = started
    partnership.activated_at = started + timedelta(days=6)
    days = {"started": 0, "joined": 1, "agreement": 4, "active": 6}
    for event in db.session.scalars(select(PartnershipEvent).where(PartnershipEvent.partnership_id == partnership.id)):
        event.at = started + timedelta(days=days.get(event.kind, 6), hours=event.id % 5)
    db.session.execute(update(PartnershipInvitation).where(PartnershipInvitation.partnership_id == partnership.id)
                       .values(created_at=started, answered_at=started + timedelta(days=1)))
    for version in opening.versions(partnership):
        version.created_at = started + timedelta(days=0 if version.number == 1 else 4)
    for person, text in CONVERSATION:
        space.write(partnership, people[person], text, accepted_guidelines=True,
                    form_token=secrets.token_urlsafe(16))
    if meetings.upcoming_meeting(partnership) is None:
        meetings.ensure_next(partnership)
    return 1


def _past_meeting(partnership: Partnership, number: int, day, host: User) -> Gathering:
    start = times.shifted_to_utc(datetime.combine(day, time(18)), ZONE)
    description = (f"The meeting of your learning partnership, convened this time by {host.display_name}.")
    meeting = Gathering(uid=gatherings.new_uid(), host_id=host.id, title=f"{meetings.TITLE} {number}",
                        description=description, description_html=render_markdown(description),
                        mode=Mode.ONLINE, state=State.PUBLISHED, published_at=start - timedelta(days=14),
                        time_zone=ZONE, starts_at=start, ends_at=start + timedelta(hours=1),
                        meeting_url=LINK, language="English", partnership_id=partnership.id)
    db.session.add(meeting)
    db.session.flush()
    for member in members.current_members(partnership):
        db.session.add(Rsvp(gathering_id=meeting.id, user_id=member.user_id, status=RsvpStatus.GOING,
                            join_token=secrets.token_urlsafe(24), show_name=True,
                            answered_at=start - timedelta(days=14)))
    meeting.going_count = 3
    return meeting


def _opening(leader: User) -> int:
    """A second partnership, still in its opening: one partner has answered, one has not."""
    amina, daniel = _person("leader-003"), _person("leader-005")
    if amina is None or daniel is None:
        return 0
    partnership = forming.start(leader)
    _join(partnership, leader, amina, f"{_first_name(amina)}, shall we think together about our volunteers?")
    _join(partnership, leader, daniel, f"{_first_name(daniel)}, you asked about volunteer rotas: join us?")
    _answer(partnership, leader, f"leader@{DEMO}")
    opening.accept_agreement(partnership, leader, partnership.agreement_version)
    _answer(partnership, amina, "leader-003")
    return 1


def _requests(leader: User) -> int:
    areas = {area.name: area for area in db.session.scalars(select(FocusArea))}
    made = 0
    now = utcnow()
    for number, (who, zone, mode, names, languages, about) in enumerate(REQUESTS):
        person = _person(who)
        if person is None:
            continue
        profile = board.profile_point(person)
        lat = lng = None
        place = ""
        if mode.in_person and profile is not None:
            lat, lng, place = profile.public_lat, profile.public_lng, public_place(profile)
        elif mode == RequestMode.IN_PERSON:
            continue
        db.session.add(PartnerRequest(
            user_id=person.id, about=about, languages=languages, time_zone=zone,
            mode=mode if lat is not None or mode == RequestMode.ONLINE else RequestMode.ONLINE,
            place_name=place, public_lat=lat, public_lng=lng,
            focus_areas=[areas[name] for name in names if name in areas],
            created_at=now - timedelta(days=number * 2 + 1, hours=number)))
        made += 1
    db.session.add(PartnerRequest(
        user_id=leader.id, about="I would like two or three partners to learn with about saying no, and "
                                 "about keeping the projects I say yes to.", languages="English, Twi",
        time_zone=ZONE, mode=RequestMode.ONLINE, state=RequestState.CLOSED,
        created_at=now - timedelta(days=50), closed_at=now - timedelta(days=40)))
    db.session.flush()
    return made + 1
