"""Pytest plugin: moto's standalone S3 server in a subprocess, and MinIO stores on fresh buckets.

List it in the root ``conftest.py`` as ``pytest_plugins = ["tests.s3_server"]``. The server is
started once per session, on a free local port, only if a test asks for ``s3_server``.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

ACCESS_KEY = "dossier-test"
SECRET_KEY = "dossier-test-secret"
REGION = "us-east-1"
_START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{endpoint}/moto-api/", timeout=1) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


@contextlib.contextmanager
def run_moto_server(**extra_env: str) -> Iterator[str]:
    """Start ``python -m moto.server`` on a free port; yield its endpoint; stop it afterwards."""
    port = free_port()
    endpoint = f"127.0.0.1:{port}"
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, **extra_env)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            deadline = time.monotonic() + _START_TIMEOUT
            while not _answers(endpoint):
                if process.poll() is not None:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    pytest.fail(f"moto's S3 server exited at start:\n{output}")
                if time.monotonic() > deadline:
                    pytest.fail(f"moto's S3 server did not answer on {endpoint} within {_START_TIMEOUT:.0f}s")
                time.sleep(0.1)
            yield endpoint
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """Endpoint ``127.0.0.1:PORT`` of a running moto S3 server that accepts any credentials."""
    with run_moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def s3_server_strict() -> Iterator[str]:
    """A moto S3 server that checks credentials (every request counts as authenticated action)."""
    with run_moto_server(INITIAL_NO_AUTH_ACTION_COUNT="0") as endpoint:
        yield endpoint


@pytest.fixture
def minio_store(s3_server: str):
    """A ``MinioStore`` on a bucket of its own, created empty for this test."""
    from storage.minio_store import MinioStore

    store = MinioStore(
        s3_server, ACCESS_KEY, SECRET_KEY, f"dossier-test-{uuid.uuid4().hex[:12]}", region=REGION
    )
    store.ensure_ready()
    try:
        yield store
    finally:
        store.close()
