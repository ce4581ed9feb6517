"""Demo data for the Leaders Blog: editors, and proposals in every state with their history."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from app import demo
from app.auth import services as accounts
from app.editorial import needs, services, steps
from app.editorial.workflow import Action
from app.extensions import db
from app.models.accounts import Role
from app.models.base import utcnow
from app.models.editorial import Proposal
from app.models.mail import OutboxMessage

EDITORS = [
    ("editor2@demo.leaders.example", "Priya Raman"),
    ("editor3@demo.leaders.example", "Mateus Costa"),
]
AUTHORS = [
    ("leader@demo.leaders.example", "Amara Mensah"),
    ("leader1@demo.leaders.example", "Hana Kowalczyk"),
    ("leader2@demo.leaders.example", "Diego Alvarez"),
    ("leader3@demo.leaders.example", "Grace Oyelaran"),
]

# (title, tags, summary, why it matters, body); every word invented for the demo.
STORIES = [
    ("How our street swapped lawns for a shared vegetable patch", ["food", "gardening"],
     "Eleven households on Linden Row turned their front lawns into one long vegetable bed.",
     "It needs no funding, only neighbours who agree, and it gets people talking every evening.",
     "It began with a single tomato plant that grew over a fence.\n\n"
     "## The first season\n\nWe agreed three rules: water on your day, share the surplus, "
     "and nobody owns the courgettes.\n\n## What we learned\n\n- Start small: two beds, "
     "not eleven.\n- Put the rota on the lamppost, not in a group chat.\n- Invite the people "
     "who complain; they make the best weeders.\n\nBy August the street had eaten "
     "**forty kilos** of beans and met more neighbours than in ten years."),
    ("A repair café in the back of the bus depot", ["repairs", "neighbours"],
     "Every second Saturday, retired mechanics and students fix what people bring in.",
     "It keeps things out of landfill and gives older volunteers a reason to teach.",
     "The depot manager lent us the back room on one condition: tea for the drivers.\n\n"
     "Since then we have mended 612 things, from toasters to a wedding dress.\n\n"
     "> \"I came to fix a lamp and stayed to learn soldering.\" – a visitor, aged 14\n\n"
     "If you want to start one, find a room with sockets and a kettle first; the fixers follow."),
    ("Night football that kept the park lights on", ["youth", "sport"],
     "Friday night five-a-side for teenagers, run by the teenagers themselves.",
     "It shows how giving young people the keys changes who feels the park is theirs.",
     "When the council planned to switch off the park lights at eight, the players wrote to "
     "them.\n\nWe now run three pitches from eight to eleven, with a rota of older players as "
     "referees.\n\n| Season | Players | Incidents |\n|:--|--:|--:|\n| 2024 | 40 | 3 |\n"
     "| 2025 | 96 | 1 |\n\nThe lights stay on."),
    ("Reading buddies at the launderette", ["literacy", "children"],
     "Volunteers read with children while their parents wait for the washing.",
     "Forty minutes of waiting becomes forty minutes of reading, at no cost to anyone.",
     "The owner put in a bookshelf and two beanbags. We brought the readers.\n\n"
     "Three years on, the shelf has become a small lending library, and two of our first "
     "young readers now read to the little ones."),
    ("A winter coat rail at the bus stop", ["winter", "mutual aid"],
     "A coat rail under the shelter: take one if you need it, leave one if you can.",
     "It is the simplest mutual aid there is, and it asks nobody to explain themselves.",
     "The rail went up in November. By January more than two hundred coats had passed "
     "through it."),
    ("Language café for new arrivals", ["language", "welcome"],
     "Weekly conversation tables in the library for people learning the local language.",
     "Newcomers practise with neighbours, not textbooks, and neighbours make new friends.",
     "Each table has a topic card: the doctor, the market, the school gate."),
    ("Tool library in a shipping container", ["sharing", "neighbours"],
     "A container of drills, ladders and sewing machines to borrow for a week.",
     "Most drills are used for thirteen minutes in their life; sharing them just makes sense.",
     "We built the shelves ourselves, badly, and then a carpenter joined and rebuilt them."),
    ("Walking bus to the primary school", ["children", "safety"],
     "Parents take turns walking a line of children to school along a safe route.",
     "Fewer cars at the gate, safer crossings, and children who arrive awake.",
     ""),
    ("Pop-up cinema on the estate", ["culture", "youth"],
     "Outdoor films projected on the side of the community hall in summer.",
     "It brings every age out on the same evening.",
     "We borrowed a projector and a sheet, then a licence, then a better sheet."),
    ("Our allotment waiting list app", ["gardening"],
     "We built an app to manage the allotment waiting list.",
     "It could help other allotment societies.",
     "The app is written in a spreadsheet macro."),
    ("A choir for people who think they cannot sing", ["music", "wellbeing"],
     "No auditions, no sheet music, one rule: everyone sings.",
     "Singing together is the fastest way we know to make strangers into neighbours.",
     ""),
    ("A street library in the old phone box", ["literacy", "neighbours"],
     "We are turning the empty red phone box into a take-one-leave-one library.",
     "", ""),
]

# The state each story ends in, by the steps that take it there.
PATHS = [
    ["submit", "claim", "approve", "publish"],
    ["submit", "claim", "request_changes", "resubmit", "approve", "publish"],
    ["submit", "claim", "approve", "publish"],
    ["submit", "claim", "approve", "publish"],
    ["submit", "claim", "approve", "schedule"],
    ["submit", "claim", "approve"],
    ["submit", "claim"],
    ["submit"],
    ["submit", "claim", "request_changes"],
    ["submit", "claim", "reject"],
    ["withdraw"],
    [],
]
NOTES = {
    "request_changes": "Lovely story. Could you add one paragraph on how a newcomer joins in?",
    "reject": "A spreadsheet macro is a fine tool, but this reads as a product announcement. "
              "Tell us about the people on the list instead and pitch again.",
}


def _account(email, name, role):
    user = accounts.find_by_email(email)
    if user is None:
        user = accounts.create_user(email, name, demo.DEMO_PASSWORD, role, verified=True)
    return user


def seed_editorial(rng, options) -> dict[str, int]:
    """Editors and stories in every state; does nothing if the stories are already there."""
    if db.session.scalar(select(func.count()).select_from(Proposal).where(
            Proposal.title == STORIES[0][0])):
        return {"proposals": 0}
    editors = [_account(email, name, Role.EDITOR) for email, name in EDITORS]
    editors.insert(0, _account("editor@demo.leaders.example", "Tomas Lindqvist", Role.EDITOR))
    authors = [_account(email, name, Role.LEADER) for email, name in AUTHORS]
    last_mail = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    now = utcnow()
    published = 0
    for number, ((title, tags, summary, why, body), path) in enumerate(zip(STORIES, PATHS)):
        author = authors[number % len(authors)]
        editor = rng.choice(editors)
        proposal = services.create_proposal(author, needs.ProposalInput(
            title=title, summary=summary, why_it_matters=why, tags=tags, body=body))
        start = now - timedelta(days=60 - number * 5, hours=rng.randint(0, 12))
        # The draft was started the day before its first step, not today.
        proposal.created_at = proposal.saved_at = start - timedelta(days=1)
        for event in proposal.events:
            event.created_at = proposal.created_at
        for step, name in enumerate(path):
            when = start + timedelta(days=step * 2, hours=rng.randint(1, 8))
            actor = author if name in ("submit", "resubmit", "withdraw") else editor
            if name == "resubmit":
                proposal.body += ("\n\nTo join in, come to the next session or write to the "
                                  "organiser: there is always a spare seat.")
            record = steps.take_action(
                proposal, Action(name), actor, note=NOTES.get(name), now=when,
                when=now + timedelta(days=3) if name == "schedule" else None,
                checklist=services.checklist_items())
            record.created_at = when  # a history spread over the last two months
        if proposal.published_at:
            published += 1
        if number < 3:
            services.add_comment(proposal, editor, "Thank you for this. The opening line is "
                                                   "*perfect*; I only tightened the title.")
            services.add_comment(proposal, author, "Thanks! Happy with the new title.")
    # The demo's decisions are not mailed to anyone; the in-app notifications stay.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > last_mail))
    db.session.flush()
    return {"editors": len(editors), "proposals": len(STORIES), "published posts": published}

