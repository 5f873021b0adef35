"""The 接收 checks of a handover package, run before anything is stored (DA/T 70's 四性).

Authenticity: package.sig over package.json with signing-key.pem; each eep.xml's signature; each
original's signed intake record (in its EEP) against the sender's key and the file; each signed
history record (著录签名) against the key, the package and the page text. Integrity: every
manifest file present with its size, SHA-256 and SM3, no file more; every document of a
folder.json with its directory; the EEPs agreeing with folder.json; each folder's 件号 1…counter
accounted for (present, destroyed, moved within the package, or moved out: recorded, not a
failure). Usability: every original opens and renders, with the pages its EEP says. Security:
no executable content, no active PDF content, only the scan formats intake accepts, sizes within
limits, no links or paths outside the package. Then the conflicts with this archive. Each
finding names its item (a path or a 档号) in one Chinese sentence. Format:
docs/formats/handover-package.md.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.archive import Archive
from dossier.catalog import text, zh
from dossier.config import Settings
from dossier.errors import DossierError, InvalidInput
from dossier.models import Community, Document, DocumentStatus, DocumentType, Household, RetentionClass
from dossier.services import history
from dossier.signing import verify
from handover import package
from handover.eep import verify_eep
from ingest._tools import decoding, first_line, run_tool
from ingest.detect import detect, pdf_info

ASPECTS = ("authenticity", "integrity", "usability", "security", "conflicts")
AUTHENTICITY, INTEGRITY, USABILITY, SECURITY, CONFLICTS = ASPECTS
ASPECT_CODES = {aspect: f"handover.receive.aspect.{aspect}" for aspect in ASPECTS}
# Whole-package limits (a single file's is the upload limit, ``DOSSIER_MAX_UPLOAD_MB``).
MAX_PACKAGE_BYTES = 1 << 40  # 1 TiB
MAX_FILES = 1_000_000
MAX_SMALL_FILE = 64 << 20  # folder.json, eep.xml, pages.json
# Content that runs: ELF, Windows PE, Mach-O, and scripts (#!).
_EXECUTABLE_MAGIC = (
    (b"\x7fELF", "elf"),
    (b"MZ", "mz"),
    (b"\xfe\xed\xfa\xce", "macho"),
    (b"\xfe\xed\xfa\xcf", "macho"),
    (b"\xce\xfa\xed\xfe", "macho"),
    (b"\xcf\xfa\xed\xfe", "macho"),
    (b"#!", "script"),
)
# PDF names that make a document act rather than show.
ACTIVE_PDF_NAMES = ("/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles")
ACCEPTED_MEDIA = ("application/pdf", "image/tiff", "image/jpeg", "image/png")


@dataclass
class Finding:
    aspect: str
    item: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"aspect": self.aspect, "item": self.item, "code": self.code, "message": self.message}


@dataclass
class Item:
    """One document of the package, as checked (what filing needs)."""

    folder: str  # the folder (archive number) it is in
    archive_no: str
    item_no: int | None
    numbered_in: str | None
    path: str  # its directory
    sender_id: Any = None
    original: str | None = None  # the original's package path
    media_type: str | None = None
    pages_found: int | None = None
    sha256: str | None = None
    size: int | None = None
    eep: dict[str, Any] = field(default_factory=dict)
    intake: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)  # the latest signed history record
    pages: list[dict[str, Any]] = field(default_factory=list)
    paper: dict[str, str | None] = field(default_factory=dict)  # where its paper original is kept
    stamp: tuple[str, int, str] | None = None  # its 归档章's 全宗号, 年度, 保管期限 code (``stamp_of``)


def stamp_of(entry: Any) -> tuple[str, int, str] | None:
    """The 归档章's facts a package gives a document or tombstone (``"stamp"`` in folder.json:
    全宗号, 年度, 保管期限 code), or None when absent or malformed (the receiver then stamps it
    with its own facts of the day, as an upgrade does)."""
    stamp = entry.get("stamp") if isinstance(entry, dict) else None
    if not isinstance(stamp, dict):
        return None
    fonds, year, retention = stamp.get("fonds"), stamp.get("year"), stamp.get("retention")
    if not (isinstance(fonds, str) and 0 < len(fonds) <= 32 and isinstance(retention, str)):
        return None
    if not (isinstance(year, int) and not isinstance(year, bool) and 1000 <= year <= 9999):
        return None
    return (fonds, year, retention) if 0 < len(retention) <= 16 else None


@dataclass
class Folder:
    path: str  # households/<folder>
    data: dict[str, Any]
    items: list[Item] = field(default_factory=list)

    @property
    def archive_no(self) -> str:
        return str(self.data.get("archive_no"))


@dataclass
class ReceiveReport:
    """What the checks found (and, once filed, what was filed): ``ok`` when nothing failed."""

    path: str
    package_id: str | None = None
    created_at: str | None = None
    source: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    manifest_sha256: str | None = None
    key_fingerprint: str | None = None
    # True when the key matched the fingerprint the sender gave (``sender_key``); None: not compared.
    sender_key_confirmed: bool | None = None
    findings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)  # recorded, not failures
    numbers_not_carried: list[list[Any]] = field(default_factory=list)
    accepted: bool = False
    handover_id: int | None = None
    filed: dict[str, Any] = field(default_factory=dict)
    register: dict[str, str] = field(default_factory=dict)
    folders: list[Folder] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, aspect: str, where: str, message: str, /, **params: object) -> None:
        """A failed check: ``message`` (a catalog code) about ``where`` (a path or a 档号)."""
        self.findings.append(Finding(aspect, where, message, zh(message, **params)))

    def note(self, aspect: str, where: str, message: str, /, **params: object) -> None:
        """Something recorded that is not a failure (a number not carried)."""
        self.notes.append(Finding(aspect, where, message, zh(message, **params)))

    def by_aspect(self) -> dict[str, list[Finding]]:
        return {aspect: [f for f in self.findings if f.aspect == aspect] for aspect in ASPECTS}

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "package_id": self.package_id,
            "created_at": self.created_at,
            "source": self.source,
            "counts": self.counts,
            "manifest_sha256": self.manifest_sha256,
            "key_fingerprint": self.key_fingerprint,
            "sender_key_confirmed": self.sender_key_confirmed,
            "ok": self.ok,
            "accepted": self.accepted,
            "checks": {
                aspect: {"ok": not found, "findings": [f.as_dict() for f in found]}
                for aspect, found in self.by_aspect().items()
            },
            "notes": [n.as_dict() for n in self.notes],
            "numbers_not_carried": self.numbers_not_carried,
            "handover_id": self.handover_id,
            "filed": self.filed,
            "register": self.register,
        }


def key_statement(report: dict[str, Any]) -> str | None:
    """What the report says of the package's signing key (from ``ReceiveReport.as_dict()``):
    compared with the sender's fingerprint and the same, or not compared (a difference is a
    finding of its own); None when no key was read."""
    fingerprint = report.get("key_fingerprint")
    if not fingerprint or report.get("sender_key_confirmed") is False:
        return None
    if report.get("sender_key_confirmed"):
        return zh("handover.receive.sender_key_confirmed", fingerprint=fingerprint)
    return zh("handover.receive.sender_key_unchecked", fingerprint=fingerprint)


# ``progress(done, total, message)``: how far the work got (``dossier.jobs.Running.progress``).
Progress = Callable[..., None]


def check_package(
    archive: Archive,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    sender_key: str | None = None,
) -> ReceiveReport:
    """Run every 接收 check on the package in ``path``; nothing is stored. The report's ``ok``
    says whether it may be filed; its ``folders`` hold what filing needs. ``sender_key``: the
    fingerprint the sender gave on its signed 登记表; a package signed by any other key fails
    authenticity (without it, the signature proves only that the package is unchanged since
    some key signed it)."""
    expected_key = package.parse_fingerprint(sender_key) if sender_key else None
    root = Path(path)
    report = ReceiveReport(path=str(root))
    if progress is not None:
        progress(0, None, zh("handover.progress.checking"))
    try:
        manifest = package.read_manifest(root)
        report.manifest_sha256 = package.manifest_sha256(root)
    except DossierError as exc:
        report.add(INTEGRITY, str(root), "handover.receive.package_unreadable", reason=exc.message)
        return report
    report.package_id = str(manifest.get("package_id") or "")
    report.created_at = str(manifest.get("created_at") or "")
    source = manifest.get("source")
    report.source = source if isinstance(source, dict) else {}
    counts = manifest.get("counts")
    report.counts = counts if isinstance(counts, dict) else {}
    key = _check_signature(root, manifest, report)
    if expected_key is not None and report.key_fingerprint is not None:
        report.sender_key_confirmed = report.key_fingerprint == expected_key
        if not report.sender_key_confirmed:
            report.add(
                AUTHENTICITY,
                package.PUBLIC_KEY,
                "handover.receive.sender_key_differs",
                found=report.key_fingerprint,
                expected=expected_key,
            )
    entries = _check_tree(root, manifest, report, archive.settings)
    report.folders = _read_folders(root, entries, report)
    for folder in report.folders:
        for item in folder.items:
            _check_item(root, item, entries, key, report, archive.settings)
        _check_destroyed(folder, key, report)
    _check_numbering(report)
    _check_counts(report)
    with archive.session() as session:
        check_conflicts(session, report)
    return report


# --- authenticity of the manifest -------------------------------------------------------------


def _check_signature(root: Path, manifest: dict[str, Any], report: ReceiveReport) -> Ed25519PublicKey | None:
    try:
        ok, fingerprint = package.check_manifest_signature(root, manifest)
        key = package.public_key_of(root)
    except DossierError as exc:
        report.add(AUTHENTICITY, package.PUBLIC_KEY, "handover.receive.key_unreadable", reason=exc.message)
        return None
    report.key_fingerprint = fingerprint
    if not ok:
        report.add(AUTHENTICITY, package.SIGNATURE, "handover.receive.sig_invalid")
    return key


# --- the files: security and integrity --------------------------------------------------------


def _walk(root: Path, report: ReceiveReport) -> Iterator[tuple[str, os.stat_result]]:
    """Every regular file under ``root`` (package path, lstat), links and specials reported."""
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        for name in sorted(dirnames + filenames):
            full = Path(folder) / name
            relative = full.relative_to(root).as_posix()
            try:
                info = os.lstat(full)
            except OSError:
                continue
            if stat.S_ISLNK(info.st_mode):
                report.add(SECURITY, relative, "handover.receive.symlink", path=relative)
            elif stat.S_ISREG(info.st_mode):
                yield relative, info
            elif not stat.S_ISDIR(info.st_mode):
                report.add(SECURITY, relative, "handover.receive.special", path=relative)


def _executable_kind(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return None
    for magic, kind in _EXECUTABLE_MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _size_text(size: int) -> str:
    return f"{size / 1024**3:.3f} GB" if size >= 1024**3 else f"{size / 1024**2:.1f} MB"


def _check_tree(
    root: Path, manifest: dict[str, Any], report: ReceiveReport, settings: Settings
) -> dict[str, dict[str, Any]]:
    """The manifest's entries whose files are there (inside the package, no links), by path;
    every problem with the files reported."""
    listed: dict[str, dict[str, Any]] = {}
    for entry in manifest.get("files") or []:
        name = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            report.add(SECURITY, str(name), "handover.receive.unsafe_path", path=str(name)[:200])
            continue
        if name in listed:
            report.add(INTEGRITY, name, "handover.receive.listed_twice", path=name)
        listed[name] = entry
    file_limit = settings.max_upload_mb * 1024 * 1024
    total = 0
    count = 0
    oversized: set[str] = set()
    for relative, info in _walk(root, report):
        count += 1
        total += info.st_size
        if relative not in listed and relative not in package.UNLISTED:
            report.add(INTEGRITY, relative, "handover.receive.file_extra", path=relative)
        kind = _executable_kind(root / relative)
        if kind is not None:
            report.add(
                SECURITY,
                relative,
                "handover.receive.executable",
                path=relative,
                kind=text("handover.receive.kind." + kind),
            )
        if info.st_size > file_limit:
            oversized.add(relative)
            report.add(
                SECURITY,
                relative,
                "handover.receive.file_too_large",
                path=relative,
                size=_size_text(info.st_size),
                limit=_size_text(file_limit),
            )
    if count > MAX_FILES:
        report.add(SECURITY, str(root), "handover.receive.too_many_files", count=count, limit=MAX_FILES)
    if total > MAX_PACKAGE_BYTES:
        report.add(
            SECURITY,
            str(root),
            "handover.receive.package_too_large",
            size=_size_text(total),
            limit=_size_text(MAX_PACKAGE_BYTES),
        )
        return {}
    good: dict[str, dict[str, Any]] = {}
    for name, entry in sorted(listed.items()):
        if name in oversized:
            continue
        problems = package.check_file(root, entry)
        if "unsafe" in problems:
            report.add(SECURITY, name, "handover.receive.unsafe_path", path=name[:200])
        elif "missing" in problems:
            report.add(INTEGRITY, name, "handover.receive.file_missing", path=name)
        else:
            for what in problems:
                report.add(
                    INTEGRITY,
                    name,
                    "handover.receive.file_differs",
                    path=name,
                    what=text(
                        "handover.receive.what.size" if what == "size" else "handover.receive.field." + what
                    ),
                )
            if problems and name.rsplit("/", 1)[-1].startswith(package.ORIGINAL_STEM + "."):
                # An original that is not the bytes its signed records name is not authentic.
                report.add(AUTHENTICITY, name, "handover.receive.original_not_authentic", path=name)
        if "unsafe" not in problems and "missing" not in problems:
            good[name] = entry  # a digest that differs is reported once, above; the rest is checked
    return good


def _read_json(root: Path, name: str, report: ReceiveReport, entries: dict[str, dict[str, Any]]) -> Any:
    """The JSON in package file ``name`` (already checked against the manifest), or None."""
    if name not in entries:
        return None
    try:
        path = root.joinpath(*name.split("/"))
        size = path.stat().st_size
        if size > MAX_SMALL_FILE:
            limit = _size_text(MAX_SMALL_FILE)
            report.add(
                SECURITY,
                name,
                "handover.receive.file_too_large",
                path=name,
                size=_size_text(size),
                limit=limit,
            )
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        report.add(INTEGRITY, name, "handover.receive.json_unreadable", path=name, reason=_reason(exc))
        return None


def _reason(exc: BaseException) -> str:
    """Why a file could not be read, in Chinese (a library's own words are English)."""
    if isinstance(exc, DossierError):
        return exc.message.rstrip("。.")[:300]
    return zh("handover.receive.unparsable")


# --- folders and their documents --------------------------------------------------------------

_FOLDER_KEYS = {"archive_no": str, "code": str, "community": dict, "item_counter": int, "documents": list}


def _read_folders(root: Path, entries: dict[str, dict[str, Any]], report: ReceiveReport) -> list[Folder]:
    folders: list[Folder] = []
    seen_items: set[str] = set()
    for name in sorted(entries):
        parts = name.split("/")
        if len(parts) != 3 or parts[0] != package.HOUSEHOLDS or parts[2] != package.FOLDER_FILE:
            continue
        data = _read_json(root, name, report, entries)
        if data is None:
            continue
        missing = [key for key, kind in _FOLDER_KEYS.items() if not isinstance((data or {}).get(key), kind)]
        if not isinstance(data, dict) or missing:
            report.add(
                INTEGRITY, name, "handover.receive.json_unreadable", path=name, reason="、".join(missing)
            )
            continue
        folder = Folder(path=f"{parts[0]}/{parts[1]}", data=data)
        if package.folder_dir(folder.archive_no) != folder.path:
            report.add(INTEGRITY, name, "handover.receive.folder_dir", path=name, folder=folder.archive_no)
            continue
        for doc in data["documents"]:
            item = _item_of(folder, doc, entries, report)
            if item is None:
                continue
            if item.archive_no in seen_items:
                report.add(INTEGRITY, item.archive_no, "handover.receive.item_twice", item=item.archive_no)
                continue
            seen_items.add(item.archive_no)
            folder.items.append(item)
        for tomb in data.get("destroyed") or []:
            number = tomb.get("archive_no") if isinstance(tomb, dict) else None
            if not isinstance(number, str):
                report.add(INTEGRITY, name, "handover.receive.json_unreadable", path=name, reason="destroyed")
            elif number in seen_items:
                report.add(INTEGRITY, number, "handover.receive.item_twice", item=number)
            else:
                seen_items.add(number)
        _unlisted_dirs(folder, entries, report)
        folders.append(folder)
    return folders


def _item_of(
    folder: Folder, doc: Any, entries: dict[str, dict[str, Any]], report: ReceiveReport
) -> Item | None:
    where = f"{folder.path}/{package.FOLDER_FILE}"
    if not isinstance(doc, dict) or not isinstance(doc.get("archive_no"), str):
        report.add(INTEGRITY, where, "handover.receive.json_unreadable", path=where, reason="documents")
        return None
    number = doc["archive_no"]
    item_no = doc.get("item_no") if isinstance(doc.get("item_no"), int) else None
    numbered_in = doc.get("numbered_in") if isinstance(doc.get("numbered_in"), str) else None
    given = doc.get("path")
    path = given if isinstance(given, str) else package.item_dir(folder.archive_no, number)
    item = Item(folder.archive_no, number, item_no, numbered_in, path.rstrip("/"), doc.get("id"))
    item.stamp = stamp_of(doc)
    given_paper = doc.get("paper")
    paper: dict[str, Any] = given_paper if isinstance(given_paper, dict) else {}
    item.paper = {
        key: str(paper[key])[:32] if paper.get(key) not in (None, "") else None
        for key in ("cabinet", "box", "position")
    }
    inside = [name for name in entries if name.startswith(item.path + "/") and name.count("/") == 3]
    originals = [n for n in inside if n.rsplit("/", 1)[1].startswith(package.ORIGINAL_STEM + ".")]
    if not item.path.startswith(folder.path + "/") or len(originals) != 1:
        report.add(
            INTEGRITY,
            number,
            "handover.receive.item_dir_missing",
            item=number,
            path=item.path,
            name=package.ORIGINAL_STEM,
        )
        return None
    for name in (package.EEP_FILE, package.PAGES_FILE):
        if f"{item.path}/{name}" not in entries:
            report.add(
                INTEGRITY, number, "handover.receive.item_dir_missing", item=number, path=item.path, name=name
            )
            return None
    item.original = originals[0]
    return item


def _unlisted_dirs(folder: Folder, entries: dict[str, dict[str, Any]], report: ReceiveReport) -> None:
    known = {item.path for item in folder.items}
    for name in entries:
        parts = name.split("/")
        if len(parts) == 4 and f"{parts[0]}/{parts[1]}" == folder.path:
            directory = "/".join(parts[:3])
            if directory not in known:
                known.add(directory)
                report.add(INTEGRITY, directory, "handover.receive.item_dir_unlisted", path=directory)


# --- one document -----------------------------------------------------------------------------


def _check_item(
    root: Path,
    item: Item,
    entries: dict[str, dict[str, Any]],
    key: Ed25519PublicKey | None,
    report: ReceiveReport,
    settings: Settings,
) -> None:
    assert item.original is not None  # set by _item_of
    entry = entries[item.original]
    item.sha256, item.size = entry.get("sha256"), entry.get("size")
    eep_path = f"{item.path}/{package.EEP_FILE}"
    if key is not None:
        _check_eep(root, item, eep_path, entry, key, report)
    pages = _read_json(root, f"{item.path}/{package.PAGES_FILE}", report, entries)
    listed = pages.get("pages") if isinstance(pages, dict) else None
    if pages is not None and not (
        isinstance(listed, list)
        and all(isinstance(p, dict) and isinstance(p.get("number"), int) for p in listed)
    ):
        where = f"{item.path}/{package.PAGES_FILE}"
        report.add(INTEGRITY, where, "handover.receive.json_unreadable", path=where, reason="pages")
    elif listed is not None:
        item.pages = sorted(listed, key=lambda p: p["number"])
        _check_text(item, report)
    _check_original(root, item, report, settings)


def _check_eep(
    root: Path, item: Item, eep_path: str, entry: dict[str, Any], key: Ed25519PublicKey, report: ReceiveReport
) -> None:
    try:
        data = root.joinpath(*eep_path.split("/")).read_bytes()
    except OSError as exc:
        report.add(
            INTEGRITY, eep_path, "handover.receive.json_unreadable", path=eep_path, reason=_reason(exc)
        )
        return
    ok, facts = verify_eep(data, key)
    if "problem" in facts:
        problem = text("handover.receive.eep_problem." + str(facts["problem"]))
        report.add(INTEGRITY, eep_path, "handover.receive.eep_unreadable", path=eep_path, problem=problem)
        return
    item.eep = facts
    if not ok:
        report.add(AUTHENTICITY, eep_path, "handover.receive.eep_signature", path=eep_path)
    file_name = item.original.rsplit("/", 1)[1] if item.original else ""
    expected = {
        "archive_no": item.archive_no,
        "item_no": "" if item.item_no is None else str(item.item_no),
        "file_name": file_name,
        "size": str(entry.get("size")),
        "sha256": entry.get("sha256"),
        "sm3": entry.get("sm3"),
    }
    for name, value in expected.items():
        if (facts.get(name) or "") != (value or ""):
            _differs(report, item, name, facts.get(name), value)
    if facts.get("folder") not in (item.folder, item.numbered_in):
        _differs(report, item, "folder", facts.get("folder"), item.numbered_in or item.folder)
    _check_intake(item, entry, key, report)
    _check_record(item, key, report)


def _differs(report: ReceiveReport, item: Item, name: str, found: object, expected: object) -> None:
    report.add(
        INTEGRITY,
        item.archive_no,
        "handover.receive.eep_differs",
        item=item.archive_no,
        field=text("handover.receive.field." + name),
        found=str(found or "")[:100],
        expected=str(expected or "")[:100],
    )


def _signed(raw: object) -> dict[str, Any] | None:
    try:
        record = json.loads(str(raw))
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _check_intake(item: Item, entry: dict[str, Any], key: Ed25519PublicKey, report: ReceiveReport) -> None:
    record = _signed(item.eep.get("intake_record"))
    if record is None:
        what = text("handover.receive.what.intake")
        report.add(
            AUTHENTICITY,
            item.archive_no,
            "handover.receive.record_unreadable",
            item=item.archive_no,
            what=what,
        )
        return
    item.intake = record
    if not verify(key, record, item.eep.get("intake_signature") or ""):
        report.add(AUTHENTICITY, item.archive_no, "handover.receive.intake_signature", item=item.archive_no)
    for name in ("size", "sha256", "sm3"):
        if record.get(name) != entry.get(name) and not (name == "sm3" and record.get(name) is None):
            what = text("handover.receive.what.size" if name == "size" else "handover.receive.field." + name)
            report.add(
                AUTHENTICITY,
                item.archive_no,
                "handover.receive.intake_differs",
                item=item.archive_no,
                what=what,
            )


def _check_record(item: Item, key: Ed25519PublicKey, report: ReceiveReport) -> None:
    record = _signed(item.eep.get("metadata_record"))
    metadata = record.get("metadata") if record else None
    if record is None or not isinstance(metadata, dict):
        what = text("handover.receive.what.metadata")
        report.add(
            AUTHENTICITY,
            item.archive_no,
            "handover.receive.record_unreadable",
            item=item.archive_no,
            what=what,
        )
        return
    item.record = record
    if not verify(key, record, item.eep.get("metadata_signature") or ""):
        report.add(AUTHENTICITY, item.archive_no, "handover.receive.record_signature", item=item.archive_no)
    for name, found in (("archive_no", item.archive_no), ("household", item.folder)):
        if metadata.get(name) != found:
            report.add(
                AUTHENTICITY,
                item.archive_no,
                "handover.receive.record_differs",
                item=item.archive_no,
                field=text("handover.receive.field." + ("folder" if name == "household" else name)),
                signed=str(metadata.get(name))[:100],
                found=found,
            )
    if not isinstance(metadata.get("title"), str) or not 0 < len(metadata["title"].strip()) <= 256:
        report.add(
            AUTHENTICITY,
            item.archive_no,
            "handover.receive.record_differs",
            item=item.archive_no,
            field=text("handover.receive.field.title"),
            signed=str(metadata.get("title"))[:100],
            found=str(item.eep.get("title") or "")[:100],
        )


def _check_text(item: Item, report: ReceiveReport) -> None:
    metadata = item.record.get("metadata") if item.record else None
    if not isinstance(metadata, dict):
        return
    texts = [(p["number"], p.get("text") if isinstance(p.get("text"), str) else None) for p in item.pages]
    if history.text_digest(texts) != metadata.get("text_sha256"):
        report.add(AUTHENTICITY, item.archive_no, "handover.receive.text_differs", item=item.archive_no)


def _check_original(root: Path, item: Item, report: ReceiveReport, settings: Settings) -> None:
    """Security (format, active content, page limit) and usability (opens, renders, pages)."""
    assert item.original is not None
    path = root.joinpath(*item.original.split("/"))
    try:
        detected = detect(path, name=item.original)
    except DossierError as exc:
        report.add(
            SECURITY,
            item.archive_no,
            "handover.receive.media_type",
            item=item.archive_no,
            reason=_reason(exc),
        )
        return
    item.media_type = detected.media_type
    if item.eep and item.eep.get("media_type") != detected.media_type:
        report.add(
            INTEGRITY,
            item.archive_no,
            "handover.receive.media_type_differs",
            item=item.archive_no,
            found=detected.media_type,
            recorded=item.eep.get("media_type"),
        )
    try:
        if detected.is_pdf:
            active = pdf_active_content(path, item.original)
            if active:
                report.add(
                    SECURITY,
                    item.archive_no,
                    "handover.receive.pdf_active",
                    item=item.archive_no,
                    names="、".join(active),
                )
                return
            pages = pdf_info(path, name=item.original).pages
            _render_pdf_page(path)
        else:
            with decoding(item.original), Image.open(path) as image:
                image.load()
                pages = getattr(image, "n_frames", 1)
    except DossierError as exc:
        report.add(
            USABILITY, item.archive_no, "handover.receive.unusable", item=item.archive_no, reason=_reason(exc)
        )
        return
    except Exception as exc:  # noqa: BLE001 - whatever a renderer raises, the original is unusable
        report.add(
            USABILITY,
            item.archive_no,
            "handover.receive.unusable",
            item=item.archive_no,
            reason=type(exc).__name__,
        )
        return
    item.pages_found = pages
    if pages > settings.max_pages:
        report.add(
            SECURITY,
            item.archive_no,
            "handover.receive.too_many_pages",
            item=item.archive_no,
            pages=pages,
            limit=settings.max_pages,
        )
    recorded = str(item.eep.get("pages") or "")
    if (recorded.isdigit() and int(recorded) not in (0, pages)) or (item.pages and len(item.pages) != pages):
        report.add(
            USABILITY,
            item.archive_no,
            "handover.receive.pages_differ",
            item=item.archive_no,
            recorded=recorded or "—",
            found=pages,
            text=len(item.pages),
        )


def _render_pdf_page(path: Path) -> None:
    """Render the first page small (poppler through pdf2image): it must draw, not only parse."""
    from pdf2image import convert_from_path  # reason: only PDFs need it

    images = convert_from_path(str(path), dpi=24, first_page=1, last_page=1, timeout=120)
    if not images:
        raise ValueError("no page")


def pdf_active_content(path: Path, label: str) -> list[str]:
    """The active-content names (JavaScript, launch actions, embedded files) anywhere in the PDF's
    objects, as qpdf reads them (names normalised, object streams opened). A PDF qpdf cannot
    read cannot be cleared: ``InvalidInput``."""
    result = run_tool(
        ["qpdf", "--json=2", "--json-key=qpdf", "--json-stream-data=none", path], check=False, what=label
    )
    if result.returncode not in (0, 3):  # 3: read with warnings
        # (qpdf's own words are English: the report says it in Chinese, the log keeps them.)
        reason = text("handover.receive.qpdf_damaged")
        raise InvalidInput(
            "ingest.tool_failed", tool="qpdf", what=label, reason=reason, technical=first_line(result.stderr)
        )
    try:
        # A damaged PDF's strings may reach the JSON as bytes that are not UTF-8.
        objects = json.loads(result.stdout.decode("utf-8", "replace"))
    except ValueError:
        reason = text("handover.receive.qpdf_output")
        raise InvalidInput("ingest.tool_failed", tool="qpdf", what=label, reason=reason) from None
    found: set[str] = set()
    _names(objects, found)
    return sorted(found)


def _names(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ACTIVE_PDF_NAMES:
                found.add(key)
            _names(item, found)
    elif isinstance(value, list):
        for item in value:
            _names(item, found)
    elif isinstance(value, str) and value in ACTIVE_PDF_NAMES:
        found.add(value)


def _check_destroyed(folder: Folder, key: Ed25519PublicKey | None, report: ReceiveReport) -> None:
    """A tombstone's shredding-log entries must be the sender's signed records."""
    if key is None:
        return
    for tomb in folder.data.get("destroyed") or []:
        if not isinstance(tomb, dict):
            continue
        for entry in tomb.get("shredlog") or []:
            record = entry.get("record") if isinstance(entry, dict) else None
            if not isinstance(record, dict) or not verify(key, record, str(entry.get("signature") or "")):
                report.add(
                    AUTHENTICITY,
                    str(tomb.get("archive_no")),
                    "handover.receive.record_signature",
                    item=tomb.get("archive_no"),
                )


# --- numbering and counts ---------------------------------------------------------------------


def _check_numbering(report: ReceiveReport) -> None:
    """Each folder's 件号 1…counter: a document or tombstone numbered there (wherever in the
    package it is now), or moved out of the package (recorded as not carried), nothing else."""
    numbered: dict[str, dict[int, str]] = {}
    for folder in report.folders:
        entries = [(i.numbered_in, i.item_no, i.archive_no) for i in folder.items]
        entries += [
            (t.get("numbered_in"), t.get("item_no"), str(t.get("archive_no")))
            for t in folder.data.get("destroyed") or []
            if isinstance(t, dict)
        ]
        for numbered_in, item_no, number in entries:
            if not isinstance(numbered_in, str) or not isinstance(item_no, int):
                continue
            seen = numbered.setdefault(numbered_in, {})
            if item_no in seen:
                report.add(
                    INTEGRITY, number, "handover.receive.number_twice", folder=numbered_in, item=item_no
                )
            seen[item_no] = number
    in_package = {f.archive_no for f in report.folders}
    for folder in report.folders:
        counter = int(folder.data.get("item_counter") or 0)
        seen = numbered.get(folder.archive_no, {})
        for moved in folder.data.get("moved_out") or []:
            if not isinstance(moved, dict) or not isinstance(moved.get("item_no"), int):
                continue
            to = str(moved.get("to_folder"))
            if to in in_package or moved["item_no"] in seen:
                continue
            seen[moved["item_no"]] = str(moved.get("archive_no"))
            report.numbers_not_carried.append([folder.archive_no, moved["item_no"]])
            report.note(
                INTEGRITY,
                str(moved.get("archive_no")),
                "handover.receive.not_carried",
                folder=folder.archive_no,
                item=moved["item_no"],
                archive_no=moved.get("archive_no"),
                to=to,
            )
        for item_no in range(1, counter + 1):
            if item_no not in seen:
                report.add(
                    INTEGRITY,
                    f"{folder.archive_no} {item_no}",
                    "handover.receive.number_missing",
                    folder=folder.archive_no,
                    item=item_no,
                )
        for item_no, archive_no in sorted(seen.items()):
            if item_no > counter:
                report.add(
                    INTEGRITY,
                    archive_no,
                    "handover.receive.number_above",
                    folder=folder.archive_no,
                    item=item_no,
                    archive_no=archive_no,
                    counter=counter,
                )


def _check_counts(report: ReceiveReport) -> None:
    items = [i for f in report.folders for i in f.items]
    found = {
        "households": len(report.folders),
        "documents": len(items),
        "destroyed": sum(len(f.data.get("destroyed") or []) for f in report.folders),
        "bytes": sum(i.size or 0 for i in items),
    }
    for name, value in found.items():
        recorded = report.counts.get(name)
        if recorded != value:
            report.add(
                INTEGRITY,
                package.MANIFEST,
                "handover.receive.counts_differ",
                what=text("handover.receive.count." + name),
                recorded=recorded,
                found=value,
            )


# --- conflicts with this archive --------------------------------------------------------------


def check_conflicts(session: Session, report: ReceiveReport) -> None:
    """What this archive already holds that the package would collide with: a 档号, a folder
    number, a household code in the same community, the same original; or what it lacks: a
    document type or retention class the documents name."""
    types = set(session.scalars(select(DocumentType.code)))
    classes = set(session.scalars(select(RetentionClass.code)))
    contents: dict[str, str] = {}
    for folder in report.folders:
        _folder_conflicts(session, folder, report)
        numbers = [i.archive_no for i in folder.items] + [
            str(t.get("archive_no")) for t in folder.data.get("destroyed") or [] if isinstance(t, dict)
        ]
        for tomb in folder.data.get("destroyed") or []:
            if isinstance(tomb, dict) and tomb.get("type") not in types:
                where = str(tomb.get("archive_no"))
                report.add(
                    CONFLICTS, where, "handover.receive.conflict.doc_type", item=where, code=tomb.get("type")
                )
        for number in numbers:
            existing = session.scalar(select(Document.id).where(Document.archive_no == number))
            if existing is not None:
                report.add(
                    CONFLICTS, number, "handover.receive.conflict.archive_no", item=number, id=existing
                )
        for item in folder.items:
            metadata = item.record.get("metadata") or {}
            if metadata.get("type") not in types:
                report.add(
                    CONFLICTS,
                    item.archive_no,
                    "handover.receive.conflict.doc_type",
                    item=item.archive_no,
                    code=metadata.get("type"),
                )
            if metadata.get("retention_class") is not None and metadata.get("retention_class") not in classes:
                report.add(
                    CONFLICTS,
                    item.archive_no,
                    "handover.receive.conflict.retention_class",
                    item=item.archive_no,
                    code=metadata.get("retention_class"),
                )
            if item.sha256:
                same = session.scalar(
                    select(Document.id).where(
                        Document.sha256 == item.sha256, Document.status != DocumentStatus.DESTROYED
                    )
                )
                if same is not None:
                    report.add(
                        CONFLICTS,
                        item.archive_no,
                        "handover.receive.conflict.duplicate",
                        item=item.archive_no,
                        id=same,
                    )
                elif item.sha256 in contents:
                    report.add(
                        CONFLICTS,
                        item.archive_no,
                        "handover.receive.same_content",
                        item=item.archive_no,
                        other=contents[item.sha256],
                    )
                contents.setdefault(item.sha256, item.archive_no)


def _folder_conflicts(session: Session, folder: Folder, report: ReceiveReport) -> None:
    taken = session.execute(
        select(Household.code, Community.name)
        .join(Community, Community.id == Household.community_id)
        .where(Household.archive_no == folder.archive_no)
    ).first()
    if taken is not None:
        report.add(
            CONFLICTS,
            folder.archive_no,
            "handover.receive.conflict.folder",
            folder=folder.archive_no,
            code=taken[0],
            community=taken[1],
        )
    name = (folder.data.get("community") or {}).get("name")
    same = session.scalar(
        select(Household.id)
        .join(Community, Community.id == Household.community_id)
        .where(Community.name == name, Household.code == folder.data.get("code"))
    )
    if same is not None:
        report.add(
            CONFLICTS,
            folder.archive_no,
            "handover.receive.conflict.household",
            community=name,
            code=folder.data.get("code"),
            folder=folder.archive_no,
        )
