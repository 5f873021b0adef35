"""Messages of the documents area: ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    "coversheet.file_one": ("封面单-{code}.pdf", "cover-sheets-{code}.pdf"),
    "coversheet.log.printed": ("{n} 张封面单，文件类型：{type}", "{n} cover sheet(s), type {type}"),
    "coversheet.file_many": ("封面单-{n}户.pdf", "cover-sheets-{n}.pdf"),
    # Documents (dossier/services/documents.py, viewing.py, disposal.py).
    "document.not_found": ("没有编号为 {id} 的文件。", "there is no document {id}"),
    "document.destroyed": ("文件 {id} 已销毁。", "document {id} has been destroyed"),
    "document.no_preview": (
        "文件 {id} 没有第 {page} 页的预览图。",
        "document {id} has no preview of page {page}",
    ),
    "document.purpose_required": (
        "文件 {id} 为保密文件：请说明查阅目的（--purpose）。",
        "document {id} is confidential: say why with --purpose",
    ),
    "document.duplicate": (
        "此文件已在档案中，文件编号 {id}。",
        "this file is already in the archive as document {id}",
    ),
    "document.unknown_type": (
        "没有代码为“{type}”的文件类型；可用的类型：{known}。",
        "unknown document type {type!r}; known types: {known}",
    ),
    "document.bad_title": ("题名须为 1 至 256 个字符。", "a document title must have 1 to 256 characters"),
    "document.data_key_gone": (
        "{key} 的数据密钥已丢失，无法读取该对象。",
        "the data key of {key} is gone; the object cannot be read",
    ),
    "document.unknown_retention_class": (
        "没有名为“{value}”的保管期限。可填写：{known}（或其代码）。",
        "there is no retention class called {value!r}. Use one of: {known} (or its code).",
    ),
    "document.retention_class_ambiguous": (
        "保管期限“{value}”对应多个期限（{codes}），请改填期限代码。",
        "the retention class {value!r} names several classes ({codes}); give the class's code instead.",
    ),
    # What checking a document's or stack's signed record finds (problems, in Chinese: the audit
    # reports show them; dossier/services/documents.py, stacks.py, history.py).
    "document.check.record_not_json": ("签名记录不是有效的 JSON", "the signed record is not valid JSON"),
    "document.check.no_metadata": (
        "该文件没有签名的著录信息记录",
        "the document has no signed metadata record",
    ),
    "document.check.metadata_entry": (
        "其最新的签名著录信息记录（修改记录 {seq}）：{problem}",
        "its latest signed metadata record (history entry {seq}): {problem}",
    ),
    "document.check.metadata_differs": (
        "目录中的 {fields} 与签名的著录信息记录（修改记录 {seq}）不符",
        "the catalog's {fields} differ(s) from the signed metadata record (history entry {seq})",
    ),
    "stack.check.no_object": (
        "该扫描批件没有存储对象，但其签名记录说明它含有页面",
        "the stack has no stored object, but its signed record says it holds pages",
    ),
    "stack.check.page_count": (
        "目录记为 {catalog} 页，签名记录为 {signed} 页",
        "the catalog counts {catalog} page(s), the signed record {signed}",
    ),
    "accesslog.check.hash_mismatch": (
        "其字段与其哈希值不符（已被改动）",
        "its columns do not match its hash (altered)",
    ),
    # Document types (dossier/services/folders.py, dossier doctype ...).
    "doctype.bad_code": (
        "“{code}”不能用作类型代码：请用 2 至 32 个小写字母、数字或下划线（以字母开头）。",
        "{code!r} is not a type code: use 2-32 lowercase letters, digits or '_'",
    ),
    "doctype.name_required": ("请填写文件类型名称。", "a document type needs a name"),
    "doctype.exists": ("文件类型 {code} 已存在。", "document type {code} already exists"),
    "doctype.give_a_change": (
        "请给出 --expected/--not-expected 或 --retention 期限代码。",
        "give --expected/--not-expected or --retention CLASS",
    ),
    "doctype.added": ("已添加文件类型 {code}（{name}）。", "document type {code} ({name}) added"),
    "doctype.set": (
        "文件类型 {code}：每个档案中{expected}，默认保管期限 {retention}。",
        "document type {code}: {expected} in every folder, default class {retention}",
    ),
    "doctype.expected": ("应有", "expected"),
    "doctype.optional": ("可不备", "not expected"),
    "doctype.expected_everywhere": ("（每个档案应有）", "(expected in every folder)"),
    "doctype.none": ("还没有文件类型。", "there are no document types yet"),
    # Corrections (dossier/services/corrections.py, webapp/corrections.py, PATCH /api/v1/documents).
    "correction.no_household": ("没有户号为 {household} 的业户。", "there is no household {household}"),
    "correction.no_household_in": (
        "没有户号为 {household} 的业户（小区：{community}）。",
        "there is no household {household} in {community}",
    ),
    "correction.household_held": (
        "文件 {id} 所在业户处于冻结中（暂停销毁），不能移出；请先解除冻结，或对该文件单独冻结后再移动。",
        "the household of document {id} is on hold (destruction suspended), so the document cannot be "
        "moved out of it; release the hold first, or hold the document itself and then move it",
    ),
    "correction.reason_required": (
        "请填写更正理由（1 至 {max} 个字符）。",
        "give a reason for the correction (1 to {max} characters)",
    ),
    "correction.destroyed": (
        "文件 {id} 已销毁，其著录信息不能再更改。",
        "document {id} has been destroyed; its record can no longer be changed",
    ),
    "correction.nothing_changed": (
        "没有需要更改的内容：文件 {id} 的著录信息已是如此。",
        "nothing to change: the record of document {id} already says so",
    ),
    "correction.unknown_fields": (
        "不认识的字段：{fields}；可用字段：{known}。",
        "unknown field(s): {fields}; known fields: {known}",
    ),
    "correction.reason_field_required": (
        "请在 reason 字段填写更正理由。",
        "give the reason for the correction in the reason field",
    ),
    "correction.nothing_asked": (
        "请至少给出一项要更正的内容（title、type、date、confidential、retention 或 household）。",
        "give at least one thing to correct (title, type, date, confidential, retention or household)",
    ),
    "api.kind_boolean": ("true 或 false", "true or false"),
    # Scanned stacks (dossier/services/stacks.py).
    "stack.bad_record": (
        "扫描批件 {id} 的签名记录不是有效的 JSON。",
        "the signed record of the scanned stack {id} is not valid JSON",
    ),
    "stack.pages_gone": (
        "扫描批件 {id} 的第 {first}-{last} 页已不在存储中（已销毁文件的页面已从中剪除）。",
        "pages {first}-{last} of the scanned stack {id} are no longer stored "
        "(a destroyed document's pages were cut from it)",
    ),
    "stack.duplicate": (
        "这批扫描件已经入库过（批次 {batch}）。",
        "this stack was already taken in (batch {batch})",
    ),
    "stack.empty": (
        "扫描批件 {id} 已没有任何页面（均已销毁）。",
        "the scanned stack {id} holds no pages any more (all were destroyed)",
    ),
    # Cover sheets (dossier/services/coversheets.py, dossier coversheet ...).
    "coversheet.not_ours": ("该二维码不是本系统的封面单。", "the QR code is not a Dossier cover sheet"),
    "coversheet.unknown_version": (
        "封面单的版本为 {version}，本系统不认识该版本。",
        "the cover sheet is of version {version}, which this Dossier does not know",
    ),
    "coversheet.bad_mac": (
        "封面单的校验码不符（已被改动，或由其他档案系统打印）。",
        "the cover sheet's check value does not match (altered, or printed by another archive)",
    ),
    "coversheet.malformed": ("封面单的内容格式有误。", "the cover sheet's payload is malformed"),
    "coversheet.codes_unreadable": ("无法读取 {name}（{reason}）。", "{name} cannot be read ({reason})"),
    "coversheet.no_codes": ("{name} 中没有户号。", "{name} lists no household codes"),
    "coversheet.no_household_id": ("没有编号为 {ids} 的业户。", "there is no household with id {ids}"),
    "coversheet.none_in_building": (
        "{building} 号楼没有在用的业户。",
        "there are no open households in building {building}",
    ),
    "coversheet.none_on_floor": (
        "{building} 号楼 {floor} 层没有在用的业户。",
        "there are no open households in building {building}, floor {floor}",
    ),
    "coversheet.floor_without_building": (
        "楼层须在楼栋内选择：请同时给出楼栋。",
        "a floor is chosen within a building; give the building too",
    ),
    "coversheet.none_chosen": (
        "请至少选择一户（户号、户号清单文件或楼栋）。",
        "choose at least one household (a code, a file of codes, or a building)",
    ),
    "coversheet.household_closed": (
        "业户 {code} 已结档；已结档的档案不再归入文件。",
        "household {code} is closed; no documents are filed in a closed folder",
    ),
    "coversheet.too_many": (
        "一次打印 {count} 张封面单过多；最多 {max} 张。",
        "{count} sheets at once is too many; print at most {max}",
    ),
    "coversheet.title_too_long": (
        "封面单题名最多 60 个字符。",
        "a cover sheet's title must have at most 60 characters",
    ),
    "coversheet.retention_too_long": (
        "保管期限代码最多 16 个字符。",
        "a retention class has at most 16 characters",
    ),
    "coversheet.cannot_write": ("无法写入 {path}（{reason}）。", "{path} cannot be written ({reason})"),
    "coversheet.choose_households": (
        "请选择业户：--household 户号、--households-file 文件或 --building 楼栋（可加 --floor 楼层）。",
        "choose households: --household CODE, --households-file FILE or --building B (with --floor F)",
    ),
    "coversheet.type_needed": (
        "请用 --type 给出这些页面的文件类型。",
        "--type is needed: the document type of the pages",
    ),
    "coversheet.printed": (
        "已将 {count} 张封面单写入 {path}：{codes}",
        "{count} cover sheet(s) written to {path}: {codes}",
    ),
    "coversheet.filed": (
        "已将这些页面归为文件 {id}，归入 {household}（已排队识别）。",
        "pages filed as document #{id} in {household} (queued for OCR)",
    ),
    # Item numbers shown (档号 and the 归档章 of the print view).
    "coversheet.filed_numbered": (
        "已将这些页面归为文件 {id}（档号 {archive_no}），归入 {household}（已排队识别）。",
        "pages filed as document #{id} ({archive_no}) in {household} (queued for OCR)",
    ),
    "document.stamp_permanent": ("永久", "permanent"),
    "doc.cli_archive_no": ("  档号 {archive_no}", "  item number {archive_no}"),
    "intake.cli_archive_no": ("档号 {archive_no}", "item number {archive_no}"),
}
