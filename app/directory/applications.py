"""Becoming a leader: a member applies, an administrator approves or declines with a reason."""
from flask import current_app
from sqlalchemy import bindparam, select

from app import mail
from app.database import lock_row
from app.directory.services import DirectoryError
from app.extensions import db
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.directory import ApplicationStatus, LeaderApplication
from app.prepared import prepared
from app.urls import site_url


def pending_application(user: User) -> LeaderApplication | None:
    return db.session.scalar(select(LeaderApplication).where(
        LeaderApplication.user_id == user.id, LeaderApplication.status == ApplicationStatus.PENDING))


def has_pending_application(user: User) -> bool:
    """Whether the person's application waits for a decision (the navigation asks on every
    page a member sees: a prepared statement, no ORM object)."""
    connection = db.session.connection()
    return bool(prepared(connection, ("directory, pending application",), lambda: (
        select(LeaderApplication.id).where(LeaderApplication.user_id == bindparam("user_id"),
                                           LeaderApplication.status == ApplicationStatus.PENDING).limit(1))
    ).rows(connection, {"user_id": user.id}))


def apply_to_lead(user: User, motivation: str) -> LeaderApplication:
    if user.role != Role.MEMBER:
        raise DirectoryError("Your account can already keep a leader profile.")
    lock_row(User, user.id)  # a double submit makes one application, not two
    if pending_application(user) is not None:
        raise DirectoryError("You have already applied. You will get an email when an "
                             "administrator decides.")
    application = LeaderApplication(user_id=user.id, motivation=motivation.strip())
    db.session.add(application)
    db.session.flush()
    return application


def applications(status: ApplicationStatus = ApplicationStatus.PENDING) -> list[LeaderApplication]:
    return list(db.session.scalars(select(LeaderApplication)
                                   .where(LeaderApplication.status == status)
                                   .order_by(LeaderApplication.created_at, LeaderApplication.id)))


def _decide(admin: User, application: LeaderApplication, status: ApplicationStatus) -> None:
    lock_row(LeaderApplication, application.id)  # two admins deciding at once: one decision
    db.session.refresh(application)
    if application.status != ApplicationStatus.PENDING:
        raise DirectoryError("This application was already decided.")
    application.status = status
    application.decided_by_id = admin.id
    application.decided_at = utcnow()


def approve_application(admin: User, application: LeaderApplication) -> None:
    """Make the applicant a leader (members only: no one is demoted by an approval)."""
    _decide(admin, application, ApplicationStatus.APPROVED)
    user = application.user
    if user.role == Role.MEMBER:
        user.role = Role.LEADER
    mail.queue(user.email, "You are now a leader on " + current_app.config["SITE_NAME"],
               "leader_application_approved", kind="application", user=user,
               link=site_url("directory.my_profile"))


def decline_application(admin: User, application: LeaderApplication, reason: str = "") -> None:
    """Decline, keeping the administrator's reason, which the applicant receives by email."""
    _decide(admin, application, ApplicationStatus.DECLINED)
    application.decline_reason = (reason or "").strip()
    user = application.user
    mail.queue(user.email, "About your application to become a leader",
               "leader_application_declined", kind="application", user=user,
               reason=application.decline_reason, link=site_url("directory.apply"))
