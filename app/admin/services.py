"""Admin rules for changing roles and deactivating accounts."""
from sqlalchemy import or_, select, update

from app import permissions
from app.extensions import db
from app.models.accounts import Role, User
from app.models.directory import LeaderProfile


class AdminError(Exception):
    """The change is not allowed; the message says why."""


def users_query(search: str = "", role: str = ""):
    query = select(User).order_by(User.display_name, User.id)
    search = search.strip()
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(or_(User.email.like(pattern), User.display_name.ilike(pattern)))
    if role in {member.value for member in Role}:
        query = query.where(User.role == Role(role))
    return query


def change_role(actor: User, target: User, role: Role) -> None:
    if not permissions.can_change_role(actor, target):
        raise AdminError("You cannot change your own role. Ask another administrator.")
    target.role = role


def deactivate(actor: User, target: User) -> None:
    if not permissions.can_deactivate(actor, target):
        raise AdminError("You cannot deactivate your own account.")
    target.active = False
    target.end_sessions()
    _keep_searchable(target)


def reactivate(target: User) -> None:
    target.active = True
    _keep_searchable(target)


def _keep_searchable(target: User) -> None:
    """The search reads leader_profiles.searchable (LeaderProfile.is_public kept as a column), not
    users: it changes with the account, at once."""
    db.session.flush()  # the rule reads users.active
    db.session.execute(update(LeaderProfile).where(LeaderProfile.user_id == target.id)
                       .values(searchable=LeaderProfile.is_public))
