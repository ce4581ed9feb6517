"""The gatherings' addresses in the sitemap: the lists and every upcoming public gathering (past
ones stay reachable from the archive; they are no longer worth a crawler's visit)."""
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.gatherings import Gathering, State
from app.urls import site_url

MAX_ENTRIES = 49_000


def sitemap_entries():
    yield site_url("gatherings.index"), None
    yield site_url("gatherings.past"), None
    rows = db.session.execute(
        select(Gathering.id, Gathering.updated_at)
        .where(Gathering.state == State.PUBLISHED, Gathering.partnership_id.is_(None), Gathering.ends_at > utcnow())
        .order_by(Gathering.starts_at, Gathering.id).limit(MAX_ENTRIES))
    for gathering_id, changed in rows:
        yield site_url("gatherings.show", gathering_id=gathering_id), changed
