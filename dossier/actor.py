"""Who is acting: a logged-in user, an API token's user, or the operator's console."""

from __future__ import annotations

from dataclasses import dataclass

from dossier.models import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str
    active: bool = True
    channel: str = "cli"          # cli | web | api
    client_addr: str | None = None

    @classmethod
    def from_user(cls, user, channel: str, client_addr: str | None = None) -> "Actor":
        return cls(user.id, user.username, user.role, bool(user.active), channel, client_addr)

    @classmethod
    def console(cls) -> "Actor":
        """The operator at the server's console: holds the keys, so acts as the administrator.

        Commands that act for a named person take ``--as USERNAME`` instead, and that user's
        role is checked and recorded.
        """
        return cls(None, "console", Role.ADMIN.value, True, "cli", None)
