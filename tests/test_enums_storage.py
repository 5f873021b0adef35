"""Vocabulary columns (StrEnum + SQLAlchemy ``Enum``) store exactly the strings they stored as plain
VARCHAR columns, so existing archives need no data migration, and old rows load as members."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, select, text

from dossier.actor import Actor
from dossier.db import get_engine
from dossier.models import (
    AccessEvent,
    AccessOutcome,
    AuditRun,
    AuditStatus,
    Base,
    Batch,
    BatchItem,
    BatchOutcome,
    Channel,
    Community,
    Confidentiality,
    DestructionItem,
    DestructionList,
    Document,
    DocumentStatus,
    DocumentType,
    FixityEvent,
    FixityOutcome,
    FixityProperty,
    Household,
    HouseholdStatus,
    HouseholdUse,
    ItemState,
    ListStatus,
    Party,
    PartyRole,
    RetentionClass,
    RetentionTrigger,
    Role,
    ShredKind,
    ShredLogEntry,
    User,
    utcnow,
)
from dossier.services.access import record_access

# table, column → (enum, VARCHAR length of migrations 0001-0007)
VOCABULARY_COLUMNS = {
    ("households", "use"): (HouseholdUse, 24),
    ("households", "status"): (HouseholdStatus, 24),
    ("parties", "role"): (PartyRole, 24),
    ("users", "role"): (Role, 24),
    ("documents", "confidentiality"): (Confidentiality, 24),
    ("documents", "status"): (DocumentStatus, 24),
    ("batches", "source"): (Channel, 8),
    ("batch_items", "outcome"): (BatchOutcome, 16),
    ("access_events", "outcome"): (AccessOutcome, 16),
    ("access_events", "channel"): (Channel, 8),
    ("retention_classes", "trigger"): (RetentionTrigger, 24),
    ("destruction_lists", "status"): (ListStatus, 24),
    ("destruction_items", "state"): (ItemState, 24),
    ("shred_log", "kind"): (ShredKind, 16),
    ("audit_runs", "status"): (AuditStatus, 16),
    ("fixity_events", "property"): (FixityProperty, 16),
    ("fixity_events", "outcome"): (FixityOutcome, 8),
}


def _raw(session, table: str, column: str, key: str, value) -> object:
    return session.execute(
        text(f'SELECT "{column}" FROM {table} WHERE {key} = :v'), {"v": value}
    ).scalar_one()


def test_vocabulary_columns_stay_plain_varchar(archive, settings):
    """The migrated schema keeps VARCHAR(n) of the same n and gains no CHECK constraint."""
    inspector = inspect(get_engine(settings))
    for (table, column), (enum_cls, length) in VOCABULARY_COLUMNS.items():
        model_type = Base.metadata.tables[table].c[column].type
        assert model_type.enum_class is enum_cls and not model_type.native_enum
        assert model_type.length == length
        db_column = next(c for c in inspector.get_columns(table) if c["name"] == column)
        assert db_column["type"].length == length, (table, column)
        assert db_column["type"].python_type is str
    for table in {table for table, _ in VOCABULARY_COLUMNS}:
        assert inspector.get_check_constraints(table) == [], table


def test_orm_writes_the_old_strings_and_old_strings_load_as_members(archive):
    with archive.session() as session:
        community = session.scalars(select(Community)).first() or Community(code="ENUM", name="枚举小区")
        session.add(community)
        session.flush()
        household = Household(
            community_id=community.id,
            code="E-1",
            archive_no="E-00001",
            use=HouseholdUse.COMMERCIAL,
            status=HouseholdStatus.CLOSED,
        )
        session.add(household)
        session.flush()
        party = Party(household_id=household.id, name="张三", role=PartyRole.TENANT)
        user = User(username="enum-auditor", password_hash="x", role=Role.AUDITOR)
        batch = Batch(source=Channel.WEB)
        session.add_all([party, user, batch])
        session.flush()
        type_code = session.scalars(select(DocumentType.code)).first()
        doc = Document(
            household_id=household.id,
            type_code=type_code,
            title="t",
            sha256="0" * 64,
            size=1,
            media_type="application/pdf",
            signed_record="{}",
            signature="s",
            signing_key_id="k",
            intake_at=utcnow(),
            confidentiality=Confidentiality.CONFIDENTIAL,
            status=DocumentStatus.PROCESSING,
        )
        session.add(doc)
        session.flush()
        item = BatchItem(batch_id=batch.id, position=1, file_name="a.pdf", outcome=BatchOutcome.SEPARATOR)
        retention = RetentionClass(code="E7", name="七年", years=7, trigger=RetentionTrigger.HOUSEHOLD_CLOSED)
        dl = DestructionList(
            number="E-2026-1", status=ListStatus.APPROVED, as_of=date(2026, 1, 1), proposed_by="x"
        )
        session.add_all([item, retention, dl])
        session.flush()
        session.add(
            DestructionItem(
                list_id=dl.id,
                position=1,
                document_id=doc.id,
                household_code="E-1",
                archive_no="E-00001",
                type_code=type_code,
                type_name="n",
                title="t",
                retention_class="E7",
                disposal_date=date(2026, 1, 1),
                sha256="0" * 64,
                state=ItemState.STRUCK,
            )
        )
        run = AuditRun(started_by="x", scope="{}", status=AuditStatus.FINISHED)
        session.add(run)
        session.flush()
        session.add(
            FixityEvent(
                run_id=run.id,
                check="sha256",
                property=FixityProperty.AUTHENTICITY,
                outcome=FixityOutcome.FAIL,
            )
        )
        session.add(
            ShredLogEntry(
                seq=10_000,
                at=utcnow(),
                kind=ShredKind.PAPER,
                list_number="E-2026-1",
                document_id=doc.id,
                record="{}",
                prev_hash="0" * 64,
                entry_hash="0" * 64,
                signature="s",
                signing_key_id="k",
            )
        )
        event = record_access(
            session,
            Actor(None, "enum", Role.STAFF, channel=Channel.API),
            "document.view",
            outcome=AccessOutcome.DENIED,
        )
        session.commit()

        stored = {
            ("households", "use"): _raw(session, "households", "use", "id", household.id),
            ("households", "status"): _raw(session, "households", "status", "id", household.id),
            ("parties", "role"): _raw(session, "parties", "role", "id", party.id),
            ("users", "role"): _raw(session, "users", "role", "id", user.id),
            ("documents", "confidentiality"): _raw(session, "documents", "confidentiality", "id", doc.id),
            ("documents", "status"): _raw(session, "documents", "status", "id", doc.id),
            ("batches", "source"): _raw(session, "batches", "source", "id", batch.id),
            ("batch_items", "outcome"): _raw(session, "batch_items", "outcome", "id", item.id),
            ("retention_classes", "trigger"): _raw(session, "retention_classes", "trigger", "code", "E7"),
            ("destruction_lists", "status"): _raw(session, "destruction_lists", "status", "id", dl.id),
            ("destruction_items", "state"): _raw(session, "destruction_items", "state", "list_id", dl.id),
            ("audit_runs", "status"): _raw(session, "audit_runs", "status", "id", run.id),
            ("fixity_events", "property"): _raw(session, "fixity_events", "property", "run_id", run.id),
            ("fixity_events", "outcome"): _raw(session, "fixity_events", "outcome", "run_id", run.id),
            ("shred_log", "kind"): _raw(session, "shred_log", "kind", "seq", 10_000),
            ("access_events", "outcome"): _raw(session, "access_events", "outcome", "id", event.id),
            ("access_events", "channel"): _raw(session, "access_events", "channel", "id", event.id),
            ("access_events", "role"): _raw(session, "access_events", "role", "id", event.id),
        }
        assert stored == {
            ("households", "use"): "commercial",
            ("households", "status"): "closed",
            ("parties", "role"): "tenant",
            ("users", "role"): "auditor",
            ("documents", "confidentiality"): "confidential",
            ("documents", "status"): "processing",
            ("batches", "source"): "web",
            ("batch_items", "outcome"): "separator",
            ("retention_classes", "trigger"): "household_closed",
            ("destruction_lists", "status"): "approved",
            ("destruction_items", "state"): "struck",
            ("audit_runs", "status"): "finished",
            ("fixity_events", "property"): "authenticity",
            ("fixity_events", "outcome"): "fail",
            ("shred_log", "kind"): "paper",
            ("access_events", "outcome"): "denied",
            ("access_events", "channel"): "api",
            ("access_events", "role"): "staff",
        }
        assert all(type(value) is str for value in stored.values())

        # Rows written with the old raw strings (as every existing archive holds them) load as members.
        session.execute(
            text("UPDATE documents SET status = 'indexed', confidentiality = 'ordinary' WHERE id = :id"),
            {"id": doc.id},
        )
        session.execute(
            text("UPDATE households SET use = 'office', status = 'active' WHERE id = :id"),
            {"id": household.id},
        )
        session.execute(
            text(
                'INSERT INTO fixity_events (run_id, "check", property, outcome, at) '
                "VALUES (:run, 'size', 'integrity', 'pass', :at)"
            ),
            {"run": run.id, "at": utcnow()},
        )
        session.commit()
        session.expire_all()
        loaded = session.get(Document, doc.id)
        assert loaded.status is DocumentStatus.INDEXED and loaded.confidentiality is Confidentiality.ORDINARY
        assert session.get(Household, household.id).use is HouseholdUse.OFFICE
        assert session.get(Household, household.id).status is HouseholdStatus.ACTIVE
        passed = session.scalars(select(FixityEvent).where(FixityEvent.check == "size")).one()
        assert passed.property is FixityProperty.INTEGRITY and passed.outcome is FixityOutcome.PASS
        access = session.get(AccessEvent, event.id)
        assert access.outcome is AccessOutcome.DENIED and access.channel is Channel.API
        # A filter given the plain string finds the same rows as the member.
        assert session.scalar(select(Document.id).where(Document.status == "indexed")) == doc.id


@pytest.mark.parametrize(
    "enum_cls", sorted({e for e, _ in VOCABULARY_COLUMNS.values()}, key=lambda e: e.__name__)
)
def test_members_are_their_stored_strings(enum_cls):
    for member in enum_cls:
        assert member == member.value and str(member) == member.value and f"{member}" == member.value
