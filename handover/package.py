"""The handover package on disk: its layout, safe names, file digests and the signed manifest.

Pure functions over a directory (no catalog): ``PackageWriter`` writes files and keeps each one's
size, SHA-256 and SM3 as it writes; ``write_manifest`` writes ``package.json`` (canonical JSON),
``package.sig`` and ``signing-key.pem``; ``read_manifest`` and ``check_manifest_signature`` are
what the receiver starts with. Format: docs/formats/handover-package.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from dossier import digests
from dossier.catalog import os_reason
from dossier.digests import FileDigests
from dossier.errors import InvalidInput
from dossier.signing import Signer, canonical_bytes, load_public_key, public_key_fingerprint, verify

FORMAT = "dossier-handover/1"
MANIFEST = "package.json"
SIGNATURE = "package.sig"
PUBLIC_KEY = "signing-key.pem"
REGISTER_PDF = "移交接收登记表.pdf"
REGISTER_XLSX = "移交接收登记表.xlsx"
HOUSEHOLDS = "households"
FOLDER_FILE = "folder.json"
EEP_FILE = "eep.xml"
PAGES_FILE = "pages.json"
ORIGINAL_STEM = "original"
DIGEST_ALGORITHMS = ["SHA-256", "SM3"]
# Not listed in the manifest's ``files``: the manifest itself and what proves it.
UNLISTED = frozenset({MANIFEST, SIGNATURE, PUBLIC_KEY})
# Largest manifest a receiver reads (a package of 100 000 files is well under it).
MAX_MANIFEST_BYTES = 64 << 20

_UNSAFE = re.compile(r"[^0-9A-Za-z·._-]")


def safe_name(value: str) -> str:
    """``value`` with every character outside ``[0-9A-Za-z·._-]`` replaced by ``_``."""
    name = _UNSAFE.sub("_", value)
    return "_" * max(1, len(name)) if set(name) <= {"."} else name


def folder_dir(folder_archive_no: str) -> str:
    return f"{HOUSEHOLDS}/{safe_name(folder_archive_no)}"


def item_dir(folder_archive_no: str, item_archive_no: str) -> str:
    return f"{folder_dir(folder_archive_no)}/{safe_name(item_archive_no)}"


def original_name(extension: str) -> str:
    """``original.<ext>`` (``ext`` made safe; ``original.bin`` without one)."""
    ext = safe_name(extension.lstrip(".").lower()) if extension.strip(".") else "bin"
    return f"{ORIGINAL_STEM}.{ext}"


def file_entry(path: str, found: FileDigests) -> dict[str, Any]:
    return {"path": path, "size": found.size, "sha256": found.sha256, "sm3": found.sm3}


class PackageWriter:
    """Writes files under ``root`` (paths with ``/``) and remembers each one's digests."""

    def __init__(self, root: Path):
        self.root = root
        self.entries: dict[str, dict[str, Any]] = {}

    def _target(self, path: str) -> Path:
        if path in UNLISTED or path.startswith("/") or ".." in path.split("/"):
            raise ValueError(f"not a package path: {path}")
        target = self.root.joinpath(*path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_bytes(self, path: str, data: bytes) -> FileDigests:
        self._target(path).write_bytes(data)
        found = digests.of_bytes(data)
        self.entries[path] = file_entry(path, found)
        return found

    def write_json(self, path: str, value: Any) -> FileDigests:
        text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        return self.write_bytes(path, text.encode("utf-8"))

    def write_stream(self, path: str, source: BinaryIO) -> FileDigests:
        with self._target(path).open("xb") as sink:
            found = digests.copy_digesting(source, sink)
        self.entries[path] = file_entry(path, found)
        return found

    @contextmanager
    def forget_on_error(self, path: str) -> Iterator[None]:
        """Drop ``path``'s entry if the block fails (the caller removes the whole package)."""
        try:
            yield
        except BaseException:
            self.entries.pop(path, None)
            raise

    def files(self) -> list[dict[str, Any]]:
        return [self.entries[path] for path in sorted(self.entries)]


def write_manifest(root: Path, manifest: dict[str, Any], signer: Signer) -> str:
    """Write package.json, package.sig and signing-key.pem; the SHA-256 of package.json."""
    data = canonical_bytes(manifest)
    (root / MANIFEST).write_bytes(data)
    (root / SIGNATURE).write_text(signer.sign(manifest) + "\n", encoding="ascii")
    (root / PUBLIC_KEY).write_text(signer.public_pem(), encoding="ascii")
    return hashlib.sha256(data).hexdigest()


def _read(root: Path, name: str, limit: int = MAX_MANIFEST_BYTES) -> bytes:
    path = root / name
    try:
        if not path.is_file():
            raise InvalidInput("handover.package.missing", name=name)
        if path.stat().st_size > limit:
            raise InvalidInput("handover.package.too_large", name=name)
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput("handover.package.unreadable", name=name, reason=os_reason(exc)) from None


def read_manifest(root: Path) -> dict[str, Any]:
    """The manifest of the package in ``root`` (InvalidInput when it is missing, not JSON, or
    not this format)."""
    if not root.is_dir():
        raise InvalidInput("handover.package.not_a_dir", path=root)
    data = _read(root, MANIFEST)
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("handover.package.not_json", name=MANIFEST) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput("handover.package.wrong_format", format=FORMAT)
    if not isinstance(manifest.get("files"), list):
        raise InvalidInput("handover.package.no_files")
    return manifest


def manifest_sha256(root: Path) -> str:
    return hashlib.sha256(_read(root, MANIFEST)).hexdigest()


def public_key_of(root: Path) -> Ed25519PublicKey:
    """The sender's public key from signing-key.pem (InvalidInput when unreadable)."""
    return load_public_key(_read(root, PUBLIC_KEY, 1 << 16))


_FINGERPRINT = re.compile(r"[0-9a-f]{16}")


def parse_fingerprint(value: str) -> str:
    """A signing key's fingerprint as people copy it from a 登记表 (16 hex digits; spaces,
    colons and dashes ignored, either case); InvalidInput otherwise."""
    cleaned = re.sub(r"[\s:：-]", "", value or "").lower()
    if not _FINGERPRINT.fullmatch(cleaned):
        raise InvalidInput("handover.receive.sender_key_format", value=(value or "")[:40])
    return cleaned


def check_manifest_signature(root: Path, manifest: dict[str, Any] | None = None) -> tuple[bool, str]:
    """(whether package.sig is signing-key.pem's signature of the manifest, the key's
    fingerprint). The receiver must still compare the fingerprint with the one the sender gives
    on paper: a package can always be re-signed with some other key."""
    manifest = manifest if manifest is not None else read_manifest(root)
    key = public_key_of(root)
    signature = _read(root, SIGNATURE, 1 << 12).decode("ascii", errors="replace").strip()
    return verify(key, manifest, signature), public_key_fingerprint(key)


def is_package_path(path: object) -> bool:
    """Whether ``path`` may name a file in a package: relative, ``/``-separated, each part made
    of the safe characters (the registers' Chinese names aside), no ``.`` or ``..`` part."""
    if not isinstance(path, str) or path in UNLISTED:
        return False
    if path in (REGISTER_PDF, REGISTER_XLSX):
        return True
    parts = path.split("/")
    return (
        len(parts) >= 2
        and parts[0] == HOUSEHOLDS
        and all(part and set(part) - {"."} and not _UNSAFE.search(part) for part in parts)
    )


def check_file(root: Path, entry: dict[str, Any]) -> list[str]:
    """What differs between the manifest's ``entry`` and the file on disk: a subset of
    ``["unsafe", "missing", "size", "sha256", "sm3"]`` (empty when it matches). A path outside
    the package's layout or a symbolic link is ``unsafe`` and never opened."""
    name = entry.get("path")
    if not is_package_path(name):
        return ["unsafe"]
    path = root.joinpath(*str(name).split("/"))
    if any(p.is_symlink() for p in (path, *path.parents) if p != root and root in p.parents):
        return ["unsafe"]
    try:
        found = digests.of_file(path)
    except OSError:
        return ["missing"]
    return [name for name in ("size", "sha256", "sm3") if getattr(found, name) != entry.get(name)]
