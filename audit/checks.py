"""The checks an audit makes: per document, and across the whole archive.

Each check has a name and the DA/T 70 property (四性) it bears on: authenticity (真实性: signature
valid, catalog and stored content as signed, SHA-256 and SM3), integrity (完整性: object and data
key present, it decrypts, metadata complete, catalog and storage agree, archive numbers without
gaps), usability (可用性: previews, searchable PDF and index entries present) and security
(安全性: encrypted at rest under a data key kept apart, no confidential read without clearance).
Archive-wide checks live in ``ARCHIVE_CHECKS``; other modules add theirs with
``register_archive_check`` (the shredding log's chain check plugs in there).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import select

from audit.consistency import destruction_findings, leftover_content_findings
from audit.context import LIST_CHUNK, CheckContext, Finding
from dossier import archiveno, originals, pagetext
from dossier.catalog import Text, text, zh
from dossier.errors import DossierError
from dossier.ledger import LogVerdict
from dossier.models import (
    AccessEvent,
    Confidentiality,
    Document,
    DocumentStatus,
    FixityProperty,
    Household,
    ObjectKey,
    Page,
    ScanStack,
)
from dossier.permissions import Permission, role_can
from dossier.services import numbering
from dossier.services.access import verify_access_log
from dossier.services.history import check_metadata, verify_history
from dossier.services.stacks import verify_stack
from retention import shredlog

AUTHENTICITY, INTEGRITY, USABILITY, SECURITY = (
    FixityProperty.AUTHENTICITY,
    FixityProperty.INTEGRITY,
    FixityProperty.USABILITY,
    FixityProperty.SECURITY,
)
PROPERTIES = tuple(FixityProperty)
PROPERTY_NAMES_ZH = {AUTHENTICITY: "真实性", INTEGRITY: "完整性", USABILITY: "可用性", SECURITY: "安全性"}

# check name → (property, what it proves, in Chinese for the report and the page)
CHECKS: dict[str, tuple[FixityProperty, str]] = {
    "signature": (AUTHENTICITY, "入库记录的签名有效"),
    "record": (AUTHENTICITY, "目录与签名记录一致"),
    "signed_metadata": (AUTHENTICITY, "著录信息与页面文字与最新签名记录一致"),
    "sha256": (AUTHENTICITY, "原件 SHA-256 与签名记录一致"),
    "sm3": (AUTHENTICITY, "原件 SM3 与签名记录一致"),
    "key": (SECURITY, "原件加密存储，数据密钥在册"),
    "object": (INTEGRITY, "原件对象存在"),
    "decrypt": (INTEGRITY, "原件可解密且未被改动"),
    "size": (INTEGRITY, "原件大小与签名记录一致"),
    "metadata": (INTEGRITY, "著录项目完整"),
    "pages": (INTEGRITY, "页数与目录一致"),
    "derivatives": (USABILITY, "页面预览与可检索 PDF 齐全"),
    "index": (USABILITY, "全文索引包含各页"),
    "text": (USABILITY, "页面文字已识别（非空白文件）"),
    "orphan_objects": (INTEGRITY, "存储中无目录外的对象"),
    "missing_objects": (INTEGRITY, "目录登记的对象均在存储中"),
    "archive_no_gaps": (INTEGRITY, "档案编号连续"),
    "item_no_gaps": (INTEGRITY, "各户档号件号连续编号无漏号"),
    "unauthorised_readers": (SECURITY, "无越权查阅保密档案"),
}

PROCESSED = {DocumentStatus.INDEXED}
# The signed record's fields as findings name them.
_FIELDS_ZH = {
    "document": "文件编号",
    "object": "存储对象",
    "sha256": "SHA-256",
    "sm3": "SM3",
    "size": "大小",
    "media_type": "文件格式",
}


def property_of(check: str) -> FixityProperty:
    return CHECKS[check][0]


@dataclass(frozen=True)
class Outcome:
    check: str
    ok: bool
    detail: str | None = None


# --- one document ----------------------------------------------------------------------------


def _intake_record_outcomes(ctx: CheckContext, doc: Document) -> list[Outcome]:
    """The intake record's signature, the catalog and the stored content against it: one
    ``dossier.originals.check_record``, reported as the signature, record, key, object,
    decrypt, sha256, sm3 and size checks."""
    record = originals.parse_record(doc.signed_record)
    stored, digest = _stored_content(ctx, doc)
    # The household at intake; where the document is now is vouched for by its signed metadata
    # (``signed_metadata``), which a correction that moves it re-signs.
    expected = {
        "document": doc.id,
        "object": doc.original_key,
        "sha256": doc.sha256,
        "sm3": doc.sm3,
        "size": doc.size,
        "media_type": doc.media_type,
    }
    check = originals.check_record(record or {}, doc.signature, ctx.public_key, expected, digest)
    return _record_outcomes(record, check) + stored + _content_outcomes(check)


def _record_outcomes(record: dict | None, check: originals.RecordCheck) -> list[Outcome]:
    if record is None:
        return [
            Outcome("signature", False, zh("audit.finding.record_not_json")),
            Outcome("record", False, zh("audit.finding.record_not_json")),
        ]
    signed, differing = check.signature_ok, check.differing_fields
    return [
        Outcome("signature", signed, None if signed else zh("audit.finding.signature")),
        Outcome(
            "record",
            not differing,
            zh("audit.finding.record_differs", fields="、".join(_FIELDS_ZH.get(f, f) for f in differing))
            if differing
            else None,
        ),
    ]


def _stored_content(ctx: CheckContext, doc: Document) -> tuple[list[Outcome], tuple[str, str, int] | None]:
    """The key, object and decrypt outcomes, and the stored content's digests when it decrypts."""
    key_row = ctx.session.get(ObjectKey, doc.original_key) if doc.original_key else None
    outcomes = [Outcome("key", key_row is not None, None if key_row else zh("audit.finding.key_missing"))]
    exists = bool(doc.original_key) and ctx.archive.vault.exists(doc.original_key)
    outcomes.append(
        Outcome(
            "object", exists, None if exists else zh("audit.finding.object_missing", key=doc.original_key)
        )
    )
    if not (doc.original_key and exists and key_row):
        return outcomes, None
    try:
        digest = ctx.archive.vault.verify(doc.original_key, key_row.wrapped_key)
    except DossierError as exc:
        return outcomes + [Outcome("decrypt", False, exc.render("zh"))], None
    return outcomes + [Outcome("decrypt", True)], digest


def _content_outcomes(check: originals.RecordCheck) -> list[Outcome]:
    """sha256, sm3 (when the record has one: recorded before SM3 was, nothing to compare) and size."""
    return [
        Outcome(
            name, ok, None if ok else zh("audit.finding.content_differs", name=_FIELDS_ZH.get(name, name))
        )
        for name, ok in check.content.items()
    ]


def _metadata_outcome(doc: Document) -> Outcome:
    missing = [
        name
        for name, value in (
            (zh("audit.field.title"), doc.title),
            (zh("audit.field.type"), doc.type_code),
            (zh("audit.field.received_date"), doc.received_date),
            (zh("audit.field.media_type"), doc.media_type),
            (zh("audit.field.signing_key"), doc.signing_key_id),
        )
        if not value
    ]
    return Outcome(
        "metadata",
        not missing,
        zh("audit.finding.metadata_missing", fields="、".join(missing)) if missing else None,
    )


def _signed_metadata_outcome(
    ctx: CheckContext, doc: Document, texts: list[tuple[int, str | None]] | None, unreadable: str | None
) -> Outcome:
    if texts is None:
        return Outcome("signed_metadata", False, zh("audit.finding.text_unreadable", reason=unreadable))
    result = check_metadata(
        ctx.session, doc, ctx.public_key, archive_no=doc.household.archive_no, texts=texts
    )
    return Outcome("signed_metadata", result.ok, result.problem)


def _texts(ctx: CheckContext, doc: Document) -> list[tuple[int, str | None]]:
    """The pages' plaintext (a confidential document's is sealed, ``dossier.pagetext``)."""
    return [(p.number, pagetext.page_text(ctx.archive, p)) for p in doc.pages]


def _processed_outcomes(
    ctx: CheckContext, doc: Document, texts: list[tuple[int, str | None]] | None
) -> list[Outcome]:
    pages: list[Page] = list(doc.pages)
    ok_pages = bool(pages) and doc.page_count == len(pages)
    outcomes = [
        Outcome(
            "pages",
            ok_pages,
            None if ok_pages else zh("audit.finding.pages", counted=doc.page_count, recorded=len(pages)),
        )
    ]
    vault = ctx.archive.vault
    lacking = [p.number for p in pages if not p.preview_key or not vault.exists(p.preview_key)]
    problems = (
        [zh("audit.finding.previews_missing", pages="、".join(map(str, lacking[:10])))] if lacking else []
    )
    if doc.searchable_pdf_key and not vault.exists(doc.searchable_pdf_key):
        problems.append(zh("audit.finding.pdf_missing"))
    outcomes.append(Outcome("derivatives", not problems, "；".join(problems) or None))
    # A blank page is normal, a document without a single word read is not (unreadable scan,
    # or its text lost): text is what makes a scanned record findable and usable.
    # Unreadable sealed text (texts is None) is reported by signed_metadata.
    has_text = texts is not None and any((text or "").strip() for _, text in texts)
    outcomes.append(
        Outcome(
            "text",
            has_text or not pages,
            None if has_text or not pages else zh("audit.finding.no_text"),
        )
    )
    if ctx.indexed is not None:
        in_index = ctx.indexed.get(doc.id, 0)
        ok = in_index == len(pages)
        outcomes.append(
            Outcome(
                "index", ok, None if ok else zh("audit.finding.index", indexed=in_index, pages=len(pages))
            )
        )
    return outcomes


def check_document(ctx: CheckContext, doc: Document) -> list[Outcome]:
    """Every check that applies to ``doc`` (pages, derivatives and index only once processed)."""
    outcomes = _intake_record_outcomes(ctx, doc) + [_metadata_outcome(doc)]
    try:
        texts, unreadable = _texts(ctx, doc), None  # decrypted once, for both checks below
    except DossierError as exc:  # sealed text that no longer opens: altered or moved
        texts, unreadable = None, exc.render("zh")
    outcomes.append(_signed_metadata_outcome(ctx, doc, texts, unreadable))
    if doc.status in PROCESSED:
        outcomes += _processed_outcomes(ctx, doc, texts)
    return outcomes


# --- the whole archive -----------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveCheck:
    name: str
    run: Callable[[CheckContext], Iterator[Finding]]


ARCHIVE_CHECKS: list[ArchiveCheck] = []


def register_archive_check(name: str, prop: FixityProperty, what_zh: str) -> Callable:
    """Decorator: add an archive-wide check (a function of a ``CheckContext`` yielding ``Finding``s)."""
    if prop not in PROPERTIES:
        raise ValueError(f"unknown property {prop!r}")

    def add(fn: Callable[[CheckContext], Iterator[Finding]]):
        CHECKS[name] = (prop, what_zh)
        ARCHIVE_CHECKS[:] = [c for c in ARCHIVE_CHECKS if c.name != name] + [ArchiveCheck(name, fn)]
        return fn

    return add


def _chunks(items: Iterator, size: int = LIST_CHUNK) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@register_archive_check("orphan_objects", INTEGRITY, CHECKS["orphan_objects"][1])
def orphan_objects(ctx: CheckContext) -> Iterator[Finding]:
    """Objects in storage with no catalog row (no wrapped key: nobody could read them)."""
    for chunk in _chunks(info.key for info in ctx.archive.store.list("")):
        known = set(ctx.session.scalars(select(ObjectKey.object_key).where(ObjectKey.object_key.in_(chunk))))
        for key in chunk:
            if key not in known:
                yield Finding(zh("audit.finding.orphan_object", key=key))


@register_archive_check("missing_objects", INTEGRITY, CHECKS["missing_objects"][1])
def missing_objects(ctx: CheckContext) -> Iterator[Finding]:
    """Catalog rows (originals and derivatives) whose object is not in storage."""
    last = ""
    while True:
        keys = list(
            ctx.session.scalars(
                select(ObjectKey.object_key)
                .where(ObjectKey.object_key > last)
                .order_by(ObjectKey.object_key)
                .limit(LIST_CHUNK)
            )
        )
        if not keys:
            return
        last = keys[-1]
        for key in keys:
            if not ctx.archive.vault.exists(key):
                row = ctx.session.execute(
                    select(Document.id, Document.household_id).where(Document.original_key == key)
                ).first()
                yield Finding(
                    zh("audit.finding.missing_object", key=key),
                    row[0] if row else None,
                    row[1] if row else None,
                )


# The shape of a number the archive gave: <community code>-<use letter><WIDTH digits>.
_GIVEN = re.compile(rf"^[^-]+-[{''.join(archiveno.USE_LETTERS.values())}]\d{{{archiveno.WIDTH}}}$")


@register_archive_check("archive_no_gaps", INTEGRITY, CHECKS["archive_no_gaps"][1])
def archive_no_gaps(ctx: CheckContext) -> Iterator[Finding]:
    """Gaps in each series of folder archive numbers (community code + use letter + number).
    A number stays in its series wherever its folder is now: a household moved to another
    community, or a merged community's households, keep their numbers (numbers given by hand
    in another shape are in no series)."""
    series: dict[str, list[int]] = {}
    for archive_no in ctx.session.scalars(select(Household.archive_no)):
        parts = archiveno.split_archive_no(archive_no)
        if parts is not None and _GIVEN.match(archive_no):
            series.setdefault(parts[0], []).append(parts[1])
    for prefix, numbers in sorted(series.items()):
        numbers.sort()
        for before, after in zip(numbers, numbers[1:], strict=False):
            if after - before > 1:
                first, last = (archiveno.format_archive_no(prefix, n) for n in (before + 1, after - 1))
                gap = first if after - before == 2 else f"{first}–{last}"
                yield Finding(zh("audit.finding.archive_no_gap", gap=gap, prefix=prefix))


@register_archive_check("item_no_gaps", INTEGRITY, CHECKS["item_no_gaps"][1])
def item_no_gaps(ctx: CheckContext) -> Iterator[Finding]:
    """DA/T 70's 连续编号无漏号: each folder's 件号 run on without gaps, every number accounted for
    (``dossier.services.numbering.gaps``)."""
    for gap in numbering.gaps(ctx.session):
        yield Finding(zh(gap.reason, folder=gap.folder, item=gap.item, id=gap.document), gap.document)


_READS = ("document.view", "page.view", "document.download", "document.print", "document.export")


@register_archive_check("unauthorised_readers", SECURITY, CHECKS["unauthorised_readers"][1])
def unauthorised_readers(ctx: CheckContext) -> Iterator[Finding]:
    """Successful reads of confidential documents by a role without clearance."""
    rows = ctx.session.execute(
        select(
            AccessEvent.id,
            AccessEvent.username,
            AccessEvent.role,
            AccessEvent.action,
            AccessEvent.document_id,
            AccessEvent.household_id,
        )
        .join(Document, Document.id == AccessEvent.document_id)
        .where(
            Document.confidentiality == Confidentiality.CONFIDENTIAL,
            AccessEvent.outcome == "ok",
            AccessEvent.action.in_(_READS),
        )
        .order_by(AccessEvent.id)
    ).yield_per(LIST_CHUNK)
    for event_id, username, role, action, document_id, household_id in rows:
        if role and not role_can(role, Permission.VIEW_CONFIDENTIAL):
            yield Finding(
                zh(
                    "audit.finding.unauthorised_read", event=event_id, user=username, role=role, action=action
                ),
                document_id,
                household_id,
            )


def _log_findings(name: Text, result: LogVerdict) -> Iterator[Finding]:
    """One finding per problem: the log and the problem (naming its entry), in Chinese."""
    for problem in result.problems:
        yield Finding(zh("audit.finding.log", log=name, problem=shredlog.problem_zh(problem["problem"])))


@register_archive_check("shred_log", AUTHENTICITY, "销毁日志哈希链完整、每条签名有效、链头与锚点一致")
def shred_log(ctx: CheckContext) -> Iterator[Finding]:
    """The shredding log's chain, signatures, head and anchor (``retention.shredlog.verify``)."""
    yield from _log_findings(text("audit.log.shredlog"), shredlog.verify(ctx.session, ctx.public_key))


@register_archive_check("access_log", AUTHENTICITY, "查阅登记哈希链完整、链头签名有效且与锚点一致")
def access_log(ctx: CheckContext) -> Iterator[Finding]:
    """The access log's chain, head and anchor (``dossier.services.access.verify_access_log``)."""
    yield from _log_findings(text("audit.log.access"), verify_access_log(ctx.session, ctx.public_key))


@register_archive_check("change_history", AUTHENTICITY, "著录变更历史哈希链完整、每条签名有效")
def change_history(ctx: CheckContext) -> Iterator[Finding]:
    """The documents' change history: chain, signatures, head and anchor."""
    yield from _log_findings(text("audit.log.history"), verify_history(ctx.session, ctx.public_key))


@register_archive_check(
    "destruction_records", INTEGRITY, "每件已销毁文件均有销毁日志记录，销毁证明与日志一致"
)
def destruction_records(ctx: CheckContext) -> Iterator[Finding]:
    """Destroyed documents, destroyed list items, shredding-log entries and the lists' range
    hashes (what their certificates quote) agree with each other."""
    yield from destruction_findings(ctx)


@register_archive_check("destroyed_content", SECURITY, "已销毁文件的内容在任何存储对象中均不可再解密")
def destroyed_content(ctx: CheckContext) -> Iterator[Finding]:
    """No content of a destroyed document can still be read: no page text, no data key of its
    original or derivatives, no stored stack still holding its pages."""
    yield from leftover_content_findings(ctx)


@register_archive_check("scan_stacks", AUTHENTICITY, "封面拆分前的整叠扫描件签名有效、内容未被改动")
def scan_stacks(ctx: CheckContext) -> Iterator[Finding]:
    """Stacks scanned with cover sheets, kept whole as the batch's original (``ingest --split``)."""
    last = 0
    while True:
        stacks = list(
            ctx.session.scalars(
                select(ScanStack).where(ScanStack.id > last).order_by(ScanStack.id).limit(LIST_CHUNK)
            )
        )
        if not stacks:
            return
        last = stacks[-1].id
        for stack in stacks:
            ok, problems = verify_stack(ctx.archive, ctx.session, stack)
            if not ok:
                yield Finding(
                    zh("audit.finding.stack", id=stack.id, file=stack.file_name, problems="；".join(problems))
                )
