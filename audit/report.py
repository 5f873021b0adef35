"""The four-property report (四性检测, DA/T 70) of an audit run, and each document's fixity history.

A failure row says since when the check was last good: the newest earlier ``pass`` event of the
same check on the same document (or, for archive-wide checks, of the same check anywhere).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from jinja2 import Environment, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.checks import CHECKS, PROPERTIES, PROPERTY_NAMES_ZH
from audit.verification import get_run, run_view
from dossier.actor import Actor
from dossier.cells import safe_row
from dossier.errors import InvalidInput, NotFound
from dossier.models import AuditRun, FixityEvent, FixityOutcome, Household
from dossier.permissions import Permission, require

FORMATS = ("html", "csv", "json")
FAILURE_FIELDS = ["document", "household", "property", "check", "detail", "at", "last_good"]


def latest_run(session: Session, actor: Actor) -> AuditRun:
    require(actor, Permission.AUDIT)
    run = session.scalar(select(AuditRun).order_by(AuditRun.id.desc()))
    if run is None:
        raise NotFound("no audit has been run yet; run `dossier audit verify` first")
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
    return counts


def build_report(session: Session, actor: Actor, run_id: int | None = None) -> dict:
    run = get_run(session, actor, run_id) if run_id else latest_run(session, actor)
    return {**run_view(run), "properties": summary(session, run), "failures": failures(session, run)}


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
<h1>电子档案四性检测报告（DA/T 70）</h1>
<p>检测编号 {{ r.run }} · 开始 {{ r.started_at }} · 结束 {{ r.finished_at or '未完成' }} · 检测人 {{ r.started_by }}
 · 检测文件 {{ r.documents_checked }} 件，其中未通过 {{ r.documents_failed }} 件 · 全库检查问题 {{ r.archive_failures }} 项</p>
<h2>汇总</h2>
<table><tr><th>性质</th><th>通过</th><th>未通过</th><th>结论</th></tr>
{% for key, p in r.properties.items() %}<tr><td>{{ p.name }}（{{ key }}）</td><td>{{ p.passed }}</td><td>{{ p.failed }}</td>
<td class="{{ 'ok' if p.ok else 'fail' }}">{{ '通过' if p.ok else '未通过' }}</td></tr>{% endfor %}</table>
<h2>未通过项（{{ r.failures|length }}）</h2>
{% if r.failures %}<table><tr><th>文件</th><th>业户</th><th>性质</th><th>检查项</th><th>说明</th><th>检测时间</th><th>上次通过</th></tr>
{% for f in r.failures %}<tr><td>{{ f.document or '—' }}</td><td>{{ f.household or '—' }}</td><td>{{ names[f.property] }}</td>
<td>{{ checks.get(f.check, ('', f.check))[1] }}</td><td>{{ f.detail or '' }}</td><td>{{ f.at }}</td><td>{{ f.last_good or '从未通过' }}</td></tr>
{% endfor %}</table>{% else %}<p class="ok">全部检查通过。</p>{% endif %}
</body></html>
"""


def render_report(report: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        out.write(f"# run {report['run']}, {report['status']}, started {report['started_at']}\n")
        writer = csv.writer(out)
        writer.writerow(["property", "passed", "failed", "ok"])
        for key, p in report["properties"].items():
            writer.writerow(safe_row([key, p["passed"], p["failed"], "yes" if p["ok"] else "no"]))
        writer.writerow([])
        writer.writerow(FAILURE_FIELDS)
        for row in report["failures"]:
            writer.writerow(safe_row(row[f] for f in FAILURE_FIELDS))  # never read as a formula
        return out.getvalue()
    if fmt == "html":
        env = Environment(autoescape=select_autoescape(default=True))
        return env.from_string(_HTML).render(r=report, names=PROPERTY_NAMES_ZH, checks=CHECKS)
    raise InvalidInput(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
