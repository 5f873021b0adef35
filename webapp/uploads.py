"""Uploaded files on their way to ``ingest.intake``: a private folder per upload, the client's
names kept for display only, and a batch manifest matched to the files that came with it.

A client's file name never builds a path: uploads are saved as ``0001``, ``0002``, ... inside
a fresh folder under ``$DOSSIER_HOME/uploads``, and the name the user knows is kept beside
(``ingest.intake.display_name``). The folder lives only as long as the request: once intake has
stored the originals (encrypted, signed) it is deleted.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Request, current_app
from werkzeug.datastructures import FileStorage

from dossier.catalog import Text, text
from dossier.config import Settings
from dossier.errors import InvalidInput
from ingest.intake import MANIFEST_COLUMNS, FileSpec, display_name, read_manifest
from ingest.manifests import manifest_rows
from webapp.security import SMALL_BODY_BYTES

SPOOL_IN_MEMORY = 500 * 1024  # as werkzeug: small parts stay in memory
MISSING = "missing"  # a name no upload folder holds (uploads are 0001, 0002, ...)
MANIFEST_MAX_BYTES = 5 * 1024 * 1024
STALE_SECONDS = 24 * 3600


def uploads_root(settings: Settings) -> Path:
    return settings.home / "uploads"


class DossierRequest(Request):
    """Spools uploaded files under ``$DOSSIER_HOME/uploads`` (unlinked at once) rather than in
    the system temporary folder, which is often a small RAM-backed tmpfs.

    A request's body is limited to the small default (``webapp.security.SMALL_BODY_BYTES``)
    unless the app raised the limit for this request (the intake upload of a user who may ingest:
    ``webapp.security.request_body_limit``); ``MAX_CONTENT_LENGTH`` is only that upload limit."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        return SMALL_BODY_BYTES

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        root = uploads_root(current_app.extensions["dossier"].settings)
        root.mkdir(parents=True, exist_ok=True)
        return tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="rb+", dir=root)


@dataclass(frozen=True)
class Upload:
    path: Path  # inside the private upload folder: 0001, 0002, ...
    name: str  # the display name (what the user called the file)
    parts: tuple[str, ...]  # the client's relative path, for matching a manifest only


def client_parts(raw: str) -> tuple[str, ...]:
    """The components of a client-side relative name (``box1/scan.png`` from a folder upload),
    each made safe to show. Only compared with strings, never joined into a path."""
    pieces = [p for p in re.split(r"[\\/]", raw or "") if p not in ("", ".", "..")]
    return tuple(display_name(p) for p in pieces) or (display_name(raw or ""),)


def chosen(storages: list[FileStorage] | None, *, skip_hidden: bool = False) -> list[FileStorage]:
    """The files actually chosen in a file input (an empty input still sends one blank part).
    ``skip_hidden`` drops dot-files and anything in dot-folders, as ``intake.expand_paths`` does."""
    out = []
    for storage in storages or []:
        if not isinstance(storage, FileStorage) or not storage.filename:
            continue
        if skip_hidden and any(part.startswith(".") for part in client_parts(storage.filename)):
            continue
        out.append(storage)
    return out


def new_upload_folder(settings: Settings) -> Path:
    root = uploads_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    sweep_stale(root)
    folder = root / secrets.token_hex(16)
    folder.mkdir(mode=0o700)
    return folder


def remove_upload_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def sweep_stale(root: Path, older_than: float = STALE_SECONDS) -> None:
    """Remove upload folders a crashed process left behind (no request lives for a day)."""
    now = time.time()
    for entry in root.iterdir():
        try:
            if entry.is_dir() and not entry.is_symlink() and now - entry.stat().st_mtime > older_than:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


def save_uploads(folder: Path, storages: list[FileStorage]) -> list[Upload]:
    uploads = []
    for number, storage in enumerate(storages, start=1):
        path = folder / f"{number:04d}"
        storage.save(path)
        assert storage.filename  # chosen() keeps only files with a name
        uploads.append(Upload(path, display_name(storage.filename), client_parts(storage.filename)))
    return uploads


def plain_specs(uploads: list[Upload], **common) -> list[FileSpec]:
    """One spec per uploaded file, all going to the same household with the same metadata."""
    return [FileSpec(path=u.path, name=u.name, **common) for u in uploads]


# --- manifests -------------------------------------------------------------------------------


def _match(value: str, uploads: list[Upload]) -> list[Upload]:
    """Uploads whose client path ends with the manifest's value (component by component)."""
    wanted = client_parts(value)
    return [u for u in uploads if u.parts[-len(wanted) :] == wanted]


def manifest_specs(folder: Path, manifest: FileStorage, uploads: list[Upload]) -> list[FileSpec]:
    """The manifest's rows as file specs, each row's ``file`` matched to an uploaded file.

    The row rules (columns, dates, yes/no, required values) stay ``ingest.intake.read_manifest``'s:
    the manifest is rewritten with each matched ``file`` replaced by the upload's own name in
    the private folder, so no name from the client reaches the file system, and then read by
    ``read_manifest``. A row naming no uploaded file, or more than one, is refused with the
    reason; an uploaded file that no row names is refused as unlisted.
    """
    name = display_name(manifest.filename or "manifest.csv")
    data = manifest.read(MANIFEST_MAX_BYTES + 1)
    if len(data) > MANIFEST_MAX_BYTES:
        raise InvalidInput("intake.manifest_too_big", name=name, mb=MANIFEST_MAX_BYTES // (1024 * 1024))
    rows, delimiter = manifest_rows(data, name)
    header = [h.strip().lower() for h in rows[0]] if rows else []
    file_column = next((header.index(a) for a in MANIFEST_COLUMNS["file"] if a in header), None)

    # Per data row (as read_manifest counts them): the upload it names, or why it names none.
    matched: list[tuple[Upload | None, Text | None, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        value = row[file_column].strip() if file_column is not None and file_column < len(row) else ""
        if not value:
            matched.append((None, None, ""))  # read_manifest says what is wrong
            continue
        assert file_column is not None  # a value was read from it
        shown = display_name(value)
        hits = _match(value, uploads)
        if len(hits) == 1:
            row[file_column] = hits[0].path.name
            matched.append((hits[0], None, shown))
            continue
        row[file_column] = MISSING
        if hits:
            problem = text("intake.row_ambiguous_upload", row=number, name=shown, count=len(hits))
        else:
            problem = text("intake.row_not_uploaded", row=number, name=shown)
        matched.append((None, problem, shown))

    taken = {u.path.name for u in uploads} | {MISSING}
    stored_name = name if name not in taken and name.lower().endswith(".csv") else "manifest.csv"
    if Path(stored_name).name != stored_name:  # display_name guarantees it; never trust, check
        raise InvalidInput("intake.manifest_bad_name", name=name)
    rewritten = folder / stored_name
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    rewritten.write_text(buffer.getvalue(), encoding="utf-8")
    specs = read_manifest(rewritten)  # raises InvalidInput for a manifest it cannot use
    if len(specs) != len(matched):
        raise InvalidInput("intake.manifest_inconsistent", name=name)

    listed: set[Path] = set()
    for spec, (upload, reason, shown) in zip(specs, matched, strict=True):
        if upload is not None:
            spec.name = upload.name  # the user's name for it, not 0001
            listed.add(upload.path)
        elif reason is not None:
            spec.path, spec.name, spec.problem = None, shown, reason
    for upload in uploads:
        if upload.path not in listed:
            specs.append(FileSpec(path=None, name=upload.name, problem=text("intake.not_in_manifest")))
    return specs
