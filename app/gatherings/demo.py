"""Demo data for gatherings: an online weekly series across the March clock change, in-person
gatherings in cities on five continents (one full with a waitlist, one also online), one
cancelled, a draft, and past ones with attendees. Every word invented for the demo; meeting
links under https://meet.example/."""
from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from app.auth import services as accounts
from app.extensions import db
from app.gatherings import joining, services, times
from app.models.accounts import User
from app.models.base import utcnow
from app.models.directory import FocusArea, LeaderProfile
from app.models.gatherings import Gathering, GatheringSeries, Mode, Rsvp, RsvpStatus, State
from app.models.mail import OutboxMessage
from app.models.notifications import Notification
from app.text.markdown import render_markdown

DEMO = "demo.leaders.example"

# (key, host's city (a showcase leader there) or "leader" for the demo leader, title, description,
#  mode, zone, (days ahead, hour, minute), hours long, venue, address, (lat, lng), capacity,
#  focus area names)
PLANNED = [
    ("full", "Lyon", "Repair evening at the neighbourhood library",
     "Bring a lamp that flickers, a jacket with a broken zip or a radio that went quiet. Three of us "
     "fix things with you, not for you, and we keep a list of what we could not mend yet.\n\n"
     "Tea and biscuits are on the house. The room fits a small circle, so places are few.",
     Mode.IN_PERSON, "Europe/Paris", (9, 18, 30), 2.5, "Bibliothèque du Plateau, salle 2",
     "Lyon, France", (45.7741, 4.8320), 3, ["Climate action", "Digital skills"]),
    ("nairobi", "Nairobi", "Seed library open afternoon",
     "Our seed library has grown to ninety varieties, most of them saved by neighbours. Come to "
     "borrow, to return, or just to learn how to dry beans so they keep. Those who cannot come can "
     "follow the seed-saving talk online at three.",
     Mode.BOTH, "Africa/Nairobi", (12, 14, 0), 3, "Kilimani community hall",
     "Nairobi, Kenya", (-1.2921, 36.7856), 40, ["Food security"]),
    ("mumbai", "Mumbai", "Reading circle for adult learners",
     "A calm hour of reading aloud together in Marathi and English, with volunteers beside each "
     "reader. First-timers are very welcome; nobody is ever asked to read before they want to.",
     Mode.IN_PERSON, "Asia/Kolkata", (6, 17, 0), 1, "Dadar community reading room",
     "Mumbai, India", (19.0178, 72.8478), 25, ["Adult literacy"]),
    ("saopaulo", "São Paulo", "Rooftop garden work morning",
     "We are planting the winter beds on the rooftop of the cooperative. Wear clothes that can get "
     "muddy; we bring gloves, tools and a big pot of coffee.",
     Mode.IN_PERSON, "America/Sao_Paulo", (16, 9, 0), 3, "Cooperativa Vila Mariana, rooftop",
     "São Paulo, Brazil", (-23.5891, -46.6343), None, ["Food security", "Climate action"]),
    ("chicago", "Chicago", "Welcome dinner for newly arrived families",
     "A shared meal to meet the families who arrived in the neighbourhood this autumn. Interpreters "
     "for Dari, Spanish and Ukrainian will be at the tables. Bring a dish if you like; come anyway "
     "if you cannot.",
     Mode.IN_PERSON, "America/Chicago", (20, 18, 0), 2.5, "St. Columba parish hall",
     "Chicago, United States", (41.8789, -87.6359), 60, ["Refugee welcome"]),
    ("sydney", "Sydney", "Walk and talk: elder care volunteers",
     "An easy loop around the harbour for people who visit older neighbours, or would like to. We "
     "talk about what helps, what is hard, and how to look after ourselves too.",
     Mode.IN_PERSON, "Australia/Sydney", (11, 8, 0), 1.5, "Meet at the ferry wharf steps",
     "Sydney, Australia", (-33.8615, 151.2110), 20, ["Elder care"]),
    ("cancelled", "Berlin", "Youth mentoring picnic",
     "Mentors and the young people they meet with, together in the park for an afternoon of games "
     "and food.",
     Mode.IN_PERSON, "Europe/Berlin", (14, 13, 0), 3, "Volkspark Friedrichshain, by the fountain",
     "Berlin, Germany", (52.5283, 13.4330), 50, ["Youth mentoring"]),
    ("draft", "leader", "Planning night for the spring festival",
     "Still taking shape: who does what for the spring street festival.",
     Mode.ONLINE, "Africa/Accra", (30, 19, 0), 1.5, "", "", None, None, ["Arts and culture"]),
]
CANCEL_REASON = ("The park is closed for repairs that week. We will choose a new date together "
                 "at the next mentors' meeting.")

PAST = [
    ("Story circle: what our first year taught us", "leader",
     "Five organisers told the story of their first year in ten minutes each: what surprised them, "
     "what they would do again, what they would never do again.",
     Mode.ONLINE, "Africa/Accra", 21, 19, 1.5, "", "", None),
    ("Chess club for all ages: season opening", "London",
     "Boards on every table, from seven-year-olds to a retired champion of the borough.",
     Mode.IN_PERSON, "Europe/London", 60, 15, 3, "Whitechapel community centre", "London, United Kingdom",
     (51.5166, -0.0597)),
]
SERIES_TITLE = "Tuesday evening circle for new organisers"
SERIES_DESCRIPTION = (
    "An hour for people who started organising in the last year or two. Each week one of us brings "
    "a question (how to say no, how to run a meeting that ends on time, how to find a room) and we "
    "work through it together.\n\nThe circle meets at 19:00 New York time all year: when the clocks "
    "change in March, the meeting moves with them, so check your own time on each date.")


def _people(emails: list[str]) -> list[User]:
    return [user for user in (accounts.find_by_email(email) for email in emails) if user is not None]


def _host_in(city: str) -> User | None:
    if city == "leader":
        return accounts.find_by_email(f"leader@{DEMO}")
    user_id = db.session.scalar(select(LeaderProfile.user_id).join(User, User.id == LeaderProfile.user_id)
                                .where(LeaderProfile.city == city, User.email.like(f"leader-%@{DEMO}"))
                                .order_by(LeaderProfile.id).limit(1))
    return db.session.get(User, user_id) if user_id else accounts.find_by_email(f"leader@{DEMO}")


def _areas(names: list[str]) -> list[FocusArea]:
    return list(db.session.scalars(select(FocusArea).where(FocusArea.name.in_(names))))


def _row(host: User, title: str, description: str, mode: Mode, zone: str, start: datetime,
         hours: float, venue: str, address: str, point, capacity, state=State.PUBLISHED) -> Gathering:
    """A gathering written directly (the demo's past ones could not be made through the rules)."""
    start_utc = times.shifted_to_utc(start, zone)
    gathering = Gathering(
        uid=services.new_uid(), host_id=host.id, title=title, description=description,
        description_html=render_markdown(description), mode=mode, state=state, time_zone=zone,
        starts_at=start_utc, ends_at=start_utc + timedelta(hours=hours), venue_name=venue,
        address=address, place_name=address, capacity=capacity, language="English",
        meeting_url=f"https://meet.example/{secrets.token_hex(5)}" if mode.online else "",
        published_at=utcnow() if state != State.DRAFT else None)
    if point:
        gathering.lat, gathering.lng = point
    db.session.add(gathering)
    return gathering


def seed_gatherings(rng: random.Random, _options) -> dict[str, int]:
    """The gatherings' demo, once: nothing is added when gatherings exist."""
    if db.session.scalar(select(func.count()).select_from(Gathering)):
        return {"gatherings": 0}
    leader = accounts.find_by_email(f"leader@{DEMO}")
    if leader is None:
        return {"gatherings": 0}  # the demo accounts come first (app/features.py)
    last_mail = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    last_note = db.session.scalar(select(func.max(Notification.id))) or 0
    crowd = _people([f"member@{DEMO}", f"editor@{DEMO}", f"admin@{DEMO}"]) + list(db.session.scalars(
        select(User).where(User.email.like(f"leader-%@{DEMO}")).order_by(User.id).limit(12)))
    made = 0

    # The weekly series: 19:00 in New York, from the coming Tuesday for 16 weeks (past 14 March).
    zone = "America/New_York"
    today = times.to_local(utcnow(), zone).date()
    first_day = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    series = GatheringSeries(host_id=leader.id, frequency="weekly", time_zone=zone)
    db.session.add(series)
    slots = times.occurrences(datetime.combine(first_day, datetime.min.time()).replace(hour=19),
                              timedelta(hours=1), zone, "weekly", 16)
    link = "https://meet.example/tuesday-circle"
    for start, end in slots:
        gathering = Gathering(uid=services.new_uid(), host_id=leader.id, series=series, title=SERIES_TITLE,
                              description=SERIES_DESCRIPTION, description_html=render_markdown(SERIES_DESCRIPTION),
                              mode=Mode.ONLINE, state=State.PUBLISHED, published_at=utcnow(),
                              time_zone=zone, starts_at=start, ends_at=end, meeting_url=link,
                              language="English", capacity=30)
        gathering.focus_areas = _areas(["Women's leadership", "Youth mentoring"])
        db.session.add(gathering)
        made += 1
    db.session.flush()
    upcoming = db.session.scalars(select(Gathering).where(Gathering.series_id == series.id)
                                  .order_by(Gathering.starts_at).limit(2)).all()
    for gathering in upcoming:
        for person in crowd[:4]:
            joining.answer(person, gathering, True, show_name=rng.random() < 0.8)

    for key, city, title, description, mode, zone, (days, hour, minute), hours, venue, address, point, \
            capacity, area_names in PLANNED:
        host = _host_in(city)
        local = (times.to_local(utcnow(), zone) + timedelta(days=days)).replace(
            hour=hour, minute=minute, second=0, microsecond=0, tzinfo=None)
        gathering = _row(host, title, description, mode, zone, local, hours, venue, address, point,
                         capacity, state=State.DRAFT if key == "draft" else State.PUBLISHED)
        gathering.focus_areas = _areas(area_names)
        if key == "full":
            gathering.rsvp_deadline = gathering.starts_at - timedelta(hours=2)
        db.session.flush()
        made += 1
        if key == "draft":
            continue
        guests = [person for person in crowd if person.id != host.id]
        rng.shuffle(guests)
        for person in guests[:(5 if key == "full" else rng.randint(2, 6))]:
            joining.answer(person, gathering, True, show_name=rng.random() < 0.8)
        if key == "cancelled":
            gathering.state = State.CANCELLED
            gathering.cancel_reason = CANCEL_REASON
            gathering.cancelled_at = utcnow()
            gathering.sequence += 1

    for title, city, description, mode, zone, days_ago, hour, hours, venue, address, point in PAST:
        host = _host_in(city)
        local = (times.to_local(utcnow(), zone) - timedelta(days=days_ago)).replace(
            hour=hour, minute=0, second=0, microsecond=0, tzinfo=None)
        gathering = _row(host, title, description, mode, zone, local, hours, venue, address, point, None)
        db.session.flush()
        made += 1
        for person in [p for p in crowd if p.id != host.id][:rng.randint(4, 8)]:
            db.session.add(Rsvp(gathering_id=gathering.id, user_id=person.id, status=RsvpStatus.GOING,
                                join_token=joining.new_join_token(), show_name=True,
                                answered_at=gathering.starts_at - timedelta(days=3)))
            gathering.going_count += 1
    # The demo's answers are not mailed to anyone, nor announced in-app.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > last_mail))
    db.session.execute(delete(Notification).where(Notification.id > last_note))
    db.session.commit()
    return {"gatherings": made}
