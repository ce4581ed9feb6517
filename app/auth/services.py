"""Account rules: registration, tokens, authentication, password and email changes."""
import hashlib
from datetime import timedelta
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from app import mail
from app.auth import sessions
from app.database import insert_unique
from app.extensions import db
from app.models.accounts import (Role, User, UserSession, hash_password, normalize_email,
                                 password_hash_method)
from app.models.base import utcnow
from app.models.mail import OutboxMessage
from app.urls import site_url

# A second sign-up this soon after the first is a double submit: its owner needs no warning.
_JUST_REGISTERED = timedelta(minutes=15)
# At most one "someone tried to register with your address" mail per address in this time.
_ACCOUNT_EXISTS_MAIL_EVERY = timedelta(hours=1)


@cache
def _dummy_hash(method: str | None) -> str:
    return hash_password("not-a-real-password")


def dummy_hash() -> str:
    """A real hash to check against when the email is unknown, so both answers take as long
    (made as users' hashes are, one per method, so it costs the same)."""
    return _dummy_hash(password_hash_method())


class AccountError(Exception):
    """A rule was broken; the message tells the person how to fix it."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def email_taken(email: str) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.email == normalize_email(email))
    ) > 0


def _new_user(email: str, display_name: str, password: str, role: Role = Role.MEMBER,
              *, verified: bool = False) -> User:
    user = User(email=email, display_name=display_name.strip(), role=role,
                email_verified_at=utcnow() if verified else None)
    user.set_password(password)
    return user


def create_user(email: str, display_name: str, password: str, role: Role = Role.MEMBER,
                *, verified: bool = False) -> User:
    email = normalize_email(email)
    if email_taken(email):
        raise AccountError("An account with this email already exists. Log in instead.")
    user = _new_user(email, display_name, password, role, verified=verified)
    if not insert_unique(user):  # registered a moment ago, by a double submit or another tab
        raise AccountError("An account with this email already exists. Log in instead.")
    return user


def register(email: str, display_name: str, password: str) -> None:
    """Sign up, and mail a link to confirm the address. If the address has an account
    already, mail its owner instead and create nothing. Both do the same work (a password
    hash, one mail), so neither the answer nor its time tells which it was."""
    email = normalize_email(email)
    owner = find_by_email(email)
    if owner is None:
        user = _new_user(email, display_name, password)
        if insert_unique(user):
            send_verification(user)
            return
        owner = find_by_email(email)  # registered a moment ago, by a double submit or another tab
    else:
        hash_password(password)  # the work of a new account, so it takes as long
    if owner is not None:
        _tell_owner_of_registration(owner)


def _tell_owner_of_registration(user: User) -> None:
    """Someone signed up with this address: say so to its owner, with ways back in."""
    now = utcnow()
    if not user.active or user.created_at > now - _JUST_REGISTERED:
        return  # a deactivated account, or the same person's double submit
    already_told = db.session.scalar(select(exists().where(
        OutboxMessage.to == user.email, OutboxMessage.kind == "account-exists",
        OutboxMessage.created_at > now - _ACCOUNT_EXISTS_MAIL_EVERY)))
    if already_told:
        return
    mail.queue(user.email, "Someone tried to create an account with your email address",
               "account_exists", kind="account-exists", user=user,
               login_link=site_url("auth.login"), reset_link=site_url("auth.forgot_password"))


# Email verification ---------------------------------------------------------------------

def verification_token(user: User) -> str:
    return _serializer("verify-email").dumps({"uid": user.id, "email": user.email})


def send_verification(user: User) -> None:
    link = site_url("auth.verify_email", token=verification_token(user))
    mail.queue(user.email, "Confirm your email address", "verify_email", kind="verify",
               user=user, link=link)


def user_for_verification(token: str) -> User:
    data = _load(token, "verify-email", current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise AccountError("This link is no longer valid. Log in and ask for a new one.")
    return user


def verify_email(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()


# Logging in -------------------------------------------------------------------------------

def authenticate(email: str, password: str) -> User | None:
    """The user when the email and password match; None otherwise, in the same time."""
    user = find_by_email(email)
    if user is None:
        User(password_hash=dummy_hash()).check_password(password)
        return None
    if not user.check_password(password):
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()


# Forgotten password -----------------------------------------------------------------------

def _password_fingerprint(user: User) -> str:
    # Changes whenever the password changes, so a reset link works once.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; say nothing either way (the route calls this
    after its answer has been sent, so the answer takes as long for either)."""
    user = find_by_email(email)
    if user is None or not user.active:
        return
    token = _serializer("reset-password").dumps({"uid": user.id, "pw": _password_fingerprint(user)})
    link = site_url("auth.reset_password", token=token)
    mail.queue(user.email, "Reset your password", "reset_password", kind="reset",
               user=user, link=link)


def user_for_reset(token: str) -> User:
    data = _load(token, "reset-password", current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or data.get("pw") != _password_fingerprint(user):
        raise AccountError("This reset link has already been used or is no longer valid. "
                           "Ask for a new one.")
    return user


def set_new_password(user: User, password: str, *, keep: UserSession | None = None) -> None:
    """Set the password and end every session (but `keep`), including remember-me cookies."""
    user.set_password(password)
    user.end_sessions(keep=keep)


# Changing email ---------------------------------------------------------------------------

def request_email_change(user: User, new_email: str) -> None:
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise AccountError("That is already your email address.")
    if email_taken(new_email):
        raise AccountError("Another account uses this email address.")
    token = _serializer("change-email").dumps({"uid": user.id, "new": new_email,
                                              "old": user.email})
    link = site_url("account.confirm_email", token=token)
    mail.queue(new_email, "Confirm your new email address", "change_email", kind="verify",
               user=user, link=link, new_email=new_email)
    mail.queue(user.email, "Your email address is being changed", "email_change_notice",
               kind="security", user=user, new_email=new_email)


def email_change_from_token(token: str) -> tuple[User, str]:
    data = _load(token, "change-email", current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("old"):
        raise AccountError("This link is no longer valid. Ask for the change again.")
    return user, data["new"]


def change_email(user: User, new_email: str) -> None:
    if email_taken(new_email):
        raise AccountError("Another account uses this email address.")
    try:
        with db.session.begin_nested():
            user.email = new_email
            user.email_verified_at = utcnow()
    except IntegrityError:  # another account took the address a moment ago
        raise AccountError("Another account uses this email address.") from None


# The account in the feature list (app/features.py) ------------------------------------------

def export_data(user: User) -> dict:
    """The first sections of "download my data": the account and its sessions."""
    data = {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role.value,
            "email_verified_at": _iso(user.email_verified_at),
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
    }
    data["sessions"] = [
        {"browser": row.browser, "platform": row.platform, "network": row.network,
         "kept_logged_in": row.remember, "signed_in_at": _iso(row.created_at),
         "last_seen_at": _iso(row.last_seen_at)}
        for row in sessions.of_user(user)
    ]
    return data


def _iso(value) -> str | None:
    return value.isoformat() + "Z" if value else None


def _load(token: str, salt: str, max_age: int) -> dict:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise AccountError("This link has expired. Ask for a new one.") from error
    except BadSignature as error:
        raise AccountError("This link is not valid. Check you copied all of it.") from error
    if not isinstance(data, dict):
        raise AccountError("This link is not valid. Check you copied all of it.")
    return data
