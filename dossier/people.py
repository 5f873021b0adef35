"""People by 姓名: the one lookup from the usernames a record keeps to the names people go by.

Records keep the username that acted (it never changes); pages show the person's 姓名 where the
account has one, with the username only as a fallback or a tooltip.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.models import User


def display_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """Username → 姓名 for those of ``usernames`` whose account has one (blanks are skipped)."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    rows = session.execute(
        select(User.username, User.display_name).where(
            User.username.in_(wanted), User.display_name.is_not(None)
        )
    )
    return {username: name for username, name in rows if name}
