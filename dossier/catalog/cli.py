"""Messages of the command line. ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    "cli.error": ("dossier：错误：{message}", "dossier: error: {message}"),
    "cli.database_failed": (
        "目录数据库出错：{reason}（档案库是否已初始化？请运行 `dossier init`）",
        "the catalog database failed: {reason} (is the archive initialised? run `dossier init`)",
    ),
    "cli.cannot_write": ("无法写入 {path}：{reason}", "cannot write {path}: {reason}"),
    "cli.interrupted": ("已中断", "interrupted"),
    "cli.internal_error": (
        "内部错误（{kind}）；设置 DOSSIER_DEBUG=1 后重新运行可查看详情",
        "internal error ({kind}); run again with DOSSIER_DEBUG=1 for details",
    ),
    # The console's frame and the commands of setup, keys, backup and serve (dossier/cli/).
    "cli.aborted": ("已取消", "aborted"),
    "cli.user_deactivated": ("用户 {username} 已停用", "user {username} is deactivated"),
    "cli.credential.prompt": ("{username} 的密码（{action}）", "password of {username} ({action})"),
    "cli.credential.missing": (
        "{action}：需要 {username} 的凭据，请在提示处输入其密码，或将 {variable} 设为其 API 令牌",
        "{action} needs the credential of {username}: type their password at the prompt, or set "
        "{variable} to their API token",
    ),
    "cli.init.ready": ("档案库已就绪：{home}", "archive ready at {home}"),
    "cli.init.catalog": ("  目录数据库：{database}", "  catalog: {database}"),
    "cli.init.objects": ("  对象存储：{store}", "  objects: {store}"),
    "cli.init.keys_created": (
        "  已创建：{keys}（位于 {folder}；请将此目录与数据分开备份，丢失后任何内容都无法读取）",
        "  created: {keys} in {folder} (back this folder up apart from the data; without it nothing can be read)",
    ),
    "cli.init.admin_generated": (
        "  管理员：{username} / {password}（首次登录后请在 /account/password 修改密码）",
        "  administrator: {username} / {password}  (change it after first login at /account/password)",
    ),
    "cli.init.admin_given": (
        "  管理员：{username}（使用所给密码）",
        "  administrator: {username} (password as given)",
    ),
    "cli.init.modes_fixed": (
        "  已改为仅本用户可读：{paths}",
        "  made private (readable by this user only): {paths}",
    ),
    "cli.init.pages_sealed": (
        "  已加密保密文件的页面文字：{count} 页",
        "  sealed the page text of confidential documents: {count} page(s)",
    ),
    "cli.numbering.show": (
        "立档单位：{name}\n档号规则：{scheme}\n全宗号：{fonds}\n门类代码：{category}",
        "archive: {name}\nitem-number scheme: {scheme}\nfonds: {fonds}\ncategory: {category}",
    ),
    "cli.init.documents_numbered": (
        "  已按归档顺序为原有文件编制档号：{count} 件",
        "  gave the archive's existing documents their item numbers in filing order: {count}",
    ),
    "cli.init.index_rebuilt": (
        "  全文索引：已按当前格式重建",
        "  search index: rebuilt in the current format",
    ),
    "cli.keys.public_written": (
        "公钥 {fingerprint} 已写入 {path}",
        "public key {fingerprint} written to {path}",
    ),
    "cli.serve.started": (
        "Dossier 网页服务已启动：{url}（档案库：{home}）",
        "Dossier serving on {url}  (catalog: {home})",
    ),
    "cli.backup.written": (
        "备份已写入 {path}：目录数据库 {rows} 行，对象 {objects} 个",
        "backup written to {path}: {rows} catalog rows, {objects} objects",
    ),
    "cli.backup.missing_objects": (
        "警告：目录中登记的 {count} 个对象在对象存储中缺失；请运行 `dossier audit verify`",
        "warning: {count} object(s) named in the catalog were missing from storage; run `dossier audit verify`",
    ),
    "cli.restore.done": (
        "已恢复到 {path}：目录数据库 {rows} 行，对象 {objects} 个，已索引文件 {documents} 份；"
        "接下来请运行 `dossier audit verify`",
        "restored into {path}: {rows} catalog rows, {objects} objects, {documents} documents indexed; "
        "run `dossier audit verify` next",
    ),
    "cli.keys_backup.sealed": (
        "密钥已写入 {path}（已用口令加密）",
        "keys written to {path} (sealed with the passphrase)",
    ),
    "cli.keys_backup.not_sealed": (
        "密钥已写入 {path}（未加密：请离线保存，并与数据备份分开存放）",
        "keys written to {path} (NOT sealed: keep it offline and apart from data backups)",
    ),
}
