"""The four-property report (四性检测, DA/T 70) of an audit run, and each document's fixity history.

A failure row says since when the check was last good: the newest earlier ``pass`` event of the
same check on the same document (or, for archive-wide checks, of the same check anywhere).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from jinja2 import Environment, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.checks import CHECKS, PROPERTIES, PROPERTY_NAMES_ZH
from audit.verification import FINISHED, get_run, run_view
from dossier.actor import Actor
from dossier.catalog import zh
from dossier.cells import safe_row
from dossier.errors import InvalidInput, NotFound
from dossier.localtime import format_date, format_datetime
from dossier.models import AuditRun, FixityEvent, FixityOutcome, Household
from dossier.people import display_names
from dossier.permissions import Permission, require

FORMATS = ("html", "csv", "json")


def latest_run(session: Session, actor: Actor) -> AuditRun:
    require(actor, Permission.AUDIT)
    run = session.scalar(select(AuditRun).order_by(AuditRun.id.desc()))
    if run is None:
        raise NotFound("audit.no_run")
    return run


def list_runs(session: Session, actor: Actor, limit: int = 20) -> list[dict]:
    require(actor, Permission.AUDIT)
    return [run_view(r) for r in session.scalars(select(AuditRun).order_by(AuditRun.id.desc()).limit(limit))]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _last_good(session: Session, event: FixityEvent):
    query = select(func.max(FixityEvent.at)).where(
        FixityEvent.check == event.check,
        FixityEvent.outcome == FixityOutcome.PASS,
        FixityEvent.at <= event.at,
        FixityEvent.run_id < event.run_id,
    )
    if event.document_id is not None:
        query = query.where(FixityEvent.document_id == event.document_id)
    return session.scalar(query)


def failures(session: Session, run: AuditRun, limit: int | None = None) -> list[dict]:
    query = (
        select(FixityEvent, Household.code)
        .outerjoin(Household, Household.id == FixityEvent.household_id)
        .where(FixityEvent.run_id == run.id, FixityEvent.outcome == FixityOutcome.FAIL)
        .order_by(FixityEvent.id)
    )
    if limit:
        query = query.limit(limit)
    rows = []
    for event, household in session.execute(query):
        rows.append(
            {
                "document": event.document_id,
                "household": household,
                "property": event.property,
                "check": event.check,
                "detail": event.detail,
                "at": _iso(event.at),
                "last_good": _iso(_last_good(session, event)),
            }
        )
    return rows


def summary(session: Session, run: AuditRun) -> dict[str, dict]:
    counts: dict[str, dict[str, Any]] = {
        p: {"name": PROPERTY_NAMES_ZH[p], "passed": 0, "failed": 0} for p in PROPERTIES
    }
    rows = session.execute(
        select(FixityEvent.property, FixityEvent.outcome, func.count())
        .where(FixityEvent.run_id == run.id)
        .group_by(FixityEvent.property, FixityEvent.outcome)
    )
    for prop, outcome, n in rows:
        counts.setdefault(prop, {"name": prop, "passed": 0, "failed": 0})
        counts[prop]["passed" if outcome == FixityOutcome.PASS else "failed"] += n
    for entry in counts.values():
        entry["ok"] = entry["failed"] == 0
        entry["verdict"] = zh("audit.report.ok" if entry["ok"] else "audit.report.not_ok")
    return counts


def build_report(session: Session, actor: Actor, run_id: int | None = None) -> dict:
    """The run, its four properties and its failures, with every label a person reads in Chinese
    (the keys stay codes; ``*_name`` and ``*_text`` fields are what people read)."""
    run = get_run(session, actor, run_id) if run_id else latest_run(session, actor)
    view = run_view(run)
    names = display_names(session, {run.started_by})
    rows = failures(session, run)
    for row in rows:
        row["property_name"] = PROPERTY_NAMES_ZH.get(row["property"], row["property"])
        row["check_name"] = CHECKS[row["check"]][1] if row["check"] in CHECKS else row["check"]
        row["at_text"] = format_datetime(_moment(row["at"]), seconds=True)
        row["last_good_text"] = (
            format_datetime(_moment(row["last_good"]), seconds=True)
            if row["last_good"]
            else zh("audit.report.never_passed")
        )
    return {
        **view,
        "title": zh("audit.report.title"),
        "status_name": zh("audit.report.finished" if run.status == FINISHED else "audit.report.running"),
        "verdict": zh("audit.report.ok" if view["ok"] else "audit.report.not_ok"),
        "started_by_name": names.get(run.started_by, run.started_by),
        "started_at_text": format_datetime(run.started_at, seconds=True),
        "finished_at_text": format_datetime(run.finished_at, seconds=True) or zh("audit.report.unfinished"),
        "scope_name": scope_name(view["scope"]),
        "properties": summary(session, run),
        "failures": rows,
    }


def _moment(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def scope_name(scope: dict) -> str:
    """What a run checked, in Chinese: 全库, 抽检 N 件, 业户 X, N 以后入库."""
    parts = []
    if scope.get("household"):
        parts.append(zh("audit.report.household_scope", code=scope["household"]))
    if scope.get("since"):
        parts.append(zh("audit.report.since", day=scope["since"]))
    if scope.get("sample"):
        parts.append(zh("audit.report.sample", n=scope["sample"]))
    return "，".join(parts) or zh("audit.report.whole")


def download_name(report: dict, fmt: str) -> tuple[str, str]:
    """The report's file name in Chinese (四性检测报告-2026-12-04.csv) and in ASCII for old clients,
    dated by the day the run started (Beijing time)."""
    day = format_date(_moment(report["started_at"])) or "undated"
    return (
        f"{zh('audit.report.file', day=day)}.{fmt}",
        f"audit-report-{report['run']}-{day}.{fmt}",
    )


def fixity_history(session: Session, actor: Actor, document_id: int, limit: int = 500) -> list[dict]:
    require(actor, Permission.AUDIT)
    events = session.scalars(
        select(FixityEvent)
        .where(FixityEvent.document_id == document_id)
        .order_by(FixityEvent.id.desc())
        .limit(limit)
    )
    return [
        {
            "run": e.run_id,
            "check": e.check,
            "property": e.property,
            "outcome": e.outcome,
            "detail": e.detail,
            "at": _iso(e.at),
        }
        for e in events
    ]


_HTML = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>四性检测报告 · 第 {{ r.run }} 次检测</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;
padding:.3em .6em;text-align:left}.fail{color:#a00}.ok{color:#070}</style></head><body>
<h1>{{ r.title }}</h1>
<p>检测编号 {{ r.run }} · 检测范围 {{ r.scope_name }} · 开始 {{ r.started_at_text }} · 结束 {{ r.finished_at_text }}
 · 检测人 {{ r.started_by_name }} · 检测文件 {{ r.documents_checked }} 件，其中未通过 {{ r.documents_failed }} 件
 · 全库检查问题 {{ r.archive_failures }} 项 · 结论 <span class="{{ 'ok' if r.ok else 'fail' }}">{{ r.verdict }}</span></p>
<h2>汇总</h2>
<table><tr><th>性质</th><th>通过</th><th>未通过</th><th>结论</th></tr>
{% for key, p in r.properties.items() %}<tr><td>{{ p.name }}</td><td>{{ p.passed }}</td><td>{{ p.failed }}</td>
<td class="{{ 'ok' if p.ok else 'fail' }}">{{ p.verdict }}</td></tr>{% endfor %}</table>
<h2>未通过项（{{ r.failures|length }}）</h2>
{% if r.failures %}<table><tr><th>文件</th><th>业户</th><th>性质</th><th>检查项</th><th>说明</th><th>检测时间</th><th>上次通过</th></tr>
{% for f in r.failures %}<tr><td>{{ f.document or '全库' }}</td><td>{{ f.household or '—' }}</td><td>{{ f.property_name }}</td>
<td>{{ f.check_name }}</td><td>{{ f.detail or '' }}</td><td>{{ f.at_text }}</td><td>{{ f.last_good_text }}</td></tr>
{% endfor %}</table>{% else %}<p class="ok">全部检查通过。</p>{% endif %}
</body></html>
"""

# The CSV's columns: (key in the report, label from the catalog).
_RUN_FIELDS = (
    ("run", "audit.report.run"),
    ("scope_name", "audit.report.scope"),
    ("status_name", "audit.report.status"),
    ("started_at_text", "audit.report.started_at"),
    ("finished_at_text", "audit.report.finished_at"),
    ("started_by_name", "audit.report.started_by"),
    ("documents_checked", "audit.report.checked"),
    ("documents_failed", "audit.report.failed"),
    ("archive_failures", "audit.report.archive_failures"),
    ("verdict", "audit.report.verdict"),
)
_PROPERTY_FIELDS = (
    ("name", "audit.report.property"),
    ("passed", "audit.report.passed"),
    ("failed", "audit.report.failed_count"),
    ("verdict", "audit.report.verdict"),
)
_FAILURE_FIELDS = (
    ("document", "audit.report.document"),
    ("household", "audit.report.household"),
    ("property_name", "audit.report.property"),
    ("check_name", "audit.report.check"),
    ("detail", "audit.report.detail"),
    ("at_text", "audit.report.at"),
    ("last_good_text", "audit.report.last_good"),
)


def render_report(report: dict, fmt: str) -> str:
    """The report as JSON (keys are codes, labels Chinese), CSV (Chinese headers, a BOM so Excel
    reads it as UTF-8; cells never read as formulas) or a standalone HTML page."""
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([report["title"]])
        for key, label in _RUN_FIELDS:
            writer.writerow(safe_row([zh(label), report[key]]))
        writer.writerow([])
        writer.writerow([zh(label) for _, label in _PROPERTY_FIELDS])
        for p in report["properties"].values():
            writer.writerow(safe_row(p[key] for key, _ in _PROPERTY_FIELDS))
        writer.writerow([])
        writer.writerow([zh(label) for _, label in _FAILURE_FIELDS])
        for row in report["failures"]:
            values = {**row, "document": row["document"] or zh("audit.report.archive")}
            writer.writerow(safe_row(values[key] for key, _ in _FAILURE_FIELDS))
        return out.getvalue()
    if fmt == "html":
        env = Environment(autoescape=select_autoescape(default=True))
        return env.from_string(_HTML).render(r=report)
    raise InvalidInput("audit.format_unknown", fmt=fmt, choices=", ".join(FORMATS))
