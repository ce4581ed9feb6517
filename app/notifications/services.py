"""Notifying people: the in-app list, mail when they want it, their choices per kind."""
from __future__ import annotations

from sqlalchemy import bindparam, delete, func, select

from app import mail
from app.database import get_or_create
from app.extensions import db
from app.models.accounts import User
from app.models.base import utcnow
from app.models.notifications import Notification, NotificationPreference
from app.notifications.kinds import Kind, kinds
from app.notifications.unsubscribe import unsubscribe_url
from app.prepared import prepared


def wants_email(user: User, kind: str | Kind) -> bool:
    declared = kind if isinstance(kind, Kind) else kinds()[kind]
    choice = db.session.scalar(select(NotificationPreference.email).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == declared.name))
    return declared.email_by_default if choice is None else bool(choice)


def wanting_email(user_ids: list[int], kind: str | Kind) -> set[int]:
    """Of these people, those who want this kind's mail: one statement for a reply's many
    followers."""
    declared = kind if isinstance(kind, Kind) else kinds()[kind]
    if not user_ids:
        return set()
    chosen = dict(db.session.execute(select(NotificationPreference.user_id, NotificationPreference.email).where(
        NotificationPreference.user_id.in_(user_ids), NotificationPreference.kind == declared.name)).all())
    return {user_id for user_id in user_ids
            if (declared.email_by_default if chosen.get(user_id) is None else bool(chosen[user_id]))}


def email_choices(user: User) -> dict[str, bool]:
    """The person's choice for every kind that sends mail."""
    return {kind.name: wants_email(user, kind) for kind in kinds().with_mail()}


def set_email_choice(user: User, kind: str, wanted: bool) -> None:
    preference = get_or_create(
        NotificationPreference, lambda: NotificationPreference(user_id=user.id, kind=kind),
        user_id=user.id, kind=kind)
    preference.email = bool(wanted)


def set_email_choices(user: User, choices: dict[str, bool]) -> None:
    """Store the choices for the kinds this person is offered; the others stay as they were."""
    for kind in kinds().offered_to(user):
        set_email_choice(user, kind.name, bool(choices.get(kind.name)))


def notify(user: User, kind: str, message: str, path: str, *, subject: str | None = None,
           **context) -> Notification:
    """An in-app notification, and the kind's mail through the outbox when the person wants it.

    The mail ends with the one-click link that turns this kind off; context goes to its template.
    """
    declared = kinds()[kind]
    note = Notification(user_id=user.id, kind=kind, message=message[:300], link=path)
    db.session.add(note)
    if declared.sends_mail and user.active and wants_email(user, declared):
        queued = mail.queue(user.email, subject or message, declared.template, kind=kind,
                            user=user, **context)
        queued.body = queued.body.rstrip("\n") + "\n\n" + mail.render(
            "mail/_unsubscribe.txt", kind=declared, url=unsubscribe_url(user.id, kind))
    return note


def unread_count(user: User) -> int:
    """Unread notifications (the navigation shows it on every page: a prepared statement)."""
    connection = db.session.connection()
    rows = prepared(connection, ("notifications, unread count",), lambda: (
        select(func.count()).select_from(Notification).where(
            Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)))
    ).rows(connection, {"user_id": user.id})
    return rows[0][0] or 0


def mark_all_read(user: User) -> None:
    for note in db.session.scalars(select(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None))):
        note.read_at = utcnow()


def page_query(user: User):
    """The person's notifications, newest first."""
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.id.desc()))


# Notifications in the feature list (app/features.py) --------------------------------------

def export_data(user: User) -> dict:
    """The person's part of "download my data": what they were told, and their mail choices."""
    notes = db.session.scalars(page_query(user)).all()
    return {"notifications": {
        "email_choices": email_choices(user),
        "received": [{"kind": note.kind, "message": note.message, "link": note.link,
                      "at": note.created_at.isoformat(),
                      "read_at": note.read_at.isoformat() if note.read_at else None}
                     for note in notes],
    }}


def forget_user(user: User) -> None:
    """Before the account goes: their notifications and mail choices (not left to the
    database's ON DELETE CASCADE, which an SQLite connection without foreign keys skips)."""
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user.id))
