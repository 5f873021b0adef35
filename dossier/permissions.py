"""What each role may do (DESIGN.md, "Roles"). Every route and command checks through here."""

from __future__ import annotations

import enum
from typing import Any

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

ROLE_NAMES_ZH: dict[str, str] = {
    Role.ARCHIVIST: "档案管理员",
    Role.STAFF: "客服员",
    Role.RETENTION_OFFICER: "档案销毁审批人",
    Role.AUDITOR: "审计",
    Role.ADMIN: "管理处经理",
}


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(Role)
        raise InvalidInput(f"unknown role {value!r}; choose one of {choices}") from None


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


def require(user: Any, permission: Permission) -> None:
    if not can(user, permission):
        who = getattr(user, "username", None) or "this user"
        raise PermissionDenied(f"{who} may not do this (needs the {permission} permission)")


def require_any(user: Any, *permissions: Permission) -> None:
    """Refuse unless ``user`` holds at least one of ``permissions``."""
    if not any(can(user, p) for p in permissions):
        who = getattr(user, "username", None) or "this user"
        needs = " or ".join(permissions)
        raise PermissionDenied(f"{who} may not do this (needs the {needs} permission)")
