"""Messages of item numbers (档号) and handovers (移交/接收): ``code: (Simplified Chinese, English)``."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Item numbers (dossier/services/numbering.py).
    "numbering.scheme_empty": (
        "档号规则须为 1 至 200 个字符。",
        "an item-number scheme must have 1 to 200 characters",
    ),
    "numbering.scheme_braces": (
        "档号规则“{scheme}”的花括号不成对。",
        "the item-number scheme {scheme!r} has unmatched braces",
    ),
    "numbering.scheme_unknown": (
        "档号规则中没有“{name}”这一项；可用：{known}。",
        "an item-number scheme has no part {name!r}; known parts: {known}",
    ),
    "numbering.scheme_missing": (
        "档号规则须包含 {{{name}}}，档号才能唯一。",
        "an item-number scheme must contain {{{name}}} for numbers to be unique",
    ),
    "numbering.scheme_format": (
        "档号规则“{scheme}”的格式写法无效（如件号应写作 {{件号:04d}}）。",
        "the item-number scheme {scheme!r} has an invalid format (write the item as {{件号:04d}})",
    ),
    "numbering.scheme_long": (
        "按此规则编出的档号过长（如 {sample}），不得超过 100 个字符。",
        "numbers made by this scheme are too long (e.g. {sample}); at most 100 characters",
    ),
    "numbering.code_invalid": (
        "{what}“{value}”无效：须为 1 至 16 个字母、数字或 - _ .。",
        "the {what} {value!r} is invalid: use 1 to 16 letters, digits or - _ .",
    ),
    "numbering.name_invalid": (
        "立档单位名称须为 1 至 64 个字符。",
        "the archive's name must have 1 to 64 characters",
    ),
    "numbering.gap.missing": (
        "{folder} 的件号 {item} 缺失：目录中没有该号的文件，销毁记录中也没有。",
        "item {item} of folder {folder} is missing: no document has it and the shredding log does not record it",
    ),
    "numbering.gap.above_counter": (
        "{folder} 的件号 {item}（文件 {id}）超出该户已编件号。",
        "item {item} of folder {folder} (document {id}) is above the numbers the folder issued",
    ),
    "numbering.gap.destroyed_unlogged": (
        "{folder} 的件号 {item}（文件 {id}）已销毁，但销毁记录中没有该文件。",
        "item {item} of folder {folder} (document {id}) is destroyed but the shredding log does not record it",
    ),
    "numbering.gap.moved_unrecorded": (
        "{folder} 的件号 {item}（文件 {id}）已不在该户，但变更记录中没有移户记录。",
        "item {item} of folder {folder} (document {id}) is in another folder without a recorded move",
    ),
    # The web's handover page (webapp/handover.py, handover/jobs.py, handover/transport.py).
    "handover.zip.bad": (
        "上传的文件不是有效的 ZIP 压缩包，或已损坏。",
        "the upload is not a valid ZIP archive, or it is damaged",
    ),
    "handover.zip.empty": ("压缩包是空的。", "the ZIP archive is empty"),
    "handover.zip.unsafe_name": (
        "压缩包中的“{name}”路径不安全（绝对路径、盘符、反斜杠或“..”），整包拒收。",
        "the entry {name!r} has an unsafe path (absolute, a drive, a backslash or ..); the archive is refused",
    ),
    "handover.zip.link": (
        "压缩包中的“{name}”是符号链接，整包拒收。",
        "the entry {name!r} is a symbolic link; the archive is refused",
    ),
    "handover.zip.special": (
        "压缩包中的“{name}”不是普通文件或文件夹，整包拒收。",
        "the entry {name!r} is neither a file nor a folder; the archive is refused",
    ),
    "handover.zip.encrypted": (
        "压缩包中的“{name}”已加密，移交包不得加密，整包拒收。",
        "the entry {name!r} is encrypted; a handover package may not be; the archive is refused",
    ),
    "handover.zip.duplicate": (
        "压缩包中的“{name}”重复出现，整包拒收。",
        "the entry {name!r} occurs twice; the archive is refused",
    ),
    "handover.zip.too_many": (
        "压缩包中有 {count} 个条目，超过 {limit} 个的上限，整包拒收。",
        "the archive has {count} entries, more than the limit of {limit}; it is refused",
    ),
    "handover.zip.too_large": (
        "压缩包解开后超过 {limit} 的上限，整包拒收。",
        "the archive unpacks to more than {limit}; it is refused",
    ),
    "handover.zip.no_manifest": (
        "压缩包中找不到移交包清单 package.json（应在根目录或唯一的文件夹中）。",
        "the archive holds no package.json (at its root or in its only folder)",
    ),
    "handover.web.no_file": (
        "请选择要接收的移交包（ZIP 文件）。",
        "choose the handover package (a ZIP file)",
    ),
    "handover.web.choose_one": (
        "请选择且只选择一种移交范围：填写户号、选择小区，或勾选全部业户档案。",
        "choose exactly one scope: household codes, a community, or every household",
    ),
    "handover.web.too_many_codes": (
        "一次最多填写 {limit} 个户号。",
        "at most {limit} household codes at a time",
    ),
    "handover.web.upload_gone": (
        "待接收的压缩包已不在服务器上，请重新上传。",
        "the uploaded archive is no longer on the server; upload it again",
    ),
    "handover.web.package_gone": (
        "该移交包已不在服务器上（可能已被清理），无法下载。",
        "that package is no longer on the server (it may have been cleaned up)",
    ),
    "handover.web.download_detail": ("下载移交包 {package}（ZIP）", "downloaded package {package} (ZIP)"),
    "handover.web.not_found": ("没有编号为 {id} 的移交接收记录。", "no handover record {id}"),
    "handover.web.no_register": (
        "该记录没有移交接收登记表。",
        "that record has no handover register",
    ),
    "handover.job.export_title": ("档案移交", "handover export"),
    "handover.job.import_title": ("档案接收", "handover import"),
    "handover.job.exported": (
        "移交包已生成：{households} 户，{documents} 件文件，{pages} 页。",
        "package written: {households} households, {documents} documents, {pages} pages",
    ),
    "handover.job.unpacking": ("正在解压移交包……", "unpacking the package..."),
    "handover.job.accepted": (
        "接收完成：{households} 户，{documents} 件文件已入库。",
        "received: {households} households, {documents} documents filed",
    ),
    "handover.job.refused": (
        "移交包未通过接收检测，整包拒收，未入库任何内容；请查看接收报告。",
        "the package failed the checks and was refused; nothing was stored; see the report",
    ),
    # Receiving a package (handover/receive.py, `dossier handover import`): the checks' findings,
    # one sentence each naming its item, grouped by DA/T 70's four properties.
    "handover.receive.aspect.authenticity": ("真实性", "authenticity"),
    "handover.receive.aspect.integrity": ("完整性", "integrity"),
    "handover.receive.aspect.usability": ("可用性", "usability"),
    "handover.receive.aspect.security": ("安全性", "security"),
    "handover.receive.aspect.conflicts": ("与本馆馆藏的冲突", "conflicts with this archive"),
    "handover.receive.refused": (
        "移交包未通过接收检测，整包拒收，未入库任何内容：共 {count} 项问题，如“{first}”",
        "the package failed the checks and was refused, nothing was stored: {count} problems, e.g. {first!r}",
    ),
    "handover.receive.package_unreadable": (
        "移交包无法读取：{reason}",
        "the package cannot be read: {reason}",
    ),
    "handover.receive.sig_invalid": (
        "package.sig 不是 signing-key.pem 对 package.json 的有效签名：清单可能已被改动。",
        "package.sig is not a valid signature of package.json by signing-key.pem: the manifest may have been altered",
    ),
    "handover.receive.sender_key_format": (
        "“{value}”不是签名公钥指纹：应为移交接收登记表上的 16 位十六进制数字。",
        "{value} is not a key fingerprint: give the 16 hexadecimal digits printed on the handover register",
    ),
    "handover.receive.sender_key_differs": (
        "移交包由指纹为 {found} 的公钥签名，而移交方提供的指纹是 {expected}：移交包并非出自移交方。",
        "the package is signed by the key {found}, but the sender gave {expected}: it is not the sender's package",
    ),
    "handover.receive.sender_key_confirmed": (
        "签名公钥指纹 {fingerprint} 与移交方提供的一致。",
        "the signing key {fingerprint} is the one the sender gave",
    ),
    "handover.receive.sender_key_unchecked": (
        "签名公钥指纹 {fingerprint} 未与移交方核对：请与移交方签字的移交接收登记表上的指纹比对。",
        "the signing key {fingerprint} was not compared with the sender's: "
        "check it against the fingerprint on the handover register the sender signed",
    ),
    "handover.receive.register_note_key": (
        "接收前逐件检测，全部通过；签名公钥指纹与移交方提供的一致",
        "checked item by item before filing; all passed; the signing key is the one the sender gave",
    ),
    "handover.receive.key_unreadable": (
        "signing-key.pem 无法读取为移交方的签名公钥：{reason}",
        "signing-key.pem cannot be read as the sender's public key: {reason}",
    ),
    "handover.receive.eep_signature": (
        "{path} 的电子签名无效：封装包可能已被改动。",
        "the signature of {path} is not valid: the encapsulation may have been altered",
    ),
    "handover.receive.eep_unreadable": (
        "{path} 不是可读的 DA/T 48 封装包（{problem}）。",
        "{path} is not a readable DA/T 48 encapsulation ({problem})",
    ),
    "handover.receive.eep_problem.malformed": (
        "XML 格式错误或含有实体定义",
        "malformed XML, or entity definitions",
    ),
    "handover.receive.eep_problem.namespace": ("命名空间不是 DA/T 48 的", "not the DA/T 48 namespace"),
    "handover.receive.eep_problem.unsigned": ("缺少被签名对象或签名", "no signed object or no signature"),
    "handover.receive.intake_signature": (
        "{item} 的入库签名无效（签名记录与移交方公钥不符）。",
        "the intake signature of {item} is not valid for the sender's key",
    ),
    "handover.receive.intake_differs": (
        "{item} 的原件与其入库签名记录的{what}不符。",
        "the original of {item} does not match its signed intake record ({what})",
    ),
    "handover.receive.record_signature": (
        "{item} 的著录签名无效（变更历史记录与移交方公钥不符）。",
        "the metadata signature of {item} (its history record) is not valid for the sender's key",
    ),
    "handover.receive.record_unreadable": (
        "{item} 的{what}签名记录不是可读的 JSON 记录。",
        "the signed {what} record of {item} is not a readable JSON record",
    ),
    "handover.receive.record_differs": (
        "{item} 的著录签名记录中{field}为“{signed}”，与移交包所记“{found}”不符。",
        "the signed metadata of {item} has {field} {signed!r}, the package says {found!r}",
    ),
    "handover.receive.text_differs": (
        "{item} 的 pages.json 页文本与其著录签名记录的文本摘要不符。",
        "the page text of {item} (pages.json) does not match the text digest its signed record holds",
    ),
    "handover.receive.what.intake": ("入库", "intake"),
    "handover.receive.what.metadata": ("著录", "metadata"),
    "handover.receive.what.size": ("大小", "size"),
    "handover.receive.file_missing": (
        "清单所列文件 {path} 不在移交包中。",
        "{path}, listed in the manifest, is not in the package",
    ),
    "handover.receive.file_differs": (
        "{path} 的{what}与清单所记不符。",
        "the {what} of {path} differs from the manifest",
    ),
    "handover.receive.qpdf_output": ("其输出无法解析", "its output cannot be parsed"),
    "handover.receive.unparsable": ("内容无法读取或解析", "its content cannot be read or parsed"),
    "handover.receive.qpdf_damaged": (
        "文件已损坏，无法读取其对象",
        "the file is damaged; its objects cannot be read",
    ),
    "handover.receive.original_not_authentic": (
        "{path} 不是签名清单与入库签名记录所指的原件（内容已被改动）。",
        "{path} is not the original the signed manifest and intake record name (its content was changed)",
    ),
    "handover.receive.file_extra": (
        "{path} 不在清单中：移交包中多出的文件。",
        "{path} is not in the manifest: an extra file in the package",
    ),
    "handover.receive.listed_twice": (
        "清单中 {path} 出现不止一次。",
        "the manifest lists {path} more than once",
    ),
    "handover.receive.json_unreadable": (
        "{path} 不是可读的 JSON 文件或缺少必需的项目：{reason}",
        "{path} is not a readable JSON file or lacks a required entry: {reason}",
    ),
    "handover.receive.folder_dir": (
        "{path} 不在户档案号 {folder} 应在的目录中。",
        "{path} is not in the directory of folder {folder}",
    ),
    "handover.receive.item_dir_missing": (
        "{item} 登记在 folder.json 中，但移交包中没有其目录 {path} 或其中的 {name}。",
        "{item} is listed in folder.json but the package lacks its directory {path} or its {name}",
    ),
    "handover.receive.item_dir_unlisted": (
        "目录 {path} 不属于 folder.json 登记的任何一件文件。",
        "the directory {path} belongs to no document listed in folder.json",
    ),
    "handover.receive.item_twice": (
        "档号 {item} 在移交包中出现不止一次。",
        "the item number {item} appears more than once in the package",
    ),
    "handover.receive.eep_differs": (
        "{item} 的封装包中{field}为“{found}”，与 folder.json 所记“{expected}”不符。",
        "the encapsulation of {item} has {field} {found!r}, folder.json says {expected!r}",
    ),
    "handover.receive.field.archive_no": ("档号", "item number"),
    "handover.receive.field.item_no": ("件号", "item"),
    "handover.receive.field.folder": ("户号", "folder"),
    "handover.receive.field.file_name": ("计算机文件名", "file name"),
    "handover.receive.field.size": ("计算机文件大小", "file size"),
    "handover.receive.field.sha256": ("SHA-256 摘要", "SHA-256 digest"),
    "handover.receive.field.sm3": ("SM3 摘要", "SM3 digest"),
    "handover.receive.field.media_type": ("格式信息", "media type"),
    "handover.receive.field.pages": ("页数", "pages"),
    "handover.receive.field.title": ("题名", "title"),
    "handover.receive.field.key": ("证书引证", "key fingerprint"),
    "handover.receive.number_missing": (
        "{folder} 的件号 {item} 在移交包中无着落：既无该件，也无其销毁记录或移出记录。",
        "item {item} of folder {folder} is unaccounted for: no document, no destruction and no move out",
    ),
    "handover.receive.number_above": (
        "{folder} 的件号 {item}（{archive_no}）超出该户已编件号 {counter}。",
        "item {item} of folder {folder} ({archive_no}) is above the folder's counter {counter}",
    ),
    "handover.receive.number_twice": (
        "{folder} 的件号 {item} 在移交包中出现不止一次。",
        "item {item} of folder {folder} appears more than once in the package",
    ),
    "handover.receive.not_carried": (
        "{folder} 的件号 {item}（{archive_no}）已移至移交包以外的 {to}，未随包移交，已记录在案。",
        "item {item} of folder {folder} ({archive_no}) moved to {to}, outside the package; recorded",
    ),
    "handover.receive.counts_differ": (
        "package.json 所记{what}为 {recorded}，移交包中实为 {found}。",
        "package.json records {recorded} {what}, the package holds {found}",
    ),
    "handover.receive.count.households": ("户数", "households"),
    "handover.receive.count.documents": ("文件件数", "documents"),
    "handover.receive.count.destroyed": ("已销毁件数", "destroyed documents"),
    "handover.receive.count.pages": ("页数", "pages"),
    "handover.receive.count.bytes": ("原件字节数", "bytes of originals"),
    "handover.receive.unusable": (
        "{item} 的原件无法打开或显示：{reason}",
        "the original of {item} does not open or render: {reason}",
    ),
    "handover.receive.pages_differ": (
        "{item} 的页数不一致：封装包记 {recorded} 页，原件实有 {found} 页，pages.json 有 {text} 页。",
        "the page counts of {item} differ: the encapsulation says {recorded}, the original has {found}, pages.json {text}",
    ),
    "handover.receive.unsafe_path": (
        "清单中的路径“{path}”不安全或不合移交包目录结构（绝对路径、..、链接或包外路径）。",
        "the manifest path {path!r} is unsafe or outside the package layout (absolute, .., a link or outside the package)",
    ),
    "handover.receive.symlink": (
        "{path} 是符号链接：移交包中不得有链接。",
        "{path} is a symbolic link: a package may hold none",
    ),
    "handover.receive.special": (
        "{path} 不是普通文件或目录。",
        "{path} is neither a regular file nor a directory",
    ),
    "handover.receive.executable": (
        "{path} 是可执行内容（{kind}），不得出现在移交包中。",
        "{path} is executable content ({kind}) and may not be in a package",
    ),
    "handover.receive.kind.elf": ("ELF 可执行程序", "an ELF executable"),
    "handover.receive.kind.mz": ("Windows 可执行程序", "a Windows executable"),
    "handover.receive.kind.macho": ("macOS 可执行程序", "a macOS executable"),
    "handover.receive.kind.script": ("脚本", "a script"),
    "handover.receive.pdf_active": (
        "{item} 的原件含有 PDF 活动内容（{names}），不得接收。",
        "the original of {item} holds active PDF content ({names}) and may not be received",
    ),
    "handover.receive.media_type": (
        "{item} 的原件不是本馆接收的扫描件格式（PDF、TIFF、JPEG、PNG）：{reason}",
        "the original of {item} is not a scan format this archive accepts (PDF, TIFF, JPEG, PNG): {reason}",
    ),
    "handover.receive.media_type_differs": (
        "{item} 的原件实为 {found}，而封装包记为 {recorded}。",
        "the original of {item} is {found}, its encapsulation says {recorded}",
    ),
    "handover.receive.too_many_pages": (
        "{item} 的原件有 {pages} 页，超过本馆单个文件的上限 {limit} 页。",
        "the original of {item} has {pages} pages, more than this archive's limit of {limit}",
    ),
    "handover.receive.file_too_large": (
        "{path} 大小为 {size}，超过单个文件上限 {limit}。",
        "{path} is {size}, above the per-file limit of {limit}",
    ),
    "handover.receive.package_too_large": (
        "移交包共 {size}，超过接收上限 {limit}。",
        "the package holds {size}, above the limit of {limit}",
    ),
    "handover.receive.too_many_files": (
        "移交包有 {count} 个文件，超过接收上限 {limit} 个。",
        "the package holds {count} files, above the limit of {limit}",
    ),
    "handover.receive.conflict.archive_no": (
        "档号 {item} 在本馆已被文件 {id} 使用。",
        "the item number {item} is already used here by document {id}",
    ),
    "handover.receive.conflict.folder": (
        "户档案号 {folder} 在本馆已被小区“{community}”的业户 {code} 使用。",
        "the folder number {folder} is already used here by household {code} of {community}",
    ),
    "handover.receive.conflict.household": (
        "本馆小区“{community}”中已有业户 {code}（移交包中户档案号为 {folder}）。",
        "the community {community} here already has a household {code} (folder {folder} in the package)",
    ),
    "handover.receive.conflict.duplicate": (
        "{item} 的原件已在本馆（文件 {id}，内容完全相同）。",
        "the original of {item} is already here (document {id}, the same content)",
    ),
    "handover.receive.same_content": (
        "{item} 的原件与移交包中的 {other} 内容完全相同，本馆不重复存储同一原件。",
        "the original of {item} is the same content as {other} in the package; this archive stores one original once",
    ),
    "handover.receive.conflict.retention_class": (
        "{item} 的保管期限代码 {code} 在本馆未设立；请先建立该保管期限，再接收此移交包。",
        "the retention class {code} of {item} does not exist here; create it before receiving this package",
    ),
    "handover.receive.conflict.doc_type": (
        "{item} 的文件类型代码 {code} 在本馆未设立；请先建立该文件类型，再接收此移交包。",
        "the document type {code} of {item} does not exist here; create it before receiving this package",
    ),
    "handover.receive.conflict.party": (
        "{folder} 的{name}的登记信息无法在本馆登记：{reason}",
        "the party {name} of {folder} cannot be registered here: {reason}",
    ),
    "handover.receive.conflict.household_data": (
        "{folder} 的业户信息无法在本馆登记：{reason}",
        "the household {folder} cannot be registered here: {reason}",
    ),
    "handover.receive.filed_partly": (
        "移交包在入库途中出错，已入库 {documents} 件：{reason}",
        "filing stopped with an error after {documents} documents: {reason}",
    ),
    "handover.receive.reason.signed": ("由 {by} 签名", "signed by {by}"),
    "handover.receive.scope": (
        "接收自“{source}”的移交包 {package}",
        "package {package} received from {source}",
    ),
    "handover.receive.register_note": (
        "接收前逐件检测，全部通过",
        "checked item by item before filing; all passed",
    ),
    # The command's report (`dossier handover import`).
    "handover.cli.accepted": (
        "接收完成：{households} 户、{documents} 件文件（其中已销毁 {destroyed} 件）、{pages} 页已入库；移交接收登记表：{register}",
        "received: {households} households, {documents} documents ({destroyed} destroyed), {pages} pages; register: {register}",
    ),
    "handover.cli.refused": (
        "拒收：移交包 {package} 未通过接收检测（{count} 项问题），未入库任何内容。",
        "refused: package {package} failed the checks ({count} problems); nothing was stored",
    ),
    "handover.cli.checking": ("正在检测：{step}", "checking: {step}"),
    "handover.cli.section": ("【{aspect}】{count} 项问题", "[{aspect}] {count} problems"),
    "handover.cli.section_ok": ("【{aspect}】通过", "[{aspect}] passed"),
    "handover.cli.note": ("说明：{note}", "note: {note}"),
    "handover.progress.checking": ("正在检查移交包", "checking the package"),
    "handover.progress.filing": ("正在入库第 {done}/{total} 件", "filing {done} of {total}"),
    # Handover packages (handover/package.py, handover/eep.py).
    "handover.package.not_a_dir": (
        "“{path}”不是文件夹，不是移交包。",
        "{path} is not a folder, so not a handover package",
    ),
    "handover.package.missing": ("移交包中缺少 {name}。", "the handover package has no {name}"),
    "handover.package.too_large": ("移交包中的 {name} 过大。", "{name} in the handover package is too large"),
    "handover.package.unreadable": (
        "无法读取移交包中的 {name}：{reason}。",
        "cannot read {name} in the handover package: {reason}",
    ),
    "handover.package.not_json": (
        "移交包中的 {name} 不是有效的 JSON。",
        "{name} in the handover package is not valid JSON",
    ),
    "handover.package.wrong_format": (
        "这不是本系统可识别的移交包（应为 {format} 格式）。",
        "this is not a handover package this archive reads (format {format} expected)",
    ),
    "handover.package.no_files": (
        "移交包清单中没有文件列表。",
        "the handover package's manifest lists no files",
    ),
    "handover.eep.confidential": ("保密", "confidential"),
    "handover.eep.ordinary": ("普通", "ordinary"),
    "handover.eep.done": ("完成", "done"),
    "handover.eep.open": ("借出未还", "out"),
    "handover.eep.archive": ("机构", "organisation"),
    "handover.eep.person": ("个人", "person"),
    "handover.eep.move": ("移户", "moved"),
    "handover.eep.lend": ("借阅", "lent"),
    "handover.eep.return": ("归还", "returned"),
    "handover.eep.change": ("{field}：由“{before}”改为“{after}”", "{field}: {before!r} to {after!r}"),
    "handover.eep.filed": ("入库：{title}", "filed: {title}"),
    "handover.eep.no_change": ("无著录变化", "no catalog change"),
    "handover.eep.loan": (
        "纸质原件借给 {borrower}（{unit}），用途：{purpose}，应还日期 {due}",
        "paper original lent to {borrower} ({unit}) for {purpose}, due {due}",
    ),
    "handover.eep.loan_returned": (
        "纸质原件已归还，查验：{condition}",
        "paper original returned, condition: {condition}",
    ),
    "handover.eep.paper": ("{cabinet} 柜 {box} 盒 {position}", "cabinet {cabinet} box {box} {position}"),
    # Export (handover/export.py).
    "handover.export.choose_one": (
        "请在 --household、--community 和 --all 中选择且只选择一项。",
        "choose exactly one of --household, --community and --all",
    ),
    "handover.export.nothing": (
        "所选范围内没有业户档案，无可移交的内容。",
        "the selection holds no household folders; nothing to hand over",
    ),
    "handover.export.no_community": ("没有名为“{name}”的小区。", "there is no community named {name!r}"),
    "handover.export.out_not_empty": (
        "输出位置“{path}”已存在且不是空文件夹；请指定一个新的或空的文件夹。",
        "{path} exists and is not an empty folder; give a new or empty folder",
    ),
    "handover.export.cannot_write": (
        "无法写入移交包“{path}”：{reason}。",
        "cannot write the handover package {path}: {reason}",
    ),
    "handover.export.digest_mismatch": (
        "文件 {archive_no} 的原件与入库时记录的摘要不符，已停止移交。",
        "the original of {archive_no} differs from the digests recorded at intake; the export stopped",
    ),
    "handover.export.scope_households": ("业户：{codes}", "households: {codes}"),
    "handover.export.scope_community": ("小区：{name}", "community: {name}"),
    "handover.export.scope_all": ("全部业户档案", "every household folder"),
    "handover.export.log_detail": ("移交包 {package}", "handover package {package}"),
    "handover.export.authenticity_note": (
        "每件文件的 EEP 与移交包清单均以本单位签名密钥签名",
        "each document's EEP and the package manifest are signed with this archive's key",
    ),
    "handover.export.check_note": (
        "已按入库记录核对每件原件的大小、SHA-256 与 SM3；清单列出全部文件",
        "each original checked against the SHA-256 and SM3 recorded at intake",
    ),
    "handover.export.security_note": (
        "原件以明文封装，未加密、未压缩",
        "originals in the clear, neither encrypted nor compressed",
    ),
    "handover.export.not_checked_note": ("由接收方检测", "to be checked by the receiver"),
    # The register (handover/register.py).
    "handover.register.title": ("电子档案移交接收登记表", "handover register"),
    "handover.register.direction": ("交接性质", "direction"),
    "handover.register.package_id": ("移交包标识", "package id"),
    "handover.register.sender": ("移交单位", "handed over by"),
    "handover.register.receiver": ("接收单位", "received by"),
    "handover.register.created_at": ("形成时间", "created at"),
    "handover.register.households": ("业户档案（户）", "household folders"),
    "handover.register.documents": ("文件（件）", "documents"),
    "handover.register.destroyed": ("已销毁文件（件）", "destroyed documents"),
    "handover.register.pages": ("页数（页）", "pages"),
    "handover.register.gigabytes": ("数据量（GB）", "size (GB)"),
    "handover.register.digests": ("摘要算法", "digest algorithms"),
    "handover.register.fingerprint": ("签名公钥指纹", "signing key fingerprint"),
    "handover.register.check": ("{property}检测", "{property} check"),
    "handover.register.checks_heading": ("检测结果", "check results"),
    "handover.register.col_item": ("项目", "item"),
    "handover.register.col_value": ("内容", "value"),
    "handover.register.col_note": ("说明", "note"),
    "handover.register.col_property": ("检测项目", "property"),
    "handover.register.col_outcome": ("结果", "outcome"),
    "handover.register.handed_by": ("移交人（签字）", "handed over by (signature)"),
    "handover.register.received_by": ("接收人（签字）", "received by (signature)"),
    "handover.register.supervised_by": ("监交人（签字）", "supervised by (signature)"),
    "handover.register.date_blank": ("日期：　　年　　月　　日", "date:"),
    "handover.register.signature_line": (
        "{role}：____________________　　日期：________年____月____日",
        "{role}: ____________________  date: ____________",
    ),
    # The CLI (dossier/cli/handover.py).
    "cli.handover.exported": (
        "已写出移交包 {path}（标识 {package}）：{households} 户，{documents} 件文件（另有已销毁 {destroyed} 件），"
        "{pages} 页，{gigabytes} GB；清单 SHA-256 {manifest}，签名公钥指纹 {fingerprint}。",
        "wrote handover package {path} (id {package}): {households} households, {documents} documents "
        "({destroyed} destroyed), {pages} pages, {gigabytes} GB; manifest SHA-256 {manifest}, key {fingerprint}",
    ),
    "cli.handover.progress": ("已写出 {done}/{total} 户", "{done}/{total} households written"),
}
