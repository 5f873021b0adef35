"""Messages of the backup area: ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Backups (dossier/backup/archive.py).
    "backup.folder_not_empty": (
        "{path} 不是空目录；请备份到一个新目录。",
        "{path} is not an empty folder; back up into a new one",
    ),
    "backup.no_manifest": (
        "{path} 不是 Dossier 备份（没有可读取的清单）。",
        "{path} is not a Dossier backup (no readable manifest)",
    ),
    "backup.unknown_format": (
        "{path} 不是已知格式的 Dossier 备份。",
        "{path} is not a Dossier backup of a known format",
    ),
    "backup.wrong_keys": (
        "所给密钥不是制作此备份的档案库的密钥。",
        "the keys given are not the keys of the archive this backup was taken from",
    ),
    "backup.bad_signature": (
        "{path} 的清单与其签名不符；备份已被改动。",
        "the manifest of {path} does not match its signature; the backup has been altered",
    ),
    "backup.file_altered": ("备份中的 {file} 缺失或已被改动。", "{file} in the backup is missing or altered"),
    "backup.catalog_not_empty": (
        "目录数据库不是空的；只能恢复到一个新的空档案库。",
        "the catalog database is not empty; restore only into a new, empty archive",
    ),
    "backup.key_exists": (
        "{path} 已存在；只能恢复到一个新的空档案库。",
        "{path} already exists; restore only into a new, empty archive",
    ),
    "backup.store_not_empty": (
        "{store}中已有对象；请恢复到空的对象存储。",
        "{store} already holds objects; restore into an empty store",
    ),
    "backup.wrong_revision": (
        "备份中目录数据库的结构版本为 {revision}，本版 Dossier 需要 {expected}；请用制作备份的版本恢复。",
        "the backup's catalog is at schema revision {revision}, this Dossier expects {expected}; "
        "restore with the version that made it",
    ),
    # Key backups (dossier/backup/keyfile.py, dossier/cli/backup.py).
    "backup.not_key_backup": ("{path} 不是 Dossier 密钥备份。", "{path} is not a Dossier key backup"),
    "backup.needs_passphrase": (
        "密钥备份 {path} 已用口令加密；请用 --passphrase-file 提供口令。",
        "the key backup {path} is sealed with a passphrase; give --passphrase-file",
    ),
    "backup.wrong_passphrase": ("口令无法打开此密钥备份。", "the passphrase does not open the key backup"),
    "backup.keys_damaged": ("密钥备份 {path} 已损坏。", "the key backup {path} is damaged"),
    "backup.keys_id_mismatch": (
        "密钥备份 {path} 已损坏（其中主密钥的标识不符）。",
        "the key backup {path} is damaged (its master key id does not match)",
    ),
    "backup.env_key_mismatch": (
        "DOSSIER_MASTER_KEY 不是此备份的主密钥。",
        "DOSSIER_MASTER_KEY is not the master key of this backup",
    ),
    "backup.cannot_read_passphrase": (
        "无法读取口令文件 {path}：{reason}",
        "cannot read the passphrase file {path}: {reason}",
    ),
    "backup.short_passphrase": ("口令至少需要 8 个字符。", "the passphrase must have at least 8 characters"),
    "backup.restore_not_as": (
        "恢复须在空档案库的控制台上进行；请去掉 --as。",
        "restore runs at the console of an empty archive; drop --as",
    ),
}
