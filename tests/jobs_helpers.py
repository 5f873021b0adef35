"""Running what the web queued: here and now, as the worker would (``dossier worker`` takes the
same tasks off the same huey queue), for the test-client tests (:func:`run_queued`); or the real
worker beside the server, for the browser tests (the ``worker`` fixture, as ``make run`` starts
it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dossier.archive import Archive
from dossier.config import Settings
from ingest.state import worker_alive

DOSSIER = str(Path(sys.executable).with_name("dossier"))


def run_queued(settings: Settings) -> int:
    """Take every task off the archive's queue and run it in this process; how many ran."""
    # The handlers register themselves on import, as the worker's entry point imports them.
    import audit.jobs  # noqa: F401
    import handover.jobs  # noqa: F401
    import retention.jobs  # noqa: F401
    from ingest.queue import get_huey

    huey = get_huey(settings)
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


@pytest.fixture
def worker(web_archive, tmp_path):
    """``dossier worker`` on the web archive's queue, stopped (with its children) at the end."""
    env = {**os.environ, "DOSSIER_HOME": str(web_archive.settings.home), "OMP_THREAD_LIMIT": "1"}
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [DOSSIER, "worker", "--processes", "1"], env=env, start_new_session=True, stdout=log, stderr=log
    )
    archive = Archive(web_archive.settings)
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        with archive.session() as session:
            if worker_alive(session):
                break
        time.sleep(0.2)
    assert process.poll() is None, (tmp_path / "worker.log").read_text()
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.close()
    assert b"Traceback" not in (tmp_path / "worker.log").read_bytes(), (tmp_path / "worker.log").read_text()
