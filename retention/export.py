"""A destruction list and its certificate of destruction (销毁证明) as data, CSV and XLSX.

The certificate names the list, its items, who proposed, approved and executed it, the dates,
the paper destructions and their witnesses, and the shredding-log entries of the list with the
SHA-256 over their hashes, so anyone can check it against ``dossier shredlog verify``.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.catalog import zh
from dossier.cells import safe_cell, safe_row
from dossier.localtime import format_datetime
from dossier.models import DestructionList, PaperDestruction, utcnow
from dossier.people import display_names
from dossier.permissions import Permission, require_any
from retention.lists import ITEM_STATE_NAMES_ZH, LIST_STATUS_NAMES_ZH, item_view, list_view
from retention.paper import paper_view
from retention.shredlog import entries_for_list, head_text, range_hash

ITEM_COLUMNS: list[tuple[str, str]] = [
    ("position", "序号"),
    ("document", "文件编号"),
    ("item_archive_no", "档号"),
    ("archive_no", "业户档案号"),
    ("household", "户号"),
    ("type_name", "文件类型"),
    ("title", "题名"),
    ("date", "文件日期"),
    ("class", "保管期限"),
    ("disposal_date", "到期日期"),
    ("paper_location", "纸质原件存放位置"),
    ("state_name", "状态"),
    ("struck_reason", "剔除理由"),
    ("destroyed_at", "电子文件销毁时间"),
    ("paper_destroyed", "纸质原件已销毁"),
    ("sha256", "SHA-256"),
]


def item_rows(dl: DestructionList) -> list[dict]:
    rows = []
    for item in dl.items:
        view = item_view(item)
        view["state_name"] = ITEM_STATE_NAMES_ZH.get(item.state, item.state)
        view["destroyed_at"] = format_datetime(item.destroyed_at, seconds=True)
        view["paper_location"] = view["paper_location"] or "无"
        view["paper_destroyed"] = ("是" if view["paper_destroyed"] else "否") if item.paper_location else "—"
        rows.append(view)
    return rows


def certificate(session: Session, actor: Actor, dl: DestructionList) -> dict:
    require_any(actor, Permission.PROPOSE_DESTRUCTION, Permission.AUDIT)
    entries = entries_for_list(session, dl.number)
    papers = session.scalars(
        select(PaperDestruction).where(PaperDestruction.list_id == dl.id).order_by(PaperDestruction.id)
    ).all()
    per_paper = {p.id: sum(1 for i in dl.items if i.paper_destruction_id == p.id) for p in papers}
    names = display_names(session, (dl.proposed_by, dl.approved_by, dl.executed_by))
    return {
        **list_view(dl, with_items=False),
        "people": {
            role: _person(names, username)
            for role, username in (
                ("proposed_by", dl.proposed_by),
                ("approved_by", dl.approved_by),
                ("executed_by", dl.executed_by),
            )
        },
        "title": zh("retention.certificate_title"),
        "list": dl.number,
        "status_name": LIST_STATUS_NAMES_ZH.get(dl.status, dl.status),
        "paper": [paper_view(p, per_paper[p.id]) for p in papers],
        "log": {
            "entries": len(entries),
            "first_seq": entries[0].seq if entries else None,
            "last_seq": entries[-1].seq if entries else None,
            "seqs": [e.seq for e in entries],
            "range_sha256": range_hash(entries),
            # The log's signed head when the certificate was made: later entries only extend it.
            "head": head_text(session),
        },
        "items": item_rows(dl),
        "generated_at": utcnow().replace(microsecond=0).isoformat(),
        "usernames": {
            "proposed_by": dl.proposed_by,
            "approved_by": dl.approved_by,
            "executed_by": dl.executed_by,
        },
    }


def _person(names: dict, username: str | None) -> str | None:
    """The 姓名 people sign with (the account's username when it has none)."""
    if username is None:
        return None
    return names.get(username) or username


def _when(iso: str | None) -> str:
    """Beijing time (``dossier.localtime``), to the second."""
    return format_datetime(datetime.fromisoformat(iso), seconds=True) if iso else "—"


def certificate_pairs(cert: dict) -> list[tuple[str, str]]:
    """The certificate's facts as (label, value) lines, for CSV, XLSX and the printable page."""
    c, log, people = cert["counts"], cert["log"], cert["people"]
    pairs = [
        ("销毁清册编号", cert["list"]),
        ("状态", cert["status_name"]),
        ("到期基准日", cert["as_of"]),
        ("编制人", people["proposed_by"]),
        ("编制时间", _when(cert["proposed_at"])),
        ("审批人", people["approved_by"] or "—"),
        ("审批时间", _when(cert["approved_at"])),
        ("执行人", people["executed_by"] or "—"),
        ("执行完成时间", _when(cert["executed_at"])),
        ("列入清册文件数", str(c["total"])),
        ("已销毁电子文件数", str(c["destroyed"])),
        ("审核剔除数", str(c["struck"])),
        ("待销毁数", str(c["pending"])),
        ("纸质原件数 / 已销毁", f"{c['paper']} / {c['paper_destroyed']}"),
    ]
    for p in cert["paper"]:
        line = zh(
            "retention.paper_line",
            date=p["destroyed_on"],
            method=p["method"],
            shredder=p["shredded_by"],
            witnesses="、".join(p["witnesses"]),
            count=p["items"],
        )
        pairs.append(("纸质原件销毁", line))
    seqs = f"{log['first_seq']}–{log['last_seq']}" if log["entries"] else "—"
    pairs += [
        ("销毁日志条目", zh("retention.log_range", entries=log["entries"], seqs=seqs)),
        ("日志条目哈希（SHA-256）", log["range_sha256"] or "—"),
        ("销毁日志链头（序号:哈希）", log["head"] or "—"),
        ("生成时间", _when(cert["generated_at"])),
    ]
    return pairs


def items_csv(dl: DestructionList) -> bytes:
    return _csv(
        [[label for _, label in ITEM_COLUMNS]]
        + [[safe_cell(row[key]) for key, _ in ITEM_COLUMNS] for row in item_rows(dl)]
    )


def certificate_csv(cert: dict) -> bytes:
    return _csv([["项目", "内容"]] + [safe_row(p) for p in certificate_pairs(cert)])


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # Excel on Chinese Windows reads the BOM as UTF-8


def _typed(key: str, value):
    """A list cell as Excel should hold it: dates as dates, the destruction time as a Beijing
    time (Excel has no zones), the rest as safe text or numbers."""
    if key in ("date", "disposal_date") and value:
        return date.fromisoformat(value)
    if key == "destroyed_at" and value:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")  # already Beijing time
    return safe_cell(value)


def workbook(dl: DestructionList, cert: dict) -> bytes:
    """Two sheets: the list (销毁清册) and the certificate (销毁证明)."""
    from openpyxl import Workbook  # reason: 500 ms at import; only XLSX exports need it
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "销毁清册"
    sheet.append([f"销毁清册 {dl.number}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([label for _, label in ITEM_COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in item_rows(dl):
        sheet.append([_typed(key, row[key]) for key, _ in ITEM_COLUMNS])
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    widths = (6, 9, 32, 14, 12, 14, 30, 12, 9, 12, 20, 9, 24, 22, 12, 66)
    for column, width in zip("ABCDEFGHIJKLMNOP", widths, strict=True):
        sheet.column_dimensions[column].width = width
    cert_sheet = book.create_sheet("销毁证明")
    cert_sheet.append([f"销毁证明 {dl.number}"])
    cert_sheet["A1"].font = Font(bold=True, size=14)
    for label, value in certificate_pairs(cert):
        cert_sheet.append([label, safe_cell(value)])
    cert_sheet.column_dimensions["A"].width = 24
    cert_sheet.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
