"""The loan register (借阅登记) as a spreadsheet: the rows the loans page shows, with its filter."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy.orm import Session

from dossier import localtime
from dossier.actor import Actor
from dossier.catalog import zh
from dossier.models import AccessAction
from dossier.services.access import record_access
from dossier.sheets import Column, Table, export_note
from paper.loans import list_loans, open_register

HISTORY_SHOWN = 100  # the loans page's 借阅历史 (returned loans, newest first)

LOAN_COLUMNS = (
    Column("登记号", "int"),
    Column("文件编号", "int"),
    Column("档号", width=30),
    Column("文件题名", width=24),
    Column("业户", width=14),
    Column("保密"),
    Column("借阅人", width=12),
    Column("借阅单位", width=14),
    Column("借阅目的", width=20),
    Column("方式"),
    Column("批准人"),
    Column("经办人"),
    Column("借出时间", "datetime", width=18),
    Column("应还日期", "date", width=12),
    Column("归还时间", "datetime", width=18),
    Column("接收人"),
    Column("结果", width=18),
    Column("逾期天数", "int"),
    Column("续借次数", "int"),
    Column("催还次数", "int"),
)


def loans_table(
    session: Session, actor: Actor, *, only_overdue: bool = False, today: date | None = None
) -> Table:
    """The loans page as a sheet: the loans out (only the overdue ones with that filter), then
    the latest returned ones; the export is written to the access log."""
    today = today or localtime.today()
    shown = open_register(session, actor, today)
    if only_overdue:
        shown = [v for v in shown if v["overdue"]]
    views = shown + list_loans(session, actor, closed_only=True, limit=HISTORY_SHOWN)
    record_access(
        session,
        actor,
        AccessAction.LOAN_EXPORT,
        detail=json.dumps({"overdue_only": only_overdue, "rows": len(views)}, ensure_ascii=False),
    )
    return Table(
        zh("exports.loans_title"),
        LOAN_COLUMNS,
        [_row(v) for v in views],
        note=export_note(session, actor.username),
    )


def _row(v: dict) -> list[object]:
    return [
        v["loan"],
        v["document"],
        v["archive_no"] or "",
        v["title"],
        v["household"],
        zh("exports.yes") if v["confidential"] else zh("exports.no"),
        v["borrower"],
        v["unit"],
        v["purpose"],
        v["manner_name"],
        v["approved_by_name"],
        v["lent_by_name"],
        datetime.fromisoformat(v["out_at"]),
        date.fromisoformat(v["due"]),
        datetime.fromisoformat(v["returned_at"]) if v["returned_at"] else None,
        v["returned_to_name"],
        v["outcome"],
        v["days_overdue"] or None,
        len(v["renewals"]),
        len(v["reminders"]),
    ]
