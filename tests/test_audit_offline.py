"""`dossier doc export` and `dossier audit verify-file`: an outside auditor checks an exported
original with the public key alone — no database, no private key."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from dossier.models import AccessEvent
from dossier.services.users import add_user
from tests.audit_helpers import stored_documents

DOSSIER = str(Path(sys.executable).with_name("dossier"))


@pytest.fixture
def exported(archive, console, tmp_path, run_cli):
    (doc,) = stored_documents(archive, console, tmp_path, ["装修押金退还确认书 A-3-1201"])
    out = tmp_path / "export"
    result = run_cli("doc", "export", str(doc), "-o", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    return doc, result.json()


def _verify_file(path, record, key, env=None):
    """Run the verifier as an outside auditor would: a fresh process with no archive at all."""
    return subprocess.run(
        [
            DOSSIER,
            "audit",
            "verify-file",
            str(path),
            "--record",
            str(record),
            "--public-key",
            str(key),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_an_export_verifies_offline_and_a_changed_copy_does_not(exported, tmp_path):
    doc, paths = exported
    elsewhere = tmp_path / "auditor"
    elsewhere.mkdir()
    for key in ("file", "record", "public_key"):
        shutil.copy(paths[key], elsewhere)
    files = {key: elsewhere / Path(paths[key]).name for key in ("file", "record", "public_key")}
    env = {"PATH": os.environ.get("PATH", ""), "DOSSIER_HOME": str(tmp_path / "nowhere")}
    good = _verify_file(files["file"], files["record"], files["public_key"], env)
    assert good.returncode == 0, good.stderr
    view = json.loads(good.stdout)
    assert (
        view["ok"]
        and view["document"] == doc
        and set(view["checks"]) == {"signature", "metadata", "size", "sha256", "sm3"}
    )
    assert not (tmp_path / "nowhere").exists()  # nothing of an archive was needed or made

    data = bytearray(files["file"].read_bytes())
    data[len(data) // 2] ^= 0x20
    files["file"].write_bytes(bytes(data))
    bad = _verify_file(files["file"], files["record"], files["public_key"], env)
    assert bad.returncode == 1
    view = json.loads(bad.stdout)
    assert not view["ok"] and view["checks"]["signature"] and not view["checks"]["sha256"]
    assert not view["checks"]["sm3"]


def test_a_changed_record_or_another_key_fails_the_signature(exported, tmp_path, run_cli):
    from dossier.signing import Signer

    _doc, paths = exported
    record = json.loads(Path(paths["record"]).read_text(encoding="utf-8"))
    record["record"]["household"] = "B-9-9999"
    forged = tmp_path / "forged.record.json"
    forged.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = run_cli(
        "audit", "verify-file", paths["file"], "--record", str(forged), "--public-key", paths["public_key"]
    )
    assert result.exit_code == 1 and "签名：未通过" in result.stdout
    other = tmp_path / "other.pem"
    other.write_text(Signer.generate().public_pem(), encoding="ascii")
    result = run_cli(
        "audit", "verify-file", paths["file"], "--record", paths["record"], "--public-key", str(other)
    )
    assert result.exit_code == 1 and "签名：未通过" in result.stdout


def test_bad_inputs_end_in_one_line(exported, tmp_path, run_cli):
    _doc, paths = exported
    junk = tmp_path / "junk.json"
    junk.write_text("not json", encoding="utf-8")
    for args in (
        (paths["file"], "--record", str(junk), "--public-key", paths["public_key"]),
        (paths["file"], "--record", paths["record"], "--public-key", paths["record"]),
        (str(tmp_path / "missing.pdf"), "--record", paths["record"], "--public-key", paths["public_key"]),
    ):
        result = run_cli("audit", "verify-file", *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert result.stderr.startswith("dossier：错误：") and result.stderr.count("\n") == 1


def test_export_is_logged_refused_to_staff_and_needs_a_purpose_when_confidential(
    archive, console, tmp_path, run_cli
):
    (secret,) = stored_documents(archive, console, tmp_path, ["身份证复印件"], confidential=True)
    with archive.session() as session:
        add_user(session, console, "stf", "staff", "stf-password-1")
        add_user(session, console, "aud", "auditor", "aud-password-1")
    assert run_cli("--as", "stf", "doc", "export", str(secret), "-o", str(tmp_path / "x")).exit_code == 5
    no_purpose = run_cli("--as", "aud", "doc", "export", str(secret), "-o", str(tmp_path / "y"))
    assert no_purpose.exit_code == 2 and "--purpose" in no_purpose.stderr
    ok = run_cli(
        "--as", "aud", "doc", "export", str(secret), "-o", str(tmp_path / "y"), "--purpose", "年度审计抽查"
    )
    assert ok.exit_code == 0, ok.stderr
    again = run_cli(
        "--as", "aud", "doc", "export", str(secret), "-o", str(tmp_path / "y"), "--purpose", "再次"
    )
    assert again.exit_code == 4
    with archive.session() as session:
        events = session.execute(
            select(AccessEvent.username, AccessEvent.outcome, AccessEvent.detail).where(
                AccessEvent.action == "document.export"
            )
        ).all()
    assert ("aud", "ok", '{"purpose": "年度审计抽查"}') in events
