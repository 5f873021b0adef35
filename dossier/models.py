"""The catalog's domain model (SQLAlchemy 2.x typed mappings).

The catalog is the source of truth: the search index and derivatives can always be rebuilt from
it and the stored originals. Sensitive values (ID-card numbers) are kept encrypted; see
``dossier.fieldcrypt``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, ORMExecuteState, Session, mapped_column, relationship

from dossier.errors import IntegrityFailure

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Role(enum.StrEnum):
    ARCHIVIST = "archivist"
    STAFF = "staff"
    RETENTION_OFFICER = "retention_officer"
    AUDITOR = "auditor"
    ADMIN = "admin"


class HouseholdUse(enum.StrEnum):
    RESIDENTIAL = "residential"
    COMMERCIAL = "commercial"
    OFFICE = "office"


class HouseholdStatus(enum.StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class PartyRole(enum.StrEnum):
    OWNER = "owner"
    TENANT = "tenant"
    EMERGENCY_CONTACT = "emergency_contact"  # 紧急联系人 of the household


class Confidentiality(enum.StrEnum):
    ORDINARY = "ordinary"
    CONFIDENTIAL = "confidential"


class DocumentStatus(enum.StrEnum):
    STORED = "stored"  # original stored and signed, not yet processed
    QUEUED = "queued"
    PROCESSING = "processing"
    INDEXED = "indexed"
    FAILED = "failed"
    DESTROYED = "destroyed"


class Channel(enum.StrEnum):
    """Where a request came in: the console, a browser or the API."""

    CLI = "cli"
    WEB = "web"
    API = "api"


class AccessAction(enum.StrEnum):
    """What an access-log entry (``dossier.services.access``) records."""

    LOGIN = "login"
    LOGOUT = "logout"
    FORBIDDEN = "forbidden"
    CREDENTIAL_CHECK = "credential.check"
    USER_ADD = "user.add"
    USER_UPDATE = "user.update"  # 姓名 or role
    USER_DISABLE = "user.disable"
    USER_ENABLE = "user.enable"
    PASSWORD_CHANGE = "password.change"  # one's own
    PASSWORD_RESET = "password.reset"  # by an administrator
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    SEARCH = "search"
    BACKUP = "backup"
    INVENTORY = "inventory"
    ACCESSLOG_EXPORT = "accesslog.export"
    HANDOVER_EXPORT = "handover.export"  # 移交: folders written to a package
    HANDOVER_IMPORT = "handover.import"  # 接收: a package checked (and filed when accepted)
    HOUSEHOLD_CREATE = "household.create"
    HOUSEHOLD_VIEW = "household.view"
    HOUSEHOLD_CLOSE = "household.close"
    HOUSEHOLD_REOPEN = "household.reopen"
    HOUSEHOLD_EDIT = "household.edit"
    PARTY_ADD = "party.add"
    PARTY_EDIT = "party.edit"
    PARTY_REMOVE = "party.remove"
    PARTY_MOVE_OUT = "party.moveout"
    COMMUNITY_RENAME = "community.rename"
    COMMUNITY_MERGE = "community.merge"
    DOCUMENT_INTAKE = "document.intake"
    DOCUMENT_VIEW = "document.view"
    DOCUMENT_HISTORY = "document.history"
    DOCUMENT_DOWNLOAD = "document.download"
    DOCUMENT_EXPORT = "document.export"
    DOCUMENT_PRINT = "document.print"
    DOCUMENT_EDIT = "document.edit"
    DOCUMENT_RETENTION = "document.retention"
    DOCUMENT_DESTROY = "document.destroy"
    PAGE_VIEW = "page.view"
    STACK_INTAKE = "stack.intake"
    STACK_VIEW = "stack.view"  # a page of a scanned stack looked at before it is filed
    COVERSHEET_PRINT = "coversheet.print"
    HOLD_ADD = "hold.add"
    HOLD_RELEASE = "hold.release"
    RETENTION_CLASS_ADD = "retention.class.add"
    RETENTION_CLASS_CHANGE = "retention.class.change"
    RETENTION_PROPOSE = "retention.propose"
    RETENTION_STRIKE = "retention.strike"
    RETENTION_APPROVE = "retention.approve"
    RETENTION_EXECUTED = "retention.executed"
    PAPER_DESTROY = "paper.destroy"
    PAPER_LOCATION = "paper.location"
    LOAN_OUT = "loan.out"
    LOAN_RETURN = "loan.return"
    JOB_START = "job.start"  # a background job (an audit run, a destruction) queued
    LOAN_RENEW = "loan.renew"
    LOAN_REMIND = "loan.remind"
    INVENTORY_RESOLVE = "inventory.resolve"
    HOUSEHOLD_EXPORT = "household.export"  # the households list as a spreadsheet
    LOAN_EXPORT = "loan.export"  # the loan register as a spreadsheet
    STATISTICS_EXPORT = "statistics.export"  # the 档案统计 figures as a workbook


class AccessOutcome(enum.StrEnum):
    OK = "ok"
    DENIED = "denied"


class BatchOutcome(enum.StrEnum):
    """What became of one file (or one part of a split stack) of a batch."""

    STORED = "stored"  # a document
    DUPLICATE = "duplicate"  # the same content is already stored
    REJECTED = "rejected"  # refused; ``error`` says why
    UNFILED = "unfiled"  # a stack part waiting for the archivist
    SEPARATOR = "separator"  # a cover sheet
    BLANK = "blank"  # a sheet's blank back


class HistoryAction(enum.StrEnum):
    """The change a document-history entry (``dossier.services.history``) records."""

    INTAKE = "intake"
    UPGRADE = "upgrade"
    PROCESSED = "processed"
    CORRECTED = "corrected"
    RETENTION = "retention_class"
    DESTROYED = "destroyed"
    NUMBERED = "numbered"  # an older archive's document got its 档号 at upgrade
    RECEIVED = "received"  # filed from another archive's handover package (移交接收)


def _values(enum_cls: type[enum.StrEnum]) -> list[str]:
    return [member.value for member in enum_cls]


def vocabulary(enum_cls: type[enum.StrEnum], length: int) -> Enum:
    """A column type for a closed vocabulary: a VARCHAR(``length``) holding the member's value
    exactly as the plain-string columns before it did (no CHECK constraint, no native enum, so
    no data migration); it loads as the member. Unknown strings pass through a filter unchanged."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=_values,
        validate_strings=False,
    )


_E = TypeVar("_E", bound=enum.StrEnum)


def _enum_col(default: _E) -> Mapped[_E]:
    return mapped_column(vocabulary(type(default), 24), default=default, nullable=False)


class ArchiveSetting(Base):
    """Key/value facts about this archive (master-key id, signing-key fingerprint, options)."""

    __tablename__ = "archive_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class Community(Base):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    households: Mapped[list[Household]] = relationship(back_populates="community")


class Household(Base):
    """One folder (一户一档). Ordered by use, building, floor, room."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("community_id", "code", name="uq_households_community_code"),
        Index("ix_households_order", "community_id", "use", "building", "floor", "room"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), nullable=False)
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    archive_no: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The last 件号 this folder issued (``dossier.services.numbering``): numbers are never reused.
    item_counter: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    use: Mapped[HouseholdUse] = _enum_col(HouseholdUse.RESIDENTIAL)
    building: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(32))
    floor: Mapped[int | None] = mapped_column(Integer)
    room: Mapped[str | None] = mapped_column(String(32))
    area: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    status: Mapped[HouseholdStatus] = _enum_col(HouseholdStatus.ACTIVE)
    closed_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    community: Mapped[Community] = relationship(back_populates="households")
    parties: Mapped[list[Party]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="Party.id"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="household", order_by="Document.id", foreign_keys="Document.household_id"
    )


class Party(Base):
    """An owner (业主) or tenant (租户) of a household. The ID number is encrypted at rest."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[PartyRole] = _enum_col(PartyRole.OWNER)
    name: Mapped[str] = mapped_column(String(128), nullable=False, index=True)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    emergency_contact: Mapped[str | None] = mapped_column(String(128))
    emergency_phone: Mapped[str | None] = mapped_column(String(32))
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Keyed hash (HMAC) of the normalised ID number, so a folder can be found by ID number
    # without decrypting every row.
    id_number_hmac: Mapped[str | None] = mapped_column(String(64), index=True)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    household: Mapped[Household] = relationship(back_populates="parties")


class DocumentType(Base):
    """Kinds of record a folder holds. ``expected`` types make up the folder catalog (档案目录)."""

    __tablename__ = "document_types"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    expected: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=100, nullable=False)
    # The retention class a document of this type gets unless it names its own.
    retention_class: Mapped[str | None] = mapped_column(ForeignKey("retention_classes.code"))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    display_name: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[Role] = mapped_column(vocabulary(Role, 24), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")


class ApiToken(Base):
    """API tokens are shown once and stored only as a SHA-256 digest (they are random, not guessable)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")


class SignedOriginal:
    """What the catalog keeps of a stored original: its digests, size and media type, and the
    exact record that was signed (canonical JSON) with its Ed25519 signature."""

    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    sm3: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    media_type: Mapped[str] = mapped_column(String(64), nullable=False)
    signed_record: Mapped[str] = mapped_column(Text, nullable=False)
    signature: Mapped[str] = mapped_column(String(128), nullable=False)
    signing_key_id: Mapped[str] = mapped_column(String(32), nullable=False)
    intake_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Document(SignedOriginal, Base):
    """One stored original (encrypted, signed, unaltered) and what the catalog knows of it."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_household_type", "household_id", "type_code"),
        UniqueConstraint("numbered_in_id", "item_no", name="uq_documents_numbered_in_item_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), nullable=False)
    # The item number (档号) given at filing, never changed nor reused: the folder that issued it
    # and its 件号 there (``dossier.services.numbering``). A moved document keeps all three.
    archive_no: Mapped[str | None] = mapped_column(String(128), unique=True)
    item_no: Mapped[int | None] = mapped_column(Integer)
    numbered_in_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    # The 归档章's 全宗号, 年度 and 保管期限 code as the 档号 was made of them: fixed once set, so
    # a corrected date or class, a changed setting or a handover leaves the stamp as filed.
    stamp_fonds: Mapped[str | None] = mapped_column(String(32))
    stamp_year: Mapped[int | None] = mapped_column(Integer)
    stamp_retention: Mapped[str | None] = mapped_column(String(16))
    type_code: Mapped[str] = mapped_column(ForeignKey("document_types.code"), nullable=False)
    title: Mapped[str] = mapped_column(String(256), nullable=False)
    document_date: Mapped[date | None] = mapped_column(Date)
    received_date: Mapped[date | None] = mapped_column(Date)
    confidentiality: Mapped[Confidentiality] = _enum_col(Confidentiality.ORDINARY)
    # Its own retention class (overrides the type's default); see ``retention.schedule``.
    retention_class: Mapped[str | None] = mapped_column(String(16))
    # Derived by ``retention.schedule`` (never typed in): the first day it may be destroyed;
    # empty when kept permanently or waiting for its household to close.
    disposal_date: Mapped[date | None] = mapped_column(Date, index=True)
    # A reviewer who struck it from a destruction list may keep it longer (never earlier).
    retain_until: Mapped[date | None] = mapped_column(Date)
    # The tombstone of a destroyed document: no content, no page text, only these facts.
    destroyed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    destroyed_by: Mapped[str | None] = mapped_column(String(64))
    destruction_list: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[DocumentStatus] = _enum_col(DocumentStatus.STORED)
    # The original as scanned.
    original_key: Mapped[str | None] = mapped_column(String(512), unique=True)
    original_name: Mapped[str | None] = mapped_column(String(256))
    page_count: Mapped[int | None] = mapped_column(Integer)
    intake_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Where the paper original is kept (dual track, 双轨制); all empty when none is kept.
    paper_cabinet: Mapped[str | None] = mapped_column(String(32))
    paper_box: Mapped[str | None] = mapped_column(String(32))
    paper_position: Mapped[str | None] = mapped_column(String(32))
    # Processing state (the catalog is the source of truth; the queue only carries ids).
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    pages_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    searchable_pdf_key: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    household: Mapped[Household] = relationship(back_populates="documents", foreign_keys=[household_id])
    batch: Mapped[Batch | None] = relationship(back_populates="documents")
    type: Mapped[DocumentType] = relationship()
    intake_by: Mapped[User | None] = relationship()
    pages: Mapped[list[Page]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Page.number"
    )


class Batch(Base):
    """One intake run: the files an archivist handed in together, and what became of each."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[Channel] = mapped_column(vocabulary(Channel, 8), default=Channel.CLI, nullable=False)
    label: Mapped[str | None] = mapped_column(String(256))

    items: Mapped[list[BatchItem]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="BatchItem.position"
    )
    documents: Mapped[list[Document]] = relationship(back_populates="batch")


class BatchItem(Base):
    """One file of a batch: the document it became, or why it did not."""

    __tablename__ = "batch_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    file_name: Mapped[str] = mapped_column(String(512), nullable=False)
    outcome: Mapped[BatchOutcome] = mapped_column(vocabulary(BatchOutcome, 16), nullable=False)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    duplicate_of: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    # A part of a scanned stack split at cover sheets: pages first..last of the stack, and the
    # sheet's facts (JSON) that filed it. Outcomes: stored (a document), unfiled (waiting for the
    # archivist, ``error`` says why), separator (a cover sheet), blank (a sheet's blank back).
    stack_id: Mapped[int | None] = mapped_column(ForeignKey("scan_stacks.id"), index=True)
    first_page: Mapped[int | None] = mapped_column(Integer)
    last_page: Mapped[int | None] = mapped_column(Integer)
    sheet: Mapped[str | None] = mapped_column(Text)

    batch: Mapped[Batch] = relationship(back_populates="items")
    document: Mapped[Document | None] = relationship(foreign_keys=[document_id])
    stack: Mapped[ScanStack | None] = relationship()


class ScanStack(SignedOriginal, Base):
    """A stack scanned with cover sheets, exactly as the scanner wrote it: stored encrypted and
    signed like an original, so nothing the scanner produced is lost when it is split."""

    __tablename__ = "scan_stacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), nullable=False, index=True)
    file_name: Mapped[str] = mapped_column(String(256), nullable=False)
    # None once every page it held has been destroyed (see ``retention.stacks``).
    original_key: Mapped[str | None] = mapped_column(String(512), unique=True)
    page_count: Mapped[int | None] = mapped_column(Integer)
    intake_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_pages_document_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str | None] = mapped_column(Text)
    # The text of a confidential document's page, sealed with the field cipher
    # (``dossier.fieldcrypt``); ``text`` is then empty.
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The OCR words with their boxes in the preview image (``dossier.pagetext`` writes and reads
    # them, sealed into ``words_enc`` like the text): what the viewer marks a query's words with.
    words: Mapped[str | None] = mapped_column(Text)
    words_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    confidence: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(32))
    dpi: Mapped[int | None] = mapped_column(Integer)
    preview_key: Mapped[str | None] = mapped_column(String(512))
    source: Mapped[str | None] = mapped_column(String(8))  # ocr | text (born-digital layer)
    rotation: Mapped[int | None] = mapped_column(Integer)  # degrees turned upright for OCR
    skew: Mapped[float | None] = mapped_column(Float)  # degrees deskewed for OCR

    document: Mapped[Document] = relationship(back_populates="pages")


class ObjectKey(Base):
    """The wrapped data key of every stored object, kept apart from the objects themselves.

    Deleting a row crypto-shreds its object: without the data key the ciphertext (and every
    copy of it in a storage backup) can no longer be read.
    """

    __tablename__ = "object_keys"

    object_key: Mapped[str] = mapped_column(String(512), primary_key=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    master_key_id: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AccessEvent(Base):
    """Who looked at what (查阅登记). Append-only; never pruned."""

    __tablename__ = "access_events"
    __table_args__ = (Index("ix_access_events_at", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(24))
    # ``role`` and ``action`` stay plain strings: a snapshot the log must always read back (an anonymous
    # visitor has no role); ``action`` is written as an ``AccessAction``.
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    outcome: Mapped[AccessOutcome] = mapped_column(
        vocabulary(AccessOutcome, 16), default=AccessOutcome.OK, nullable=False
    )
    household_id: Mapped[int | None] = mapped_column(Integer, index=True)
    document_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(vocabulary(Channel, 8), default=Channel.WEB, nullable=False)
    # Its place in the tamper-evident chain (see ``dossier.ledger``): the hash covers every
    # column above, the sequence number and the previous entry's hash.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), unique=True, nullable=False
    )
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class WebSession(Base):
    """A signed-in browser session, kept on the server: the cookie carries only a random id, whose
    SHA-256 is the key here. Deleted at logout, on a password change and on deactivation."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text, default="{}", nullable=False)  # JSON: the session's values


class LoginAttempt(Base):
    """One sign-in attempt, for throttling by client address and by account across processes
    and restarts. The name typed is kept only as a keyed hash."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_name_at", "name_key", "at"),
        Index("ix_login_attempts_addr_at", "client_addr", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    name_key: Mapped[str] = mapped_column(String(64), nullable=False)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class LogHead(Base):
    """The head of a tamper-evident log (see ``dossier.ledger``): its last entry's number and hash,
    signed with the archive's key. The same head is anchored in a file beside the keys."""

    __tablename__ = "log_heads"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    signature: Mapped[str | None] = mapped_column(String(128))
    signing_key_id: Mapped[str | None] = mapped_column(String(32))


class DocumentHistory(Base):
    """A document's signed change history: one entry per legitimate change of the catalog facts a
    user relies on (intake, processing, corrections, retention class, destruction). Each entry's
    record holds the whole signed metadata after the change; entries form one hash chain across
    all documents (``dossier.ledger``), append-only."""

    __tablename__ = "document_history"
    __table_args__ = (Index("ix_document_history_document_seq", "document_id", "seq"),)

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    action: Mapped[HistoryAction] = mapped_column(vocabulary(HistoryAction, 24), nullable=False)
    actor: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    record: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON, signed
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    signature: Mapped[str] = mapped_column(String(128), nullable=False)
    signing_key_id: Mapped[str] = mapped_column(String(32), nullable=False)


class HandoverDirection(enum.StrEnum):
    EXPORT = "export"  # 移交: a package written for another archive
    IMPORT = "import"  # 接收: a package checked and (when every check passed) filed here


class Handover(Base):
    """One handover (移交 or 接收, see ``handover/``): what it covered, its package's identity
    and digest, and the checks' outcome. Kept permanently, like the 移交接收登记表 it backs."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[HandoverDirection] = mapped_column(vocabulary(HandoverDirection, 8), nullable=False)
    package_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(Text, nullable=False)  # what was asked for, in words
    source_archive: Mapped[str | None] = mapped_column(String(128))  # 移交单位 of a received package
    households: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    documents: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    pages: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    manifest_sha256: Mapped[str | None] = mapped_column(String(64))
    accepted: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    report: Mapped[str | None] = mapped_column(Text)  # JSON: the checks and their findings


# --- retention and destruction (see retention/) -------------------------------------------------


class RetentionTrigger(enum.StrEnum):
    DOCUMENT_DATE = "document_date"  # counted from the document's own date
    HOUSEHOLD_CLOSED = "household_closed"  # counted from the day its household closed


class RetentionClass(Base):
    """A retention period (保管期限): permanent (no years) or kept N years after its trigger."""

    __tablename__ = "retention_classes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    years: Mapped[int | None] = mapped_column(Integer)  # None: permanent (永久)
    trigger: Mapped[RetentionTrigger] = _enum_col(RetentionTrigger.DOCUMENT_DATE)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Hold(Base):
    """A legal hold, open complaint or dispute: while active, nothing it covers is destroyed."""

    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    placed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    released_by: Mapped[str | None] = mapped_column(String(64))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    release_reason: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household | None] = relationship()
    document: Mapped[Document | None] = relationship()


class ListStatus(enum.StrEnum):
    PROPOSED = "proposed"  # awaiting review
    APPROVED = "approved"  # reviewed; items are being destroyed
    EXECUTED = "executed"  # every approved item destroyed


class ItemState(enum.StrEnum):
    PENDING = "pending"  # on the list, not destroyed (yet)
    STRUCK = "struck"  # taken off by the reviewer, with a reason
    DESTROYED = "destroyed"


class DestructionList(Base):
    """A destruction list (销毁清册). Kept permanently, like its certificate."""

    __tablename__ = "destruction_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    status: Mapped[ListStatus] = _enum_col(ListStatus.PROPOSED)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    executed_by: Mapped[str | None] = mapped_column(String(64))
    executed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # SHA-256 over the hashes of the list's shredding-log entries, as its certificate quotes it;
    # kept with every entry appended, and checked against the log by ``audit verify``.
    log_range_sha256: Mapped[str | None] = mapped_column(String(64))

    items: Mapped[list[DestructionItem]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", order_by="DestructionItem.position"
    )


class DestructionItem(Base):
    """One document on a list, with the facts the list shows copied at proposal time."""

    __tablename__ = "destruction_items"
    __table_args__ = (UniqueConstraint("list_id", "document_id", name="uq_destruction_items_list_document"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("destruction_lists.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False, index=True)
    household_code: Mapped[str] = mapped_column(String(64), nullable=False)
    archive_no: Mapped[str] = mapped_column(String(64), nullable=False)
    type_code: Mapped[str] = mapped_column(String(32), nullable=False)
    type_name: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(256), nullable=False)
    document_date: Mapped[date | None] = mapped_column(Date)
    retention_class: Mapped[str] = mapped_column(String(16), nullable=False)
    disposal_date: Mapped[date] = mapped_column(Date, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    # The paper original (dual track): where it is kept, empty when there is none.
    paper_location: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[ItemState] = _enum_col(ItemState.PENDING)
    struck_reason: Mapped[str | None] = mapped_column(Text)
    struck_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    destroyed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    destroyed_by: Mapped[str | None] = mapped_column(String(64))
    paper_destruction_id: Mapped[int | None] = mapped_column(ForeignKey("paper_destructions.id"))

    parent: Mapped[DestructionList] = relationship(back_populates="items")
    document: Mapped[Document] = relationship()
    paper_destruction: Mapped[PaperDestruction | None] = relationship()


class PaperDestruction(Base):
    """The physical destruction of paper originals (shredded, with at least two 监销人)."""

    __tablename__ = "paper_destructions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("destruction_lists.id"), nullable=False, index=True)
    destroyed_on: Mapped[date] = mapped_column(Date, nullable=False)
    shredded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    witnesses: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of names
    method: Mapped[str] = mapped_column(String(128), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class ShredKind(enum.StrEnum):
    ELECTRONIC = "electronic"  # an original's stored object deleted
    PAPER = "paper"  # a paper original shredded


class ShredLogEntry(Base):
    """The shredding log: append-only, hash-chained, each entry signed (see retention.shredlog)."""

    __tablename__ = "shred_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    kind: Mapped[ShredKind] = mapped_column(vocabulary(ShredKind, 16), nullable=False)
    list_number: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    document_id: Mapped[int] = mapped_column(Integer, nullable=False)
    record: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON, signed
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    signature: Mapped[str] = mapped_column(String(128), nullable=False)
    signing_key_id: Mapped[str] = mapped_column(String(32), nullable=False)


# --- audit (see audit/) -------------------------------------------------------------------------


class AuditStatus(enum.StrEnum):
    RUNNING = "running"
    FINISHED = "finished"


class FixityProperty(enum.StrEnum):
    """The DA/T 70 property (四性) a check bears on."""

    AUTHENTICITY = "authenticity"
    INTEGRITY = "integrity"
    USABILITY = "usability"
    SECURITY = "security"


class FixityOutcome(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"


class AuditRun(Base):
    """One run of ``dossier audit verify``: its scope, who started it, and how far it got.

    ``cursor`` is the last document id checked, so an interrupted run continues where it stopped.
    """

    __tablename__ = "audit_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[str] = mapped_column(String(64), nullable=False)
    scope: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON
    status: Mapped[AuditStatus] = mapped_column(
        vocabulary(AuditStatus, 16), default=AuditStatus.RUNNING, nullable=False
    )
    cursor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    documents_checked: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    documents_failed: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    archive_failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class FixityEvent(Base):
    """One check's outcome for one document (or for the whole archive) in one run.

    Like a PREMIS fixity event: kept for ever, so a failure can say when the check last passed.
    """

    __tablename__ = "fixity_events"
    __table_args__ = (
        Index("ix_fixity_events_document_check", "document_id", "check", "at"),
        Index("ix_fixity_events_run_outcome", "run_id", "outcome"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("audit_runs.id"), nullable=False)
    document_id: Mapped[int | None] = mapped_column(Integer)
    household_id: Mapped[int | None] = mapped_column(Integer)
    check: Mapped[str] = mapped_column(String(32), nullable=False)
    property: Mapped[FixityProperty] = mapped_column(vocabulary(FixityProperty, 16), nullable=False)
    outcome: Mapped[FixityOutcome] = mapped_column(vocabulary(FixityOutcome, 8), nullable=False)
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class LoanManner(enum.StrEnum):
    """How a paper original is used (借阅方式): read on the spot, copied, or taken away."""

    VIEW = "view"  # 查阅
    COPY = "copy"  # 复制
    TAKE = "take"  # 借出


class ReturnCondition(enum.StrEnum):
    """What came back (归还查验)."""

    INTACT = "intact"  # 完好
    PAGES_MISSING = "pages_missing"  # 缺页
    DAMAGED = "damaged"  # 损坏


class ReminderChannel(enum.StrEnum):
    """How a borrower was chased (催还方式)."""

    PHONE = "phone"
    SMS = "sms"
    VISIT = "visit"
    LETTER = "letter"
    OTHER = "other"


class Loan(Base):
    """A paper original lent out (借阅) and, once back, when and to whom it was returned."""

    __tablename__ = "loans"
    __table_args__ = (Index("ix_loans_open_due", "returned_at", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False, index=True)
    borrower: Mapped[str] = mapped_column(String(128), nullable=False)
    lent_by: Mapped[str] = mapped_column(String(64), nullable=False)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    out_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    returned_to: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    borrower_unit: Mapped[str | None] = mapped_column(String(128))  # 单位或户号
    purpose: Mapped[str | None] = mapped_column(String(200))
    manner: Mapped[LoanManner] = mapped_column(
        vocabulary(LoanManner, 8), default=LoanManner.TAKE, server_default="take", nullable=False
    )
    return_condition: Mapped[ReturnCondition | None] = mapped_column(vocabulary(ReturnCondition, 16))
    return_note: Mapped[str | None] = mapped_column(Text)

    document: Mapped[Document] = relationship()
    approved_by: Mapped[User | None] = relationship()
    renewals: Mapped[list[LoanRenewal]] = relationship(order_by="LoanRenewal.id")
    reminders: Mapped[list[LoanReminder]] = relationship(order_by="LoanReminder.id")


class LoanRenewal(Base):
    """A loan's due date moved (续借): from what, to what, by whom."""

    __tablename__ = "loan_renewals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), nullable=False, index=True)
    renewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    renewed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    old_due: Mapped[date] = mapped_column(Date, nullable=False)
    new_due: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


class LoanReminder(Base):
    """A borrower chased for an original (催还): who chased, when, how."""

    __tablename__ = "loan_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), nullable=False, index=True)
    reminded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    reminded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    channel: Mapped[ReminderChannel] = mapped_column(vocabulary(ReminderChannel, 8), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


class InventoryCount(Base):
    """One monthly count (每月清点) of a cabinet's paper originals, with what did not match."""

    __tablename__ = "inventory_counts"
    __table_args__ = (Index("ix_inventory_counts_cabinet_month", "cabinet", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cabinet: Mapped[str] = mapped_column(String(32), nullable=False)
    month: Mapped[str] = mapped_column(String(7), nullable=False)  # YYYY-MM
    counted_by: Mapped[str] = mapped_column(String(64), nullable=False)
    counted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    expected: Mapped[int] = mapped_column(Integer, nullable=False)  # on the shelf by the ledger
    found: Mapped[int] = mapped_column(Integer, nullable=False)
    on_loan: Mapped[int] = mapped_column(Integer, nullable=False)
    discrepancies: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list
    note: Mapped[str | None] = mapped_column(Text)

    resolutions: Mapped[list[InventoryResolution]] = relationship(order_by="InventoryResolution.entry")


class InventoryResolution(Base):
    """How one discrepancy of a count (its index in ``discrepancies``) was settled (差异处理)."""

    __tablename__ = "inventory_resolutions"
    __table_args__ = (UniqueConstraint("count_id", "entry", name="uq_inventory_resolutions_count_entry"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("inventory_counts.id"), nullable=False)
    entry: Mapped[int] = mapped_column(Integer, nullable=False)
    resolved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    resolved_by: Mapped[str] = mapped_column(String(64), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)


# --- background jobs (see dossier.jobs) ---------------------------------------------------------


class JobStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for the worker
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """A long task the web hands to the worker (a whole-archive audit run, a destruction list's
    execution): what to do, who asked, how far it got, how it ended and where its result is.

    ``active_key`` (kind and target) is set while the job is queued or running and cleared when
    it ends: unique, so a second job of the same kind on the same target cannot start meanwhile.
    """

    __tablename__ = "background_jobs"
    __table_args__ = (Index("ix_background_jobs_kind_status", "kind", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    target: Mapped[str | None] = mapped_column(String(64))  # e.g. a destruction list's number
    active_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    params: Mapped[str] = mapped_column(Text, nullable=False)  # JSON
    status: Mapped[JobStatus] = _enum_col(JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(String(64))  # e.g. the audit run's id, the list's number
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    channel: Mapped[Channel] = mapped_column(vocabulary(Channel, 8), default=Channel.WEB, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# --- append-only tables -----------------------------------------------------------------------
# Guarded in the ORM by install_append_only_guards, which dossier.db.session_factory calls before
# it hands out a session (so every session of the archive is guarded, whatever was imported);
# migration 0006 adds the same rules as database triggers for anything that bypasses the ORM.

APPEND_ONLY: tuple[type[Base], ...] = (ShredLogEntry, AccessEvent, FixityEvent, DocumentHistory)
NEVER_DELETED: tuple[type[Base], ...] = (DestructionList, DestructionItem, PaperDestruction, Hold)


class AppendOnlyViolation(IntegrityFailure):
    """An attempt to change or delete a row of an append-only table."""


def _refuse_change(_mapper: object, _connection: object, target: Base) -> None:
    raise AppendOnlyViolation("models.never_changed", table=type(target).__tablename__)


def _refuse_delete(_mapper: object, _connection: object, target: Base) -> None:
    raise AppendOnlyViolation("models.never_deleted", table=type(target).__tablename__)


def _refuse_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name in {m.__tablename__ for m in APPEND_ONLY} or (
        state.is_delete and name in {m.__tablename__ for m in NEVER_DELETED}
    ):
        raise AppendOnlyViolation(
            "models.never_deleted" if state.is_delete else "models.never_changed", table=name
        )


# A document's item number and its stamp's facts, once given, are never changed (migrations 0011
# and 0012 add the same rule as database triggers).
FIXED_ONCE_SET = ("archive_no", "item_no", "numbered_in_id", "stamp_fonds", "stamp_year", "stamp_retention")


def _refuse_renumbering(_mapper: object, _connection: object, target: Document) -> None:
    state = inspect(target)
    for name in FIXED_ONCE_SET:
        before = state.attrs[name].history.deleted
        if before and before[0] is not None:
            raise AppendOnlyViolation("models.never_renumbered", id=target.id)


_guards_installed = False


def install_append_only_guards() -> None:
    """Refuse, in the ORM, every change to an append-only row and every deletion of a row that
    is never deleted: flushed objects (mapper events) and bulk UPDATE/DELETE statements run
    through any session (``do_orm_execute``). Idempotent: each listener is added once."""
    global _guards_installed
    if _guards_installed:
        return

    def listen(target: object, name: str, listener: Callable[..., None]) -> None:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)

    for model in APPEND_ONLY:
        listen(model, "before_update", _refuse_change)
        listen(model, "before_delete", _refuse_change)
    for model in NEVER_DELETED:
        listen(model, "before_delete", _refuse_delete)
    listen(Document, "before_update", _refuse_renumbering)
    listen(Session, "do_orm_execute", _refuse_bulk)
    _guards_installed = True
