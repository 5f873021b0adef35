"""What each role may do (DESIGN.md, "Roles"). Every route and command checks through here."""

from __future__ import annotations

import enum
from typing import Any

from dossier.catalog import CATALOG, Text, text
from dossier.errors import InvalidInput, PermissionDenied
from dossier.models import Role


class Permission(enum.StrEnum):
    SEARCH = "search"  # search, view ordinary documents, households
    VIEW_CONFIDENTIAL = "view_confidential"  # confidential documents and ID numbers
    MANAGE_RECORDS = "manage_records"  # intake, edit metadata, households, loans
    PROPOSE_DESTRUCTION = "propose_destruction"
    APPROVE_DESTRUCTION = "approve_destruction"
    AUDIT = "audit"  # access log, shredding log, audits
    ADMIN = "admin"  # users and configuration


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ARCHIVIST: frozenset(
        {
            Permission.SEARCH,
            Permission.VIEW_CONFIDENTIAL,
            Permission.MANAGE_RECORDS,
            Permission.PROPOSE_DESTRUCTION,
        }
    ),
    Role.STAFF: frozenset({Permission.SEARCH}),
    Role.RETENTION_OFFICER: frozenset(
        {
            Permission.SEARCH,
            Permission.VIEW_CONFIDENTIAL,
            Permission.PROPOSE_DESTRUCTION,
            Permission.APPROVE_DESTRUCTION,
            Permission.AUDIT,
        }
    ),
    Role.AUDITOR: frozenset({Permission.SEARCH, Permission.VIEW_CONFIDENTIAL, Permission.AUDIT}),
    Role.ADMIN: frozenset(
        {
            Permission.SEARCH,
            Permission.VIEW_CONFIDENTIAL,
            Permission.MANAGE_RECORDS,
            Permission.AUDIT,
            Permission.ADMIN,
        }
    ),
}

ROLE_NAMES_ZH: dict[str, str] = {role: CATALOG["role." + role].zh for role in Role}


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("role.unknown", value=value, choices=", ".join(Role)) from None


def role_can(role: str | Role | None, permission: Permission) -> bool:
    if role is None:
        return False
    try:
        role = Role(role)
    except ValueError:
        return False
    return permission in ROLE_PERMISSIONS[role]


def can(user: Any, permission: Permission) -> bool:
    """True when ``user`` (anything with ``role`` and ``active``) holds ``permission``."""
    return bool(user is not None and getattr(user, "active", False) and role_can(user.role, permission))


def role_name(role: str | None) -> Text:
    """A role by its name (档案管理员 …); no role or an unknown one reads as not signed in."""
    return text("role." + role) if role and "role." + role in CATALOG else text("role.none")


def _refusal(user: Any, permissions: tuple[Permission, ...]) -> PermissionDenied:
    """The refusal naming who asked, their role and the permission(s) needed, in Chinese."""
    who = getattr(user, "username", None) or text("permission.this_user")
    needs: Text = text("permission." + permissions[-1])
    for permission in reversed(permissions[:-1]):
        needs = text("permission.or", left=text("permission." + permission), right=needs)
    return PermissionDenied(
        "permission.denied", who=who, role=role_name(getattr(user, "role", None)), permission=needs
    )


def require(user: Any, permission: Permission) -> None:
    if not can(user, permission):
        raise _refusal(user, (permission,))


def require_any(user: Any, *permissions: Permission) -> None:
    """Refuse unless ``user`` holds at least one of ``permissions``."""
    if not any(can(user, p) for p in permissions):
        raise _refusal(user, permissions)
