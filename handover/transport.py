"""A handover package as one ZIP file for the web: written stored (no compression) and unpacked
safely. The ZIP is transport only: DA/T 70 forbids private compression *inside* a package, so
:func:`iter_zip` writes every file ``ZIP_STORED`` and the receiver checks the unpacked folder.

:func:`check_zip` reads an uploaded archive's directory before anything is written and refuses
(one Chinese sentence naming the entry) absolute names, ``..`` parts, backslashes and drive
letters (zip-slip), links and other non-regular entries, encrypted entries, duplicate names, too
many entries and too many bytes once unpacked. :func:`unpack` then writes the entries into a
folder of ours, counting the bytes it really writes (a lying directory cannot exceed the limit),
and returns the package's folder (the top folder when the ZIP has one).
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, cast

from dossier.errors import InvalidInput
from handover.package import MANIFEST

MAX_ENTRIES = 100_000
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_entries: int = MAX_ENTRIES
    max_bytes: int = 8 * 1024**3  # unpacked, all entries together


def _gib(size: int) -> str:
    return f"{size / 1024**3:.3f} GB" if size >= 1024**3 else f"{size / 1024**2:.1f} MB"


# --- writing ---------------------------------------------------------------------------------------


class _Sink:
    """A write-only, unseekable file whose bytes are taken out as they come (for streaming)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._written = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._written += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def package_files(folder: Path) -> list[Path]:
    """The regular files under ``folder`` (links and other entries skipped), sorted."""
    out = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        out.append(path)
    return out


def iter_zip(folder: Path, top: str) -> Iterator[bytes]:
    """``folder`` as a ZIP (every entry stored, under ``top/``), produced piece by piece so a
    large package is never held in memory or written twice to disk."""
    sink = _Sink()
    with zipfile.ZipFile(
        cast(IO[bytes], sink), "w", compression=zipfile.ZIP_STORED, allowZip64=True
    ) as archive:
        for path in package_files(folder):
            name = f"{top}/{path.relative_to(folder).as_posix()}"
            info = zipfile.ZipInfo.from_file(path, name)
            info.compress_type = zipfile.ZIP_STORED
            with path.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    if piece := sink.take():
                        yield piece
            if piece := sink.take():
                yield piece
    if piece := sink.take():
        yield piece


# --- reading ---------------------------------------------------------------------------------------


def _safe_parts(name: str) -> tuple[str, ...]:
    """The parts of an entry's name, or a refusal when it could reach outside the folder."""
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or name.startswith("/")
        or (len(name) > 1 and name[1] == ":")
    ):
        raise InvalidInput("handover.zip.unsafe_name", name=name[:200])
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    if not parts or any(p == ".." for p in parts):
        raise InvalidInput("handover.zip.unsafe_name", name=name[:200])
    return parts


def _kind(info: zipfile.ZipInfo) -> int:
    """The entry's file type from its Unix mode (0 when the archive did not record one)."""
    return stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0


def check_zip(path: Path, limits: Limits) -> list[zipfile.ZipInfo]:
    """The entries of the ZIP at ``path``, each checked (see the module's docstring)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InvalidInput("handover.zip.bad") from None
    if not entries:
        raise InvalidInput("handover.zip.empty")
    if len(entries) > limits.max_entries:
        raise InvalidInput("handover.zip.too_many", count=len(entries), limit=limits.max_entries)
    seen: set[tuple[str, ...]] = set()
    total = 0
    for info in entries:
        parts = _safe_parts(info.filename)
        kind = _kind(info)
        if kind == stat.S_IFLNK:
            raise InvalidInput("handover.zip.link", name=info.filename[:200])
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise InvalidInput("handover.zip.special", name=info.filename[:200])
        if info.flag_bits & 0x1:
            raise InvalidInput("handover.zip.encrypted", name=info.filename[:200])
        if parts in seen:
            raise InvalidInput("handover.zip.duplicate", name=info.filename[:200])
        seen.add(parts)
        total += info.file_size
        if total > limits.max_bytes:
            raise InvalidInput("handover.zip.too_large", limit=_gib(limits.max_bytes))
    return entries


def unpack(path: Path, dest: Path, limits: Limits) -> Path:
    """Unpack the checked ZIP at ``path`` into the empty folder ``dest``; the package's folder
    (``dest`` itself, or its one top folder when everything sits in one)."""
    entries = check_zip(path, limits)
    written = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in entries:
                parts = _safe_parts(info.filename)
                target = dest.joinpath(*parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.resolve().is_relative_to(dest.resolve()):  # belt and braces
                    raise InvalidInput("handover.zip.unsafe_name", name=info.filename[:200])
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                with archive.open(info) as source, os.fdopen(os.open(target, flags, 0o600), "wb") as out:
                    own = 0
                    while chunk := source.read(CHUNK):
                        own += len(chunk)
                        written += len(chunk)
                        if own > info.file_size or written > limits.max_bytes:
                            raise InvalidInput("handover.zip.too_large", limit=_gib(limits.max_bytes))
                        out.write(chunk)
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile):
        raise InvalidInput("handover.zip.bad") from None
    except FileExistsError:
        raise InvalidInput("handover.zip.duplicate", name=path.name) from None
    return package_root(dest)


def package_root(dest: Path) -> Path:
    """``dest`` when it holds the manifest, else its only folder when that one does."""
    if (dest / MANIFEST).is_file():
        return dest
    children = [c for c in dest.iterdir() if not c.name.startswith("__MACOSX")]
    if (
        len(children) == 1
        and children[0].is_dir()
        and not children[0].is_symlink()
        and (children[0] / MANIFEST).is_file()
    ):
        return children[0]
    raise InvalidInput("handover.zip.no_manifest")
