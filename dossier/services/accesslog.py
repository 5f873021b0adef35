"""Reading the access log (查阅登记) for auditors: filter, page through, export (XLSX, CSV).

The log itself is written by ``dossier.services.access.record_access`` and is append-only:
nothing here (or anywhere) updates or deletes a row, not even for a destroyed document. Reading
it is an audit permission; exporting it is itself recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossier.actor import Actor
from dossier.catalog import CATALOG, zh
from dossier.dates import parse_date
from dossier.models import AccessAction, AccessEvent, Household
from dossier.people import all_display_names
from dossier.permissions import ROLE_NAMES_ZH, Permission, require
from dossier.services.access import record_access
from dossier.services.history import FIELD_NAMES_ZH
from dossier.sheets import Column, Table, export_note
from dossier.sheets import csv_lines as sheet_csv_lines

STREAM_CHUNK = 1000
ACTION_NAMES_ZH = {
    "document.view": "查看文件",
    "page.view": "查看页面",
    "document.download": "下载原件",
    "document.print": "打印",
    "document.export": "导出原件",
    "search": "检索",
    "handover.export": "移交导出",
    "handover.import": "移交接收",
    "forbidden": "越权访问",
    "household.view": "查看业户档案",
    "household.create": "建档",
    "household.edit": "修改房屋信息",
    "household.close": "结档",
    "household.reopen": "撤销结档",
    "party.add": "登记人员",
    "party.edit": "修改登记人",
    "party.moveout": "登记迁出",
    "party.remove": "删除登记人",
    "community.rename": "小区改名",
    "community.merge": "小区合并",
    "document.intake": "入库",
    "login": "登录",
    "logout": "退出",
    "accesslog.export": "导出查阅登记",
    "credential.check": "复核审批人身份",
    "user.add": "添加用户",
    "user.update": "修改用户姓名或角色",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "password.change": "修改密码",
    "password.reset": "重置密码",
    "token.create": "创建接口令牌",
    "token.revoke": "吊销接口令牌",
    "backup": "备份",
    "inventory": "库房清点",
    "inventory.resolve": "处理清点差异",
    "document.history": "查看修改记录",
    "document.edit": "更正文件信息",
    "document.retention": "调整保管期限",
    "document.destroy": "销毁电子文件",
    "stack.intake": "扫描件入库",
    "stack.view": "查看未归档扫描页",
    "coversheet.print": "打印封面",
    "hold.add": "冻结",
    "hold.release": "解除冻结",
    "retention.class.add": "新增保管期限",
    "retention.class.change": "修改保管期限",
    "retention.propose": "编制销毁清册",
    "retention.strike": "从清册剔除",
    "retention.approve": "批准销毁清册",
    "retention.executed": "执行销毁",
    "paper.destroy": "登记纸质原件销毁",
    "paper.location": "登记纸质原件位置",
    "loan.out": "借出",
    "loan.return": "归还",
    "loan.renew": "续借",
    "loan.remind": "催还",
    "job.start": "启动后台任务",
    "household.export": "导出业户档案",
    "loan.export": "导出借阅登记",
    "statistics.export": "导出档案统计",
}


@dataclass(frozen=True)
class AccessFilter:
    user: str | None = None
    action: str | None = None
    household: str | None = None
    document: int | None = None
    outcome: str | None = None
    date_from: str | date | None = None
    date_to: str | date | None = None

    def as_params(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


def _query(f: AccessFilter):
    query = select(AccessEvent, Household.code).outerjoin(Household, Household.id == AccessEvent.household_id)
    if f.user:
        query = query.where(AccessEvent.username == f.user)
    if f.action:
        query = query.where(AccessEvent.action == f.action)
    if f.household:
        query = query.where(Household.code == f.household)
    if f.document:
        query = query.where(AccessEvent.document_id == f.document)
    if f.outcome:
        query = query.where(AccessEvent.outcome == f.outcome)
    start, end = parse_date(f.date_from, "起始日期"), parse_date(f.date_to, "截止日期")
    if start:
        query = query.where(AccessEvent.at >= datetime.combine(start, time.min, UTC))
    if end:
        query = query.where(AccessEvent.at < datetime.combine(end + timedelta(days=1), time.min, UTC))
    return query


def purpose_of(event: AccessEvent) -> str | None:
    """The stated purpose (查阅目的) an entry carries, if any."""
    detail = event.detail or ""
    if detail.startswith("{"):
        try:
            value = json.loads(detail).get("purpose")
        except (ValueError, AttributeError):
            return None
        return value if isinstance(value, str) else None
    return None


def access_row(event: AccessEvent, household: str | None) -> dict:
    return {
        "id": event.id,
        "at": event.at.isoformat() if event.at else None,
        "username": event.username,
        "role": event.role,
        "action": event.action,
        "outcome": event.outcome,
        "household": household,
        "document": event.document_id,
        "client_addr": event.client_addr,
        "channel": event.channel,
        "purpose": purpose_of(event),
        "detail": event.detail,
    }


def list_access(
    session: Session, actor: Actor, f: AccessFilter, *, limit: int = 100, offset: int = 0
) -> tuple[int, list[dict]]:
    """One page of entries, newest first, and how many match."""
    require(actor, Permission.AUDIT)
    query = _query(f)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(AccessEvent.id.desc()).limit(limit).offset(offset))
    return total, [access_row(event, household) for event, household in rows]


def iter_access(session: Session, actor: Actor, f: AccessFilter) -> Iterator[dict]:
    """Every matching entry, oldest first, streamed (bounded memory); the export is logged first.
    The caller commits before reading the rows, so the export is on record before any row leaves
    and the log is not held for the length of the export."""
    require(actor, Permission.AUDIT)
    _query(f)  # refuse bad dates before anything is written
    record_access(
        session,
        actor,
        AccessAction.ACCESSLOG_EXPORT,
        detail=json.dumps(f.as_params(), ensure_ascii=False, default=str),
    )
    return _stream(session, f)


def _stream(session: Session, f: AccessFilter) -> Iterator[dict]:
    last = 0
    while True:
        chunk = session.execute(
            _query(f).where(AccessEvent.id > last).order_by(AccessEvent.id).limit(STREAM_CHUNK)
        ).all()
        if not chunk:
            return
        for event, household in chunk:
            yield access_row(event, household)
        last = chunk[-1][0].id
        session.expunge_all()


CHANNEL_NAMES_ZH = {"web": "网页", "cli": "命令行", "api": "接口"}

# Keys whose value is a code, and where that code's Chinese name is in the catalog.
_CODED_VALUES = {"manner": "paper.manner.", "condition": "paper.condition.", "channel": "paper.reminder."}


def detail_text(detail: str | None) -> str | None:
    """An entry's detail as people read it: a JSON object's keys, and the codes among its values,
    in Chinese (``{"page": 2, "purpose": "核对"}`` → ``页码：2；查阅目的：核对``); a change as
    ``before → after``; any other detail as it was stored."""
    if not detail or not detail.startswith("{"):
        return detail
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    return _pairs(data) if isinstance(data, dict) else detail


def _pairs(data: dict) -> str:
    return "；".join(f"{_key_name(k)}：{_value(k, v)}" for k, v in data.items() if v not in (None, ""))


def _key_name(key: str) -> str:
    named = CATALOG.get(f"accesslog.key.{key}")
    return named.zh if named is not None else FIELD_NAMES_ZH.get(key, key)


def _value(key: str, value: object, *, change: bool = False) -> str:
    if isinstance(value, bool):
        return zh("exports.yes") if value else zh("exports.no")
    if isinstance(value, dict):
        nested = {k: _value(k, v, change=key == "changes") for k, v in value.items()}
        return "（" + _pairs(nested) + "）"
    if isinstance(value, list):
        parts = ["—" if v in (None, "") else _value(key, v) for v in value]
        is_change = change or key in FIELD_NAMES_ZH or key in ("display_name", "role")
        return " → ".join(parts) if is_change and len(parts) == 2 else "、".join(parts)
    if key == "role":
        return ROLE_NAMES_ZH.get(str(value), str(value))
    if key == "action":
        return ACTION_NAMES_ZH.get(str(value), str(value))
    prefix = _CODED_VALUES.get(key)
    coded = CATALOG.get(f"{prefix}{value}") if prefix else None
    if coded is not None:
        return coded.zh
    return str(value)


ACCESS_COLUMNS = (
    Column("时间", "datetime", width=18),
    Column("姓名"),
    Column("用户名"),
    Column("角色", width=14),
    Column("操作", width=16),
    Column("结果"),
    Column("业户", width=14),
    Column("文件编号", "int"),
    Column("地址", width=16),
    Column("查阅目的", width=20),
    Column("详情", width=40),
)


def access_cells(row: dict, names: dict[str, str]) -> list[object]:
    """One entry as the export's cells (``ACCESS_COLUMNS``): Chinese names for roles, actions
    and outcomes, the person's 姓名 beside the username."""
    return [
        datetime.fromisoformat(row["at"]) if row["at"] else None,
        names.get(row["username"] or "", row["username"]),
        row["username"],
        ROLE_NAMES_ZH.get(row["role"] or "", row["role"]),
        ACTION_NAMES_ZH.get(row["action"], row["action"]),
        zh("exports.outcome_ok") if row["outcome"] == "ok" else zh("exports.outcome_denied"),
        row["household"],
        row["document"],
        row["client_addr"] or CHANNEL_NAMES_ZH.get(row["channel"], row["channel"]),
        row["purpose"],
        detail_text(row["detail"]),
    ]


def access_table(session: Session, actor: Actor, f: AccessFilter) -> Table:
    """Every matching entry, oldest first, as the 查阅登记 spreadsheet (the export is logged)."""
    names = all_display_names(session)
    return Table(
        zh("exports.accesslog_title"),
        ACCESS_COLUMNS,
        [access_cells(r, names) for r in iter_access(session, actor, f)],
        note=export_note(session, actor.username),
    )


def csv_lines(session: Session, rows: Iterable[dict]) -> Iterator[str]:
    """The same export as CSV text line by line (headers first), streamed in bounded memory."""
    names = all_display_names(session)
    return sheet_csv_lines(ACCESS_COLUMNS, (access_cells(r, names) for r in rows))
