"""Who may do what: every can_<verb>(user, obj) in one place, for views and templates."""
from app.models.accounts import Role


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_admin(user) -> bool:
    return _signed_in(user) and user.role == Role.ADMIN


def is_editor(user) -> bool:
    """Editors and admins review proposals."""
    return _signed_in(user) and user.role in (Role.EDITOR, Role.ADMIN)


def can_manage_users(user) -> bool:
    return is_admin(user)


def can_change_role(user, target) -> bool:
    """Admins change other people's roles; never their own, so the last admin stays one."""
    return is_admin(user) and target.id != user.id


def can_deactivate(user, target) -> bool:
    return is_admin(user) and target.id != user.id


ALL = {
    name: value for name, value in globals().items()
    if name.startswith(("can_", "is_")) and callable(value)
}
