"""Messages of the command line. ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    "cli.error": ("dossier：错误：{message}", "dossier: error: {message}"),
    "cli.database_failed": (
        "目录数据库出错：{reason}（档案库是否已初始化？请运行 `dossier init`）",
        "the catalog database failed: {reason} (is the archive initialised? run `dossier init`)",
    ),
    "cli.interrupted": ("已中断", "interrupted"),
    "cli.internal_error": (
        "内部错误（{kind}）；设置 DOSSIER_DEBUG=1 后重新运行可查看详情",
        "internal error ({kind}); run again with DOSSIER_DEBUG=1 for details",
    ),
}
