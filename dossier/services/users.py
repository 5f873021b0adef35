"""Users, passwords (werkzeug's scrypt hashing) and API tokens (stored only as digests)."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from dossier.actor import Actor
from dossier.errors import AlreadyExists, InvalidInput, NotFound
from dossier.models import ApiToken, User, utcnow
from dossier.permissions import Permission, parse_role, require

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "dos_"
_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
# A hash to compare against when the user does not exist, so timing does not reveal usernames.
_DUMMY_HASH = generate_password_hash("dossier-dummy-password")


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password must have at least {MIN_PASSWORD_LENGTH} characters")


def add_user(
    session: Session,
    actor: Actor,
    username: str,
    role: str,
    password: str | None = None,
    display_name: str | None = None,
) -> tuple[User, str | None]:
    """Create a user; returns the user and the password when one was generated."""
    require(actor, Permission.ADMIN)
    if not _USERNAME_RE.match(username or ""):
        raise InvalidInput(f"{username!r} is not a username: use 2-64 letters, digits, '.', '_' or '-'")
    role_value = parse_role(role).value
    if session.scalar(select(User.id).where(User.username == username)):
        raise AlreadyExists(f"user {username} already exists")
    generated = None
    if password is None:
        password = generated = generate_password()
    _check_password(password)
    user = User(
        username=username,
        role=role_value,
        display_name=display_name,
        password_hash=generate_password_hash(password),
        active=True,
    )
    session.add(user)
    session.flush()
    return user, generated


def set_password(session: Session, actor: Actor, username: str, password: str | None = None) -> str | None:
    require(actor, Permission.ADMIN)
    user = get_user(session, username)
    generated = None
    if password is None:
        password = generated = generate_password()
    _check_password(password)
    user.password_hash = generate_password_hash(password)
    return generated


def set_active(session: Session, actor: Actor, username: str, active: bool) -> User:
    require(actor, Permission.ADMIN)
    user = get_user(session, username)
    user.active = active
    if not active:
        for token in user.tokens:
            token.revoked_at = token.revoked_at or utcnow()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"there is no user {username}")
    return user


def list_users(session: Session, actor: Actor) -> list[User]:
    require(actor, Permission.ADMIN)
    return list(session.scalars(select(User).order_by(User.username)).all())


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or None (same work either way)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, actor: Actor, username: str, name: str | None = None) -> str:
    """A new API token for ``username``; shown once, stored as its SHA-256 digest."""
    require(actor, Permission.ADMIN)
    user = get_user(session, username)
    if not user.active:
        raise InvalidInput(f"user {username} is deactivated")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, token_hash=_digest(token), prefix=token[:10], name=name))
    return token


def user_for_token(session: Session, token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user
