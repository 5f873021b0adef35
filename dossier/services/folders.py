"""A household's folder: its documents and its catalog (《客户档案目录》) with completeness.

The catalog lists the document types every folder should hold (``DocumentType.expected``),
ticked where the folder has at least one live document of that type; the completeness rate
(档案完整率) is the share ticked. Both count only the documents the viewer may see
(``visible_clause``): a confidential ID scan never ticks a line for staff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.errors import AlreadyExists, InvalidInput
from dossier.models import AccessAction, Document, DocumentStatus, DocumentType, Household
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.services.documents import get_document_type, visible_clause
from dossier.services.households import household_view


@dataclass
class CatalogLine:
    code: str
    name: str
    present: int

    @property
    def ticked(self) -> bool:
        return self.present > 0


@dataclass
class FolderCatalog:
    lines: list[CatalogLine]

    @property
    def completeness(self) -> float:
        """Percentage of expected types present (100.0 when nothing is expected)."""
        if not self.lines:
            return 100.0
        return round(100.0 * sum(1 for line in self.lines if line.ticked) / len(self.lines), 1)


def list_document_types(session: Session) -> list[DocumentType]:
    return list(session.scalars(select(DocumentType).order_by(DocumentType.sort_order, DocumentType.code)))


def expected_types(session: Session) -> list[DocumentType]:
    return list(
        session.scalars(
            select(DocumentType).where(DocumentType.expected.is_(True)).order_by(DocumentType.sort_order)
        )
    )


def _live_visible(actor: Actor):
    return and_(Document.status != DocumentStatus.DESTROYED, visible_clause(actor))


def folder_catalog(session: Session, actor: Actor, household: Household) -> FolderCatalog:
    """The folder's catalog as ``actor`` sees it (documents it may not see are not counted)."""
    counts = dict(
        session.execute(
            select(Document.type_code, func.count(Document.id))
            .where(Document.household_id == household.id, _live_visible(actor))
            .group_by(Document.type_code)
        ).all()
    )
    return FolderCatalog(
        [CatalogLine(t.code, t.name, counts.get(t.code, 0)) for t in expected_types(session)]
    )


def completeness_by_household(session: Session, actor: Actor, household_ids: list[int]) -> dict[int, float]:
    """Completeness of many folders as ``actor`` sees them, in two queries (the households list)."""
    expected = [t.code for t in expected_types(session)]
    if not household_ids:
        return {}
    if not expected:
        return {hid: 100.0 for hid in household_ids}
    present = session.execute(
        select(Document.household_id, func.count(func.distinct(Document.type_code)))
        .where(
            Document.household_id.in_(household_ids), Document.type_code.in_(expected), _live_visible(actor)
        )
        .group_by(Document.household_id)
    ).all()
    found = dict(present)
    return {hid: round(100.0 * found.get(hid, 0) / len(expected), 1) for hid in household_ids}


def visible_documents(session: Session, actor: Actor, household: Household) -> list[Document]:
    """The folder's documents this actor may see (confidential ones only with clearance)."""
    require(actor, Permission.SEARCH)
    return list(
        session.scalars(
            select(Document)
            .where(Document.household_id == household.id, visible_clause(actor))
            .order_by(Document.type_code, Document.id)
        )
    )


def open_folder(session: Session, actor: Actor, household: Household) -> tuple[list[Document], FolderCatalog]:
    """What a folder page shows; the look is recorded in the access log."""
    documents = visible_documents(session, actor, household)
    record_access(
        session, actor, AccessAction.HOUSEHOLD_VIEW, household_id=household.id, detail=household.code
    )
    return documents, folder_catalog(session, actor, household)


def folder_view(
    archive, session: Session, actor: Actor, household: Household
) -> tuple[dict, list[Document], FolderCatalog]:
    """A folder as the CLI, the page and the API show it: the household (ID numbers opened only
    when a party has one, masked without clearance), the documents this actor may see and the
    catalog over them. The look is recorded in the access log."""
    needs_key = any(p.id_number_enc is not None for p in household.parties)
    view = household_view(household, actor, archive.fields if needs_key else None)
    documents, catalog = open_folder(session, actor, household)
    return view, documents, catalog


def catalog_view(catalog: FolderCatalog) -> dict:
    return {
        "completeness": catalog.completeness,
        "types": [{"code": line.code, "name": line.name, "present": line.present} for line in catalog.lines],
    }


def set_expected(session: Session, actor: Actor, code: str, expected: bool) -> DocumentType:
    require(actor, Permission.ADMIN)
    row = get_document_type(session, code)
    row.expected = expected
    return row


def add_document_type(
    session: Session, actor: Actor, code: str, name: str, expected: bool = False
) -> DocumentType:
    require(actor, Permission.ADMIN)
    if not re.match(r"^[a-z][a-z0-9_]{1,31}$", code or ""):
        raise InvalidInput("doctype.bad_code", code=code)
    if not (name or "").strip():
        raise InvalidInput("doctype.name_required")
    if session.get(DocumentType, code) is not None:
        raise AlreadyExists("doctype.exists", code=code)
    order = (session.scalar(select(func.max(DocumentType.sort_order))) or 0) + 10
    row = DocumentType(code=code, name=name.strip(), expected=expected, sort_order=order)
    session.add(row)
    return row
