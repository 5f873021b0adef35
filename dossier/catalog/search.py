"""Messages of the search area: ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    # The query and its filters (search/query.py, search/service.py).
    "search.not_a_date": (
        "“{value}”不是日期：请写成 2021、2021-03 或 2021-03-15。",
        "{value!r} is not a date; write 2021, 2021-03 or 2021-03-15",
    ),
    "search.range_reversed": (
        "日期范围“{value}”的结束早于开始。",
        "the date range {value!r} ends before it starts",
    ),
    "search.dates_reversed": ("起始日期晚于截止日期。", "the start date is after the end date"),
    "search.unclosed_quote": (
        '引号没有闭合：{quote}{phrase}……缺少后引号。精确短语请用一对引号括起来，例如 "维修基金"。',
        "a quote is not closed: {quote}{phrase}... has no closing quote; put an exact phrase "
        'between a pair of quotes, such as "维修基金"',
    ),
    "search.unknown_type": (
        "没有“{value}”这种文件类型：请填写类型代码或中文名称。",
        "unknown document type {value!r}; use a type code or its Chinese name",
    ),
    "search.unknown_filter": ("未知的筛选条件 {field}:。", "unknown filter {field}:"),
    "search.query_too_long": (
        "检索内容太长（最多 500 个字符）。",
        "the query is too long (500 characters at most)",
    ),
    "search.nothing_to_search": (
        "请输入要检索的内容：词语、短语，或筛选条件（例如 type:装修）。",
        "say what to search for: words, a phrase or a filter such as type:装修",
    ),
    # The chips of the filters in force (webapp/search.py), by form field.
    "search.filter_type": ("类型", "type"),
    "search.filter_household": ("户号", "household"),
    "search.filter_community": ("小区", "community"),
    "search.filter_building": ("楼栋", "building"),
    "search.filter_cabinet": ("柜", "cabinet"),
    "search.filter_box": ("盒", "box"),
    "search.filter_from": ("起始日期", "from"),
    "search.filter_to": ("截止日期", "to"),
    "search.filter_year": ("年份", "year"),
    "search.date_from": ("文件日期自", "from date"),
    "search.date_to": ("文件日期至", "to date"),
    # The index (search/writer.py, search/whoosh_compat.py).
    "search.index_busy": (
        "另一个索引写入程序正在运行，请等它结束后再试。",
        "another index writer is busy; try again when it has finished",
    ),
    "search.index_busy_journalled": (
        "另一个索引写入程序正在运行；改动已记入日志，稍后会写入索引。",
        "another index writer is busy; the changes are journalled and will be applied",
    ),
    "search.whoosh_version": (
        "检索需要 {distribution}=={pinned}（search/whoosh_compat.py 依赖其内部实现），但找到的是 "
        "{found}，whoosh 模块版本 {module}；请安装：pip install '{distribution}=={pinned}'",
        "search needs {distribution}=={pinned} exactly (search/whoosh_compat.py relies on its "
        "internals), but found {found} with a whoosh module of version {module}; "
        "install it with: pip install '{distribution}=={pinned}'",
    ),
    "search.whoosh_found": ("{distribution} {version}", "{distribution} {version}"),
    "search.whoosh_missing": ("未安装 {distribution}", "no {distribution}"),
    # CLI output (dossier/cli/search.py).
    "search.cli_total": ("共 {total} 份文件", "{total} document(s)"),
    "search.cli_total_at_least": ("至少 {total} 份文件", "at least {total} document(s)"),
    "search.cli_folder": ("业户档案 {code}（{community}）{owners}", "folder {code} ({community}) {owners}"),
    "search.cli_withheld_snippet": (
        "（保密文件：填写查阅目的后显示内容摘要）",
        "(保密: no snippet before a purpose is given)",
    ),
    "search.cli_confidential": ("[保密] ", "[保密] "),
    "search.cli_page": ("第{page}页", "p{page}"),
    "search.cli_suggestions": ("建议：{items}", "suggestions: {items}"),
    "search.cli_suggestion": ("{q}（{count} 份）", "{q} ({count})"),
    "search.cli_text_withheld": (
        "证件号码、手机号码和银行卡号只在业户档案中查找。",
        "ID, mobile and bank-card numbers are looked up in the households only.",
    ),
    "search.cli_rebuilt": (
        "索引已重建：{documents} 份文件，{pages} 页",
        "index rebuilt: {documents} documents, {pages} pages",
    ),
    "search.cli_check": (
        "{indexed} / {documents} 份文件已编入索引；缺少 {missing}，多余 {orphans}，过期 {stale}，待处理 {pending}",
        "{indexed} of {documents} documents indexed; missing {missing}, orphans {orphans}, stale {stale}, "
        "pending {pending}",
    ),
    "search.cli_check_ok": ("正常：{detail}", "ok: {detail}"),
    "search.cli_check_mismatch": ("不一致：{detail}", "MISMATCH: {detail}"),
    "search.cli_synced": ("已重新编入索引 {synced} 份文件", "{synced} document(s) re-indexed"),
}
