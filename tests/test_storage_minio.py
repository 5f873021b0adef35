"""MinioStore specifics, against moto's S3 server: errors, buckets, configuration."""

from __future__ import annotations

import http.server
import io
import threading

import pytest

from dossier.config import Settings
from dossier.errors import ConfigurationError
from dossier.storage_errors import StorageUnavailable
from storage import open_store
from storage.minio_store import MinioStore
from tests.s3_server import free_port


def test_unreachable_endpoint_is_reported_clearly():
    port = free_port()  # nothing listens there
    store = MinioStore(f"127.0.0.1:{port}", "access", "very-secret", "dossier", region="us-east-1")
    with pytest.raises(StorageUnavailable) as caught:
        store.ensure_ready()
    message = str(caught.value)
    assert message.startswith(f"无法连接 MinIO（127.0.0.1:{port}）：")
    assert message.endswith("连接被拒绝")  # ECONNREFUSED, in Chinese
    assert caught.value.render("en").endswith("the connection was refused")
    assert "very-secret" not in message and "access" not in message.split(":", 2)[-1]
    with pytest.raises(StorageUnavailable):
        store.put("k", io.BytesIO(b"x"))
    with pytest.raises(StorageUnavailable):
        list(store.list())


def test_wrong_credentials_are_reported_clearly(s3_server_strict):
    store = MinioStore(s3_server_strict, "AKIAWRONG", "wrong-secret", "dossier", region="us-east-1")
    with pytest.raises(StorageUnavailable, match="拒绝了访问凭据") as caught:
        store.ensure_ready()
    assert "wrong-secret" not in str(caught.value)


def test_missing_bucket_is_reported(s3_server):
    store = MinioStore(s3_server, "a", "b", "never-created", region="us-east-1")
    with pytest.raises(StorageUnavailable, match="不存在存储桶 never-created"):
        store.put("k", io.BytesIO(b"x"))


def test_ensure_ready_creates_the_bucket(s3_server):
    store = MinioStore(s3_server, "a", "b", "made-by-ensure-ready")
    store.ensure_ready()
    store.ensure_ready()
    store.put("k", io.BytesIO(b"x"))
    assert store.exists("k")


def test_a_server_that_is_not_s3_is_reported():
    class NotS3(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server naming
            body = b"<html>no such page</html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_PUT = do_GET

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), NotS3)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        store = MinioStore(f"127.0.0.1:{server.server_port}", "a", "b", "dossier")
        with pytest.raises(StorageUnavailable, match="的应答不像 MinIO 或 S3"):
            store.ensure_ready()
        with pytest.raises(StorageUnavailable, match="的应答不像 MinIO 或 S3"):
            store.put("k", io.BytesIO(b"x"))
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("bucket", ["", "UPPER", "a", "bad_name", "1.2.3.4"])
def test_invalid_bucket_names_are_refused(bucket):
    with pytest.raises(ConfigurationError, match="存储桶名称"):
        MinioStore("127.0.0.1:9000", "a", "b", bucket)


def test_endpoint_may_be_given_as_url():
    store = MinioStore("https://minio.example:9000/", "a", "b", "dossier")
    assert store.secure and store.endpoint == "minio.example:9000"
    assert store.describe() == "MinIO 存储桶 dossier（minio.example:9000）"


def test_open_store_picks_minio_when_an_endpoint_is_set(s3_server):
    env = {
        "DOSSIER_HOME": "/nonexistent",
        "DOSSIER_MINIO_ENDPOINT": s3_server,
        "DOSSIER_MINIO_ACCESS_KEY": "a",
        "DOSSIER_MINIO_SECRET_KEY": "b",
        "DOSSIER_MINIO_BUCKET": "from-settings",
    }
    store = open_store(Settings.from_env(env))
    assert isinstance(store, MinioStore)
    assert store.describe() == f"MinIO 存储桶 from-settings（{s3_server}）"
    store.ensure_ready()
    store.close()


def test_open_store_wants_credentials_with_an_endpoint():
    env = {"DOSSIER_HOME": "/nonexistent", "DOSSIER_MINIO_ENDPOINT": "127.0.0.1:9000"}
    with pytest.raises(ConfigurationError, match="DOSSIER_MINIO_ACCESS_KEY"):
        open_store(Settings.from_env(env))


def test_reading_streams_in_pieces(minio_store):
    data = bytes(range(256)) * 40000  # ~10 MiB, more than one upload part
    minio_store.put("big", io.BytesIO(data))
    received = bytearray()
    with minio_store.open("big") as stream:
        while piece := stream.read(65536):
            assert len(piece) <= 65536
            received += piece
    assert received == data
