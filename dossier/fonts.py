"""Fonts for pages Dossier draws itself (cover sheets; the tests' synthetic scans).

The Noto CJK faces come from Debian's ``fonts-noto-cjk``; they are found through fontconfig
(``fc-list``) rather than a fixed path, because distributions install them in different places.
"""

from __future__ import annotations

import functools
import subprocess

from dossier.errors import ConfigurationError


@functools.cache
def find_font(family: str, weight: str = "Regular") -> tuple[str, int]:
    """(font file, face index) of ``family`` (e.g. "Noto Sans CJK SC") in the given weight."""
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=zh", "file", "family", "index"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigurationError("fonts.no_fc_list") from exc
    for line in listing.splitlines():
        # "/usr/share/fonts/.../NotoSansCJK-Regular.ttc: Noto Sans CJK SC:index=2"
        path, _, rest = line.partition(": ")
        families, _, index = rest.rpartition(":index=")
        if weight in path and family in families.split(","):
            return path, int(index)
    raise ConfigurationError("fonts.not_found", family=family, weight=weight)
