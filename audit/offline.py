"""Exported originals, and checking one without the archive: no database, no private key.

``export_original`` writes three files for an outside auditor: the decrypted original, its
signed intake record (``<name>.record.json``) and the archive's public signing key
(``signing-key.pub.pem``). ``verify_exported`` checks them with nothing else: the Ed25519
signature over the record's canonical JSON (see ``dossier.signing``), then the file's size,
SHA-256 and SM3 against the record. Anyone can repeat the check with other tools: the
canonical form is JSON with sorted keys, separators ``,`` and ``:``, UTF-8, no ASCII escaping.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from dossier import digests, originals
from dossier.catalog import Text, os_reason, say, text
from dossier.errors import AlreadyExists, InvalidInput
from dossier.models import AccessAction
from dossier.permissions import Permission, can, require
from dossier.services import history
from dossier.services.documents import download_name, get_document, original_stream, read_purpose
from dossier.signing import load_public_key, public_key_fingerprint, verify

RECORD_SUFFIX = ".record.json"
PUBLIC_KEY_NAME = "signing-key.pub.pem"
EXPORT_FORMAT = "dossier-signed-original/1"
_READ = 1 << 20


@dataclass
class FileCheck:
    file: str
    document: int | None
    key_fingerprint: str
    checks: dict[str, bool] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(self.checks.values())

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "document": self.document,
            "key_fingerprint": self.key_fingerprint,
            "ok": self.ok,
            "checks": self.checks,
            "problems": self.problems,
        }


def record_file(
    document_id: int, signed_record: str, signature: str, signing_key_id: str, metadata_entry=None
) -> dict:
    """What ``<name>.record.json`` holds: the intake record exactly as signed and its signature,
    and the latest signed metadata record (the document's newest history entry) with its own."""
    out = {
        "format": EXPORT_FORMAT,
        "document": document_id,
        "record": json.loads(signed_record),
        "signature": signature,
        "algorithm": "Ed25519",
        "signing_key_id": signing_key_id,
        "canonical_form": "JSON, keys sorted, separators ',' and ':', UTF-8 without ASCII escaping",
    }
    if metadata_entry is not None:
        out["metadata"] = {"record": json.loads(metadata_entry.record), "signature": metadata_entry.signature}
    return out


def _check_metadata(exported: dict, record: dict, public_key, result: FileCheck) -> None:
    """The signed metadata record, when the export carries one: signed by the same key and
    describing the same document."""
    metadata = exported.get("metadata")
    if metadata is None:
        return
    signed = metadata.get("record") if isinstance(metadata, dict) else None
    ok = (
        isinstance(signed, dict)
        and verify(public_key, signed, metadata.get("signature", ""))
        and (signed.get("metadata") or {}).get("document") == record.get("document")
    )
    result.checks["metadata"] = bool(ok)
    if not ok:
        result.problems.append(say("audit.offline.metadata"))


def _read(path: Path, what: Text) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput("audit.offline.cannot_read", what=what, path=path, reason=os_reason(exc)) from None


def _digests(path: Path) -> tuple[str, str, int]:
    try:
        found = digests.of_file(path)
    except OSError as exc:
        raise InvalidInput(
            "audit.offline.cannot_read",
            what=text("audit.offline.what_file"),
            path=path,
            reason=os_reason(exc),
        ) from None
    return found.sha256, found.sm3, found.size


def verify_exported(file: Path, record_path: Path, public_key_path: Path) -> FileCheck:
    public_key = load_public_key(_read(public_key_path, text("audit.offline.what_key")))
    try:
        exported = json.loads(_read(record_path, text("audit.offline.what_record")))
        record, signature = exported["record"], exported["signature"]
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("audit.offline.not_record", path=record_path) from None
    if not isinstance(record, dict):
        raise InvalidInput("audit.offline.record_not_object", path=record_path)
    result = FileCheck(str(file), record.get("document"), public_key_fingerprint(public_key))
    check = originals.check_record(record, signature, public_key, content=_digests(file))
    result.checks["signature"] = check.signature_ok
    if not check.signature_ok:
        result.problems.append(say("audit.offline.signature"))
    _check_metadata(exported, record, public_key, result)
    for name in ("size", "sha256", "sm3"):
        if name in check.content:
            result.checks[name] = check.content[name]
            if not check.content[name]:
                result.problems.append(say("audit.offline.content_differs", name=name))
    return result


def export_original(
    archive, session, actor, document_id: int, dest: Path, *, purpose: str | None = None
) -> dict:
    """Write the original, its signed record and the public key into the folder ``dest``.

    Only for auditors and records managers who may also see the document; the export is
    recorded in the access log (with the purpose, required for a confidential document)."""
    if not can(actor, Permission.MANAGE_RECORDS):
        require(actor, Permission.AUDIT)
    doc = get_document(session, document_id)
    purpose = read_purpose(doc, purpose)
    name = download_name(doc)
    target, record_target = dest / name, dest / f"{name}{RECORD_SUFFIX}"
    for path in (target, record_target):
        if path.exists():
            raise AlreadyExists("audit.offline.exists", path=path)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        with (
            original_stream(
                archive, session, actor, doc, purpose=purpose, action=AccessAction.DOCUMENT_EXPORT
            ) as src,
            target.open("xb") as out,
        ):
            while chunk := src.read(_READ):
                out.write(chunk)
        exported = record_file(
            doc.id, doc.signed_record, doc.signature, doc.signing_key_id, history.latest(session, doc.id)
        )
        record_target.write_text(json.dumps(exported, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (dest / PUBLIC_KEY_NAME).write_text(archive.signer.public_pem(), encoding="ascii")
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise InvalidInput("audit.offline.cannot_write", path=dest, reason=os_reason(exc)) from None
    return {
        "document": doc.id,
        "file": str(target),
        "record": str(record_target),
        "public_key": str(dest / PUBLIC_KEY_NAME),
        "key_fingerprint": archive.signer.fingerprint,
    }
