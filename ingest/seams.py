"""Named seam: the one part of intake another domain may use.

Destroying a document cut from a scanned stack (``retention.stacks``) stores the stack again
without that document's pages; the page copying is intake's (``ingest.separate``). Other
domains import this module, never ``ingest``'s others, and the import-linter contract names it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ingest.detect import detect
from ingest.separate import extract_page_list


def copy_pages(
    path: str | os.PathLike, pages: Iterable[int], folder: Path, stem: str, *, name: str | None = None
) -> Path:
    """The file's pages numbered ``pages`` (1-based, in that order), unchanged, as a file of its
    own kind written to ``folder/<stem><suffix>``."""
    detected = detect(path, name=name)
    return extract_page_list(path, detected, pages, folder / f"{stem}{detected.suffix}", name=name)
