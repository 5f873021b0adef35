"""The message catalog is the one source of every sentence the services say: each code is
defined once with matching Chinese and English texts, and no error or message is written as a
literal sentence anywhere in the code (``raise InvalidInput("household.exists", code=...)``)."""

from __future__ import annotations

import ast
import functools
import re
import string
from pathlib import Path

import pytest

from dossier.catalog import CATALOG, CODE_PATTERN, Text, language, os_reason
from dossier.errors import InvalidInput

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dossier", "storage", "ingest", "search", "retention", "audit", "paper", "handover", "webapp")
MESSAGE_CALLS = {"Text", "text", "say", "zh", "fail"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_code_has_a_chinese_and_an_english_text_with_the_same_parameters():
    for code, message in CATALOG.items():
        assert CODE_PATTERN.match(code), code
        assert re.search(r"[\u4e00-\u9fff]", message.zh) or not re.search(r"[a-z]{3} [a-z]{3}", message.zh), (
            code
        )
        assert message.en.strip(), code
        assert _fields(message.zh) == _fields(message.en), code


def _sources() -> list[Path]:
    return sorted(
        p for package in PACKAGES for p in (ROOT / package).rglob("*.py") if "catalog" not in p.parts
    )


@functools.cache
def _error_classes() -> frozenset[str]:
    """DossierError and every class derived from it (by name, across the code)."""
    known = {"DossierError"}
    bases: dict[str, set[str]] = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                bases.setdefault(node.name, set()).update(names)
    changed = True
    while changed:
        changed = False
        for name, parents in bases.items():
            if name not in known and parents & known:
                known.add(name)
                changed = True
    return frozenset(known)


def _literal_messages(path: Path, callables: set[str]) -> list[str]:
    """Calls in ``path`` whose message is a sentence or a code missing from the catalog."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in callables:
            continue
        first = node.args[0]
        if isinstance(first, ast.JoinedStr):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: an f-string message")
        elif isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value not in CATALOG:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {first.value[:60]!r}")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_errors_and_messages_name_a_catalog_code(package):
    callables = set(_error_classes()) | MESSAGE_CALLS
    found = [
        hit
        for path in sorted((ROOT / package).rglob("*.py"))
        if "catalog" not in path.parts
        for hit in _literal_messages(path, callables)
    ]
    assert not found, f"{len(found)} messages not in the catalog:\n" + "\n".join(found)


def test_an_error_renders_in_chinese_by_default_and_in_english_on_request(monkeypatch):
    error = InvalidInput("cli.interrupted")
    assert language() == "zh"
    assert error.message == "已中断" and error.render("en") == "interrupted"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert language() == "en" and str(error) == "interrupted"
    monkeypatch.setenv("DOSSIER_LANG", "zh")
    assert str(error) == "已中断"


def test_a_parameter_may_be_a_message_and_a_missing_one_never_raises():
    outer = Text("cli.error", {"message": Text("cli.interrupted")})
    assert outer.zh == "dossier：错误：已中断" and outer.en == "dossier: error: interrupted"
    assert Text("cli.error").zh == "dossier：错误：{message}"


def test_the_operating_systems_reasons_are_said_in_the_readers_language():
    """strerror is English whatever the locale: a reason inside a Chinese sentence comes from
    the errno (an unknown one is named by its code, which is Latin people use as a code)."""
    import errno

    missing = os_reason(FileNotFoundError(errno.ENOENT, "No such file or directory"))
    assert (missing.zh, missing.en) == ("文件或文件夹不存在", "no such file or folder")
    assert os_reason(PermissionError(errno.EACCES, "Permission denied")).zh == "没有权限"
    assert os_reason(OSError(errno.ENXIO, "No such device or address")).zh == "操作系统错误 ENXIO"
    assert os_reason(OSError("no errno")).zh == "无法访问"
    with_reason = Text("cli.cannot_write", {"path": "/x", "reason": missing})
    assert "No such" not in with_reason.zh and "文件或文件夹不存在" in with_reason.zh
