"""Why a file was refused or failed, as the catalog keeps it (``batch_items.error``,
``documents.last_error``): the message's code and parameters as JSON, so the web reads it back in
Chinese and the CLI in its own language (``dossier.catalog``), from one stored value.

Rows written before the message catalog hold an English sentence; they read back as that
sentence (``intake.as_recorded``), which the intake pages may still translate by pattern
(``webapp.batches.reason_zh``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from dossier.catalog import CATALOG, Text, text
from dossier.errors import DossierError

log = logging.getLogger(__name__)

_NESTED = "$text"
LEGACY_REASON = "intake.as_recorded"  # the code of a reason stored as a sentence


def _params(message: Text) -> dict[str, Any]:
    return {
        name: {_NESTED: [value.code, _params(value)]} if isinstance(value, Text) else value
        for name, value in message.params.items()
    }


def of_error(exc: DossierError, subject: object) -> Text:
    """Why ``exc`` refused ``subject``, to be stored as a reason: its message. What a tool or
    library said (``DossierError.technical``, English) goes to the operator's log instead."""
    if exc.technical:
        log.info("%s: %s (%s)", subject, exc.code, exc.technical)
    return exc.text


def dump(message: Text) -> str:
    """``message`` as the catalog stores it."""
    return json.dumps({"code": message.code, "params": _params(message)}, ensure_ascii=False, default=str)


def _restore(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, dict) and isinstance(value.get(_NESTED), list) and len(value[_NESTED]) == 2:
            code, inner = value[_NESTED]
            out[name] = Text(str(code), _restore(inner if isinstance(inner, dict) else {}))
        else:
            out[name] = value
    return out


def load(stored: str | None) -> Text | None:
    """The stored reason as a message; a legacy sentence (or anything unreadable) as itself."""
    if not stored:
        return None
    if stored.startswith('{"code"'):
        try:
            data = json.loads(stored)
            if isinstance(data, dict) and data.get("code") in CATALOG:
                params = data.get("params")
                return Text(data["code"], _restore(params if isinstance(params, dict) else {}))
        except ValueError:
            pass
    return text(LEGACY_REASON, reason=stored)


def is_legacy(stored: str | None) -> bool:
    """True for a reason stored as an English sentence (before the catalog)."""
    message = load(stored)
    return message is not None and message.code == LEGACY_REASON
