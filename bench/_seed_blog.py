"""Bench-only seeding for bench/pages.py: published blog posts and featured home-page quotes.

Publishing 10,000 posts through the editorial workflow takes far too long, so this writes what
the workflow leaves behind for a published post, with SQLAlchemy Core bulk inserts: proposals
in state `published`, stage `post`, with a slug, an excerpt made the way the workflow makes it,
a first-submitted time and published_at spread over the last two years; their tags; and a
`publish` event each. Authors are seeded leaders (their users), so bylines link to profiles.
It also features quotes on ~30 profiles spread over the directory (the home page shows six).

Run with the app's Python and the benchmark's environment (LEADERS_DATABASE_URL ...); does
nothing for what is already there:
    .venv/bin/python bench/_seed_blog.py --posts 10000 --quotes 30
"""
import argparse
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, update  # noqa: E402

from app import create_app  # noqa: E402
from app.editorial.workflow import Stage, State  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models.accounts import Role, User  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.models.directory import LeaderProfile  # noqa: E402
from app.models.editorial import Event, Proposal, Tag, proposal_tags  # noqa: E402
from app.text.markdown import excerpt, slugify  # noqa: E402

BATCH = 1000
TITLE_MARK = "[bench]"  # in why_it_matters: how a rerun finds the posts it made
TAGS = ["mentoring", "youth", "climate", "literacy", "health", "coding", "music", "sport",
        "refugees", "elders", "gardening", "libraries", "women in tech", "housing", "food",
        "volunteering", "neighbourhoods", "languages", "art", "mental health", "jobs", "schools",
        "cycling", "repair cafés", "reading circles", "water", "farming", "science", "theatre",
        "disability", "fundraising", "open data", "chess", "football", "choirs", "rivers",
        "recycling", "care", "startups", "history"]
OPENINGS = ["How we", "Why our", "What I learned when", "Ten years of", "The night", "A year after",
            "Notes from", "When the", "Building", "Small steps:", "Letters from", "Starting"]
SUBJECTS = ["reading circle", "repair café", "neighbourhood choir", "coding club", "river clean-up",
            "community garden", "chess club for seniors", "homework club", "football league",
            "language exchange", "food bank", "mentoring network", "tool library", "theatre group",
            "cycling school", "night school", "market stall co-op", "youth radio"]
PLACES = ["in Lagos", "in São Paulo", "on our street", "in a small town", "in Mumbai", "in Nairobi",
          "in Berlin", "after the flood", "in the old library", "in Jakarta", "by the harbour",
          "in Mexico City", "above the bakery", "in Tokyo", "in Cairo", "in Chicago"]
ENDINGS = ["grew", "found its feet", "nearly closed", "doubled", "changed us", "began", "keeps going",
           "learned to listen", "moved online", "came home"]
WORDS = ("we the neighbours met every week and talked about what was missing on our street after "
         "school the children had nowhere to go so a retired teacher opened her kitchen and soon "
         "there were twenty of them reading aloud volunteers came from the market the mosque the "
         "church and the football club nobody was paid and everybody brought something chairs "
         "books tea a projector a spare room the council noticed later than the parents did "
         "money was always short but time was not what mattered was showing up again and again "
         "until it became normal to help and to ask for help").split()


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(9, 22))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "!", "?"])


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def body_of(rng: random.Random, title: str) -> str:
    """A Markdown post of about 400-900 words: paragraphs, headings, a list, a quote, a link."""
    parts = [paragraph(rng), paragraph(rng)]
    for heading in rng.sample(["How it started", "What worked", "What did not", "The people",
                               "Money", "What comes next", "How to join in", "A Tuesday evening"],
                              rng.randint(2, 4)):
        parts.append(f"## {heading}")
        parts += [paragraph(rng) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.4:
            parts.append("\n".join(f"- **{rng.choice(WORDS)}**: {sentence(rng)}"
                                   for _ in range(rng.randint(3, 5))))
        if rng.random() < 0.3:
            parts.append(f"> {sentence(rng)} *{sentence(rng)}*")
    parts.append(f"Read more about *{title.lower()}* on [our page](https://example.org/"
                 f"{slugify(title, 40)}) or write to us: there is always a spare seat.")
    return "\n\n".join(parts)


QUOTES = ["Leadership is noticing who is missing from the room and going to fetch them.",
          "We did not wait for permission; we waited for the kettle to boil.",
          "A community is a promise kept on a Tuesday evening.",
          "The best meeting I ever ran had no agenda and twenty chairs.",
          "Ask people what they can give, not what they need.",
          "Every neighbourhood has a library; some of them are people.",
          "Small, every week, for years: that is the whole secret.",
          "If the children run the meeting, the adults show up on time."]


def seed_posts(rng: random.Random, wanted: int) -> int:
    have = db.session.scalar(select(func.count()).select_from(Proposal).where(
        Proposal.why_it_matters == TITLE_MARK)) or 0
    if have >= wanted:
        return 0
    # Authors: a few thousand seeded leaders with public profiles, spread over the directory.
    authors = list(db.session.scalars(
        select(LeaderProfile.user_id).where(LeaderProfile.listed.is_(True))
        .order_by(LeaderProfile.id).limit(200_000)))[::7][:3000]
    editor = db.session.scalar(select(User.id).where(User.role == Role.EDITOR).order_by(User.id))
    if not authors:
        raise SystemExit("seed the leaders first")
    tag_ids = {}
    for name in TAGS:
        slug = slugify(name, 40)
        found = db.session.scalar(select(Tag.id).where(Tag.slug == slug))
        if found is None:
            found = db.session.execute(insert(Tag).values(name=name, slug=slug)
                                       .returning(Tag.id)).scalar_one()
        tag_ids[slug] = found
    taken = set(db.session.scalars(select(Proposal.slug).where(Proposal.slug.is_not(None))))
    now = utcnow()
    rows, chosen_tags = [], []
    for number in range(have, wanted):
        title = (f"{rng.choice(OPENINGS)} {rng.choice(SUBJECTS)} {rng.choice(PLACES)} "
                 f"{rng.choice(ENDINGS)}")
        slug = base = slugify(title, 80)
        suffix = 2
        while slug in taken:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(slug)
        body = body_of(rng, title)
        published = now - timedelta(days=730 * rng.random())
        started = published - timedelta(days=rng.randint(3, 40))
        rows.append({
            "author_id": rng.choice(authors), "editor_id": editor, "state": State.PUBLISHED,
            "stage": Stage.POST, "title": title, "summary": sentence(rng),
            "why_it_matters": TITLE_MARK, "body": body, "excerpt": excerpt(body, 40),
            "cover_image": None, "cover_alt": "", "slug": slug, "created_at": started,
            "saved_at": published, "waiting_since": published, "first_submitted_at": started,
            "publish_at": None, "published_at": published, "version": 1, "form_token": None})
        chosen_tags.append(rng.sample(sorted(tag_ids.values()), rng.randint(1, 3)))
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(Proposal.__table__), rows[start:start + BATCH])
    ids = dict(db.session.execute(select(Proposal.slug, Proposal.id).where(
        Proposal.why_it_matters == TITLE_MARK)).all())
    tag_rows, event_rows = [], []
    for row, tags in zip(rows, chosen_tags):
        proposal_id = ids[row["slug"]]
        tag_rows += [{"proposal_id": proposal_id, "tag_id": tag_id} for tag_id in tags]
        event_rows.append({"proposal_id": proposal_id, "actor_id": editor, "action": "publish",
                           "from_state": State.SCHEDULED, "to_state": State.PUBLISHED,
                           "note": None, "created_at": row["published_at"]})
    for start in range(0, len(tag_rows), BATCH):
        db.session.execute(insert(proposal_tags), tag_rows[start:start + BATCH])
    for start in range(0, len(event_rows), BATCH):
        db.session.execute(insert(Event.__table__), event_rows[start:start + BATCH])
    return len(rows)


def feature_quotes(rng: random.Random, wanted: int) -> int:
    have = db.session.scalar(select(func.count()).select_from(LeaderProfile).where(
        LeaderProfile.featured_quote.is_(True))) or 0
    if have >= wanted:
        return 0
    highest = db.session.scalar(select(func.max(LeaderProfile.id))) or 0
    step = max(1, highest // wanted)
    now = utcnow()
    done = 0
    for number, profile_id in enumerate(range(step // 2 or 1, highest + 1, step)):
        if done >= wanted - have:
            break
        done += db.session.execute(
            update(LeaderProfile).where(LeaderProfile.id == profile_id,
                                        LeaderProfile.featured_quote.is_(False))
            .values(quote=QUOTES[number % len(QUOTES)], featured_quote=True,
                    updated_at=now - timedelta(hours=number))).rowcount
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--quotes", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(2026)
    with create_app().app_context():
        posts = seed_posts(rng, args.posts)
        quotes = feature_quotes(rng, args.quotes)
        db.session.commit()
    print(f"{posts:,} blog posts published, {quotes} quotes featured")


if __name__ == "__main__":
    main()
