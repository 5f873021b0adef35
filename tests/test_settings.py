"""Settings (issue 15): every variable is read in ``dossier.config``, once, by one parser per kind
of value; a bad value stops the process at start with one sentence naming the variable; the
modules below read no environment, they get the settings passed down."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from dossier.config import Settings
from dossier.errors import ConfigurationError

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dossier", "storage", "ingest", "search", "retention", "audit", "paper", "webapp")


def settings_with(**env: str) -> Settings:
    return Settings.from_env(env)


def refusal(**env: str) -> str:
    """The refusal in English (the Chinese one is the same message, checked once below)."""
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env(env)
    return caught.value.render("en")


# --- one parser per kind of value ----------------------------------------------------------------


def test_a_whole_number_is_read_defaulted_and_refused_outside_its_range():
    assert settings_with(DOSSIER_MAX_UPLOAD_MB="5").max_upload_mb == 5
    assert settings_with().max_upload_mb == 2048
    assert settings_with(DOSSIER_MAX_UPLOAD_MB="  ").max_upload_mb == 2048
    assert (
        refusal(DOSSIER_MAX_UPLOAD_MB="lots")
        == "DOSSIER_MAX_UPLOAD_MB must be a whole number of megabytes from 1 to 1048576, not 'lots'"
    )
    assert (
        refusal(DOSSIER_TRUSTED_PROXIES="9")
        == "DOSSIER_TRUSTED_PROXIES must be a whole number of proxies from 0 to 5, not '9'"
    )
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env({"DOSSIER_MAX_UPLOAD_MB": "lots"})
    assert caught.value.code == "config.whole_number"
    assert (
        caught.value.message
        == "DOSSIER_MAX_UPLOAD_MB 必须是 1 到 1048576 之间的整数（单位：MB），当前为 'lots'。"
    )
    for bad in ("0", "-3", "1.5", "٣"):
        assert refusal(DOSSIER_MAX_PAGES=bad).startswith("DOSSIER_MAX_PAGES must be a whole number")


@pytest.mark.parametrize(
    "raw, value",
    [
        ("1", True),
        ("TRUE", True),
        ("yes", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
    ],
)
def test_a_boolean_is_read_in_any_of_its_spellings(raw, value):
    assert settings_with(DOSSIER_SECURE_COOKIES=raw).secure_cookies is value
    assert settings_with(DOSSIER_MINIO_SECURE=raw).minio_secure is value
    assert settings_with(DOSSIER_DEBUG=raw).debug is value


def test_a_boolean_defaults_to_off_and_refuses_anything_else():
    plain = settings_with()
    assert (plain.secure_cookies, plain.minio_secure, plain.debug) == (False, False, False)
    assert (
        refusal(DOSSIER_SECURE_COOKIES="maybe")
        == "DOSSIER_SECURE_COOKIES must be 1, true, yes or on (or 0, false, no, off), not 'maybe'"
    )
    assert refusal(DOSSIER_DEBUG="2").startswith("DOSSIER_DEBUG must be")


@pytest.mark.parametrize(
    "raw, seconds",
    [
        ("300", 300),
        ("3", 3),
        ("90s", 90),
        ("5m", 300),
        ("5min", 300),
        ("2h", 7200),
        ("1d", 86400),
        (" 45 ", 45),
    ],
)
def test_a_duration_is_seconds_or_a_number_with_a_unit(raw, seconds):
    assert settings_with(DOSSIER_LEASE_SECONDS=raw).lease == timedelta(seconds=seconds)


def test_a_duration_defaults_and_refuses_what_is_not_one_or_out_of_range():
    assert settings_with().lease == timedelta(seconds=300)
    for bad in ("soon", "1", "2d", "-5", "5 weeks", "1.5m"):
        assert refusal(DOSSIER_LEASE_SECONDS=bad) == (
            f"DOSSIER_LEASE_SECONDS must be a duration from 2 to 86400 seconds (e.g. 300 or 5m), not {bad!r}"
        )


def test_a_path_is_made_absolute_defaults_under_the_home_and_must_exist_when_it_says_so(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    plain = settings_with(DOSSIER_HOME="arch")
    assert plain.home == tmp_path / "arch"
    assert (plain.objects_dir, plain.keys_dir, plain.index_dir) == (
        tmp_path / "arch" / "objects",
        tmp_path / "arch" / "keys",
        tmp_path / "arch" / "index",
    )
    assert plain.database_url == f"sqlite:///{tmp_path / 'arch' / 'dossier.db'}"
    assert settings_with(DOSSIER_KEYS_DIR="k").keys_dir == tmp_path / "k"
    assert settings_with(TESSDATA_PREFIX=str(tmp_path)).tessdata_dir == tmp_path
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    assert settings_with(SSL_CERT_FILE="ca.pem").ssl_cert_file == bundle
    assert (plain.tessdata_dir, plain.ssl_cert_file) == (None, None)
    assert (
        refusal(TESSDATA_PREFIX="/no/such/tessdata")
        == "TESSDATA_PREFIX must name a folder that exists, not '/no/such/tessdata'"
    )
    assert (
        refusal(SSL_CERT_FILE=str(tmp_path))
        == f"SSL_CERT_FILE must name a file that exists, not {str(tmp_path)!r}"
    )


def test_a_choice_is_read_without_case_defaulted_and_refused_otherwise():
    assert settings_with(DOSSIER_OCR_ENGINE="Command").ocr_engine == "command"
    assert settings_with().ocr_engine == "tesserocr"
    assert settings_with(DOSSIER_LOG_LEVEL="info").log_level == "INFO"
    assert settings_with().log_level is None  # the command decides: WARNING, INFO for serve/worker
    assert (
        refusal(DOSSIER_OCR_ENGINE="ocrmypdf")
        == "DOSSIER_OCR_ENGINE must be one of tesserocr, command, not 'ocrmypdf'"
    )
    assert refusal(DOSSIER_LOG_LEVEL="loud").startswith(
        "DOSSIER_LOG_LEVEL must be one of DEBUG, INFO, WARNING"
    )


def test_text_is_stripped_and_blank_is_unset_and_secrets_stay_out_of_the_repr():
    given = settings_with(
        DOSSIER_TOKEN=" tok-123 ",
        DOSSIER_MINIO_BUCKET="",
        DOSSIER_MINIO_SECRET_KEY="s3cret",
        DOSSIER_MASTER_KEY="bWFzdGVy",
    )
    assert given.token == "tok-123" and given.minio_bucket == "dossier"
    assert settings_with().token is None
    assert "tok-123" not in repr(given) and "s3cret" not in repr(given) and "bWFzdGVy" not in repr(given)


def test_postgresql_urls_get_the_installed_driver():
    assert (
        settings_with(DOSSIER_DATABASE_URL="postgresql://u@h/db").database_url
        == "postgresql+psycopg://u@h/db"
    )


# --- a bad value stops the process at start --------------------------------------------------------


def test_a_bad_value_stops_the_cli_before_any_command_with_one_sentence(run_cli, monkeypatch):
    monkeypatch.setenv("DOSSIER_DEBUG", "perhaps")
    result = run_cli("--version")
    assert result.exit_code == 6
    assert result.stderr == (
        "dossier：错误：DOSSIER_DEBUG 必须是 1、true、yes 或 on（或 0、false、no、off），当前为 'perhaps'。\n"
    )


def test_a_bad_value_stops_the_web_app_at_start(monkeypatch, tmp_path):
    from webapp import create_app

    monkeypatch.setenv("DOSSIER_HOME", str(tmp_path))
    monkeypatch.setenv("DOSSIER_SECURE_COOKIES", "sometimes")
    with pytest.raises(ConfigurationError, match="^DOSSIER_SECURE_COOKIES 必须是"):
        create_app(testing=True)


def test_internal_errors_show_a_traceback_only_with_dossier_debug(tmp_path):
    script = (
        "import click\nfrom dossier.cli import cli, main\n"
        "@cli.command('boom')\ndef boom():\n    raise RuntimeError('bug')\n"
        "main(['boom'])\n"
    )
    env = {"PATH": "/usr/bin:/bin", "DOSSIER_HOME": str(tmp_path)}
    quiet = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT)
    assert quiet.returncode == 70 and "Traceback" not in quiet.stderr and "DOSSIER_DEBUG=1" in quiet.stderr
    loud = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DOSSIER_DEBUG": "1"},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert loud.returncode == 1 and "Traceback" in loud.stderr and "RuntimeError: bug" in loud.stderr


# --- passed down, not read below -------------------------------------------------------------------


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_but_dossier_config_reads_or_writes_the_environment():
    pattern = re.compile(
        r"\bos\.environ\b|\bos\.getenv\b|\bos\.putenv\b|from os import .*\b(environ|getenv)\b"
    )
    readers = sorted(
        str(path.relative_to(ROOT)) for path in _sources() if pattern.search(path.read_text("utf-8"))
    )
    # The catalog's language (DOSSIER_LANG, LANG) and the office's time zone (DOSSIER_TIMEZONE) are
    # read where they are used, so a process and its tests may switch them.
    assert readers == ["dossier/catalog/__init__.py", "dossier/config.py", "dossier/localtime.py"]


def test_the_worker_lease_comes_from_the_sessions_settings(home):
    from dossier.db import session_factory
    from ingest import state

    settings = Settings.from_env({"DOSSIER_HOME": str(home), "DOSSIER_LEASE_SECONDS": "7"})
    with session_factory(settings)() as session:
        assert state.lease(session) == timedelta(seconds=7)


def test_the_ocr_engine_and_models_folder_come_from_the_settings(tmp_path, monkeypatch):
    from ingest import tesseract

    monkeypatch.setattr(tesseract, "_choice", tesseract._choice)  # put back afterwards
    tesseract.configure(settings_with(DOSSIER_OCR_ENGINE="command", TESSDATA_PREFIX=str(tmp_path)))
    assert tesseract.engine_name() == "command" and tesseract.tessdata_dir() == tmp_path
    tesseract.configure(settings_with())
    assert tesseract.tessdata_dir() != tmp_path


def test_the_minio_store_trusts_the_ca_bundle_of_the_settings(tmp_path):
    import certifi

    from storage import open_store

    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    minio = {
        "DOSSIER_MINIO_ENDPOINT": "https://minio.example:9000",
        "DOSSIER_MINIO_ACCESS_KEY": "a",
        "DOSSIER_MINIO_SECRET_KEY": "b",
    }
    store = open_store(settings_with(**minio, SSL_CERT_FILE=str(bundle)))
    assert store._http.connection_pool_kw["ca_certs"] == str(bundle)
    assert open_store(settings_with(**minio))._http.connection_pool_kw["ca_certs"] == certifi.where()


def test_openmp_is_limited_by_one_function():
    uses = sorted(
        str(path.relative_to(ROOT))
        for path in _sources()
        if re.search(r"""["']OMP_THREAD_LIMIT["']\s*\]?\s*=""", path.read_text("utf-8"))
    )
    assert uses == ["dossier/config.py"]


# --- the append-only guards come with the sessions ----------------------------------------------------


def test_a_session_from_session_factory_refuses_to_change_the_shredding_log(archive):
    from dossier.db import session_factory
    from dossier.models import AppendOnlyViolation, ShredLogEntry, utcnow

    with session_factory(archive.settings)() as session:
        with pytest.raises(AppendOnlyViolation, match="shred_log 表的记录不可修改"):
            session.execute(update(ShredLogEntry).values(kind="paper"))
        session.rollback()
        session.add(
            ShredLogEntry(
                seq=1,
                at=utcnow(),
                kind="electronic",
                list_number="XH2026-0001",
                document_id=1,
                record="{}",
                prev_hash="0" * 64,
                entry_hash="1" * 64,
                signature="s",
                signing_key_id="k",
            )
        )
        session.flush()  # appending is what the log is for
        row = session.scalars(select(ShredLogEntry)).one()
        row.kind = "paper"
        with pytest.raises(AppendOnlyViolation, match="不可修改或删除"):
            session.flush()
        session.rollback()


def test_installing_the_guards_again_adds_no_second_listener():
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from dossier import models
    from dossier.db import session_factory

    def listeners() -> tuple[list, list]:
        return list(Session().dispatch.do_orm_execute), list(
            models.ShredLogEntry.__mapper__.dispatch.before_update
        )

    session_factory(settings_with())
    before = listeners()
    models._guards_installed = False  # as if installing them for the first time, again
    models.install_append_only_guards()
    session_factory(settings_with())
    assert event.contains(Session, "do_orm_execute", models._refuse_bulk)
    assert listeners() == before and before[0].count(models._refuse_bulk) == 1


# --- the worker's chores log their failures and go on --------------------------------------------------


def test_the_housekeeping_loop_logs_a_failure_and_keeps_going(monkeypatch, caplog):
    from ingest import runner

    class Stop(BaseException):
        pass

    calls = []

    def housekeeping(_settings):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the catalog hiccuped")
        raise Stop

    monkeypatch.setattr(runner, "housekeeping", housekeeping)
    monkeypatch.setattr(runner.time, "sleep", lambda _seconds: None)
    with caplog.at_level("ERROR", logger="ingest.runner"), pytest.raises(Stop):
        runner._housekeeping_loop(settings_with())
    assert len(calls) == 2
    (record,) = [r for r in caplog.records if r.name == "ingest.runner"]
    assert "housekeeping failed" in record.getMessage() and record.exc_info[1].args == (
        "the catalog hiccuped",
    )
