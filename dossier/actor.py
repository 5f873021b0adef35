"""Who is acting: a logged-in user, an API token's user, or the operator's console."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dossier.models import Channel, Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str  # a Role, or "" for an anonymous visitor
    active: bool = True
    channel: Channel = Channel.CLI
    client_addr: str | None = None

    @classmethod
    def from_user(cls, user: Any, channel: Channel, client_addr: str | None = None) -> Actor:
        return cls(user.id, user.username, user.role, bool(user.active), channel, client_addr)

    @classmethod
    def console(cls) -> Actor:
        """The operator at the server's console: holds the keys, so acts as the administrator.

        Commands that act for a named person take ``--as USERNAME`` instead, and that user's
        role is checked and recorded.
        """
        return cls(None, "console", Role.ADMIN, True, Channel.CLI, None)
