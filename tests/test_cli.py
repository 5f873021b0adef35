"""The ``dossier`` command: JSON on stdout, one clear line on stderr and a non-zero exit on error."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ADMIN_PASSWORD

DOSSIER = str(Path(sys.executable).with_name("dossier"))


def assert_clean_error(result, *fragments: str) -> None:
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dossier：错误："), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def initialised(archive, run_cli):
    return run_cli


def test_init_json_and_idempotent(settings, run_cli):
    first = run_cli("init", "--json")
    assert first.exit_code == 0, first.stderr
    report = first.json()
    assert report["admin_created"] is True and len(report["admin_password"]) >= 10
    assert set(report["keys_created"]) == {"master key", "signing key", "web session key"}
    second = run_cli("init", "--json").json()
    assert (
        second["admin_created"] is False and second["keys_created"] == [] and second["admin_password"] is None
    )


def test_household_add_list_show(initialised):
    run = initialised
    added = run(
        "household",
        "add",
        "A-3-1201",
        "--owner",
        "张三",
        "--phone",
        "13800138000",
        "--id-number",
        "110101199003071234",
        "--json",
    )
    assert added.exit_code == 0, added.stderr
    body = added.json()
    assert set(body) >= {"id", "code"} and body["code"] == "A-3-1201"
    run("household", "add", "B-1-0101", "--community", "翠湖花园", "--use", "commercial", "--json")
    listed = run("household", "list", "--json").json()
    assert listed["total"] == 2 and {h["code"] for h in listed["households"]} == {"A-3-1201", "B-1-0101"}
    assert run("household", "list", "--owner", "张", "--json").json()["total"] == 1
    assert (
        run("household", "list", "--community", "翠湖花园", "--json").json()["households"][0]["use"]
        == "commercial"
    )
    shown = run("household", "show", "A-3-1201", "--json").json()
    assert shown["archive_no"] == "C001-Z00001" and shown["floor"] == 12
    assert shown["parties"][0]["name"] == "张三" and shown["parties"][0]["id_number"] == "110101199003071234"
    assert 0 <= shown["catalog"]["completeness"] <= 100 and shown["catalog"]["types"]
    human = run("household", "show", "A-3-1201")
    assert human.exit_code == 0 and "✗" in human.stdout


def test_acting_as_a_user_checks_their_role(initialised):
    run = initialised
    assert run("user", "add", "clerk", "--role", "staff", "--password", "clerk-password-1").exit_code == 0
    run("household", "add", "A-1-0101", "--owner", "王五", "--id-number", "110101199003071234")
    assert_clean_error(
        run("--as", "clerk", "household", "add", "A-1-0102"),
        "clerk（客服员）无权执行此操作",
        "“管理档案”权限",
    )
    shown = run("--as", "clerk", "household", "show", "A-1-0101", "--json").json()
    assert shown["parties"][0]["id_number"] == "110***********1234"
    assert_clean_error(run("--as", "ghost", "household", "list"), "没有用户名为 ghost 的用户")


def test_user_add_and_token(initialised):
    run = initialised
    added = run("user", "add", "keeper", "--role", "archivist", "--json").json()
    assert added["username"] == "keeper" and added["role"] == "archivist" and len(added["password"]) >= 10
    token = run("user", "token", "keeper", "--json").json()["token"]
    assert token.startswith("dos_")
    users = run("user", "list", "--json").json()["users"]
    assert {u["username"] for u in users} == {"admin", "keeper"}
    assert_clean_error(run("user", "add", "keeper", "--role", "staff"), "用户 keeper 已存在")
    result = run("user", "add", "x1", "--role", "janitor")
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_keys_export_public(initialised, tmp_path):
    from dossier.signing import load_public_key

    run = initialised
    out = run("keys", "export-public", "--json").json()
    assert out["algorithm"] == "Ed25519" and "BEGIN PUBLIC KEY" in out["public_key"]
    load_public_key(out["public_key"])
    target = tmp_path / "pub.pem"
    assert run("keys", "export-public", "-o", str(target)).exit_code == 0
    assert target.read_text() == out["public_key"]


def test_errors_are_one_clear_line(initialised, settings):
    run = initialised
    assert_clean_error(run("household", "show", "Z-9-9999"), "没有户号为 Z-9-9999 的业户")
    run("household", "add", "A-3-1201")
    assert_clean_error(run("household", "add", "A-3-1201"), "户号为 A-3-1201 的业户档案", "已存在")
    assert_clean_error(run("household", "add", "../../etc"), "户号“../../etc”格式不对")
    assert_clean_error(
        run("household", "add", "A-3-1209", "--owner", "x", "--id-number", "123"), "身份证号须为 15 位数字"
    )
    assert_clean_error(run("household", "list", "--community", "无此小区"), "没有名为“无此小区”的小区")


def test_household_errors_are_chinese_by_default_and_english_under_an_english_locale(
    initialised, monkeypatch
):
    run = initialised
    run("household", "add", "A-3-1201")
    assert run("household", "add", "A-3-1201").stderr.strip() == (
        "dossier：错误：默认小区已存在户号为 A-3-1201 的业户档案，不能重复登记。"
    )
    assert_clean_error(run("household", "show", "Z-9"), "没有户号为 Z-9 的业户")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert run("household", "add", "A-3-1201").stderr.strip() == (
        "dossier: error: household A-3-1201 already exists in 默认小区"
    )
    gone = run("household", "show", "Z-9")
    assert gone.exit_code == 3 and gone.stderr.strip() == "dossier: error: there is no household Z-9"
    assert run("household", "add", "B-1").stdout.startswith("household B-1 added")


def test_uninitialised_archive(settings, run_cli):
    assert_clean_error(run_cli("household", "list"), "尚未初始化", "dossier init")


def test_missing_and_loose_key_files(initialised, settings):
    run = initialised
    key = settings.keys_dir / "master.key"
    key.chmod(0o644)
    assert_clean_error(
        run("household", "add", "A-1-0101", "--owner", "x", "--id-number", "110101199003071234"),
        "权限过宽",
    )
    key.chmod(0o600)
    key.rename(settings.keys_dir / "moved.key")
    assert_clean_error(
        run("household", "add", "A-1-0101", "--owner", "x", "--id-number", "110101199003071234"), "不存在"
    )


def test_wrong_master_key(initialised, monkeypatch):
    from dossier.crypto import MasterKey

    monkeypatch.setenv("DOSSIER_MASTER_KEY", MasterKey.generate().to_b64())
    assert_clean_error(
        initialised("household", "add", "A-1-0101", "--owner", "x", "--id-number", "110101199003071234"),
        "不属于本档案库",
    )
    monkeypatch.setenv("DOSSIER_MASTER_KEY", "not-base64!")
    assert_clean_error(
        initialised("household", "add", "A-1-0102", "--owner", "x", "--id-number", "110101199003071234"),
        "DOSSIER_MASTER_KEY",
    )


def test_unreachable_minio_and_database(home, run_cli, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("DOSSIER_HOME", str(home))
    monkeypatch.setenv("DOSSIER_MINIO_ENDPOINT", f"127.0.0.1:{port}")
    monkeypatch.setenv("DOSSIER_MINIO_ACCESS_KEY", "k")
    monkeypatch.setenv("DOSSIER_MINIO_SECRET_KEY", "s")
    assert_clean_error(run_cli("init"), "无法连接 MinIO")
    monkeypatch.delenv("DOSSIER_MINIO_ENDPOINT")
    monkeypatch.setenv("DOSSIER_DATABASE_URL", f"postgresql://nobody@127.0.0.1:{port}/none")
    assert_clean_error(run_cli("init"), "目录数据库")
    assert_clean_error(run_cli("household", "list"), "目录数据库")


def test_console_script_end_to_end(tmp_path):
    """The installed ``dossier`` script, as an operator runs it (a real process, real exit codes)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env["DOSSIER_HOME"] = str(tmp_path / "h")
    done = subprocess.run(
        [DOSSIER, "init", "--admin-password", ADMIN_PASSWORD, "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    bad = subprocess.run([DOSSIER, "household", "show", "nope"], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and bad.stderr.strip() == "dossier：错误：没有户号为 nope 的业户。"


def test_search_snippets_are_plain_text_in_the_terminal():
    from dossier.cli.search import terminal_snippet

    assert (
        terminal_snippet("维修记录<mark>水管</mark>漏水 &lt;附件&gt; &amp;")
        == "维修记录【水管】漏水 <附件> &"
    )
