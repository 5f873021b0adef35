"""Counts for the dashboard: documents, pages and due dates only of what the viewer may see.

Archive-wide: it aggregates the records and the retention domain, so it sits above the domains.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.models import Community, Document, DocumentStatus, Household, HouseholdStatus, Page
from dossier.permissions import Permission, require
from dossier.services.documents import visible_clause
from retention.lists import due_soon_count


def dashboard_counts(session: Session, actor: Actor) -> dict:
    require(actor, Permission.SEARCH)
    visible = visible_clause(actor)
    by_status = dict(
        session.execute(
            select(Document.status, func.count(Document.id)).where(visible).group_by(Document.status)
        ).all()
    )
    return {
        "communities": session.scalar(select(func.count(Community.id))) or 0,
        "households": session.scalar(select(func.count(Household.id))) or 0,
        "households_active": session.scalar(
            select(func.count(Household.id)).where(Household.status == HouseholdStatus.ACTIVE)
        )
        or 0,
        "documents": sum(v for k, v in by_status.items() if k != DocumentStatus.DESTROYED),
        "documents_by_status": by_status,
        "pages": session.scalar(
            select(func.count(Page.id)).join(Document, Page.document_id == Document.id).where(visible)
        )
        or 0,
        "retention": due_soon_count(session, actor, days=90),
    }
