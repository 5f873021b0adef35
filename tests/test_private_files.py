"""Private files on the host: plaintext working files only under ``$DOSSIER_HOME/work``, removed
after each attempt and swept at worker start (a real worker killed with SIGKILL mid-document),
and the home, catalog, backups and exports created 0700/0600 (real ``dossier`` processes started
with a lax umask, on SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from dossier.models import Document
from dossier.services import households as hh
from dossier.workdir import LOCK_SUFFIX, sweep, work_folder, work_root
from ingest import intake
from tests.synthetic import make_born_digital_pdf
from tests.test_pipeline import _wait

DOSSIER = str(Path(sys.executable).with_name("dossier"))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- work folders ------------------------------------------------------------------------------


def test_a_work_folder_is_private_and_gone_afterwards(settings):
    with work_folder(settings, "doc1-") as folder:
        (folder / "original").write_bytes(b"plaintext")
        assert folder.parent == settings.home / "work"
        assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o700
    assert list(work_root(settings).iterdir()) == []


HOLDER = """
import sys, time
from dossier.config import Settings
from dossier.workdir import work_folder
with work_folder(Settings.from_env(), "held-") as folder:
    (folder / "original").write_bytes(b"plaintext")
    print(folder, flush=True)
    time.sleep(600)
"""


def test_a_sweep_keeps_folders_of_live_processes_and_removes_those_of_dead_ones(settings):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER], env=dict(os.environ), stdout=subprocess.PIPE, text=True
    )
    try:
        held = Path(holder.stdout.readline().strip())
        assert held.is_dir()
        stray = work_root(settings) / "left-by-an-older-version"  # no lock beside it: nobody's
        stray.mkdir()
        assert sweep(settings) == ["left-by-an-older-version"]
        assert held.is_dir() and (held / "original").exists()  # its process is alive: kept
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert held.is_dir()  # a killed process cannot clean up...
    assert sweep(settings) == [held.name]  # ...the next sweep does
    assert list(work_root(settings).iterdir()) == []


# The child is a real ``dossier worker`` whose page reading is replaced by "say where you are and
# wait", so it is stopped at a known point: the original decrypted into its working folder and
# the first page rendered. The test then kills it and its children with SIGKILL.
STALLED_WORKER = """
import os, sys, time
from pathlib import Path
from ingest import pipeline

def read_page(page, workdir, *args, **kwargs):
    Path(os.environ["STALL_MARKER"]).write_text(str(workdir))
    time.sleep(600)

pipeline.read_page = read_page
from dossier.cli import main
main(["worker", "--processes", "1"])
"""


def _files_holding(root: Path, content: bytes, skip: Path) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if (
            path.is_file()
            and not path.is_symlink()
            and path != skip
            and path.stat().st_size == len(content)
            and path.read_bytes() == content
        ):
            found.append(path)
    return found


def test_a_worker_killed_mid_document_leaves_plaintext_only_under_work_and_the_next_worker_removes_it(
    archive, console, settings, tmp_path
):
    from ingest.queue import enqueue_documents

    with archive.session() as session:
        hh.add_household(session, console, None, "A-3-1201", owner="张三")
    pdf = make_born_digital_pdf(["身份证复印件 业主本人 离婚协议 第一页"], tmp_path / "notice.pdf")  # no OCR
    plaintext = pdf.read_bytes()
    with archive.session() as session:
        batch = intake.intake(
            archive,
            session,
            console,
            [
                intake.FileSpec(
                    path=pdf, name=pdf.name, household="A-3-1201", type_code="renovation", confidential=True
                )
            ],
        )
        (doc_id,) = intake.batch_document_ids(session, batch.id)
    enqueue_documents(settings, [doc_id])
    system_tmp = tmp_path / "system-tmp"  # the worker's TMPDIR: must stay empty
    system_tmp.mkdir()
    marker = tmp_path / "stalled"
    env = {
        **os.environ,
        "TMPDIR": str(system_tmp),
        "DOSSIER_LEASE_SECONDS": "3",
        "OMP_THREAD_LIMIT": "1",
        "STALL_MARKER": str(marker),
    }

    worker = subprocess.Popen(
        [sys.executable, "-c", STALLED_WORKER],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait(lambda: marker.exists() or worker.poll() is not None, 120, "the worker to reach the first page")
        assert worker.poll() is None, worker.stderr.read().decode()
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # kill -9: the worker and its children, mid-document
        worker.wait()
    leftover = Path(marker.read_text())
    work = settings.home / "work"
    assert leftover.parent == work and (leftover / "original").read_bytes() == plaintext
    assert list(system_tmp.iterdir()) == []
    holding = _files_holding(tmp_path, plaintext, skip=pdf)
    assert holding and all(path.is_relative_to(work) for path in holding), holding
    assert any(leftover.rglob("page-*")), "the first page's image was rendered before the kill"

    worker = subprocess.Popen(
        [DOSSIER, "worker", "--processes", "1"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait(lambda: not leftover.exists() or worker.poll() is not None, 60, "the leftover folder swept")
        assert worker.poll() is None, worker.stderr.read().decode()
        assert not Path(str(leftover) + LOCK_SUFFIX).exists()

        def indexed():
            with archive.session() as session:
                return session.scalar(select(Document.status).where(Document.id == doc_id)) == "indexed"

        _wait(indexed, 120, "the document processed again")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert list(work.iterdir()) == []  # the successful retry removed its folder too
    assert list(system_tmp.iterdir()) == []
    assert _files_holding(tmp_path, plaintext, skip=pdf) == []


# --- file modes --------------------------------------------------------------------------------


def _lax(*args: str, env: dict) -> subprocess.CompletedProcess:
    """``dossier ARGS`` started the way a careless shell would: umask 022."""
    return subprocess.run(
        [DOSSIER, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.umask(0o022),
    )


@pytest.fixture
def lax_env(home, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env["DOSSIER_HOME"] = str(home)
    if database_url.startswith("postgresql"):
        env["DOSSIER_DATABASE_URL"] = database_url
    return env


def test_init_and_backup_write_a_private_home_catalog_and_backup(lax_env, home, tmp_path):
    os.chmod(home, 0o755)
    result = _lax("init", "--admin-password", "admin-password-1", env=lax_env)
    assert result.returncode == 0, result.stderr
    assert _mode(home) == 0o700
    for name in ("keys", "objects", "index"):
        assert _mode(home / name) == 0o700, name
    for path in home.rglob("*"):
        assert _mode(path) & 0o077 == 0, f"{path} is {_mode(path):04o}"
    if "DOSSIER_DATABASE_URL" not in lax_env:
        assert _mode(home / "dossier.db") == 0o600
    assert _lax("household", "add", "A-1-0101", "--owner", "张三", env=lax_env).returncode == 0

    backup = tmp_path / "backup"
    result = _lax("backup", str(backup), env=lax_env)
    assert result.returncode == 0, result.stderr
    assert _mode(backup) == 0o700
    files = [p for p in backup.rglob("*") if p.is_file()]
    assert files and all(_mode(p) == 0o600 for p in files)
    assert all(_mode(p) == 0o700 for p in backup.rglob("*") if p.is_dir())

    exported = tmp_path / "access.csv"
    assert _lax("accesslog", "export", "-o", str(exported), env=lax_env).returncode == 0
    assert _mode(exported) == 0o600


def test_init_makes_an_older_world_readable_archive_private_and_says_so(lax_env, home):
    import json

    assert _lax("init", "--admin-password", "admin-password-1", env=lax_env).returncode == 0
    os.chmod(home, 0o755)  # as an older version (or a careless hand) left it
    os.chmod(home / "index", 0o755)
    (home / "keys" / "master.key").chmod(0o644)
    catalog = home / "dossier.db"
    if catalog.exists():
        catalog.chmod(0o644)
    result = _lax("init", "--json", env=lax_env)
    assert result.returncode == 0, result.stderr
    fixed = json.loads(result.stdout)["modes_fixed"]
    assert {str(home), str(home / "index"), str(home / "keys" / "master.key")} <= set(fixed)
    assert (
        _mode(home) == 0o700
        and _mode(home / "index") == 0o700
        and _mode(home / "keys" / "master.key") == 0o600
    )
    if catalog.exists():
        assert str(catalog) in fixed and _mode(catalog) == 0o600
    again = _lax("init", "--json", env=lax_env)
    assert json.loads(again.stdout)["modes_fixed"] == []


def test_a_home_that_cannot_be_made_private_is_refused_with_one_sentence(settings, monkeypatch):
    from dossier.errors import ConfigurationError
    from dossier.filemodes import secure_home

    settings.home.chmod(0o755)

    def refuse(path, mode):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)
    with pytest.raises(ConfigurationError) as refused:
        secure_home(settings)
    assert (
        refused.value.code == "filemodes.cannot_fix"
        and "可被其他用户读取" in refused.value.message
        and "chmod go=" in refused.value.message
    )


def test_an_access_log_export_written_by_the_cli_is_private(archive, run_cli, tmp_path):
    out = tmp_path / "log.csv"
    result = run_cli("accesslog", "export", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert _mode(out) == 0o600 and _mode(archive.settings.home) == 0o700
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "时间"
