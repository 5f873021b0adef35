"""``dossier backup DEST`` and ``dossier restore SRC --keys KEYS``.

A backup folder holds a consistent snapshot of every catalog table, the objects as stored
(encrypted) and a manifest, signed with the archive's key, that hashes every file (layout:
docs/formats/backup-folder.md). No key is in it (the master key is backed up apart) and no search
index (restore rebuilds it). Restore checks the keys, the signature, the schema revision and every
hash before it writes anything, refuses a home that is not empty, and re-applies the destructions
of a shredding-log export made after the backup. Why: docs/decisions/017-backups-without-keys.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import cast

from alembic.script import ScriptDirectory
from sqlalchemy import Table, delete, inspect

from dossier import ledger
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.backup.catalog import dump_table, load_table, reset_sequences, tables
from dossier.backup.keyfile import install_keys, read_keys_backup, signer_of
from dossier.config import Settings
from dossier.db import get_engine
from dossier.errors import AlreadyExists, ConfigurationError, IntegrityFailure, InvalidInput
from dossier.migrate import alembic_config, upgrade
from dossier.models import AccessAction, LogHead, ObjectKey, utcnow
from dossier.permissions import Permission, require
from dossier.services.access import record_access
from dossier.signing import load_public_key, verify
from retention.replay import reapply
from retention.shredlog import read_export
from search.writer import IndexWriter

FORMAT = "dossier-backup/1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
_READ = 1 << 20


def _head_revision(settings: Settings) -> str:
    head = ScriptDirectory.from_config(alembic_config(settings)).get_current_head()
    assert head is not None  # the project ships its migrations
    return head


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_READ):
            digest.update(chunk)
    return digest.hexdigest()


def _empty_folder(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise AlreadyExists("backup.folder_not_empty", path=dest)
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    dest.chmod(0o700)  # the catalog's rows are in it: private like the archive (dossier.filemodes)


def _dump_catalog(archive: Archive, dest: Path) -> dict:
    engine = get_engine(archive.settings)
    out = dest / "catalog"
    out.mkdir()
    entries = {}
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        else:
            conn.exec_driver_sql("BEGIN")  # one read transaction: one snapshot (WAL)
        revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        for table in tables():
            path, digest, rows = out / f"{table.name}.jsonl", hashlib.sha256(), 0
            with path.open("w", encoding="utf-8") as fh:
                for line in dump_table(conn, table):
                    fh.write(line)
                    digest.update(line.encode("utf-8"))
                    rows += 1
            entries[table.name] = {
                "file": f"catalog/{table.name}.jsonl",
                "rows": rows,
                "sha256": digest.hexdigest(),
            }
        conn.rollback()
    return {"revision": revision, "tables": entries}


def _copy_objects(
    archive: Archive, dest: Path, progress: Callable[[int], None] | None
) -> tuple[dict, list[str]]:
    listing = dest / "objects.jsonl"
    missing: list[str] = []
    count = 0
    with (
        (dest / "catalog" / f"{ObjectKey.__tablename__}.jsonl").open(encoding="utf-8") as keys,
        listing.open("w", encoding="utf-8") as out,
    ):
        for line in keys:
            key = json.loads(line)["object_key"]
            target = dest / "objects" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            if not archive.store.exists(key):
                missing.append(key)
                continue
            digest, size = hashlib.sha256(), 0
            with archive.store.open(key) as src, target.open("wb") as fh:
                while chunk := src.read(_READ):
                    fh.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            out.write(json.dumps({"key": key, "size": size, "sha256": digest.hexdigest()}) + "\n")
            count += 1
            if progress:
                progress(1)
    return {"file": "objects.jsonl", "count": count, "sha256": _sha256_file(listing)}, missing


def write_backup(
    archive: Archive, actor: Actor, dest: Path, *, progress: Callable[[int], None] | None = None
) -> dict:
    require(actor, Permission.ADMIN)
    archive.check_ready()
    _empty_folder(dest)
    catalog = _dump_catalog(archive, dest)
    objects, missing = _copy_objects(archive, dest, progress)
    manifest = {
        "format": FORMAT,
        "created_at": utcnow().isoformat(),
        "revision": catalog["revision"],
        "signing_key_id": archive.signer.fingerprint,
        "tables": catalog["tables"],
        "objects": objects,
        "missing_objects": missing,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (dest / SIGNATURE).write_text(archive.signer.sign(manifest) + "\n", encoding="ascii")
    with archive.session() as session:
        record_access(
            session,
            actor,
            AccessAction.BACKUP,
            detail=json.dumps({"objects": objects["count"], "missing": len(missing)}),
        )
    return {
        "backup": str(dest),
        "tables": {k: v["rows"] for k, v in catalog["tables"].items()},
        "objects": objects["count"],
        "missing_objects": missing,
        "revision": catalog["revision"],
    }


# --- restore ---------------------------------------------------------------------------------


def _read_manifest(src: Path, keys: dict) -> dict:
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
        signature = (src / SIGNATURE).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        raise InvalidInput("backup.no_manifest", path=src) from None
    if manifest.get("format") != FORMAT:
        raise InvalidInput("backup.unknown_format", path=src)
    signer = signer_of(keys)
    if manifest.get("signing_key_id") != signer.fingerprint:
        raise InvalidInput("backup.wrong_keys")
    if not verify(load_public_key(signer.public_pem()), manifest, signature):
        raise IntegrityFailure("backup.bad_signature", path=src)
    return manifest


def _check_files(src: Path, manifest: dict) -> list[dict]:
    """Every file's hash against the manifest (nothing is written before this passes)."""

    def same(rel: str, expected: str) -> None:
        path = src / rel
        if not path.is_file() or _sha256_file(path) != expected:
            raise IntegrityFailure("backup.file_altered", file=rel)

    for entry in manifest["tables"].values():
        same(entry["file"], entry["sha256"])
    same(manifest["objects"]["file"], manifest["objects"]["sha256"])
    objects = []
    with (src / manifest["objects"]["file"]).open(encoding="utf-8") as fh:
        for line in fh:
            entry = json.loads(line)
            same(f"objects/{entry['key']}", entry["sha256"])
            objects.append(entry)
    return objects


def _require_empty_home(settings: Settings, archive: Archive) -> None:
    with get_engine(settings).connect() as conn:
        if inspect(conn).get_table_names():
            raise ConfigurationError("backup.catalog_not_empty")
    for path in (settings.master_key_file, settings.signing_key_file):
        if path.exists() and not (path == settings.master_key_file and settings.master_key_b64):
            raise ConfigurationError("backup.key_exists", path=path)
    if next(iter(archive.store.list("")), None) is not None:
        raise ConfigurationError("backup.store_not_empty", store=archive.store.description())


def restore(
    settings: Settings,
    src: Path,
    keys_path: Path,
    *,
    passphrase: str | None = None,
    progress: Callable[[int], None] | None = None,
    shredlog_lines=None,
) -> dict:
    """Restore a backup into an empty home. ``shredlog_lines`` (an export of the shredding log
    made after the backup) are checked before anything is written, and every destruction they
    record that the backup predates is carried out again before the index is rebuilt
    (``retention.replay``), so a restore never brings a destroyed record back."""
    keys = read_keys_backup(keys_path, passphrase)
    manifest = _read_manifest(src, keys)
    head = _head_revision(settings)
    if manifest["revision"] != head:
        raise ConfigurationError("backup.wrong_revision", revision=manifest["revision"], expected=head)
    objects = _check_files(src, manifest)
    exported = None
    if shredlog_lines is not None:
        exported = read_export(shredlog_lines, load_public_key(signer_of(keys).public_pem()))
    archive = Archive(settings)
    _require_empty_home(settings, archive)

    settings.home.mkdir(parents=True, exist_ok=True)
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    install_keys(settings, keys)
    upgrade(settings)
    rows = {}
    with get_engine(settings).begin() as conn:
        # The new schema's empty heads give way to the backup's.
        conn.execute(delete(cast(Table, LogHead.__table__)))
        for table in tables():
            entry = manifest["tables"].get(table.name)
            rows[table.name] = load_table(conn, table, src / entry["file"]) if entry else 0
        reset_sequences(conn)
    archive.store.ensure_ready()
    for entry in objects:
        with (src / "objects" / entry["key"]).open("rb") as fh:
            archive.store.put(entry["key"], fh, length=entry["size"])
        if progress:
            progress(1)
    archive.master_key  # noqa: B018 - refuses a master key that is not this archive's
    with archive.session() as session:
        ledger.anchor_catalog_heads(session)  # a new home: its anchor starts from the restored heads
    replayed = None
    if exported is not None:
        with archive.session() as session:
            replayed = reapply(archive, session, exported)
    index = IndexWriter(archive).rebuild()
    return {
        "restored": str(settings.home),
        "rows": rows,
        "objects": len(objects),
        "missing_objects_at_backup": manifest.get("missing_objects", []),
        "indexed_documents": index.get("documents"),
        "shredlog": replayed,
    }
