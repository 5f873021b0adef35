"""Messages of the storage area: ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Object keys (storage/base.py).
    "storage.key_empty": ("对象键必须是非空字符串。", "an object key must be a non-empty string"),
    "storage.key_too_long": (
        "对象键 {key} 长 {length} 个字符，上限为 {limit}。",
        "the object key {key} is {length} characters long; the limit is {limit}",
    ),
    "storage.key_chars": (
        "对象键 {key} 只能包含字母、数字以及 '.'、'_'、'-'、'/'。",
        "the object key {key} may only contain letters, digits, '.', '_', '-' and '/'",
    ),
    "storage.key_slash": ("对象键 {key} 不能以 '/' 开头。", "the object key {key} must not start with '/'"),
    "storage.key_empty_segment": (
        "对象键 {key} 含有空的路径段。",
        "the object key {key} has an empty path segment",
    ),
    "storage.key_dot_segment": (
        "对象键 {key} 含有以 '.' 开头的路径段，这类名称为系统保留。",
        "the object key {key} has a path segment starting with '.', which is reserved",
    ),
    "storage.bad_prefix": (
        "键前缀 {prefix} 不是有效的对象键前缀。",
        "the key prefix {prefix} is not a valid object key prefix",
    ),
    "storage.negative_length": (
        "{key} 的声明长度不能为负数。",
        "the declared length of {key} must not be negative",
    ),
    "storage.input_non_blocking": (
        "{key} 的输入流是非阻塞的，不受支持。",
        "the input stream for {key} is non-blocking, which is not supported",
    ),
    "storage.input_short": (
        "{key} 的输入在 {count} 字节后就结束了，但声明的长度为 {length} 字节。",
        "the input for {key} ended after {count} bytes, but {length} were declared",
    ),
    "storage.input_long": (
        "{key} 的输入超过了声明的 {length} 字节。",
        "the input for {key} is longer than the {length} bytes declared",
    ),
    "storage.no_object": ("{store}中没有对象 {key}。", "there is no object {key} in {store}"),
    "storage.size_mismatch": (
        "{store}为 {key} 保存了 {size} 字节，应为 {expected} 字节。",
        "{store} saved {size} bytes for {key}, expected {expected}",
    ),
    "storage.not_read_fully": (
        "对象存储在保存 {key} 之前没有读完全部数据。",
        "the store did not read all of {key} before saving it",
    ),
    "storage.vault.description": ("{store}中的加密对象", "encrypted objects in {store}"),
    # Local files (storage/local.py).
    "storage.local.description": ("本地文件目录 {path}", "local files at {path}"),
    "storage.local.no_folder": (
        "对象目录 {path} 不存在；请运行 `dossier init` 或手动创建该目录。",
        "the object folder {path} does not exist; run `dossier init` or create it",
    ),
    "storage.local.is_object": (
        "无法将 {key} 存入{store}：{path} 已是一个对象。",
        "cannot store {key} in {store}: {path} is already an object",
    ),
    "storage.local.is_folder": (
        "无法将 {key} 存入{store}：已有同名的目录。",
        "cannot store {key} in {store}: a folder of that name exists",
    ),
    "storage.local.failed": ("无法{action}（{store}）：{reason}", "cannot {action} in {store}: {reason}"),
    "storage.local.cannot_create": (
        "无法创建对象目录 {path}：{reason}",
        "cannot create the object folder {path}: {reason}",
    ),
    "storage.local.not_writable": ("对象目录 {path} 不可写。", "the object folder {path} is not writable"),
    "storage.action.write": ("写入 {key}", "write {key}"),
    "storage.action.read": ("读取 {key}", "read {key}"),
    "storage.action.delete": ("删除 {key}", "delete {key}"),
    "storage.action.list": ("列出 {key}", "list {key}"),
    "storage.action.mkdir": ("为 {key} 创建目录", "create a folder for {key}"),
    # MinIO / S3 (storage/minio_store.py, storage/__init__.py).
    "storage.minio.description": (
        "MinIO 存储桶 {bucket}（{endpoint}）",
        "MinIO bucket {bucket} at {endpoint}",
    ),
    "storage.minio.no_credentials": (
        "设置了 DOSSIER_MINIO_ENDPOINT 时，必须同时设置 DOSSIER_MINIO_ACCESS_KEY 和 DOSSIER_MINIO_SECRET_KEY。",
        "DOSSIER_MINIO_ACCESS_KEY and DOSSIER_MINIO_SECRET_KEY must be set when DOSSIER_MINIO_ENDPOINT is",
    ),
    "storage.minio.bad_endpoint": (
        "MinIO 地址 {endpoint} 必须写成 主机:端口。",
        "the MinIO endpoint {endpoint} must be host:port",
    ),
    "storage.minio.bad_bucket": (
        "MinIO 存储桶名称 {bucket} 不是有效的存储桶名称。",
        "the MinIO bucket name {bucket} is not a valid bucket name",
    ),
    "storage.minio.unusable": (
        "MinIO 地址 {endpoint} 无法使用：{reason}",
        "the MinIO endpoint {endpoint} is not usable: {reason}",
    ),
    "storage.minio.http_status": (
        "MinIO（{endpoint}）出错，HTTP 状态码 {status}。",
        "MinIO at {endpoint} failed with HTTP status {status}",
    ),
    "storage.minio.not_s3": (
        "{endpoint} 上的服务器的应答不像 MinIO 或 S3；请检查 DOSSIER_MINIO_ENDPOINT。",
        "the server at {endpoint} did not answer like MinIO or S3; check DOSSIER_MINIO_ENDPOINT",
    ),
    "storage.minio.unreachable": (
        "无法连接 MinIO（{endpoint}）：{reason}",
        "MinIO at {endpoint} is unreachable: {reason}",
    ),
    "storage.minio.failed": ("MinIO（{endpoint}）出错：{kind}", "MinIO at {endpoint} failed: {kind}"),
    "storage.minio.no_bucket": (
        "MinIO（{endpoint}）上不存在存储桶 {bucket}；请运行 `dossier init`。",
        "the MinIO bucket {bucket} does not exist at {endpoint}; run `dossier init`",
    ),
    "storage.minio.credentials": (
        "MinIO（{endpoint}）拒绝了访问凭据（{code}）；请检查 DOSSIER_MINIO_ACCESS_KEY 和 DOSSIER_MINIO_SECRET_KEY。",
        "MinIO at {endpoint} refused our credentials ({code}); "
        "check DOSSIER_MINIO_ACCESS_KEY and DOSSIER_MINIO_SECRET_KEY",
    ),
    "storage.minio.unknown_error": ("未知错误", "unknown error"),
    "storage.minio.reason.no_answer": ("服务器不再应答", "it stopped answering"),
    "storage.minio.reason.dns": ("无法解析其主机名", "its host name cannot be resolved"),
    "storage.minio.reason.tls": ("TLS 握手失败", "the TLS handshake failed"),
    "storage.minio.refused": (
        "MinIO（{endpoint}）拒绝了请求（{code}）。",
        "MinIO at {endpoint} refused the request ({code})",
    ),
    "storage.minio.refused_key": (
        "MinIO（{endpoint}）拒绝了对 {key} 的请求（{code}）。",
        "MinIO at {endpoint} refused the request for {key} ({code})",
    ),
    "storage.minio.bucket_taken": (
        "MinIO 存储桶名称 {bucket} 已被其他账户占用。",
        "the MinIO bucket name {bucket} is taken by another account",
    ),
    "storage.minio.broken": (
        "读取 {key} 时与 MinIO（{endpoint}）的连接中断。",
        "the connection to MinIO at {endpoint} broke while reading {key}",
    ),
}
