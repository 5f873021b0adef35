"""Shared fixtures: a fresh archive on SQLite or PostgreSQL, and the CLI run in-process."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.config import Settings
from dossier.db import dispose_engines

pytest_plugins = ["tests.s3_server", "tests.web_fixtures"]

PG_ADMIN_URL = os.environ.get("DOSSIER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ADMIN_PASSWORD = "admin-password-1"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch):
    """No test sees the developer's own DOSSIER_* settings, and every test runs in the default
    language (Chinese), whatever the machine's locale."""
    for name in list(os.environ):
        if name.startswith("DOSSIER_") or name in ("LC_ALL", "LC_MESSAGES"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    dispose_engines()


def _pg_reachable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("+psycopg", ""), connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure skips them  # pragma: no cover
        return f"PostgreSQL at {PG_ADMIN_URL} is unreachable: {str(exc).strip().splitlines()[0]}"


_PG_PROBLEM: list[str | None] = []


def pg_problem() -> str | None:
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_pg_reachable())
    return _PG_PROBLEM[0]


def fresh_pg_database(prefix: str = "dossier_test"):
    """Yield the URL of a fresh, empty PostgreSQL database, dropped afterwards (skips the test
    when the server is unreachable)."""
    problem = pg_problem()
    if problem:
        pytest.skip(problem)
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = PG_ADMIN_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    dispose_engines()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    yield from fresh_pg_database()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Run the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.db'}"
    return request.getfixturevalue("pg_database_url")


def make_env(home: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {"DOSSIER_HOME": str(home)}
    if database_url:
        env["DOSSIER_DATABASE_URL"] = database_url
    env.update(extra)
    return env


@pytest.fixture
def home(tmp_path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def settings(home, database_url, monkeypatch) -> Settings:
    """Settings for a fresh archive; also exported to the environment for in-process CLI runs."""
    env = make_env(home, database_url)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Settings.from_env(env)


@pytest.fixture
def archive(settings) -> Archive:
    from dossier.setup import initialise

    initialise(settings, admin_password=ADMIN_PASSWORD)
    return Archive(settings)


@pytest.fixture
def console() -> Actor:
    return Actor.console()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def run_cli(capsys):
    """Run ``dossier ARGS`` in-process through the real entry point (error handling included)."""
    from dossier.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run
