"""Messages of keys, configuration and the kernel: ``code: (Simplified Chinese, English)``."""

MESSAGES: dict[str, tuple[str, str]] = {
    "config.bad_timezone": (
        "DOSSIER_TIMEZONE 的值 {name} 不是有效的时区名称（例如 Asia/Shanghai）。",
        "DOSSIER_TIMEZONE={name} is not a time zone name (like Asia/Shanghai).",
    ),
    # Key files (dossier/keyfiles.py).
    "keyfile.cannot_create_folder": (
        "无法创建密钥目录 {path}：{reason}",
        "cannot create the key folder {path}: {reason}",
    ),
    "keyfile.exists": (
        "密钥文件 {path} 已存在，拒绝覆盖。",
        "the key file {path} already exists; refusing to overwrite it",
    ),
    "keyfile.cannot_write": (
        "无法写入密钥文件 {path}：{reason}",
        "cannot write the key file {path}: {reason}",
    ),
    "keyfile.missing": (
        "密钥文件 {path} 不存在；请运行 `dossier init` 或从备份恢复密钥。",
        "the key file {path} is missing; run `dossier init` or restore your keys",
    ),
    "keyfile.unreadable": (
        "当前用户无法读取密钥文件 {path}。",
        "the key file {path} cannot be read by this user",
    ),
    "keyfile.cannot_read": ("无法读取密钥文件 {path}：{reason}", "cannot read the key file {path}: {reason}"),
    "keyfile.not_regular": ("密钥文件 {path} 不是普通文件。", "the key file {path} is not a regular file"),
    "keyfile.too_open": (
        "密钥文件 {path} 的权限过宽（{mode}）；请运行 chmod 600 {path}",
        "the key file {path} has permissions that are too open ({mode}); run chmod 600 {path}",
    ),
    "keyfile.too_large": (
        "密钥文件 {path} 过大，不像是密钥文件。",
        "the key file {path} is too large to be a key file",
    ),
    "keyfile.empty": (
        "密钥文件 {path} 是空的；请从密钥备份中恢复。",
        "the key file {path} is empty; restore it from your key backup",
    ),
    "keyfile.not_master_key": (
        "密钥文件 {path} 中不是有效的主密钥。",
        "the key file {path} does not hold a valid master key",
    ),
    "keyfile.bad_env_master_key": (
        "环境变量中给出的主密钥不是 Base64 编码的 32 字节密钥。",
        "the master key given in the environment is not a base64-encoded 32-byte key",
    ),
    # Signatures (dossier/signing.py).
    "signing.float_field": (
        "记录字段 {path} 是浮点数；请使用整数或字符串。",
        "the record field {path} is a float; use an integer or a string",
    ),
    "signing.non_string_key": (
        "记录字段 {path} 含有非字符串的键 {key}。",
        "the record field {path} has a non-string key {key}",
    ),
    "signing.unsignable_field": (
        "记录字段 {path} 的类型为 {kind}，无法签名。",
        "the record field {path} is a {kind}, which cannot be signed",
    ),
    "signing.not_a_dict": ("只能对字典形式的记录签名。", "only a dict record can be signed"),
    "signing.unreadable_private_key": (
        "密钥文件 {path} 中没有可读取的 PEM 私钥。",
        "the key file {path} does not hold a readable PEM private key",
    ),
    "signing.not_ed25519_private": (
        "密钥文件 {path} 中的私钥不是 Ed25519 密钥。",
        "the key file {path} holds a private key that is not Ed25519",
    ),
    "signing.bad_public_key": ("公钥不是有效的 PEM 公钥。", "the public key is not a valid PEM public key"),
    "signing.not_ed25519_public": ("公钥不是 Ed25519 密钥。", "the public key is not an Ed25519 key"),
    # Encryption (dossier/crypto.py).
    "crypto.master_key_size": ("主密钥必须恰好为 32 字节。", "a master key must be exactly 32 bytes"),
    "crypto.master_key_not_base64": ("主密钥不是有效的 Base64 编码。", "the master key is not valid base64"),
    "crypto.master_key_length": (
        "主密钥解码后为 {size} 字节，应为 {expected} 字节。",
        "the master key decodes to {size} bytes, but it must be {expected}",
    ),
    "crypto.wrapped_key_malformed": (
        "对象 {key} 的加密数据密钥格式有误。",
        "the wrapped data key of {key} is malformed",
    ),
    "crypto.cannot_unwrap": (
        "主密钥无法解开对象 {key} 的数据密钥（主密钥是否有误？）",
        "the master key cannot unwrap the data key of {key} (wrong master key?)",
    ),
    "crypto.non_blocking": ("不支持非阻塞的数据流。", "non-blocking streams are not supported"),
    "crypto.too_large": (
        "对象过大，超出加密格式的上限。",
        "the object is too large for the encryption format",
    ),
    "crypto.the_object": ("存储对象", "the stored object"),
    "crypto.object_named": ("存储对象 {key}", "the stored object {key}"),
    "crypto.not_encrypted": (
        "{label}不是 Dossier 加密对象，或其文件头已损坏。",
        "{label} is not a Dossier encrypted object or its header is damaged",
    ),
    "crypto.unknown_version": (
        "{label}使用了未知的加密格式版本 {version}。",
        "{label} uses encryption format version {version}, which is unknown",
    ),
    "crypto.bad_chunk_size": (
        "{label}的文件头已损坏（分块大小 {size} 不可能出现）。",
        "{label} has a damaged header (impossible chunk size {size})",
    ),
    "crypto.truncated": (
        "{label}不完整（在最后一个分块之前就结束了）。",
        "{label} is truncated (it ends before its final chunk)",
    ),
    "crypto.chunk_failed": (
        "{label}在第 {chunk} 块未通过完整性校验（数据被篡改、重排或截断，或数据密钥有误）。",
        "{label} failed its integrity check at chunk {chunk} "
        "(altered, reordered or truncated data, or the wrong data key)",
    ),
    "crypto.trailing_data": (
        "{label}在最后一个分块之后还有多余数据。",
        "{label} has unexpected data after its final chunk",
    ),
    # Settings (dossier/config.py).
    "config.whole_number": (
        "{name} 必须是 {low} 到 {high} 之间的整数（单位：{unit}），当前为 {value}。",
        "{name} must be a whole number of {unit} from {low} to {high}, not {value}",
    ),
    "config.unit.minutes": ("分钟", "minutes"),
    "config.unit.hours": ("小时", "hours"),
    "config.unit.proxies": ("个代理", "proxies"),
    "config.unit.megabytes": ("MB", "megabytes"),
    "config.unit.pages": ("页", "pages"),
    "config.boolean": (
        "{name} 必须是 1、true、yes 或 on（或 0、false、no、off），当前为 {value}。",
        "{name} must be 1, true, yes or on (or 0, false, no, off), not {value}",
    ),
    "config.duration": (
        "{name} 必须是 {low} 到 {high} 秒之间的时长（例如 300 或 5m），当前为 {value}。",
        "{name} must be a duration from {low} to {high} seconds (e.g. 300 or 5m), not {value}",
    ),
    "config.no_folder": (
        "{name} 必须指向一个已存在的目录，当前为 {value}。",
        "{name} must name a folder that exists, not {value}",
    ),
    "config.no_file": (
        "{name} 必须指向一个已存在的文件，当前为 {value}。",
        "{name} must name a file that exists, not {value}",
    ),
    "config.choice": (
        "{name} 必须是 {choices} 之一，当前为 {value}。",
        "{name} must be one of {choices}, not {value}",
    ),
    # Dates as people type them (dossier/dates.py); {field} is "" or dates.field.
    "dates.field": ("{what}：", "{what}: "),
    "dates.bad_format": (
        "{field}日期格式应为 2024-03-09、2024/3/9、2024.3.9 或 2024年3月9日，收到：{value}",
        "{field}a date must be written like 2024-03-09, 2024/3/9, 2024.3.9 or 2024年3月9日, not {value}",
    ),
    "dates.no_such_day": ("{field}没有这一天：{value}", "{field}there is no such day: {value}"),
    "dates.required": (
        "{field}请填写日期（2024-03-09、2024/3/9、2024.3.9 或 2024年3月9日）",
        "{field}a date is required (2024-03-09, 2024/3/9, 2024.3.9 or 2024年3月9日)",
    ),
    # The catalog database (dossier/db.py, setup.py, migrate.py).
    "db.unreachable": (
        "无法连接目录数据库 {url}：{reason}",
        "cannot reach the catalog database at {url}: {reason}",
    ),
    "db.not_initialised": (
        "档案库尚未初始化；请先运行 `dossier init`。",
        "the archive is not initialised; run `dossier init` first",
    ),
    "db.cannot_prepare": (
        "无法准备目录数据库 {url}：{reason}",
        "cannot prepare the catalog database at {url}: {reason}",
    ),
    "db.foreign_keys_broken": (
        "迁移后目录数据库的外键约束不成立。",
        "the catalog's foreign keys do not hold after the migration",
    ),
    # Keys of the archive (dossier/keys.py, keycheck.py, setup.py).
    "keys.wrong_master_key": (
        "主密钥（标识 {key_id}）不属于本档案库（应为 {expected}）；请恢复正确的密钥文件或 DOSSIER_MASTER_KEY。",
        "the master key (id {key_id}) does not belong to this archive "
        "(expected id {expected}); restore the right key file or DOSSIER_MASTER_KEY",
    ),
    "keys.wrong_signing_key": (
        "签名密钥不属于本档案库；请恢复正确的密钥文件。",
        "the signing key does not belong to this archive; restore the right key file",
    ),
    "keys.bad_env_master_key": (
        "DOSSIER_MASTER_KEY 不是 Base64 编码的 32 字节密钥。",
        "DOSSIER_MASTER_KEY is not a base64-encoded 32-byte key",
    ),
    "fieldcrypt.unknown_format": (
        "加密字段（{what}）的格式无法识别。",
        "a sealed {what} value has an unknown format",
    ),
    "fieldcrypt.cannot_open": (
        "加密字段（{what}）无法解密（主密钥有误或数据被篡改）。",
        "a sealed {what} value cannot be opened (wrong master key or altered data)",
    ),
    "fieldcrypt.what_page_text": ("文件 {document} 第 {page} 页的文字", "page text {document}/{page}"),
    "fieldcrypt.what_page_words": ("文件 {document} 第 {page} 页的字位", "page words {document}/{page}"),
    "fieldcrypt.what_id_number": ("身份证号", "ID number"),
    "filemodes.cannot_fix": (
        "{path} 可被其他用户读取（权限 {mode}），且无法改为私有（{reason}）；请以其所有者身份运行 `chmod go= {path}`，然后再运行 `dossier init`。",
        "{path} is readable by other users (mode {mode}) and cannot be made private ({reason}); "
        "run `chmod go= {path}` as its owner, then `dossier init` again",
    ),
    "textfiles.bad_encoding": (
        "清单 {name} 既不是 UTF-8 也不是 GBK 编码的文本。",
        "manifest {name} is neither UTF-8 nor GBK text",
    ),
    "fonts.no_fc_list": (
        "找不到 fc-list；请安装 fontconfig 和 fonts-noto-cjk。",
        "fc-list is not available; install fontconfig and fonts-noto-cjk",
    ),
    "fonts.not_found": (
        "fc-list 找不到 '{family}' {weight} 字体；请安装 fonts-noto-cjk。",
        "no '{family}' {weight} font found by fc-list; install fonts-noto-cjk",
    ),
    # Append-only tables (dossier/models.py) and the logs (dossier/ledger.py).
    "models.never_changed": ("{table} 表的记录不可修改或删除。", "{table} rows are never changed or deleted"),
    "models.never_renumbered": (
        "文件 {id} 的档号一经编制不可更改。",
        "document {id}'s archive number is never changed once given",
    ),
    "models.never_deleted": ("{table} 表的记录不可删除。", "{table} rows are never deleted"),
    "ledger.no_archive": (
        "此目录数据库会话不属于任何档案库；请通过档案库打开会话。",
        "this catalog session does not belong to an archive; open it through the archive",
    ),
    # Background jobs (dossier/jobs.py); what a job records is kept in Chinese (the web shows it).
    "jobs.status.queued": ("排队中", "queued"),
    "jobs.status.running": ("进行中", "running"),
    "jobs.status.done": ("已完成", "done"),
    "jobs.status.failed": ("失败", "failed"),
    "jobs.unexpected": (
        "后台任务意外出错，已停止；请稍后重试，问题持续时请联系系统管理员。",
        "the background job failed unexpectedly and stopped; try again later, and tell the administrator if it persists",
    ),
    "jobs.starter_disabled": (
        "发起此任务的用户 {name} 已停用，任务不再执行。",
        "the user who started this job, {name}, is disabled; the job no longer runs",
    ),
    "jobs.unknown_kind": ("没有“{kind}”这种后台任务。", "there is no kind of background job called {kind}"),
    "jobs.already_running_id": (
        "已有一个{title}任务（#{job_id}）在进行，请等它结束后再开始。",
        "a {title} job (#{job_id}) is already running; wait for it to end before starting another",
    ),
    "jobs.already_running": (
        "已有一个{title}任务在进行，请等它结束后再开始。",
        "a {title} job is already running; wait for it to end before starting another",
    ),
    "jobs.log.started": (
        "启动后台任务 {job_id}：{title}{target}",
        "background job {job_id} started: {title}{target}",
    ),
    "jobs.log.target": ("（{target}）", " ({target})"),
    "jobs.not_found": ("没有编号为 {job_id} 的后台任务。", "there is no background job {job_id}"),
    "jobs.worker_unknown_kind": (
        "后台服务不认识“{kind}”这种任务，请升级后台服务后重试。",
        "the worker does not know the job kind {kind}; upgrade the worker and try again",
    ),
    "jobs.exhausted": (
        "后台处理服务在执行此任务时中断了 {attempts} 次，任务已停止；请联系系统管理员。",
        "the worker was interrupted {attempts} times while running this job, so it stopped; tell the administrator",
    ),
    "jobs.requeued": (
        "后台处理中断，任务已重新排队。",
        "the worker was interrupted; the job is queued again",
    ),
    # Checking the signed logs (dossier/ledger.py): what audit reports show, in Chinese.
    "ledger.record_not_json": ("其记录不是有效的 JSON", "its record is not valid JSON"),
    "ledger.record_not_object": ("其记录不是 JSON 对象", "its record is not a JSON object"),
    "ledger.record_of_other": (
        "其中存放的是第 {seq} 条的记录（被移动或重排）",
        "it holds the record of entry {seq} (moved or reordered)",
    ),
    "ledger.record_unhashable": ("其记录无法计算哈希值", "its record cannot be hashed"),
    "ledger.hash_mismatch": (
        "其记录与其哈希值不符（已被改动）",
        "its record does not match its hash (altered)",
    ),
    "ledger.link_altered": (
        "其与上一条的链接与签名记录不符（已被改动）",
        "its link to the previous entry differs from its signed record (altered)",
    ),
    "ledger.columns_altered": (
        "其字段与签名记录不符（已被改动）",
        "its columns differ from its signed record (altered)",
    ),
    "ledger.signature_bad": ("其签名无效", "its signature is not valid"),
    "ledger.span_one": ("第 {first} 条", "entry {first}"),
    "ledger.span_many": ("第 {first} 至 {last} 条", "entries {first} to {last}"),
    "ledger.out_of_order": ("第 {seq} 条重复出现或顺序错乱", "entry {seq} appears twice or out of order"),
    "ledger.missing": (
        "缺少{span}：第 {seq} 条紧接在第 {previous} 条之后",
        "{span} missing: entry {seq} follows entry {previous}",
    ),
    "ledger.entry_problem": ("第 {seq} 条：{problem}", "entry {seq}: {problem}"),
    "ledger.bad_start": (
        "第 1 条：它不是链的起点（已被改动）",
        "entry 1: it does not start the chain (altered)",
    ),
    "ledger.chain_broken": (
        "第 {seq} 条：它与第 {next} 条之间的链已断开（其中一条被改写）",
        "entry {seq}: the chain is broken between it and entry {next} (one of them was rewritten)",
    ),
    "ledger.no_head": (
        "日志中有记录，但目录数据库中没有日志头（已被删除）",
        "the log has entries but no head in the catalog (deleted)",
    ),
    "ledger.head_unsigned": (
        "目录数据库中的日志头没有档案库密钥的签名（已被改写）",
        "the catalog's head is not signed by the archive's key (rewritten)",
    ),
    "ledger.missing_end": (
        "末尾缺少{span}（日志头为第 {head} 条）",
        "{span} missing from the end (the head is entry {head})",
    ),
    "ledger.head_mismatch": (
        "目录数据库中的日志头（第 {head} 条）与最后一条（第 {last} 条）不符",
        "the catalog's head (entry {head}) does not match the last entry ({last})",
    ),
    "ledger.anchor_missing": (
        "{file} 中缺少此日志的日志头锚点",
        "the head anchor of this log is missing from {file}",
    ),
    "ledger.anchor_unsigned": (
        "{file} 中锚定的日志头没有档案库密钥的签名",
        "the anchored head in {file} is not signed by the archive's key",
    ),
    "ledger.cut_back": (
        "末尾缺少{span}：锚定的日志头为第 {seq} 条（日志被截短或清空）",
        "{span} missing from the end: the anchored head is entry {seq} (the log was cut back or wiped)",
    ),
    "ledger.anchor_differs": (
        "第 {seq} 条与锚定的日志头不符（日志被改写）",
        "entry {seq} differs from the anchored head (the log was rewritten)",
    ),
    # Signed records of originals (dossier/originals.py).
    "originals.signature_bad": ("签名与签名记录不符", "the signature does not match the signed record"),
    "originals.field_differs": (
        "目录中的 {field} 与签名记录不符",
        "the catalog's {field} differs from the signed record",
    ),
    "originals.content_differs": (
        "存储内容的 {fact} 与签名记录不符",
        "the stored content's {fact} differs from the signed record",
    ),
    "originals.size": ("大小", "size"),
    "keys.name.master": ("主密钥", "master key"),
    "keys.name.signing": ("签名密钥", "signing key"),
    "keys.name.web_session": ("网页会话密钥", "web session key"),
}
