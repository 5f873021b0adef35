"""File digests: SHA-256 and SM3 (GB/T 32905, which Chinese archival rules ask for) in one pass.

One home for hashing a file or a stream in bounded memory, used wherever the archive proves a
file outside the vault: the offline verifier of an exported original (``audit.offline``) and
handover packages (``handover.package``). The vault hashes its own plaintext as it encrypts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes

CHUNK = 1 << 20


@dataclass(frozen=True)
class FileDigests:
    sha256: str
    sm3: str
    size: int


class Digester:
    """Feed it chunks; ``result()`` once at the end."""

    def __init__(self) -> None:
        self._sha256 = hashlib.sha256()
        self._sm3 = hashes.Hash(hashes.SM3())
        self._size = 0

    def update(self, chunk: bytes) -> None:
        self._sha256.update(chunk)
        self._sm3.update(chunk)
        self._size += len(chunk)

    def result(self) -> FileDigests:
        return FileDigests(self._sha256.hexdigest(), self._sm3.finalize().hex(), self._size)


def of_bytes(data: bytes) -> FileDigests:
    digester = Digester()
    digester.update(data)
    return digester.result()


def copy_digesting(source: BinaryIO, sink: BinaryIO | None = None) -> FileDigests:
    """Read ``source`` to its end (writing each chunk to ``sink`` when given) and digest it."""
    digester = Digester()
    while chunk := source.read(CHUNK):
        digester.update(chunk)
        if sink is not None:
            sink.write(chunk)
    return digester.result()


def of_file(path: Path) -> FileDigests:
    """The digests of the file at ``path`` (OSError when it cannot be read)."""
    with path.open("rb") as fh:
        return copy_digesting(fh)
