"""The one list of features: what each exports, forgets, lists in the sitemap, seeds and
notifies about."""
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from app import demo
from app.auth import services as accounts
from app.blog import services as blog
from app.directory import demo as directory_demo
from app.directory import services as directory
from app.editorial import demo as editorial_demo
from app.editorial import notifications as editorial_notifications
from app.editorial import services as editorial
from app.models.accounts import User
from app.notifications import services as notifications
from app.notifications.kinds import Kind
from app.pages import services as pages

SitemapEntry = tuple[str, datetime | None]  # absolute address, last change if known


@dataclass(frozen=True)
class Feature:
    """What a feature offers the site; each part is optional."""

    name: str
    # Its sections of "download my data": {key: JSON-ready data}.
    export_data: Callable[[User], dict] | None = None
    # Removes everything the person owns in it, before their account row goes (same
    # transaction); stored files go once that commits.
    forget_user: Callable[[User], None] | None = None
    sitemap_entries: Callable[[], Iterable[SitemapEntry]] | None = None
    # Adds its demo data (rng, {"leaders": ...}) -> counts by name; safe to run again.
    seed_demo: Callable[[random.Random, dict], dict[str, int]] | None = None
    # The kinds of notification it sends (app/notifications/kinds.py): the settings page
    # offers them, the unsubscribe links name them.
    notification_kinds: tuple[Kind, ...] = ()


# In this order: the sections of the data download, the sitemap's addresses, the demo's
# seeding (the directory's leaders before the editorial workflow gives some of them posts).
FEATURES: tuple[Feature, ...] = (
    Feature("account", export_data=accounts.export_data, seed_demo=demo.seed_accounts),
    Feature("pages", sitemap_entries=pages.sitemap_entries),
    Feature("blog", sitemap_entries=blog.sitemap_entries),
    Feature("directory", export_data=directory.export_data, forget_user=directory.forget_user,
            sitemap_entries=directory.sitemap_entries, seed_demo=directory_demo.seed_directory),
    Feature("editorial", export_data=editorial.export_data, forget_user=editorial.forget_user,
            seed_demo=editorial_demo.seed_editorial,
            notification_kinds=editorial_notifications.KINDS),
    Feature("notifications", export_data=notifications.export_data,
            forget_user=notifications.forget_user),
)


def export_data(user: User) -> dict:
    data = {}
    for feature in FEATURES:
        if feature.export_data:
            data.update(feature.export_data(user))
    return data


def notification_kinds() -> list[Kind]:
    return [kind for feature in FEATURES for kind in feature.notification_kinds]


def forget_user(user: User) -> None:
    for feature in FEATURES:
        if feature.forget_user:
            feature.forget_user(user)


def sitemap_entries() -> Iterable[SitemapEntry]:
    for feature in FEATURES:
        if feature.sitemap_entries:
            yield from feature.sitemap_entries()


def seed_demo(seed: int = 2026, **options) -> dict[str, int]:
    """Every feature's demo data, each from its own generator of the same seed."""
    counts: dict[str, int] = {}
    for feature in FEATURES:
        if feature.seed_demo:
            counts.update(feature.seed_demo(random.Random(seed), options) or {})
    return counts
