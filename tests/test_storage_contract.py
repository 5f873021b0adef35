"""The ObjectStore contract and the Vault on top of it, run against every backend.

``local`` is a LocalStore in a temporary folder; ``minio`` is a MinioStore on a fresh bucket of
moto's S3 server (see tests/s3_server.py).
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import tracemalloc

import pytest

from dossier.crypto import DEFAULT_CHUNK_SIZE, HEADER_SIZE, TAG_SIZE, ciphertext_size
from dossier.errors import InvalidInput
from dossier.storage_errors import ObjectNotFound, StorageError, TamperedObject
from storage import LocalStore, MasterKey, Vault
from storage.base import validate_key

MiB = 1 << 20


class GeneratedStream(io.RawIOBase):
    """``size`` deterministic pseudo-random bytes made on the fly; optionally fails at ``fail_at``.

    The pattern buffer is allocated once up front, so generating gigabytes costs no memory.
    """

    _PERIOD = MiB + 7  # not a multiple of the chunk size, so no two chunks are identical

    def __init__(self, size: int, fail_at: int | None = None, seed: int = 1):
        super().__init__()
        pattern = random.Random(seed).randbytes(self._PERIOD)
        self._pattern = pattern + pattern
        self._size = size
        self._fail_at = fail_at
        self.position = 0
        self._sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = MiB
        n = min(n, self._size - self.position, self._PERIOD)
        if self._fail_at is not None and self.position + n > self._fail_at:
            raise OSError("the scanner share went away")
        if n <= 0:
            return b""
        offset = self.position % self._PERIOD
        data = self._pattern[offset : offset + n]
        self.position += n
        self._sha256.update(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    @property
    def sha256_hex(self) -> str:
        return self._sha256.hexdigest()


def payload(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def read_all(stream) -> bytes:
    with stream:
        return stream.read()


@pytest.fixture(params=["local", "minio"])
def store(request, tmp_path):
    if request.param == "local":
        local = LocalStore(tmp_path / "objects")
        local.ensure_ready()
        return local
    return request.getfixturevalue("minio_store")


@pytest.fixture
def vault(store):
    return Vault(store, MasterKey.generate())


def leftovers(store) -> list[str]:
    """Everything a failed put could have left: objects, temporary files, multipart uploads."""
    found = [info.key for info in store.list()]
    if isinstance(store, LocalStore):
        for dirpath, _dirs, files in os.walk(store.root):
            found += [os.path.join(dirpath, name) for name in files]
    else:
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://{store.endpoint}",
            aws_access_key_id="x",
            aws_secret_access_key="x",
            region_name="us-east-1",
        )
        uploads = s3.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
        found += [f"multipart upload of {u['Key']}" for u in uploads]
    return found


# --- keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["a", "2024/05/3f2a.enc", "A-b_c.d/e", "x" * 512])
def test_valid_keys_are_accepted(key):
    assert validate_key(key) == key


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/a",
        "a/",
        "a//b",
        "../a",
        "a/../b",
        "a/./b",
        ".hidden",
        "a/.tmp-x",
        "a b",
        "a\\b",
        "中文",
        "a?b",
        "x" * 513,
    ],
)
def test_invalid_keys_are_refused(store, key):
    with pytest.raises(InvalidInput):
        validate_key(key)
    with pytest.raises(InvalidInput):
        store.put(key, io.BytesIO(b"x"))
    with pytest.raises(InvalidInput):
        store.open(key)


# --- plain object store ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, MiB, 3 * MiB + 5])
@pytest.mark.parametrize("declare_length", [False, True])
def test_round_trip(store, size, declare_length):
    data = payload(size)
    info = store.put("docs/one.bin", io.BytesIO(data), length=size if declare_length else None)
    assert info.key == "docs/one.bin" and info.size == size
    assert read_all(store.open("docs/one.bin")) == data
    stat = store.stat("docs/one.bin")
    assert stat.size == size and stat.modified is not None
    assert store.exists("docs/one.bin")


def test_put_replaces_an_existing_object(store):
    store.put("k", io.BytesIO(b"old contents"))
    store.put("k", io.BytesIO(b"new"))
    assert read_all(store.open("k")) == b"new"
    assert [i.key for i in store.list()] == ["k"]


def test_missing_objects(store):
    assert not store.exists("no/such")
    with pytest.raises(ObjectNotFound, match="no/such"):
        store.open("no/such")
    with pytest.raises(ObjectNotFound, match="no/such"):
        store.stat("no/such")
    store.delete("no/such")  # idempotent


def test_delete(store):
    store.put("a/b", io.BytesIO(b"x"))
    store.delete("a/b")
    assert not store.exists("a/b")
    store.delete("a/b")


def test_list_is_recursive_sorted_and_filtered_by_prefix(store):
    keys = ["b", "a/c/d", "a-c", "a/b", "a.x", "ab/z", "a/c/e/f"]
    for key in keys:
        store.put(key, io.BytesIO(key.encode()))
    assert [i.key for i in store.list()] == sorted(keys)
    assert [i.key for i in store.list("a/")] == ["a/b", "a/c/d", "a/c/e/f"]
    assert [i.key for i in store.list("a")] == ["a-c", "a.x", "a/b", "a/c/d", "a/c/e/f", "ab/z"]
    assert [i.key for i in store.list("a/c/")] == ["a/c/d", "a/c/e/f"]
    assert [i.key for i in store.list("nothing/")] == []
    sizes = {i.key: i.size for i in store.list()}
    assert sizes["a/c/e/f"] == len(b"a/c/e/f")


def test_ensure_ready_is_idempotent(store):
    store.ensure_ready()
    store.put("k", io.BytesIO(b"x"))
    store.ensure_ready()
    assert store.exists("k")


def test_describe_names_the_store(store):
    text = store.describe()
    assert ("本地文件目录" in text) or ("MinIO 存储桶" in text)


@pytest.mark.parametrize("fail_at", [10, 3 * MiB, 20 * MiB])
def test_failed_put_leaves_nothing(store, fail_at):
    """Failing before any upload, inside the first part, and after two 8 MiB parts were sent."""
    with pytest.raises(OSError, match="scanner share"):
        store.put("docs/broken.bin", GeneratedStream(64 * MiB, fail_at=fail_at))
    assert leftovers(store) == []


def test_declared_length_is_enforced(store):
    with pytest.raises(StorageError, match="在 3 字节后就结束了"):
        store.put("short", io.BytesIO(b"abc"), length=10)
    with pytest.raises(StorageError, match="超过了声明的"):
        store.put("long", io.BytesIO(b"abcdef"), length=3)
    with pytest.raises(StorageError, match="超过了声明的"):
        store.put("empty", io.BytesIO(b"abcdef"), length=0)
    assert leftovers(store) == []


# --- vault on every backend ------------------------------------------------------------------


@pytest.mark.parametrize(
    "size", [0, 1, DEFAULT_CHUNK_SIZE, 2 * DEFAULT_CHUNK_SIZE, 2 * DEFAULT_CHUNK_SIZE + 3]
)
def test_vault_round_trip(vault, store, size):
    data = payload(size, seed=size)
    stored = vault.put("originals/x.enc", io.BytesIO(data))
    assert stored.plain_size == size
    assert stored.stored_size == ciphertext_size(size) == store.stat("originals/x.enc").size
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.master_key_id == vault.master_key.key_id
    assert read_all(vault.open("originals/x.enc", stored.wrapped_key)) == data
    assert vault.verify("originals/x.enc", stored.wrapped_key) == (stored.sha256, stored.sm3, size)
    # The stored bytes are ciphertext: the plaintext does not appear in them.
    raw = read_all(store.open("originals/x.enc"))
    assert raw.startswith(b"DOSSIER-ENC")
    if size >= 64:
        assert data[:64] not in raw


def test_vault_put_with_declared_length(vault):
    data = payload(3 * MiB + 1)
    stored = vault.put("k.enc", io.BytesIO(data), length=len(data))
    assert read_all(vault.open("k.enc", stored.wrapped_key)) == data
    with pytest.raises(StorageError):
        vault.put("bad.enc", io.BytesIO(data), length=len(data) - 1)
    assert not vault.exists("bad.enc")


def test_vault_uses_a_fresh_data_key_per_object(vault, store):
    a = vault.put("a.enc", io.BytesIO(b"same"))
    b = vault.put("b.enc", io.BytesIO(b"same"))
    assert a.wrapped_key != b.wrapped_key
    assert read_all(store.open("a.enc")) != read_all(store.open("b.enc"))


def test_vault_failed_put_leaves_nothing(vault, store):
    with pytest.raises(OSError):
        vault.put("docs/broken.enc", GeneratedStream(40 * MiB, fail_at=20 * MiB))
    assert leftovers(store) == []


def _rewrite(store, key, change):
    raw = bytearray(read_all(store.open(key)))
    store.put(key, io.BytesIO(bytes(change(raw))))


def _chunk_span(index: int, chunk: int = DEFAULT_CHUNK_SIZE) -> slice:
    start = HEADER_SIZE + index * (chunk + TAG_SIZE)
    return slice(start, start + chunk + TAG_SIZE)


def _flip(raw: bytearray, position: int) -> bytearray:
    raw[position] ^= 0x01
    return raw


def _swap_first_two_chunks(raw: bytearray) -> bytearray:
    first, second = raw[_chunk_span(0)], raw[_chunk_span(1)]
    raw[_chunk_span(0)], raw[_chunk_span(1)] = second, first
    return raw


TAMPERINGS = {
    "flip a header byte": lambda raw: _flip(raw, 15),
    "flip a byte in the first chunk": lambda raw: _flip(raw, HEADER_SIZE + 1000),
    "flip a byte in the last chunk": lambda raw: _flip(raw, len(raw) - 20),
    "flip a tag byte": lambda raw: _flip(raw, len(raw) - 1),
    "truncate mid-chunk": lambda raw: raw[: HEADER_SIZE + DEFAULT_CHUNK_SIZE // 2],
    "truncate at a chunk boundary": lambda raw: raw[: _chunk_span(1).stop],
    "truncate the header": lambda raw: raw[:10],
    "swap two chunks": _swap_first_two_chunks,
    "drop a chunk": lambda raw: raw[: _chunk_span(0).stop] + raw[_chunk_span(1).stop :],
    "duplicate a chunk": lambda raw: (
        raw[: _chunk_span(1).stop] + raw[_chunk_span(1)] + raw[_chunk_span(1).stop :]
    ),
    "append a byte": lambda raw: raw + b"\x00",
}


@pytest.mark.parametrize("how", list(TAMPERINGS))
def test_tampering_is_detected(vault, store, how):
    data = payload(3 * DEFAULT_CHUNK_SIZE + 100)
    stored = vault.put("doc.enc", io.BytesIO(data))
    _rewrite(store, "doc.enc", TAMPERINGS[how])
    with pytest.raises(TamperedObject, match="doc.enc"):
        read_all(vault.open("doc.enc", stored.wrapped_key))
    with pytest.raises(TamperedObject):
        vault.verify("doc.enc", stored.wrapped_key)


def test_crypto_shredding(vault, store):
    """Without its own wrapped key, under the right master key, an object cannot be read."""
    secret = vault.put("secret.enc", io.BytesIO(b"household 3-2-1501 income statement"))
    other = vault.put("other.enc", io.BytesIO(b"something else"))
    # Another object's wrapped key does not open it (the wrapped key is bound to the object key).
    with pytest.raises(TamperedObject, match="secret.enc"):
        vault.open("secret.enc", other.wrapped_key)
    # A different master key cannot unwrap the data key.
    stranger = Vault(store, MasterKey.generate())
    with pytest.raises(TamperedObject, match="主密钥是否有误"):
        stranger.open("secret.enc", secret.wrapped_key)
    # A guessed data key fails the first chunk's tag.
    from dossier.crypto import DecryptingReader

    with pytest.raises(TamperedObject):
        read_all(DecryptingReader(store.open("secret.enc"), os.urandom(32)))
    # The right pair still works, until the object is deleted.
    assert read_all(vault.open("secret.enc", secret.wrapped_key)).startswith(b"household")
    vault.delete("secret.enc")
    with pytest.raises(ObjectNotFound):
        vault.open("secret.enc", secret.wrapped_key)


# --- memory ------------------------------------------------------------------------------------

MEMORY_LIMIT = 16 * MiB


def test_64_mib_streams_through_the_vault_in_bounded_memory(store):
    """64 MiB generated on the fly, stored and read back, with Python's peak allocation bounded.

    Local files: < 16 MiB. MinIO: the SDK's ``put_object`` holds up to three upload parts at once
    (see storage/minio_store.py), so the bound there is three parts plus the same slack.
    """
    limit = MEMORY_LIMIT
    if not isinstance(store, LocalStore):
        limit = 3 * store.part_size + 4 * MiB
    vault = Vault(store, MasterKey.generate())
    source = GeneratedStream(64 * MiB)
    tracemalloc.start()
    try:
        stored = vault.put("big/original.enc", source)
        digest = hashlib.sha256()
        with vault.open("big/original.enc", stored.wrapped_key) as plain:
            while block := plain.read(MiB):
                digest.update(block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.plain_size == 64 * MiB
    assert stored.sha256 == source.sha256_hex == digest.hexdigest()
    assert peak < limit, f"peak Python allocation was {peak / MiB:.1f} MiB"
