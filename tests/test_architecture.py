"""The layers hold: ``lint-imports`` passes and the kernel layer names every kernel module.

A module added directly under ``dossier/`` is kernel unless it is placed in an upper layer on
purpose; left out of the contract, nothing would stop it importing a domain, so this test fails
until it is named (``[tool.importlinter]`` in pyproject.toml).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Under dossier/ but not kernel: the entry points, the records services, backup, migrations,
# and the archive-wide modules placed above the domains.
NOT_KERNEL = {"cli", "services", "backup", "migrations", "archive", "setup", "dashboard", "statistics"}


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return contract["layers"]


def _names(layer: str) -> set[str]:
    return {name.strip() for part in layer.split("|") for name in part.split(":")}


def test_the_kernel_layer_names_every_kernel_module():
    on_disk = {path.stem for path in (ROOT / "dossier").glob("*.py") if path.stem != "__init__"}
    on_disk |= {
        path.name
        for path in (ROOT / "dossier").iterdir()
        if path.is_dir() and (path / "__init__.py").exists()
    }
    kernel = {name.removeprefix("dossier.") for name in _names(_layers()[-1])}
    assert sorted(on_disk - NOT_KERNEL - kernel) == [], "name these modules in the kernel layer"
    assert sorted(kernel - on_disk) == [], "the kernel layer names modules that do not exist"


def test_the_upper_dossier_modules_are_in_their_layers():
    named = set().union(*(_names(layer) for layer in _layers()[:-1]))
    placed = {f"dossier.{name}" for name in NOT_KERNEL - {"migrations"}}
    assert sorted(placed - named) == []


def test_lint_imports_passes():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
