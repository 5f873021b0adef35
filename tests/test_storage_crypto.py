"""Envelope encryption: the master key, the chunked stream format and its tamper detection."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import random

import pytest
from cryptography.hazmat.primitives import hashes

from dossier.crypto import (
    HEADER_SIZE,
    TAG_SIZE,
    DecryptingReader,
    EncryptingReader,
    MasterKey,
    ciphertext_size,
)
from dossier.errors import ConfigurationError, IntegrityFailure
from dossier.storage_errors import TamperedObject

CHUNK = 1024  # small chunks so multi-chunk cases stay tiny


def encrypt(data: bytes, dek: bytes, chunk: int = CHUNK) -> tuple[bytes, EncryptingReader]:
    reader = EncryptingReader(io.BytesIO(data), dek, chunk_size=chunk)
    out = bytearray()
    while piece := reader.read(333):  # an odd read size crosses chunk boundaries
        out += piece
    return bytes(out), reader


def decrypt(cipher: bytes, dek: bytes) -> bytes:
    with DecryptingReader(io.BytesIO(cipher), dek, label="the stored object t") as reader:
        return reader.read()


def sm3(data: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


# --- master key --------------------------------------------------------------------------------


def test_master_key_base64_round_trip_and_id():
    key = MasterKey.generate()
    again = MasterKey.from_b64(key.to_b64())
    assert again == key and again.key_id == key.key_id
    assert len(key.key_id) == 16 and int(key.key_id, 16) >= 0
    assert MasterKey.generate().key_id != key.key_id
    assert key.to_b64() not in repr(key) and key.key_id in repr(key)
    assert key.key_id != hashlib.sha256(base64.b64decode(key.to_b64())).hexdigest()[:16]


@pytest.mark.parametrize("text", ["", "not base64!", base64.b64encode(b"short").decode()])
def test_bad_master_keys_are_refused(text):
    with pytest.raises(ConfigurationError):
        MasterKey.from_b64(text)


def test_wrap_and_unwrap():
    key = MasterKey.generate()
    dek = os.urandom(32)
    wrapped = key.wrap(dek, "a/b.enc")
    assert len(wrapped) == 61 and dek not in wrapped
    assert key.unwrap(wrapped, "a/b.enc") == dek
    assert key.wrap(dek, "a/b.enc") != wrapped  # fresh nonce each time


def test_unwrap_refuses_another_object_key_or_master_key():
    key = MasterKey.generate()
    wrapped = key.wrap(os.urandom(32), "a/b.enc")
    with pytest.raises(TamperedObject, match="a/c.enc"):
        key.unwrap(wrapped, "a/c.enc")
    with pytest.raises(TamperedObject) as caught:
        MasterKey.generate().unwrap(wrapped, "a/b.enc")
    assert caught.value.code == "crypto.cannot_unwrap"
    assert str(caught.value) == "主密钥无法解开对象 a/b.enc 的数据密钥（主密钥是否有误？）"
    assert isinstance(caught.value, IntegrityFailure)
    with pytest.raises(TamperedObject, match="格式有误"):
        key.unwrap(wrapped[:-1], "a/b.enc")
    flipped = bytearray(wrapped)
    flipped[20] ^= 1
    with pytest.raises(TamperedObject):
        key.unwrap(bytes(flipped), "a/b.enc")


# --- stream format -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 5 * CHUNK + 17])
def test_round_trip_and_digests(size):
    data = random.Random(size).randbytes(size)
    dek = os.urandom(32)
    cipher, reader = encrypt(data, dek)
    assert len(cipher) == ciphertext_size(size, CHUNK)
    assert reader.plain_size == size
    assert reader.sha256_hex == hashlib.sha256(data).hexdigest()
    assert reader.sm3_hex == sm3(data)
    assert decrypt(cipher, dek) == data


def test_exact_multiple_of_chunk_size_ends_with_an_empty_final_chunk():
    cipher, _ = encrypt(b"x" * (2 * CHUNK), os.urandom(32))
    assert len(cipher) == HEADER_SIZE + 2 * (CHUNK + TAG_SIZE) + TAG_SIZE


def test_digests_are_unavailable_before_eof():
    reader = EncryptingReader(io.BytesIO(b"abc"), os.urandom(32), chunk_size=CHUNK)
    reader.read(5)
    with pytest.raises(RuntimeError):
        _ = reader.sha256_hex


def test_readers_work_with_buffered_io_and_readinto():
    data = random.Random(1).randbytes(3 * CHUNK + 5)
    dek = os.urandom(32)
    buffered = io.BufferedReader(EncryptingReader(io.BytesIO(data), dek, chunk_size=CHUNK), 100)
    cipher = buffered.read()
    plain = io.BufferedReader(DecryptingReader(io.BytesIO(cipher), dek), 4096)
    assert plain.read(10) == data[:10]
    assert plain.read() == data[10:]


def test_same_plaintext_encrypts_differently():
    dek = os.urandom(32)
    assert encrypt(b"same", dek)[0] != encrypt(b"same", dek)[0]


def chunk_span(index: int) -> slice:
    start = HEADER_SIZE + index * (CHUNK + TAG_SIZE)
    return slice(start, start + CHUNK + TAG_SIZE)


@pytest.fixture
def sample():
    data = random.Random(7).randbytes(3 * CHUNK + 100)  # chunks 0..2 full, chunk 3 final
    dek = os.urandom(32)
    cipher, _ = encrypt(data, dek)
    return data, dek, cipher


def test_every_single_flipped_byte_is_detected(sample):
    _, dek, cipher = sample
    for position in range(0, len(cipher), 7):
        damaged = bytearray(cipher)
        damaged[position] ^= 0x20
        with pytest.raises(TamperedObject):
            decrypt(bytes(damaged), dek)


def test_every_truncation_is_detected(sample):
    _, dek, cipher = sample
    for length in (
        list(range(0, len(cipher), 61)) + [chunk_span(i).stop for i in range(3)] + [len(cipher) - 1]
    ):
        with pytest.raises(TamperedObject):
            decrypt(cipher[:length], dek)


@pytest.mark.parametrize(
    "change",
    [
        "swap chunks 0 and 1",
        "swap chunks 1 and 2",
        "drop chunk 1",
        "drop the final chunk",
        "duplicate chunk 0",
        "append a copy of the final chunk",
        "append one byte",
        "replace the header with another object's",
    ],
)
def test_structural_tampering_is_detected(sample, change):
    data, dek, cipher = sample
    c = [cipher[chunk_span(i)] for i in range(3)] + [cipher[chunk_span(3).start :]]
    header = cipher[:HEADER_SIZE]
    forged = {
        "swap chunks 0 and 1": header + c[1] + c[0] + c[2] + c[3],
        "swap chunks 1 and 2": header + c[0] + c[2] + c[1] + c[3],
        "drop chunk 1": header + c[0] + c[2] + c[3],
        "drop the final chunk": header + c[0] + c[1] + c[2],
        "duplicate chunk 0": header + c[0] + c[0] + c[1] + c[2] + c[3],
        "append a copy of the final chunk": cipher + c[3],
        "append one byte": cipher + b"\x00",
        "replace the header with another object's": encrypt(data, dek)[0][:HEADER_SIZE]
        + cipher[HEADER_SIZE:],
    }[change]
    with pytest.raises(TamperedObject, match="the stored object t"):
        decrypt(forged, dek)


def test_a_final_chunk_cannot_be_passed_off_as_a_middle_one():
    """Two objects under the same key: splicing one's chunks into the other fails."""
    dek = os.urandom(32)
    a, _ = encrypt(b"a" * (2 * CHUNK), dek)
    b, _ = encrypt(b"b" * (2 * CHUNK), dek)
    with pytest.raises(TamperedObject):
        decrypt(a[: chunk_span(0).stop] + b[chunk_span(1).start :], dek)


def test_wrong_data_key_and_garbage_are_refused(sample):
    _, _, cipher = sample
    with pytest.raises(TamperedObject, match="第 0 块"):
        decrypt(cipher, os.urandom(32))
    with pytest.raises(TamperedObject, match="不是 Dossier 加密对象"):
        decrypt(b"%PDF-1.7 plain text, not encrypted at all", os.urandom(32))
    bad_version = bytearray(cipher)
    bad_version[11] = 9
    with pytest.raises(TamperedObject, match="版本 9"):
        decrypt(bytes(bad_version), os.urandom(32))


def test_plaintext_of_verified_chunks_only():
    """A reader never hands out bytes from a chunk that failed its tag."""
    data = random.Random(3).randbytes(3 * CHUNK)
    dek = os.urandom(32)
    cipher, _ = encrypt(data, dek)
    damaged = bytearray(cipher)
    damaged[chunk_span(1).start + 5] ^= 1
    reader = DecryptingReader(io.BytesIO(bytes(damaged)), dek)
    assert reader.read(CHUNK) == data[:CHUNK]
    with pytest.raises(TamperedObject, match="第 1 块"):
        reader.read(CHUNK)


def test_ciphertext_size():
    assert ciphertext_size(0) == HEADER_SIZE + TAG_SIZE
    assert ciphertext_size(1, CHUNK) == HEADER_SIZE + 1 + TAG_SIZE
    assert ciphertext_size(CHUNK, CHUNK) == HEADER_SIZE + CHUNK + 2 * TAG_SIZE
