"""``dossier household ...``."""

from __future__ import annotations

from typing import Any

import click

from dossier.archive import Archive
from dossier.cli.common import CliContext, emit, json_option, pass_cli
from dossier.dates import parse_date
from dossier.fieldcrypt import FieldCipher
from dossier.services import households as svc


def _fields_if(archive: Archive, needed: bool) -> FieldCipher | None:
    return archive.fields if needed else None


@click.group("household")
def household() -> None:
    """Households (一户一档): one folder each."""


@household.command("add")
@click.argument("code")
@click.option("--community", metavar="NAME", help="Community (小区); the default community when omitted.")
@click.option(
    "--use",
    type=click.Choice(["residential", "commercial", "office"]),
    default="residential",
    show_default=True,
)
@click.option("--building", metavar="B")
@click.option("--unit", metavar="U")
@click.option("--floor", type=int, metavar="F")
@click.option("--room", metavar="R")
@click.option("--area", metavar="M2", help="Floor area in square metres.")
@click.option("--archive-no", metavar="NO", help="Archive number (档案编号); assigned when omitted.")
@click.option("--owner", metavar="NAME")
@click.option("--phone", metavar="P")
@click.option("--id-number", metavar="ID", help="Owner's ID-card number (stored encrypted).")
@json_option
@pass_cli
def add(
    ctx: CliContext,
    code: str,
    community: str | None,
    use: str,
    building: str | None,
    unit: str | None,
    floor: int | None,
    room: str | None,
    area: str | None,
    archive_no: str | None,
    owner: str | None,
    phone: str | None,
    id_number: str | None,
    as_json: bool,
) -> None:
    """Open a household's folder."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        row = svc.add_household(
            session,
            actor,
            _fields_if(archive, bool(id_number)),
            code,
            community=community,
            use=use,
            building=building,
            unit=unit,
            floor=floor,
            room=room,
            area=area,
            archive_no=archive_no,
            owner=owner,
            phone=phone,
            id_number=id_number,
        )
        payload = {
            "id": row.id,
            "code": row.code,
            "archive_no": row.archive_no,
            "community": row.community.name,
        }
    emit(
        as_json,
        payload,
        f"household {payload['code']} added (id {payload['id']}, archive number {payload['archive_no']})",
    )


@household.command("list")
@click.option("--community", metavar="NAME")
@click.option("--building", metavar="B")
@click.option("--floor", type=int)
@click.option("--use", type=click.Choice(["residential", "commercial", "office"]))
@click.option("--status", type=click.Choice(["active", "closed"]))
@click.option("--owner", metavar="NAME", help="Owner or tenant name contains this.")
@click.option("--limit", type=click.IntRange(1, 500), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@json_option
@pass_cli
def list_(
    ctx: CliContext,
    community: str | None,
    building: str | None,
    floor: int | None,
    use: str | None,
    status: str | None,
    owner: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """List households in shelf order (use, building, floor, room)."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        total, rows = svc.list_households(
            session,
            actor,
            svc.HouseholdFilter(
                community=community,
                building=building,
                floor=floor,
                use=use,
                status=status,
                owner=owner,
                limit=limit,
                offset=offset,
            ),
        )
        items = [svc.household_view(h, actor, with_parties=False) for h in rows]
    human = (
        "\n".join(
            f"{h['archive_no']:<14} {h['code']:<14} {h['community']:<10} {svc.USE_NAMES_ZH[h['use']]} "
            f"{svc.STATUS_NAMES_ZH[h['status']]}  {', '.join(h['owners'])}"
            for h in items
        )
        or "no households"
    )
    if not as_json and total > len(items):
        human += f"\n({len(items)} of {total}; use --offset)"
    emit(as_json, {"total": total, "households": items}, human)


@household.command("show")
@click.argument("code")
@click.option("--community", metavar="NAME")
@json_option
@pass_cli
def show(ctx: CliContext, code: str, community: str | None, as_json: bool) -> None:
    """Show one folder: its parties, documents and catalog."""
    from dossier.services.documents import document_view
    from dossier.services.folders import catalog_view, folder_view

    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        row = svc.get_household(session, code, community)
        view, documents, catalog = folder_view(archive, session, actor, row)
        view["documents"] = [document_view(d) for d in documents]
        view["catalog"] = catalog_view(catalog)
    lines = [
        f"{view['code']}  ({view['community']}, archive number {view['archive_no']})",
        f"  use {view['use']}, building {view['building'] or '-'}, unit {view['unit'] or '-'}, "
        f"floor {view['floor'] if view['floor'] is not None else '-'}, room {view['room'] or '-'}, status {view['status']}",
    ]
    for p in view["parties"]:
        lines.append(
            f"  {svc.PARTY_ROLE_NAMES_ZH[p['role']]} {p['name']}  {p['phone'] or ''}  {p['id_number'] or ''}".rstrip()
        )
    lines.append(
        f"  catalog {view['catalog']['completeness']}% complete: "
        + "  ".join(f"{'✓' if t['present'] else '✗'}{t['name']}" for t in view["catalog"]["types"])
    )
    for d in view["documents"]:
        lines.append(f"  #{d['id']} {d['type_name']} {d['title']} ({d['status']})")
    emit(as_json, view, "\n".join(lines))


@household.command("party-add")
@click.argument("code")
@click.option("--community", metavar="NAME")
@click.option("--role", type=click.Choice(["owner", "tenant"]), default="owner", show_default=True)
@click.option("--name", required=True)
@click.option("--phone")
@click.option("--id-number")
@click.option("--emergency-contact")
@click.option("--emergency-phone")
@json_option
@pass_cli
def party_add(
    ctx: CliContext,
    code: str,
    community: str | None,
    role: str,
    name: str,
    phone: str | None,
    id_number: str | None,
    emergency_contact: str | None,
    emergency_phone: str | None,
    as_json: bool,
) -> None:
    """Add an owner (业主) or tenant (租户) to a household."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        row = svc.get_household(session, code, community)
        party = svc.add_party(
            session,
            actor,
            _fields_if(archive, bool(id_number)),
            row,
            name=name,
            role=role,
            phone=phone,
            id_number=id_number,
            emergency_contact=emergency_contact,
            emergency_phone=emergency_phone,
        )
        session.flush()
        payload = {"id": party.id, "household": row.code, "role": party.role, "name": party.name}
    emit(as_json, payload, f"{payload['role']} {payload['name']} added to {payload['household']}")


@household.command("close")
@click.argument("code")
@click.option("--community", metavar="NAME")
@click.option("--on", "closed_on", metavar="YYYY-MM-DD", help="The day it closed (default today).")
@click.option("--reopen", is_flag=True, help="Clear the close date: the household is active again.")
@json_option
@pass_cli
def close(
    ctx: CliContext, code: str, community: str | None, closed_on: str | None, reopen: bool, as_json: bool
) -> None:
    """Record that a household closed (owner moved out, unit changed hands); documents whose
    retention counts from the close date get their disposal dates."""
    from datetime import date

    from dossier.cli.common import fail
    from retention.schedule import set_household_close_date

    if reopen and closed_on:
        fail("give either --on DATE or --reopen", 2)
    when = None if reopen else (parse_date(closed_on, "--on") or date.today())
    archive = ctx.ready_archive()
    with archive.session() as session:
        row = svc.get_household(session, code, community)
        changed = set_household_close_date(session, ctx.actor(session), row, when)
        payload: dict[str, Any] = {
            "code": row.code,
            "status": row.status,
            "closed_on": when.isoformat() if when else None,
            "recomputed": changed,
        }
    emit(
        as_json,
        payload,
        f"household {code} {'closed on ' + payload['closed_on'] if when else 'reopened'}; "
        f"{changed} disposal dates changed",
    )


def register(cli: click.Group) -> None:
    cli.add_command(household)
