"""Batch manifests (批量清单) as people make them: a CSV (UTF-8 or GBK) or an Excel workbook read
into rows of text, and the template offered for download in both forms.

The columns and their Chinese headers are :data:`MANIFEST_COLUMNS`; what a row means is
``ingest.intake.read_manifest``'s business. A workbook is recognised by its content (a ZIP), not
by its name; its first sheet is the manifest, and dates or numbers Excel stored as such are
written back as the text a person would have typed.
"""

from __future__ import annotations

import csv
import io

from dossier.sheets import read_rows_and_delimiter

MANIFEST_COLUMNS = {
    "file": ("file", "文件", "文件名"),
    "household": ("household", "户号", "房号", "业户"),
    "type": ("type", "类型", "文件类型"),
    "title": ("title", "标题", "题名"),
    "date": ("date", "日期", "文件日期"),
    "confidential": ("confidential", "保密", "密级"),
    "retention": ("retention", "保管期限"),
    "community": ("community", "小区", "项目"),
}
MAX_ROWS = 20_000  # a manifest lists one batch's files; a workbook longer than this is not one

# The template: its Chinese headers (the first of each column's Chinese names) and example rows.
TEMPLATE_HEADER = ["文件", "户号", "小区", "类型", "标题", "日期", "保密", "保管期限"]
TEMPLATE_EXAMPLES = [
    ["购房合同.pdf", "A-1-1201", "", "购房合同", "购房合同（正本）", "2019-05-01", "否", ""],
    ["一号盒/装修申请.pdf", "A-1-1201", "", "装修档案", "装修申请表", "2024-03-09", "否", "定期10年"],
]
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def manifest_rows(data: bytes, name: str) -> tuple[list[list[str]], str]:
    """The manifest's rows as text, and the CSV delimiter to write them back with. InvalidInput
    for a file that is neither CSV text nor a readable workbook (``dossier.sheets`` reads both)."""
    return read_rows_and_delimiter(data, name, max_rows=MAX_ROWS)


def template_csv() -> bytes:
    """The template as CSV, UTF-8 with a BOM (so Excel on Chinese Windows opens it correctly)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([TEMPLATE_HEADER, *TEMPLATE_EXAMPLES])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(types: list[tuple[str, str]], classes: list[tuple[str, str]]) -> bytes:
    """The template as a workbook: the manifest sheet with the example rows, and a second sheet
    listing the document types and retention classes this archive knows (code and name)."""
    from openpyxl import Workbook  # reason: 500 ms at import; only the template download needs it
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "批量清单"
    sheet.append(TEMPLATE_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in TEMPLATE_EXAMPLES:
        sheet.append(row)
    for column, width in zip("ABCDEFGH", (26, 12, 12, 14, 22, 12, 8, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    values = book.create_sheet("可填写的值")
    values.append(["文件类型", "类型代码", "", "保管期限", "期限代码"])
    for cell in values[1]:
        cell.font = Font(bold=True)
    for index in range(max(len(types), len(classes))):
        code, name = types[index] if index < len(types) else ("", "")
        class_code, class_name = classes[index] if index < len(classes) else ("", "")
        values.append([name, code, "", class_name, class_code])
    for column, width in zip("ABCDE", (20, 16, 4, 20, 10), strict=True):
        values.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
