"""Users, passwords (werkzeug's scrypt hashing) and API tokens (stored only as digests).

The password policy is here so the CLI and the web refuse the same passwords: at least
``MIN_PASSWORD_LENGTH`` characters and a zxcvbn score of at least ``MIN_PASSWORD_SCORE`` (about
10^8 guesses), with the user's own name and words common in Chinese passwords counted as easy;
the reason is given in Chinese. Changing a password or deactivating a user ends that user's web
sessions (the ``web_sessions`` rows), whoever did it.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from dossier.actor import Actor
from dossier.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from dossier.models import AccessAction, ApiToken, User, WebSession, utcnow
from dossier.permissions import Permission, parse_role, require
from dossier.services.access import record_refusal

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 too guessable … 4 very unguessable; 3 ≈ 10^8 guesses
# Counted as easy to guess besides zxcvbn's own lists (English passwords, words and names):
# pinyin and digits common in Chinese passwords, and this system's own vocabulary.
COMMON_WORDS = (
    "woaini",
    "5201314",
    "1314520",
    "521521",
    "zhangsan",
    "lisi",
    "wangwu",
    "zhongguo",
    "beijing",
    "shanghai",
    "wuye",
    "dangan",
    "kefu",
    "guanli",
    "mima",
    "dossier",
    "archive",
)
_PATTERN_REASONS = {
    "repeat": "重复的字符（如 aaa）",
    "sequence": "连续的字母或数字（如 abc、123）",
    "spatial": "键盘上相邻的按键（如 qwerty、1qaz）",
    "date": "日期",
    "regex": "年份",
}
_ZXCVBN_LOCK = threading.Lock()  # zxcvbn keeps each call's user inputs in a module-level dict
TOKEN_PREFIX = "dos_"
_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
# A hash to compare against when the user does not exist, so timing does not reveal usernames.
_DUMMY_HASH = generate_password_hash("dossier-dummy-password")


def generate_password() -> str:
    while True:  # 16 random characters; drawn again in the rare case zxcvbn objects
        password = secrets.token_urlsafe(12)
        if password_problem(password) is None:
            return password


def _weaknesses(result: dict) -> list[str]:
    """What made zxcvbn's estimate low, as Chinese phrases (in the order found, no repeats)."""
    reasons: list[str] = []
    for match in result.get("sequence") or []:
        pattern = match.get("pattern")
        reason: str | None
        if pattern == "dictionary":
            name = match.get("dictionary_name")
            reason = (
                "常见密码"
                if name == "passwords"
                else "用户名、姓名或常用词（如 woaini、5201314）"
                if name == "user_inputs"
                else "常见单词或人名"
            )
        else:
            reason = _PATTERN_REASONS.get(pattern or "")
        if reason and reason not in reasons:
            reasons.append(reason)
    return reasons


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is refused (a Chinese sentence), or None when it is acceptable."""
    from zxcvbn import zxcvbn  # reason: 90 ms at import; only password changes need it

    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"密码不能超过 {MAX_PASSWORD_LENGTH} 个字符。"
    inputs = [value for value in user_inputs if value] + list(COMMON_WORDS)
    with _ZXCVBN_LOCK:
        # zxcvbn refuses more than 72 characters; a strong beginning makes the whole strong.
        result = zxcvbn(password[:72], user_inputs=inputs)
    if result["score"] >= MIN_PASSWORD_SCORE:
        return None
    found = _weaknesses(result)
    because = f"：含有{'、'.join(found)}" if found else ""
    return f"密码太容易被猜到{because}。请换一个更长、更不规则的密码，例如几个不相关的词再加上数字或符号。"


def check_password(password: str, username: str = "", display_name: str | None = None) -> None:
    """Refuse a password the policy does not accept (InvalidInput with the Chinese reason)."""
    problem = password_problem(password, (username, display_name or ""))
    if problem is not None:
        raise InvalidInput(problem)


def end_sessions(session: Session, user: User) -> int:
    """Delete ``user``'s web sessions (signed out everywhere); returns how many there were."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return int(getattr(result, "rowcount", 0) or 0)


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
    role_value = parse_role(role)
    if session.scalar(select(User.id).where(User.username == username)):
        raise AlreadyExists(f"user {username} already exists")
    generated = None
    if password is None:
        password = generated = generate_password()
    check_password(password, username, display_name)
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
    check_password(password, user.username, user.display_name)
    user.password_hash = generate_password_hash(password)
    end_sessions(session, user)
    return generated


def set_active(session: Session, actor: Actor, username: str, active: bool) -> User:
    require(actor, Permission.ADMIN)
    user = get_user(session, username)
    user.active = active
    if not active:
        for token in user.tokens:
            token.revoked_at = token.revoked_at or utcnow()
        end_sessions(session, user)
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"there is no user {username}")
    return user


def username_exists(session: Session, username: str) -> bool:
    """Whether ``username`` names a user (to tell a mistyped name from a real one in the log)."""
    return session.scalar(select(User.id).where(User.username == username)) is not None


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


def verify_credential(
    session: Session, username: str, secret: str, *, actor: Actor | None = None, action: str | None = None
) -> User:
    """Four-eyes (CLI): ``secret`` must be the password of ``username`` or one of its live API
    tokens (``dos_...``, as ``issue_token`` gives them). Returns the user; NotFound when there is
    no such user (the console's operator may know who exists), PermissionDenied when the secret
    is not theirs or the user is deactivated. A refusal is written to the access log for
    ``actor``, naming ``action``, in its own transaction (``record_refusal``), after the caller's
    is rolled back: nothing of the unconfirmed action is kept, and nothing holds the log."""
    user = get_user(session, username)
    secret = secret or ""
    if secret.startswith(TOKEN_PREFIX):
        ok = user_for_token(session, secret) is user
    else:
        ok = check_password_hash(user.password_hash or _DUMMY_HASH, secret) and bool(user.password_hash)
    if not ok or not user.active:
        if actor is not None:
            session.rollback()
            record_refusal(
                session,
                actor,
                AccessAction.CREDENTIAL_CHECK,
                detail=json.dumps({"user": username, "action": action}, ensure_ascii=False),
            )
        raise PermissionDenied(f"the password or API token given is not that of the active user {username}")
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
