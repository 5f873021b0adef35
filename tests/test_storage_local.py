"""LocalStore specifics: file modes, temporary files, tampering directly on disk."""

from __future__ import annotations

import io
import os
import stat

import pytest

from dossier.config import Settings
from dossier.crypto import HEADER_SIZE
from dossier.storage_errors import StorageError, TamperedObject
from storage import LocalStore, MasterKey, Vault, open_store


@pytest.fixture
def store(tmp_path):
    local = LocalStore(tmp_path / "objects")
    local.ensure_ready()
    return local


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_files_are_0600_and_folders_0700(store):
    old = os.umask(0o022)
    try:
        store.put("2024/05/doc.enc", io.BytesIO(b"x"))
    finally:
        os.umask(old)
    assert mode(store.root) == 0o700
    assert mode(store.root / "2024") == 0o700
    assert mode(store.root / "2024" / "05") == 0o700
    assert mode(store.root / "2024" / "05" / "doc.enc") == 0o600


def test_key_maps_to_a_path_under_the_root(store):
    store.put("a/b/c.bin", io.BytesIO(b"data"))
    assert (store.root / "a" / "b" / "c.bin").read_bytes() == b"data"


def test_leftover_temporary_files_are_not_listed(store):
    store.put("a/real", io.BytesIO(b"x"))
    (store.root / "a" / ".tmp-crashed").write_bytes(b"half an object")
    assert [info.key for info in store.list()] == ["a/real"]


def test_an_object_cannot_also_be_a_folder(store):
    store.put("a", io.BytesIO(b"x"))
    with pytest.raises(StorageError, match="a/b"):
        store.put("a/b", io.BytesIO(b"y"))
    store.put("c/d", io.BytesIO(b"x"))
    with pytest.raises(StorageError, match="同名的目录"):
        store.put("c", io.BytesIO(b"y"))
    assert not store.exists("c")
    assert [p.name for p in store.root.iterdir() if p.name.startswith(".tmp-")] == []


def test_missing_root_is_reported(tmp_path):
    store = LocalStore(tmp_path / "nowhere")
    with pytest.raises(StorageError, match="dossier init"):
        store.put("k", io.BytesIO(b"x"))
    assert list(store.list()) == []


def test_flipping_a_byte_in_the_file_is_detected(store):
    vault = Vault(store, MasterKey.generate())
    stored = vault.put("doc.enc", io.BytesIO(b"a" * 5000))
    path = store.root / "doc.enc"
    raw = bytearray(path.read_bytes())
    raw[HEADER_SIZE + 100] ^= 0x80
    path.write_bytes(bytes(raw))
    with pytest.raises(TamperedObject, match="doc.enc"), vault.open("doc.enc", stored.wrapped_key) as plain:
        plain.read()


def test_truncating_the_file_is_detected(store):
    vault = Vault(store, MasterKey.generate())
    stored = vault.put("doc.enc", io.BytesIO(b"a" * 5000))
    path = store.root / "doc.enc"
    os.truncate(path, path.stat().st_size - 1)
    with pytest.raises(TamperedObject):
        vault.verify("doc.enc", stored.wrapped_key)


def test_open_store_defaults_to_local_files(tmp_path):
    settings = Settings.from_env({"DOSSIER_HOME": str(tmp_path)})
    store = open_store(settings)
    assert isinstance(store, LocalStore)
    assert store.root == tmp_path / "objects"
    assert store.describe() == f"本地文件目录 {tmp_path / 'objects'}"
