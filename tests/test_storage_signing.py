"""Ed25519 signatures over canonical JSON records."""

from __future__ import annotations

import base64
import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dossier.errors import InvalidInput
from dossier.keyfiles import write_secret_file
from dossier.signing import Signer, canonical_bytes, load_public_key, verify
from dossier.storage_errors import KeyFileError

RECORD = {
    "object_key": "originals/2024/05/3f2a.enc",
    "sha256": "ab" * 32,
    "sm3": "cd" * 32,
    "size": 123456,
    "household": "3栋2单元1501室",
    "pages": [1, 2, 3],
    "confidential": False,
    "note": None,
}


@pytest.fixture(scope="module")
def signer():
    return Signer.generate()


def test_signature_verifies(signer):
    signature = signer.sign(RECORD)
    assert len(base64.b64decode(signature)) == 64
    assert verify(signer.public_key, RECORD, signature)
    assert verify(load_public_key(signer.public_pem()), dict(reversed(RECORD.items())), signature)


@pytest.mark.parametrize(
    "forge",
    [
        lambda r: {**r, "size": 123457},
        lambda r: {**r, "household": "3栋2单元1502室"},
        lambda r: {**r, "extra": "field"},
        lambda r: {k: v for k, v in r.items() if k != "note"},
        lambda r: {**r, "pages": [1, 3, 2]},
        lambda r: {**r, "confidential": 0},
    ],
)
def test_altered_records_do_not_verify(signer, forge):
    signature = signer.sign(RECORD)
    assert not verify(signer.public_key, forge(dict(RECORD)), signature)


def test_bad_signatures_give_false_never_an_exception(signer):
    good = signer.sign(RECORD)
    raw = bytearray(base64.b64decode(good))
    raw[0] ^= 1
    for signature in [
        base64.b64encode(bytes(raw)).decode(),
        base64.b64encode(os.urandom(64)).decode(),
        base64.b64encode(b"short").decode(),
        "not base64 at all!",
        "",
        good[:-4],
    ]:
        assert verify(signer.public_key, RECORD, signature) is False
    assert verify(signer.public_key, {"x": 1.5}, good) is False


def test_another_key_does_not_verify(signer):
    assert not verify(Signer.generate().public_key, RECORD, signer.sign(RECORD))


def test_canonical_bytes_are_stable_and_keep_chinese():
    a = canonical_bytes({"b": 1, "a": {"y": [1, "二"], "x": None}, "c": "户主 张三"})
    b = canonical_bytes({"c": "户主 张三", "a": {"x": None, "y": [1, "二"]}, "b": 1})
    assert a == b
    assert a == '{"a":{"x":null,"y":[1,"二"]},"b":1,"c":"户主 张三"}'.encode()
    assert "户主".encode() in a and b"\\u" not in a


@pytest.mark.parametrize(
    "record",
    [
        {"x": 1.0},
        {"x": float("nan")},
        {"x": [1, float("inf")]},
        {"x": {"y": 0.5}},
        {1: "int key"},
        {"x": b"bytes"},
        {"x": {1, 2}},
    ],
)
def test_canonical_bytes_refuses_unstable_values(record):
    with pytest.raises(InvalidInput):
        canonical_bytes(record)


def test_save_and_load(tmp_path, signer):
    path = tmp_path / "keys" / "signing.key"
    signer.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    loaded = Signer.load(path)
    assert loaded.fingerprint == signer.fingerprint
    assert verify(signer.public_key, RECORD, loaded.sign(RECORD))
    with pytest.raises(KeyFileError, match="已存在"):
        signer.save(path)


def test_load_refuses_open_permissions_and_foreign_keys(tmp_path, signer):
    path = tmp_path / "signing.key"
    signer.save(path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        Signer.load(path)
    ec_path = tmp_path / "ec.key"
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_secret_file(ec_path, ec_pem)
    with pytest.raises(KeyFileError, match="不是 Ed25519"):
        Signer.load(ec_path)
    junk = tmp_path / "junk.key"
    write_secret_file(junk, b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    with pytest.raises(KeyFileError, match="PEM"):
        Signer.load(junk)
    with pytest.raises(KeyFileError, match="不存在"):
        Signer.load(tmp_path / "absent.key")


def test_public_keys_and_fingerprints(signer):
    pem = signer.public_pem()
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in pem
    key = load_public_key(pem.encode())
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    import hashlib

    assert signer.fingerprint == hashlib.sha256(raw).hexdigest()[:16]
    with pytest.raises(InvalidInput):
        load_public_key("not a key")
    ec_pub = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(InvalidInput, match="Ed25519"):
        load_public_key(ec_pub)
