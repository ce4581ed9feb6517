"""Demo data for the forum: the guidelines, four categories (one for members only) with their
stewards, threads with answers three deep and deeper, a deleted reply, a pinned thread, a flag
waiting in the queue and appreciations. Every word invented for the demo."""
from __future__ import annotations

import secrets

from sqlalchemy import delete, func, select

from app.auth import services as accounts
from app.extensions import db
from app.forum import members, moderation, posting
from app.forum.guidelines_text import DEMO_GUIDELINES
from app.models.forum import ForumAppreciation, ForumCategory, ForumPost, ForumSteward
from app.models.mail import OutboxMessage

CATEGORIES = [
    ("Introductions", "introductions", "Say who you are, where you lead and what you would like to learn.", False),
    ("Running gatherings", "running-gatherings",
     "Rooms, rotas, reminders and the small things that make people come back.", False),
    ("Learning together", "learning-together",
     "Programs, books and practices that changed how you work with others.", False),
    ("Leaders' circle", "leaders-circle",
     "A quieter room for members only: the hard parts of leading, talked through in confidence.", True),
]

# (category slug, author email, title, opening, [(answering index or None, author, text)]):
# answers name the index in the list of the message they answer (None: the opening message).
THREADS = [
    ("introductions", "member@demo.leaders.example", "Hello from a first-time organiser in Osaka",
     "I started a Saturday litter walk along the river last spring. Twelve of us now, and I have no "
     "idea what I am doing beyond bringing gloves. Glad to have found this place.",
     [(None, "leader@demo.leaders.example",
       "Welcome, Jun! Twelve regulars in under a year is a lot more than gloves. What keeps them coming?"),
      (0, "member@demo.leaders.example",
       "Honestly, the tea afterwards. Someone's aunt runs a café by the bridge and gives us a table."),
      (1, "leader@demo.leaders.example",
       "Then the café is part of your team. Have you thanked her in front of everyone yet?"),
      (2, "member@demo.leaders.example",
       "Not yet. Next Saturday, with a card signed by all twelve. Good idea."),
      (3, "editor@demo.leaders.example",
       "If you write about it afterwards, the blog would love that story."),
      (None, "admin@demo.leaders.example",
       "Welcome to the network. The Running gatherings category has a thread on rotas you might like.")]),
    ("running-gatherings", "leader@demo.leaders.example", "How do you share the work without a sign-up sheet nobody reads?",
     "Our repair evening has one person (me) doing everything: keys, kettle, chairs, the mailing list. "
     "Sign-up sheets stay empty. What has worked for you?",
     [(None, "editor@demo.leaders.example",
       "We stopped asking for volunteers and started asking one named person for one small thing. "
       "\"Could you bring the extension leads on the 14th?\" gets a yes nine times out of ten."),
      (0, "leader@demo.leaders.example", "That is so simple it hurts. Did it last beyond the first month?"),
      (1, "editor@demo.leaders.example",
       "It did, because after three small things people start offering the fourth themselves."),
      (None, "member@demo.leaders.example", "Posting this by mistake, sorry, wrong thread."),
      (None, "admin@demo.leaders.example",
       "A rota on paper by the kettle worked for us: people see it while they wait for the water.")]),
    ("learning-together", "editor@demo.leaders.example", "A practice that changed our meetings: the round",
     "Before any decision, everyone speaks once, in turn, without interruption. It takes ten minutes "
     "and it stopped the same three voices deciding everything.",
     [(None, "member@demo.leaders.example",
       "We tried this and the quiet ones said the most useful things. Do you time each turn?"),
      (0, "editor@demo.leaders.example", "No timer; we ask people to keep it to a breath or two."),
      (None, "leader@demo.leaders.example", "Adding this to our next planning night.")]),
    ("leaders-circle", "leader@demo.leaders.example", "When a long-time volunteer wants to step back",
     "One of our founders told me she is tired. I want to honour what she built without making her "
     "feel guilty for leaving. How have you handled a goodbye like this?",
     [(None, "admin@demo.leaders.example",
       "Ask her what she would like to hand over, and to whom. Leaving well is a role too."),
      (0, "leader@demo.leaders.example", "That reframes it. I will ask her over coffee this week.")]),
]
PINNED = "A practice that changed our meetings: the round"
DELETED = "Posting this by mistake, sorry, wrong thread."
FLAGGED = "A rota on paper by the kettle worked for us: people see it while they wait for the water."
STEWARDS = {"introductions": "leader@demo.leaders.example",
            "running-gatherings": "leader@demo.leaders.example",
            "learning-together": "editor@demo.leaders.example",
            "leaders-circle": "admin@demo.leaders.example"}


def seed_forum(_rng, _options) -> dict[str, int]:
    """The forum's demo, once: nothing is added when categories exist."""
    if db.session.scalar(select(func.count()).select_from(ForumCategory)):
        return {"forum_threads": 0}
    people = {email: accounts.find_by_email(email) for email in
              {email for thread in THREADS for email in [thread[1]] + [a[1] for a in thread[4]]}
              | set(STEWARDS.values()) | {"member@demo.leaders.example"}}
    if any(person is None for person in people.values()):
        return {"forum_threads": 0}  # the demo accounts come first (app/features.py)
    last_mail = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    intro, items = DEMO_GUIDELINES
    members.publish_guidelines(intro, items, people["admin@demo.leaders.example"])
    categories = {}
    for position, (name, slug, description, members_only) in enumerate(CATEGORIES):
        category = ForumCategory(name=name, slug=slug, description=description, position=position,
                                 members_only=members_only)
        db.session.add(category)
        db.session.flush()
        db.session.add(ForumSteward(category_id=category.id, user_id=people[STEWARDS[slug]].id))
        categories[slug] = category
    db.session.flush()
    by_text: dict[str, ForumPost] = {}
    for slug, author, title, opening_text, answers in THREADS:
        opening = posting.start_thread(people[author], categories[slug], title, opening_text,
                                       accepted_guidelines=True, form_token=secrets.token_hex(12))
        written = []
        for answering, writer, text in answers:
            parent = opening if answering is None else written[answering]
            written.append(posting.reply(people[writer], opening.thread, parent, text,
                                         accepted_guidelines=True, form_token=secrets.token_hex(12)))
            by_text[text] = written[-1]
        by_text[title] = opening
        db.session.flush()
    for post in by_text.values():
        post.appreciation_count = 0
    for text, fans in ((PINNED, ["member", "leader", "admin"]),
                       ("Then the café is part of your team. Have you thanked her in front of everyone yet?",
                        ["member", "editor"]),
                       (THREADS[1][4][0][2], ["leader", "member", "admin"])):
        post = by_text[text]
        for who in fans:
            person = people[f"{who}@demo.leaders.example"]
            if person.id != post.author_id:
                db.session.add(ForumAppreciation(post_id=post.id, user_id=person.id))
                post.appreciation_count += 1
    by_text[PINNED].thread.pinned = True
    posting.forget_text(by_text[DELETED])
    flagger = people["member@demo.leaders.example"]
    moderation.flag(flagger, by_text[FLAGGED], len(items),  # the last item: no spam
                    "This reads like a sales pitch to me; could a steward take a look?")
    # The demo's replies are not mailed to anyone; the in-app notifications stay.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > last_mail))
    db.session.commit()
    return {"forum_threads": len(THREADS)}
