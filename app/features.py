"""The one list of features: what each exports, forgets, lists in the sitemap, seeds and
notifies about."""
import random
from dataclasses import dataclass
from typing import Callable, Iterable

from app import demo
from app.auth import services as accounts
from app.blog import services as blog
from app.directory import demo as directory_demo
from app.directory import services as directory
from app.editorial import demo as editorial_demo
from app.editorial import notifications as editorial_notifications
from app.editorial import services as editorial
from app.forum import data as forum_data
from app.forum import demo as forum_demo
from app.forum import notifications as forum_notifications
from app.forum import sitemap as forum_sitemap
from app.forum.moderation_kinds import MODERATION_KINDS
from app.gatherings import data as gathering_data
from app.gatherings import demo as gathering_demo
from app.gatherings import notifications as gathering_notifications
from app.gatherings import sitemap as gathering_sitemap
from app.partnerships import data as partnership_data
from app.partnerships import demo as partnership_demo
from app.partnerships import notifications as partnership_notifications
from app.alerts import data as alert_data
from app.alerts import demo as alert_demo
from app.alerts import notifications as alert_notifications
from app.models.accounts import User
from app.notifications import services as notifications
from app.notifications.kinds import Kind
from app.pages import services as pages
from app.sitemap import SitemapEntry, SitemapPart



@dataclass(frozen=True)
class Feature:
    """What a feature offers the site; each part is optional."""

    name: str
    # Its sections of "download my data": {key: JSON-ready data}.
    export_data: Callable[[User], dict] | None = None
    # Removes everything the person owns in it, before their account row goes (same
    # transaction); stored files go once that commits.
    forget_user: Callable[[User], None] | None = None
    # Its addresses in the sitemap: a few (at most 50,000) as sitemap_entries, or as parts
    # bounded without reading them (app/sitemap.py) when there may be more.
    sitemap_entries: Callable[[], Iterable[SitemapEntry]] | None = None
    sitemap_parts: Callable[[], list[SitemapPart]] | None = None
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
            sitemap_parts=directory.sitemap_parts, seed_demo=directory_demo.seed_directory),
    Feature("editorial", export_data=editorial.export_data, forget_user=editorial.forget_user,
            seed_demo=editorial_demo.seed_editorial,
            notification_kinds=editorial_notifications.KINDS),
    Feature("forum", export_data=forum_data.export_data, forget_user=forum_data.forget_user,
            sitemap_parts=forum_sitemap.sitemap_parts, seed_demo=forum_demo.seed_forum,
            notification_kinds=forum_notifications.KINDS + MODERATION_KINDS),
    Feature("gatherings", export_data=gathering_data.export_data,
            forget_user=gathering_data.forget_user, sitemap_entries=gathering_sitemap.sitemap_entries,
            seed_demo=gathering_demo.seed_gatherings,
            notification_kinds=gathering_notifications.KINDS),
    Feature("partnerships", export_data=partnership_data.export_data,
            forget_user=partnership_data.forget_user, seed_demo=partnership_demo.seed,
            notification_kinds=partnership_notifications.KINDS),
    Feature("alerts", export_data=alert_data.export_data, forget_user=alert_data.forget_user,
            seed_demo=alert_demo.seed, notification_kinds=alert_notifications.KINDS),
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


def sitemap_parts() -> list[SitemapPart]:
    """Every feature's part(s) of the sitemap, in the list's order; a small feature's part is
    named after it (/sitemap/blog.xml)."""
    parts: list[SitemapPart] = []
    for feature in FEATURES:
        if feature.sitemap_parts:
            parts.extend(feature.sitemap_parts())
        elif feature.sitemap_entries:
            parts.append(SitemapPart(feature.name, None, feature.sitemap_entries))
    return parts


def seed_demo(seed: int = 2026, **options) -> dict[str, int]:
    """Every feature's demo data, each from its own generator of the same seed."""
    counts: dict[str, int] = {}
    for feature in FEATURES:
        if feature.seed_demo:
            counts.update(feature.seed_demo(random.Random(seed), options) or {})
    return counts
