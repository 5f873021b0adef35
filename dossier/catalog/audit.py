"""Messages of the audit area: ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Runs (四性检测)
    "audit.no_run": (
        "尚未进行过检测；请先运行 `dossier audit verify`。",
        "no audit has been run yet; run `dossier audit verify` first",
    ),
    "audit.run_unknown": ("没有编号为 {id} 的检测。", "there is no audit run {id}"),
    "audit.household_unknown": ("没有业户 {code}。", "there is no household {code}"),
    "audit.sample_min": ("抽检件数至少为 1。", "--sample must be at least 1"),
    "audit.format_unknown": (
        "未知的报告格式“{fmt}”；请选择 {choices} 之一。",
        "unknown report format '{fmt}'; choose one of {choices}",
    ),
    "audit.job_done_failed": (
        "检测完成：共检测 {checked} 件文件，发现 {failed} 项未通过。",
        "audit finished: {checked} documents checked, {failed} problems found",
    ),
    "audit.job_done_ok": (
        "检测完成：共检测 {checked} 件文件，全部通过。",
        "audit finished: {checked} documents checked, all passed",
    ),
    "audit.job.title": ("档案检测", "archive audit"),
    "audit.job_archive_checks": ("正在进行全库一致性检查……", "checking the whole archive…"),
    # Findings (stored with each fixity event, shown in reports)
    "audit.finding.record_not_json": ("签名记录不是有效的 JSON", "the signed record is not valid JSON"),
    "audit.finding.signature": ("签名与签名记录不符", "the signature does not match the signed record"),
    "audit.finding.record_differs": (
        "目录中的 {fields} 与签名记录不符",
        "the catalog's {fields} differ(s) from the signed record",
    ),
    "audit.finding.key_missing": ("原件的数据密钥缺失", "the original's wrapped data key is missing"),
    "audit.finding.object_missing": ("对象 {key} 缺失", "the object {key} is missing"),
    "audit.finding.content_differs": (
        "存储内容的 {name} 与签名记录不符",
        "the stored content's {name} differs from the signed record",
    ),
    "audit.finding.metadata_missing": ("缺少：{fields}", "missing: {fields}"),
    "audit.field.title": ("题名", "title"),
    "audit.field.type": ("文件类型", "type"),
    "audit.field.received_date": ("接收日期", "received date"),
    "audit.field.media_type": ("文件格式", "media type"),
    "audit.field.signing_key": ("签名密钥", "signing key"),
    "audit.finding.text_unreadable": ("页面文字无法读取：{reason}", "the page text cannot be read: {reason}"),
    "audit.finding.pages": (
        "目录记为 {counted} 页，实际登记 {recorded} 页",
        "the catalog counts {counted} page(s), {recorded} are recorded",
    ),
    "audit.finding.previews_missing": ("缺少页面预览：第 {pages} 页", "page preview(s) missing: {pages}"),
    "audit.finding.pdf_missing": ("可检索 PDF 缺失", "the searchable PDF is missing"),
    "audit.finding.no_text": ("文件各页均无文字", "no page of the document has any text"),
    "audit.finding.index": (
        "全文索引只有 {indexed}/{pages} 页",
        "the index holds {indexed} of {pages} page(s)",
    ),
    "audit.finding.orphan_object": (
        "对象 {key} 在存储中，但不在目录中",
        "the object {key} is in storage but not in the catalog",
    ),
    "audit.finding.missing_object": (
        "目录登记了对象 {key}，但存储中没有",
        "the catalog holds the object {key} but storage does not",
    ),
    "audit.finding.archive_no_gap": (
        "档案编号 {gap} 在序列 {prefix} 中缺失",
        "archive numbers {gap} are missing from the series {prefix}",
    ),
    "audit.finding.unauthorised_read": (
        "查阅登记第 {event} 条：{user}（{role}）对保密文件进行了 {action}",
        "access-log entry {event}: {user} ({role}) had {action} on a confidential document",
    ),
    "audit.finding.log": ("{log}：{problem}", "{log}: {problem}"),
    "audit.log.shredlog": ("销毁日志", "shredding log"),
    "audit.log.access": ("查阅登记", "access log"),
    "audit.log.history": ("著录变更历史", "change history"),
    "audit.finding.stack": (
        "整叠扫描件 {id}（{file}）：{problems}",
        "the scanned stack {id} ({file}): {problems}",
    ),
    "audit.finding.more": ("另有 {more} 项未列出", "and {more} more finding(s) not listed"),
    "audit.finding.destroyed_not_logged": (
        "文件 {id} 已销毁（销毁清册 {list}），但销毁日志中没有它的条目",
        "document {id} is destroyed (list {list}) but the shredding log has no entry for it",
    ),
    "audit.finding.destroyed_other_list": (
        "文件 {id} 由销毁清册 {list} 销毁，销毁日志却记为销毁清册 {logged}",
        "document {id} was destroyed by list {list}, the shredding log says by list {logged}",
    ),
    "audit.finding.logged_not_destroyed": (
        "销毁日志记录文件 {id} 已由销毁清册 {list} 销毁，但目录中仍有该文件（恢复时未用 `--shredlog`？）",
        "the shredding log records document {id} destroyed by list {list}, but the catalog still holds it "
        "(restore without `--shredlog`?)",
    ),
    "audit.finding.item_not_logged": (
        "销毁清册 {list} 记文件 {id} 已销毁，但销毁日志中没有该清册对它的条目",
        "list {list} marks document {id} destroyed, but the shredding log has no entry for it on that list",
    ),
    "audit.finding.range_differs": (
        "销毁清册 {list} 的证明哈希（{recorded}）与其销毁日志条目（{actual}）不符",
        "the certificate hash of list {list} ({recorded}) does not match its shredding-log entries ({actual})",
    ),
    "audit.none": ("无", "none"),
    "audit.finding.destroyed_text": (
        "已销毁文件 {id} 在目录中仍有 {pages} 页文字",
        "destroyed document {id} still has {pages} page(s) of text in the catalog",
    ),
    "audit.finding.destroyed_objects": (
        "已销毁文件 {id} 仍登记有存储对象",
        "destroyed document {id} still names stored objects",
    ),
    "audit.finding.stack_holds_destroyed": (
        "整叠扫描件 {id}（{file}）仍含已由销毁清册 {list} 销毁的文件 {document} 的第 {pages} 页",
        "the scanned stack {id} ({file}) still holds page(s) {pages} of document {document}, "
        "destroyed on list {list}",
    ),
    "audit.finding.key_unreferenced": (
        "{key} 的数据密钥仍保留，但没有任何文件或整叠扫描件引用该对象",
        "the data key of {key} is kept, but no document or stack refers to the object",
    ),
    "audit.finding.key_of_destroyed": (
        "{key} 的数据密钥仍保留，但其文件 {id} 已销毁或不存在",
        "the data key of {key} is kept, but its document {id} is destroyed or unknown",
    ),
    "audit.finding.indexed_destroyed": (
        "全文索引中仍有已销毁文件 {id} 的文字",
        "the search index still holds the text of destroyed document {id}",
    ),
    # Offline check of an exported original
    "audit.offline.cannot_read": (
        "无法读取{what} {path}：{reason}",
        "cannot read the {what} {path}: {reason}",
    ),
    "audit.offline.what_key": ("公钥", "public key"),
    "audit.offline.what_record": ("签名记录", "record"),
    "audit.offline.what_file": ("文件", "file"),
    "audit.offline.not_record": (
        "{path} 不是导出的签名记录（应为含 record 与 signature 的 JSON）",
        "{path} is not an exported record (JSON with record and signature)",
    ),
    "audit.offline.record_not_object": (
        "{path} 不是导出的签名记录（其中的 record 不是对象）",
        "{path} is not an exported record (its record is not an object)",
    ),
    "audit.offline.signature": (
        "签名与记录不符（或由其他密钥签署）",
        "the signature does not match the record (or was made with another key)",
    ),
    "audit.offline.metadata": (
        "著录信息签名记录与其签名不符，或指向另一件文件",
        "the signed metadata record does not match its signature or names another document",
    ),
    "audit.offline.content_differs": (
        "文件的 {name} 与签名记录不符",
        "the file's {name} differs from the signed record",
    ),
    "audit.offline.exists": (
        "{path} 已存在；请导出到空文件夹。",
        "{path} already exists; export into an empty folder",
    ),
    "audit.offline.cannot_write": (
        "无法写入导出文件夹 {path}：{reason}",
        "cannot write the export into {path}: {reason}",
    ),
    # Reports (四性检测报告)
    "audit.report.title": (
        "电子档案四性检测报告（DA/T 70）",
        "Four-property report of electronic records (DA/T 70)",
    ),
    "audit.report.file": ("四性检测报告-{day}", "audit-report-{day}"),
    "audit.report.run": ("检测编号", "run"),
    "audit.report.status": ("状态", "status"),
    "audit.report.started_at": ("开始时间", "started"),
    "audit.report.finished_at": ("结束时间", "finished"),
    "audit.report.started_by": ("检测人", "audited by"),
    "audit.report.scope": ("检测范围", "scope"),
    "audit.report.checked": ("检测文件数", "documents checked"),
    "audit.report.failed": ("未通过文件数", "documents failed"),
    "audit.report.archive_failures": ("全库检查问题数", "archive problems"),
    "audit.report.property": ("性质", "property"),
    "audit.report.passed": ("通过", "passed"),
    "audit.report.failed_count": ("未通过", "failed"),
    "audit.report.verdict": ("结论", "verdict"),
    "audit.report.document": ("文件", "document"),
    "audit.report.household": ("业户", "household"),
    "audit.report.check": ("检查项", "check"),
    "audit.report.detail": ("说明", "detail"),
    "audit.report.at": ("检测时间", "checked at"),
    "audit.report.last_good": ("上次通过", "last good"),
    "audit.report.never_passed": ("从未通过", "never passed"),
    "audit.report.unfinished": ("未完成", "unfinished"),
    "audit.report.ok": ("通过", "passed"),
    "audit.report.not_ok": ("未通过", "failed"),
    "audit.report.running": ("检测中", "running"),
    "audit.report.finished": ("已完成", "finished"),
    "audit.report.whole": ("全库", "whole archive"),
    "audit.report.sample": ("抽检 {n} 件", "sample of {n}"),
    "audit.report.since": ("{day} 以后入库", "taken in since {day}"),
    "audit.report.household_scope": ("业户 {code}", "household {code}"),
    "audit.report.summary": ("汇总", "summary"),
    "audit.report.failures": ("未通过项（{n}）", "failures ({n})"),
    "audit.report.all_passed": ("全部检查通过。", "every check passed."),
    "audit.report.archive": ("全库", "archive"),
    # The command line
    "audit.cli.continuing": (
        "继续第 {id} 次检测（已检测 {checked} 件文件）",
        "continuing audit run {id} ({checked} document(s) already checked)",
    ),
    "audit.cli.where_document": ("文件 {id}（{household}）", "document {id} ({household})"),
    "audit.cli.where_archive": ("全库", "archive"),
    "audit.cli.last_good": ("上次通过 {at}", "last good {at}"),
    "audit.cli.never_passed": ("此前从未通过", "never passed before"),
    "audit.cli.failed_detail": ("未通过", "failed"),
    "audit.cli.failure": (
        "未通过 {where}：{check} —— {detail}；{since}",
        "FAIL {where}: {check} — {detail}; {since}",
    ),
    "audit.cli.summary_failed": (
        "未通过：第 {run} 次检测：检测文件 {checked} 件，未通过 {failed} 件，全库检查问题 {problems} 项",
        "FAILED: audit run {run}: {checked} document(s) checked, {failed} failed, {problems} archive problem(s)",
    ),
    "audit.cli.summary_ok": (
        "通过：第 {run} 次检测：检测文件 {checked} 件，未通过 {failed} 件，全库检查问题 {problems} 项",
        "ok: audit run {run}: {checked} document(s) checked, {failed} failed, {problems} archive problem(s)",
    ),
    "audit.cli.report_written": ("报告已写入 {path}", "report written to {path}"),
    "audit.cli.history_line": (
        "{at}  第 {run} 次  {outcome}  {check}  {detail}",
        "{at}  run {run:<5} {outcome:<4} {check:<12} {detail}",
    ),
    "audit.cli.no_history": ("没有检测记录", "no checks recorded"),
    "audit.cli.check_ok": ("{name}：通过", "{name} ok"),
    "audit.cli.check_failed": ("{name}：未通过", "{name} FAILED"),
    "audit.offline.check.signature": ("签名", "signature"),
    "audit.offline.check.metadata": ("著录信息签名", "metadata"),
    "audit.offline.check.size": ("大小", "size"),
    "audit.offline.check.sha256": ("SHA-256", "sha256"),
    "audit.offline.check.sm3": ("SM3", "sm3"),
    "audit.cli.file_ok": (
        "通过：{file}（文件 {document}）：{checks}",
        "ok: {file} (document {document}): {checks}",
    ),
    "audit.cli.file_failed": (
        "未通过：{file}（文件 {document}）：{checks}",
        "FAILED: {file} (document {document}): {checks}",
    ),
    "audit.cli.signed_with": ("  签名密钥 {fingerprint}", "  signed with key {fingerprint}"),
}
