"""People by 姓名: the one lookup from the usernames a record keeps to the names people go by.

Records keep the username that acted (it never changes); pages show the person's 姓名 where the
account has one, with the username only as a fallback or a tooltip.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.catalog import zh
from dossier.models import User

CONSOLE = Actor.console().username  # who acts at the server's console (no account of its own)


def _console(wanted: set[str]) -> dict[str, str]:
    return {CONSOLE: zh("user.console_name")} if CONSOLE in wanted else {}


def display_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """Username → 姓名 for those of ``usernames`` whose account has one (blanks are skipped; the
    console is 服务器控制台)."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    rows = session.execute(
        select(User.username, User.display_name).where(
            User.username.in_(wanted), User.display_name.is_not(None)
        )
    )
    return {username: name for username, name in rows if name} | _console(wanted)


def all_display_names(session: Session) -> dict[str, str]:
    """Username → 姓名 of every account that has one (a page naming many people reads it once)."""
    rows = session.execute(select(User.username, User.display_name).where(User.display_name.is_not(None)))
    return {username: name for username, name in rows if name} | _console({CONSOLE})
