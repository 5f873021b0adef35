"""The one message catalog: every sentence a person reads from the services, by stable code.

A message is a code (``"household.exists"``) with named parameters; the catalog holds its
Simplified Chinese text (what the web, the CLI and reports show) and an English one (the API's
``error`` field, and the CLI under ``LANG=en_*``). Services raise ``InvalidInput("household.exists",
code=...)`` or build ``Text("...", ...)``; nobody writes a sentence anywhere else. The entries live
in one module per area (``dossier/catalog/households.py`` ...), merged here; a code is defined once.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Literal

Language = Literal["zh", "en"]

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")

# The areas, one module each; every module holds ``MESSAGES = {code: (zh, en)}``.
AREAS = (
    "common",
    "cli",
    "web",
    "keys",
    "storage",
    "households",
    "users",
    "documents",
    "ingest",
    "search",
    "retention",
    "audit",
    "paper",
    "backup",
    "exports",
    "statistics",
    "handover",
)


@dataclass(frozen=True)
class Message:
    zh: str
    en: str

    def template(self, language: Language) -> str:
        return self.zh if language == "zh" else self.en


def _load() -> dict[str, Message]:
    catalog: dict[str, Message] = {}
    for area in AREAS:
        entries: Mapping[str, tuple[str, str]] = import_module(f"dossier.catalog.{area}").MESSAGES
        for code, (zh, en) in entries.items():
            if code in catalog:
                raise RuntimeError(f"message code {code} is defined twice (again in {area})")
            catalog[code] = Message(zh, en)
    return catalog


CATALOG: Mapping[str, Message] = _load()


def language() -> Language:
    """The language of this process: ``DOSSIER_LANG`` (zh|en), else English under an ``en_*``
    locale (LC_ALL, LC_MESSAGES, LANG), else Simplified Chinese."""
    chosen = os.environ.get("DOSSIER_LANG", "").strip().lower()
    if chosen in ("zh", "en"):
        return chosen  # type: ignore[return-value]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


@dataclass(frozen=True)
class Text:
    """A message by code with its parameters, rendered in the language asked for. A parameter may
    itself be a ``Text`` (rendered in the same language). A code not in the catalog renders as
    itself (so a stray literal still reads, and the catalog test finds it)."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: Language | None = None) -> str:
        lang = lang or language()
        message = CATALOG.get(self.code)
        if message is None:
            return self.code
        values = {k: (v.render(lang) if isinstance(v, Text) else v) for k, v in self.params.items()}
        try:
            return message.template(lang).format(**values)
        except (KeyError, IndexError, ValueError):  # a parameter missing: never a traceback
            return message.template(lang)

    @property
    def zh(self) -> str:
        return self.render("zh")

    @property
    def en(self) -> str:
        return self.render("en")

    def __str__(self) -> str:
        return self.render()


def text(code: str, /, **params: object) -> Text:
    """``Text(code, params)``, written like a call to the message."""
    return Text(code, params)


def say(code: str, /, **params: object) -> str:
    """The message rendered in this process's language (for CLI output and reports)."""
    return Text(code, params).render()


def zh(code: str, /, **params: object) -> str:
    """The message in Chinese (what the web, exports and reports show)."""
    return Text(code, params).render("zh")


def os_reason(exc: BaseException) -> Text:
    """Why the operating system refused, as a message: ``strerror`` is English whatever the
    locale, so a reason in a Chinese sentence comes from the errno instead."""
    number = getattr(exc, "errno", None)
    if not isinstance(number, int):
        return Text("os.unknown")
    name = errno.errorcode.get(number, str(number))
    if f"os.{name.lower()}" in CATALOG:
        return Text(f"os.{name.lower()}")
    return Text("os.other", {"name": name})
