"""Messages of the exports area: ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    "sheets.yes": ("是", "yes"),
    "sheets.no": ("否", "no"),
    # reading a sheet
    "exports.too_many_rows": (
        "表格 {name} 超过 {limit} 行，请分批导入。",
        "the sheet {name} has more than {limit} rows; import it in parts.",
    ),
    "exports.unreadable_workbook": (
        "{name} 不是可读取的 Excel 工作簿，请另存为 .xlsx 或 CSV。",
        "{name} is not a readable Excel workbook; save it as .xlsx or CSV.",
    ),
    # exports
    "exports.note": ("导出人：{who}　导出时间：{at}", "exported by {who} at {at}"),
    "exports.households_title": ("业户基本情况汇总表", "Households summary"),
    "exports.search_title": ("检索结果", "Search results"),
    "exports.search_withheld": (
        "保密文件：打开文件并填写查阅目的后显示内容摘要。",
        "confidential: the snippet shows once a purpose is given for the document.",
    ),
    "exports.batch_title": ("入库批次 {batch} 报告", "Intake batch {batch} report"),
    "exports.accesslog_title": ("查阅登记", "Access log"),
    "exports.loans_title": ("借阅登记", "Loan register"),
    "exports.outcome_ok": ("成功", "ok"),
    "exports.outcome_denied": ("拒绝", "denied"),
    "exports.yes": ("是", "yes"),
    "exports.no": ("否", "no"),
    # import
    "exports.template_title": ("业户导入模板", "Household import template"),
    "exports.template_note": (
        "每行一户或一位登记人：户号必填；新户填写房屋信息，已有业户只填户号、小区和登记人；"
        "用途填住宅、商业或办公，身份填业主、租户或紧急联系人。",
        "one household or party per row: the code is required; a new household gives its facts, "
        "an existing one only its code, community and the party; use is 住宅, 商业 or 办公, "
        "role is 业主, 租户 or 紧急联系人.",
    ),
    "exports.import_row": ("第 {row} 行：{reason}", "row {row}: {reason}"),
    "exports.import_no_header": (
        "{name} 的前 5 行中没有“户号”列标题，请使用导入模板。",
        "{name} has no 户号 (household code) header in its first 5 rows; use the import template.",
    ),
    "exports.import_empty": ("{name} 中没有要导入的行。", "{name} has no rows to import."),
    "exports.import_no_code": ("未填写户号。", "the household code is missing."),
    "exports.import_bad_floor": ("楼层“{value}”不是整数。", 'floor "{value}" is not a whole number.'),
    "exports.import_party_exists": (
        "{code} 已登记 {name}，未重复登记。",
        "{name} is already registered for {code}; not added again.",
    ),
    "exports.import_nothing": ("表格中没有要导入的行。", "the sheet has no rows to import."),
    "exports.import_done": (
        "已导入：新建业户 {households} 户，登记人员 {parties} 人；跳过有误的行 {skipped} 行。",
        "imported: {households} households opened, {parties} parties registered; {skipped} rows skipped.",
    ),
    "exports.import_refused": (
        "共 {rows} 行，其中 {refused} 行有误：未导入任何数据。请改正后重新导入，或选择“仅导入有效行”。",
        "{rows} rows, {refused} of them refused: nothing was imported. Correct them and import again, "
        "or choose to import only the valid rows.",
    ),
    "exports.no_file": ("请选择要导入的 XLSX 或 CSV 文件。", "choose an XLSX or CSV file to import."),
    "exports.cli_bad_suffix": (
        "输出文件 {name} 须以 .xlsx 或 .csv 结尾。",
        "the output file {name} must end in .xlsx or .csv.",
    ),
    "exports.cli_exported": ("已导出 {rows} 户到 {path}。", "exported {rows} households to {path}."),
}
