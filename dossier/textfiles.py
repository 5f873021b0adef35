"""Text files people bring (batch manifests, lists of household codes): their bytes as text.

Excel on Chinese Windows writes GBK; everything else writes UTF-8, with or without a BOM. One
decoder for every such file, so a list that works for intake works for cover sheets too.
"""

from __future__ import annotations

from dossier.errors import InvalidInput


def decode_manifest(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030, which Excel writes on Chinese Windows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("textfiles.bad_encoding", name=name)
