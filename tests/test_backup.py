"""Backup and restore: a signed, self-verifying backup taken while the archive runs; restored into
an empty home with the separately backed-up keys, `audit verify` passes and search finds the same."""

from __future__ import annotations

import json
import stat

import pytest
from sqlalchemy import inspect

from dossier.config import Settings
from dossier.db import get_engine
from tests.audit_helpers import stored_documents
from tests.conftest import fresh_pg_database

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def backed_up(archive, console, tmp_path, run_cli):
    stored_documents(archive, console, tmp_path, ["业主装修申请表 保证金 三千元", "维修基金缴纳通知"])
    assert run_cli("audit", "verify", "--json").exit_code == 0
    (tmp_path / "pass.txt").write_text(PASSPHRASE + "\n", encoding="utf-8")
    keys = run_cli(
        "keys",
        "backup",
        str(tmp_path / "keys.bak"),
        "--passphrase-file",
        str(tmp_path / "pass.txt"),
        "--json",
    )
    assert keys.exit_code == 0, keys.stderr
    result = run_cli("backup", str(tmp_path / "backup"), "--json")
    assert result.exit_code == 0, result.stderr
    hits = run_cli("search", "保证金", "--json").json()
    return {
        "keys": tmp_path / "keys.bak",
        "backup": tmp_path / "backup",
        "pass": tmp_path / "pass.txt",
        "report": result.json(),
        "hits": [(h["document"], h["page"]) for h in hits["hits"]],
    }


def _new_home(tmp_path, monkeypatch, name="restored"):
    home = tmp_path / name
    monkeypatch.setenv("DOSSIER_HOME", str(home))
    monkeypatch.setenv("DOSSIER_DATABASE_URL", f"sqlite:///{home / 'dossier.db'}")
    return home


def test_backup_then_restore_into_an_empty_home_verifies_and_searches_the_same(
    backed_up, tmp_path, run_cli, monkeypatch
):
    report = backed_up["report"]
    assert report["objects"] >= 4 and report["missing_objects"] == [] and report["tables"]["documents"] == 2
    manifest = json.loads((backed_up["backup"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "dossier-backup/1" and (backed_up["backup"] / "manifest.sig").exists()
    assert not list(backed_up["backup"].rglob("*.key"))
    sealed = json.loads(backed_up["keys"].read_text())
    assert "sealed" in sealed and "master_key" not in sealed
    assert stat.S_IMODE(backed_up["keys"].stat().st_mode) == 0o600

    home = _new_home(tmp_path, monkeypatch)
    restored = run_cli(
        "restore",
        str(backed_up["backup"]),
        "--keys",
        str(backed_up["keys"]),
        "--passphrase-file",
        str(backed_up["pass"]),
        "--json",
    )
    assert restored.exit_code == 0, restored.stderr
    assert restored.json()["rows"]["documents"] == 2 and restored.json()["indexed_documents"] == 2
    verify = run_cli("audit", "verify", "--json")
    assert verify.exit_code == 0, verify.stdout
    assert verify.json()["documents_checked"] == 2 and verify.json()["run"] == 2  # run 1 came with the backup
    hits = run_cli("search", "保证金", "--json").json()
    assert [(h["document"], h["page"]) for h in hits["hits"]] == backed_up["hits"] != []
    assert run_cli("audit", "history", str(hits["hits"][0]["document"]), "--json").json()["events"]
    # New rows get fresh ids after the restored ones.
    assert run_cli("household", "add", "Z-1-0101", "--json").exit_code == 0
    assert (home / "keys" / "master.key").exists()


def test_restore_refuses_an_altered_backup_before_writing_anything(backed_up, tmp_path, run_cli, monkeypatch):
    victim = next(p for p in (backed_up["backup"] / "objects").rglob("*") if p.is_file())
    data = bytearray(victim.read_bytes())
    data[-1] ^= 1
    victim.write_bytes(bytes(data))
    home = _new_home(tmp_path, monkeypatch)
    result = run_cli(
        "restore",
        str(backed_up["backup"]),
        "--keys",
        str(backed_up["keys"]),
        "--passphrase-file",
        str(backed_up["pass"]),
    )
    assert result.exit_code == 8 and "已被改动" in result.stderr and result.stderr.count("\n") == 1
    assert not (home / "keys").exists()
    with get_engine(Settings.from_env()).connect() as conn:
        assert inspect(conn).get_table_names() == []


def test_restore_refusals(backed_up, tmp_path, run_cli, monkeypatch):
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n", encoding="utf-8")
    # Into the archive that is still there: not empty.
    busy = run_cli(
        "restore",
        str(backed_up["backup"]),
        "--keys",
        str(backed_up["keys"]),
        "--passphrase-file",
        str(backed_up["pass"]),
    )
    assert busy.exit_code == 6 and "空档案库" in busy.stderr
    _new_home(tmp_path, monkeypatch)
    bad = run_cli(
        "restore", str(backed_up["backup"]), "--keys", str(backed_up["keys"]), "--passphrase-file", str(wrong)
    )
    assert bad.exit_code == 2 and "口令" in bad.stderr
    unsealed = run_cli("restore", str(backed_up["backup"]), "--keys", str(backed_up["keys"]))
    assert unsealed.exit_code == 2 and "--passphrase-file" in unsealed.stderr
    assert (
        run_cli(
            "restore",
            str(tmp_path),
            "--keys",
            str(backed_up["keys"]),
            "--passphrase-file",
            str(backed_up["pass"]),
        ).exit_code
        == 2
    )


def test_backup_needs_an_admin_and_a_new_folder(archive, console, tmp_path, run_cli):
    from dossier.services.users import add_user

    with archive.session() as session:
        add_user(session, console, "aud", "auditor", "aud-password-1")
    assert run_cli("--as", "aud", "backup", str(tmp_path / "b")).exit_code == 5
    assert run_cli("--as", "aud", "keys", "backup", str(tmp_path / "k")).exit_code == 5
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert run_cli("backup", str(tmp_path / "full")).exit_code == 4
    plain = run_cli("keys", "backup", str(tmp_path / "plain.keys"))
    assert plain.exit_code == 0 and "未加密" in plain.stdout
    assert run_cli("keys", "backup", str(tmp_path / "plain.keys")).exit_code != 0  # never overwritten


@pytest.fixture
def second_pg_url():
    """Another fresh PostgreSQL database, to restore into."""
    yield from fresh_pg_database("dossier_restore")


@pytest.mark.postgres
def test_restore_into_postgresql_moves_the_id_sequences_on(
    backed_up, tmp_path, run_cli, monkeypatch, second_pg_url
):
    home = tmp_path / "restored-pg"
    monkeypatch.setenv("DOSSIER_HOME", str(home))
    monkeypatch.setenv("DOSSIER_DATABASE_URL", second_pg_url)
    restored = run_cli(
        "restore",
        str(backed_up["backup"]),
        "--keys",
        str(backed_up["keys"]),
        "--passphrase-file",
        str(backed_up["pass"]),
        "--json",
    )
    assert restored.exit_code == 0, restored.stderr
    assert run_cli("audit", "verify", "--json").exit_code == 0
    added = run_cli("household", "add", "Z-1-0101", "--json")
    assert added.exit_code == 0, added.stderr
    assert added.json()["id"] == restored.json()["rows"]["households"] + 1


def test_a_restore_never_brings_a_destroyed_record_back(archive, console, tmp_path, run_cli, monkeypatch):
    """Backup, then a destruction, then the log exported: restoring the backup with that export
    destroys the document again (objects, keys, text) and continues the same signed log."""
    from datetime import date

    from tests.retention_helpers import add_retention_users, cli_token, store_document

    add_retention_users(archive)
    assert run_cli("household", "add", "A-1-0101").exit_code == 0
    doomed = store_document(archive, "A-1-0101", "repair", date(2015, 3, 1), pages=["报修单 水管漏水 已修复"])
    kept = store_document(archive, "A-1-0101", "contract", date(2015, 3, 1), pages=["购房合同 保证金"])
    (tmp_path / "pass.txt").write_text(PASSPHRASE, encoding="utf-8")
    assert (
        run_cli(
            "keys", "backup", str(tmp_path / "keys.bak"), "--passphrase-file", str(tmp_path / "pass.txt")
        ).exit_code
        == 0
    )
    assert run_cli("backup", str(tmp_path / "backup"), "--json").exit_code == 0

    number = run_cli("--as", "keeper", "retention", "propose", "--json").json()["number"]
    monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "officer"))  # four-eyes: the officer's own token
    assert run_cli("--as", "officer", "retention", "approve", number).exit_code == 0
    executed = run_cli("--as", "keeper", "retention", "execute", number, "--json")
    assert executed.json()["destroyed"] == [doomed], executed.stderr
    export = run_cli("--as", "checker", "shredlog", "export", "-o", str(tmp_path / "log.jsonl"), "--json")
    assert export.exit_code == 0 and export.json()["entries"] == 1, export.stderr

    tampered = tmp_path / "tampered.jsonl"
    original = (tmp_path / "log.jsonl").read_text()
    tampered.write_text(original.replace('\\"repair\\"', '\\"contract\\"'))
    assert tampered.read_text() != original
    _new_home(tmp_path, monkeypatch, "refused")
    refused = run_cli(
        "restore",
        str(tmp_path / "backup"),
        "--keys",
        str(tmp_path / "keys.bak"),
        "--passphrase-file",
        str(tmp_path / "pass.txt"),
        "--shredlog",
        str(tampered),
    )
    assert refused.exit_code == 8 and "第 1 条" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "refused" / "dossier.db").exists()  # checked before anything is written

    _new_home(tmp_path, monkeypatch)
    restored = run_cli(
        "restore",
        str(tmp_path / "backup"),
        "--keys",
        str(tmp_path / "keys.bak"),
        "--passphrase-file",
        str(tmp_path / "pass.txt"),
        "--shredlog",
        str(tmp_path / "log.jsonl"),
        "--json",
    )
    assert restored.exit_code == 0, restored.stderr
    assert restored.json()["shredlog"] == {"entries_added": 1, "documents_destroyed_again": [doomed]}
    shown = run_cli("doc", "show", str(doomed), "--json")
    assert shown.json()["status"] == "destroyed" and not shown.json()["pages"]
    assert run_cli("search", "水管漏水", "--json").json()["total"] == 0
    assert run_cli("search", "保证金", "--json").json()["hits"][0]["document"] == kept
    assert run_cli("--as", "checker", "shredlog", "verify", "--json").exit_code == 0
    verify = run_cli("audit", "verify", "--json")
    assert verify.exit_code == 0, verify.stdout
