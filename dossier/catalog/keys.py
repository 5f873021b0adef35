"""Messages of keys, configuration and the kernel: ``code: (Simplified Chinese, English)``."""

MESSAGES: dict[str, tuple[str, str]] = {
    "config.bad_timezone": (
        "DOSSIER_TIMEZONE 的值 {name} 不是有效的时区名称（例如 Asia/Shanghai）。",
        "DOSSIER_TIMEZONE={name} is not a time zone name (like Asia/Shanghai).",
    ),
}
