"""Secret files: 0600, never overwritten, refused when missing or readable by others."""

from __future__ import annotations

import os
import stat

import pytest

from dossier.crypto import MasterKey
from dossier.errors import ConfigurationError
from dossier.keyfiles import load_or_create_master_key, read_secret_file, write_secret_file
from dossier.storage_errors import KeyFileError


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_written_files_are_0600_in_a_0700_folder(tmp_path):
    path = tmp_path / "keys" / "master.key"
    old = os.umask(0o022)
    try:
        write_secret_file(path, b"secret")
    finally:
        os.umask(old)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert read_secret_file(path) == b"secret"
    assert [p.name for p in path.parent.iterdir()] == ["master.key"]  # no temporary file left


def test_existing_files_are_never_overwritten(tmp_path):
    path = tmp_path / "master.key"
    write_secret_file(path, b"first")
    with pytest.raises(KeyFileError, match="已存在"):
        write_secret_file(path, b"second")
    assert read_secret_file(path) == b"first"


def test_missing_file_gives_a_clear_sentence(tmp_path):
    path = tmp_path / "keys" / "master.key"
    with pytest.raises(KeyFileError) as caught:
        read_secret_file(path)
    assert caught.value.code == "keyfile.missing"
    assert str(caught.value) == f"密钥文件 {path} 不存在；请运行 `dossier init` 或从备份恢复密钥。"
    assert isinstance(caught.value, ConfigurationError)


@pytest.mark.parametrize("loose", [0o644, 0o640, 0o604, 0o660])
def test_too_open_permissions_are_refused(tmp_path, loose):
    path = tmp_path / "master.key"
    write_secret_file(path, b"secret")
    os.chmod(path, loose)
    with pytest.raises(KeyFileError) as caught:
        read_secret_file(path)
    message = str(caught.value)
    assert f"（{loose:04o}）" in message and f"chmod 600 {path}" in message
    assert "secret" not in message.replace("permissions", "")


def test_owner_only_modes_are_accepted(tmp_path):
    path = tmp_path / "master.key"
    write_secret_file(path, b"secret")
    os.chmod(path, 0o400)
    assert read_secret_file(path) == b"secret"


def test_load_or_create_master_key(tmp_path):
    path = tmp_path / "keys" / "master.key"
    created = load_or_create_master_key(path)
    assert mode(path) == 0o600
    assert load_or_create_master_key(path) == created
    assert path.read_text().strip() == created.to_b64()


def test_environment_key_wins_and_is_validated(tmp_path):
    path = tmp_path / "master.key"
    env_key = MasterKey.generate()
    assert load_or_create_master_key(path, env_b64=env_key.to_b64()) == env_key
    assert not path.exists()
    with pytest.raises(KeyFileError, match="环境变量"):
        load_or_create_master_key(path, env_b64="nonsense")


def test_no_silent_creation_when_asked_not_to(tmp_path):
    with pytest.raises(KeyFileError, match="不存在"):
        load_or_create_master_key(tmp_path / "master.key", create=False)


def test_a_corrupt_key_file_is_reported(tmp_path):
    path = tmp_path / "master.key"
    write_secret_file(path, b"this is not a key\n")
    with pytest.raises(KeyFileError, match="不是有效的主密钥"):
        load_or_create_master_key(path)
