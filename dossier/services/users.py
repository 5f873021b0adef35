"""Users, passwords (werkzeug's scrypt hashing) and API tokens (stored only as digests).

The password policy is here so the CLI and the web refuse the same passwords: at least
``MIN_PASSWORD_LENGTH`` characters and a zxcvbn score of at least ``MIN_PASSWORD_SCORE`` (about
10^8 guesses), with the user's own name and words common in Chinese passwords counted as easy;
the reason is given in Chinese. Changing a password or deactivating a user ends that user's web
sessions (the ``web_sessions`` rows), whoever did it.

Account changes are the administrator's (``Permission.ADMIN``), except one's own password, and
each is written to the access log (``user.*``, ``password.*``, ``token.*``). No change may leave
the archive without an active administrator (管理处经理): the last one cannot be disabled or given
another role, and nobody disables themselves. Re-enabling a user does not bring back the API
tokens revoked when they were disabled.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from dossier.actor import Actor
from dossier.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from dossier.models import (
    AccessAction,
    AccessEvent,
    AccessOutcome,
    ApiToken,
    Role,
    User,
    WebSession,
    utcnow,
)
from dossier.permissions import Permission, parse_role, require
from dossier.services.access import record_access, record_refusal

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
TOKEN_NAME_MAX = 64  # api_tokens.name
DISPLAY_NAME_MAX = 128  # users.display_name
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


def _record(session: Session, actor: Actor, action: AccessAction, **detail: object) -> None:
    """An account change in the access log; ``detail`` (the user, what changed) as JSON."""
    record_access(session, actor, action, detail=json.dumps(detail, ensure_ascii=False, default=str))


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
        raise InvalidInput("user.bad_username", username=username)
    role_value = parse_role(role)
    display_name = _clean_name(display_name)
    if session.scalar(select(User.id).where(User.username == username)):
        raise AlreadyExists("user.exists", username=username)
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
    _record(session, actor, AccessAction.USER_ADD, user=username, role=role_value, generated=bool(generated))
    return user, generated


def set_password(session: Session, actor: Actor, username: str, password: str | None = None) -> str | None:
    """An administrator sets (``password``) or resets (generated, returned) a user's password;
    the user is signed out everywhere."""
    require(actor, Permission.ADMIN)
    user = find_user(session, username)
    generated = None
    if password is None:
        password = generated = generate_password()
    check_password(password, user.username, user.display_name)
    user.password_hash = generate_password_hash(password)
    ended = end_sessions(session, user)
    _record(
        session, actor, AccessAction.PASSWORD_RESET, user=username, generated=bool(generated), sessions=ended
    )
    return generated


def change_own_password(session: Session, actor: Actor, current: str, new: str) -> User:
    """The signed-in user changes their own password, proving the current one. Every web session
    of theirs ends, this one too: they sign in again with the new password. A wrong current
    password is refused and the refusal logged."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.active or not actor.active:
        raise PermissionDenied("user.sign_in_first")
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        record_refusal(
            session, actor, AccessAction.PASSWORD_CHANGE, detail=json.dumps({"user": user.username})
        )
        raise InvalidInput("user.wrong_password")
    if new == current:
        raise InvalidInput("user.same_password")
    check_password(new, user.username, user.display_name)
    user.password_hash = generate_password_hash(new)
    ended = end_sessions(session, user)
    _record(session, actor, AccessAction.PASSWORD_CHANGE, user=user.username, sessions=ended)
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
        )
        or 0
    )


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse a change that would take away the last active administrator."""
    if user.active and user.role == Role.ADMIN and _other_active_admins(session, user) == 0:
        raise InvalidInput("user.last_admin", username=user.username)


def set_active(session: Session, actor: Actor, username: str, active: bool) -> User:
    """Disable a user (their API tokens are revoked and web sessions end) or enable them again."""
    require(actor, Permission.ADMIN)
    user = find_user(session, username)
    if bool(user.active) == active:
        return user
    revoked = 0
    if not active:
        if actor.user_id is not None and actor.user_id == user.id:
            raise InvalidInput("user.disable_self")
        _keep_an_admin(session, user)
        for token in user.tokens:
            if token.revoked_at is None:
                token.revoked_at = utcnow()
                revoked += 1
        end_sessions(session, user)
    user.active = active
    if active:
        _record(session, actor, AccessAction.USER_ENABLE, user=username)
    else:
        _record(session, actor, AccessAction.USER_DISABLE, user=username, tokens_revoked=revoked)
    return user


def _clean_name(display_name: str | None) -> str | None:
    name = (display_name or "").strip()
    if len(name) > DISPLAY_NAME_MAX:
        raise InvalidInput("user.name_too_long", limit=DISPLAY_NAME_MAX)
    return name or None


def set_profile(
    session: Session,
    actor: Actor,
    username: str,
    *,
    display_name: str | None = None,
    role: str | None = None,
) -> dict[str, list]:
    """Set a user's 姓名 (``""`` clears it) and role; None leaves either as it is. Returns what
    changed (field → [before, after]); nothing changed is not logged."""
    require(actor, Permission.ADMIN)
    user = find_user(session, username)
    changes: dict[str, list] = {}
    if display_name is not None:
        name = _clean_name(display_name)
        if name != user.display_name:
            changes["display_name"] = [user.display_name, name]
            user.display_name = name
    if role is not None:
        new_role = parse_role(role)
        if new_role != user.role:
            if new_role != Role.ADMIN:
                _keep_an_admin(session, user)
            changes["role"] = [str(user.role), str(new_role)]
            user.role = new_role
    if changes:
        _record(session, actor, AccessAction.USER_UPDATE, user=username, **changes)
    return changes


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("user.not_found", username=username)
    return user


def find_user(session: Session, username: str) -> User:
    """The user named ``username`` (NotFound with a Chinese sentence)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("user.not_found", username=username)
    return user


def username_exists(session: Session, username: str) -> bool:
    """Whether ``username`` names a user (to tell a mistyped name from a real one in the log)."""
    return session.scalar(select(User.id).where(User.username == username)) is not None


def list_users(session: Session, actor: Actor) -> list[User]:
    require(actor, Permission.ADMIN)
    return list(session.scalars(select(User).order_by(User.username)).all())


def user_for_admin(session: Session, actor: Actor, username: str) -> User:
    """One user, for the administrator's page about them."""
    require(actor, Permission.ADMIN)
    return find_user(session, username)


def recent_logins(session: Session, actor: Actor, username: str, limit: int = 5) -> list[dict]:
    """The last sign-ins of ``username`` from the access log, newest first, refused ones included
    (logged under the name typed): time, outcome, client address and channel."""
    require(actor, Permission.ADMIN)
    user = find_user(session, username)
    own = AccessEvent.user_id == user.id
    refused = (AccessEvent.user_id.is_(None)) & AccessEvent.detail.in_(
        [user.username, f"{user.username} (throttled)"]
    )
    rows = session.scalars(
        select(AccessEvent)
        .where(AccessEvent.action == AccessAction.LOGIN, or_(own, refused))
        .order_by(AccessEvent.seq.desc())
        .limit(limit)
    )
    return [
        {
            "at": event.at,
            "ok": event.outcome == AccessOutcome.OK,
            "client_addr": event.client_addr,
            "channel": event.channel,
        }
        for event in rows
    ]


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
        raise PermissionDenied("user.bad_credential", username=username)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, actor: Actor, username: str, name: str | None = None) -> str:
    """A new API token for ``username``; shown once, stored as its SHA-256 digest."""
    require(actor, Permission.ADMIN)
    user = find_user(session, username)
    if not user.active:
        raise InvalidInput("user.token_for_disabled", username=username)
    name = (name or "").strip() or None
    if name is not None and len(name) > TOKEN_NAME_MAX:
        raise InvalidInput("user.token_name_too_long", limit=TOKEN_NAME_MAX)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=_digest(token), prefix=token[:10], name=name)
    session.add(row)
    session.flush()
    _record(session, actor, AccessAction.TOKEN_CREATE, user=username, token=row.prefix, name=name)
    return token


def list_tokens(session: Session, actor: Actor, username: str) -> list[ApiToken]:
    """``username``'s API tokens, live and revoked, newest first."""
    require(actor, Permission.ADMIN)
    user = find_user(session, username)
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        ).all()
    )


def revoke_token(session: Session, actor: Actor, username: str, token: int | str) -> ApiToken:
    """Revoke one of ``username``'s API tokens, named by its id or by its prefix (``dos_…``)."""
    require(actor, Permission.ADMIN)
    user = find_user(session, username)
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    text = str(token).strip().rstrip("…")
    # An id, or the prefix (a whole token pasted names its prefix too).
    wanted = ApiToken.id == int(text) if text.isdigit() and len(text) < 10 else ApiToken.prefix == text[:10]
    query = query.where(wanted)
    rows = list(session.scalars(query).all())
    if not rows:
        raise NotFound("user.no_such_token", username=username, token=text)
    if len(rows) > 1:
        raise InvalidInput("user.ambiguous_token", username=username, token=text)
    row = rows[0]
    if row.revoked_at is not None:
        raise InvalidInput("user.token_already_revoked", prefix=row.prefix)
    row.revoked_at = utcnow()
    _record(session, actor, AccessAction.TOKEN_REVOKE, user=username, token=row.prefix, name=row.name)
    return row


def user_for_token(session: Session, token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user
