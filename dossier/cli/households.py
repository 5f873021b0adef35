"""``dossier household ...``."""

from __future__ import annotations

from typing import Any

import click

from dossier.archive import Archive
from dossier.catalog import say, text
from dossier.cli.common import CliContext, emit, fail, json_option, pass_cli
from dossier.dates import parse_date
from dossier.fieldcrypt import FieldCipher
from dossier.localtime import today
from dossier.services import communities
from dossier.services import household_changes as changes
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
        say("cli.household.added", code=payload["code"], id=payload["id"], archive_no=payload["archive_no"]),
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
    human = "\n".join(
        f"{h['archive_no']:<14} {h['code']:<14} {h['community']:<10} {svc.use_name(h['use'])} "
        f"{svc.status_name(h['status'])}  {'、'.join(h['owners'])}"
        for h in items
    ) or say("cli.household.none")
    if not as_json and total > len(items):
        human += "\n" + say("cli.household.more", shown=len(items), total=total)
    emit(as_json, {"total": total, "households": items}, human)


@household.command("show")
@click.argument("code")
@click.option("--community", metavar="NAME")
@json_option
@pass_cli
def show(ctx: CliContext, code: str, community: str | None, as_json: bool) -> None:
    """Show one folder: its parties, documents and catalog."""
    from dossier.services.documents import STATUS_NAMES_ZH as DOCUMENT_STATUS_NAMES_ZH
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
        say(
            "cli.household.show_head",
            code=view["code"],
            community=view["community"],
            archive_no=view["archive_no"],
        ),
        say(
            "cli.household.show_facts",
            use=svc.use_name(view["use"]),
            building=view["building"] or "-",
            unit=view["unit"] or "-",
            floor=view["floor"] if view["floor"] is not None else "-",
            room=view["room"] or "-",
            status=svc.status_name(view["status"]),
        ),
    ]
    for p in view["parties"]:
        moved = "  " + say("cli.household.moved_out", day=p["until"]) if p["moved_out"] else ""
        lines.append(
            f"  #{p['id']} {svc.party_role_name(p['role'])} {p['name']}  {p['phone'] or ''}  "
            f"{p['id_number'] or ''}{moved}".rstrip()
        )
    lines.append(
        say(
            "cli.household.catalog",
            percent=view["catalog"]["completeness"],
            types="  ".join(f"{'✓' if t['present'] else '✗'}{t['name']}" for t in view["catalog"]["types"]),
        )
    )
    for d in view["documents"]:
        status = DOCUMENT_STATUS_NAMES_ZH.get(d["status"], d["status"])
        number = f" {d['archive_no']}" if d.get("archive_no") else ""
        lines.append(f"  #{d['id']}{number} {d['type_name']} {d['title']}（{status}）")
    emit(as_json, view, "\n".join(lines))


ROLES = click.Choice(["owner", "tenant", "emergency_contact"])


def _reindex(archive: Archive, document_ids: list[int]) -> None:
    """Tell search about documents whose indexed facts changed (after the commit)."""
    if document_ids:
        from search.hooks import documents_changed

        documents_changed(archive, document_ids)


@household.command("party-add")
@click.argument("code")
@click.option("--community", metavar="NAME")
@click.option("--role", type=ROLES, default="owner", show_default=True)
@click.option("--name", required=True)
@click.option("--phone")
@click.option("--id-number")
@click.option("--emergency-contact")
@click.option("--emergency-phone")
@click.option("--since", metavar="YYYY-MM-DD", help="Moved in on.")
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
    since: str | None,
    as_json: bool,
) -> None:
    """Add an owner (业主), tenant (租户) or emergency contact (紧急联系人) to a household."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        row = svc.get_household(session, code, community)
        party = changes.new_party(
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
            since=since,
        )
        payload = {"id": party.id, "household": row.code, "role": party.role, "name": party.name}
        ids = changes.household_document_ids(session, [row.id])
    _reindex(archive, ids)
    emit(
        as_json,
        payload,
        say(
            "cli.household.party_added",
            role=svc.party_role_name(str(payload["role"])),
            name=payload["name"],
            household=payload["household"],
        ),
    )


@household.command("edit")
@click.argument("code")
@click.option("--community", metavar="NAME", help="Community of the household, when its code is not unique.")
@click.option("--code", "new_code", metavar="CODE", help="Its right household code (户号).")
@click.option("--move-to", metavar="NAME", help="Its right community (an existing one).")
@click.option("--use", type=click.Choice(["residential", "commercial", "office"]))
@click.option("--building", metavar="B", help='"" clears it.')
@click.option("--unit", metavar="U", help='"" clears it.')
@click.option("--floor", metavar="F", help='"" clears it.')
@click.option("--room", metavar="R", help='"" clears it.')
@click.option("--area", metavar="M2", help='Square metres; "" clears it.')
@click.option("--reason", required=True, help="Why it is corrected (kept in the access log).")
@json_option
@pass_cli
def edit(
    ctx: CliContext,
    code: str,
    community: str | None,
    new_code: str | None,
    move_to: str | None,
    use: str | None,
    building: str | None,
    unit: str | None,
    floor: str | None,
    room: str | None,
    area: str | None,
    reason: str,
    as_json: bool,
) -> None:
    """Correct a household's facts; its archive number never changes."""
    given = {
        "code": new_code,
        "community": move_to,
        "use": use,
        "building": building,
        "unit": unit,
        "floor": floor,
        "room": room,
        "area": area,
    }
    archive = ctx.ready_archive()
    with archive.session() as session:
        actor = ctx.actor(session)
        row = svc.get_household(session, code, community)
        outcome = changes.edit_household(
            session, actor, row, reason, {k: v for k, v in given.items() if v is not None}
        )
        payload = {
            **svc.household_view(row, actor, with_parties=False),
            "changes": [c.text() for c in outcome.changes],
        }
    _reindex(archive, outcome.reindex)
    emit(
        as_json,
        payload,
        say("cli.household.corrected", code=payload["code"], changes="；".join(payload["changes"])),
    )


@household.command("party-edit")
@click.argument("code")
@click.argument("party_id", type=int)
@click.option("--community", metavar="NAME")
@click.option("--role", type=ROLES)
@click.option("--name")
@click.option("--phone", help='"" clears it.')
@click.option("--id-number", help="A new ID-card number (stored encrypted).")
@click.option("--clear-id-number", is_flag=True, help="Remove the stored ID-card number.")
@click.option("--emergency-contact", help='"" clears it.')
@click.option("--emergency-phone", help='"" clears it.')
@click.option("--since", metavar="YYYY-MM-DD", help='Moved in on; "" clears it.')
@click.option("--until", metavar="YYYY-MM-DD", help='Moved out on; "" clears it (not moved out).')
@click.option("--reason", required=True)
@json_option
@pass_cli
def party_edit(
    ctx: CliContext,
    code: str,
    party_id: int,
    community: str | None,
    reason: str,
    id_number: str | None,
    clear_id_number: bool,
    as_json: bool,
    **fields: str | None,
) -> None:
    """Correct a party (PARTY_ID as `household show --json` lists it)."""
    given: dict[str, object] = {k: v for k, v in fields.items() if v is not None}
    if id_number and clear_id_number:
        fail(text("cli.household.id_number_either"), 2)
    if id_number or clear_id_number:
        given["id_number"] = id_number or ""
    archive = ctx.ready_archive()
    with archive.session() as session:
        row = svc.get_household(session, code, community)
        outcome = changes.edit_party(
            session, ctx.actor(session), _fields_if(archive, bool(id_number)), row, party_id, reason, given
        )
        done = [c.text() for c in outcome.changes]
        payload = {"id": party_id, "household": row.code, "changes": done}
    _reindex(archive, outcome.reindex)
    emit(
        as_json,
        payload,
        say("cli.household.party_corrected", code=code, party=party_id, changes="；".join(done)),
    )


@household.command("party-moveout")
@click.argument("code")
@click.argument("party_id", type=int)
@click.option("--community", metavar="NAME")
@click.option("--on", "moved_on", metavar="YYYY-MM-DD", help="The day they moved out (default today).")
@click.option("--note", help="What happened (kept in the access log).")
@json_option
@pass_cli
def party_moveout(
    ctx: CliContext,
    code: str,
    party_id: int,
    community: str | None,
    moved_on: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Mark a party moved out (迁出): kept on the folder, shown apart."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        row = svc.get_household(session, code, community)
        party = changes.move_out_party(
            session, ctx.actor(session), row, party_id, parse_date(moved_on, "--on"), note
        )
        assert party.until is not None
        payload = {
            "id": party.id,
            "household": row.code,
            "name": party.name,
            "until": party.until.isoformat(),
        }
    emit(
        as_json,
        payload,
        say(
            "cli.household.party_moved_out",
            name=payload["name"],
            household=payload["household"],
            day=payload["until"],
        ),
    )


@household.command("party-remove")
@click.argument("code")
@click.argument("party_id", type=int)
@click.option("--community", metavar="NAME")
@click.option("--reason", required=True, help="Why (a party registered by mistake).")
@json_option
@pass_cli
def party_remove(
    ctx: CliContext, code: str, party_id: int, community: str | None, reason: str, as_json: bool
) -> None:
    """Delete a party registered by mistake (one who left: use party-moveout)."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        row = svc.get_household(session, code, community)
        outcome = changes.remove_party(session, ctx.actor(session), row, party_id, reason)
        payload = {"id": party_id, "household": row.code, "removed": True}
    _reindex(archive, outcome.reindex)
    emit(as_json, payload, say("cli.household.party_removed", party=party_id, household=payload["household"]))


@household.command("community-rename")
@click.argument("old")
@click.argument("new")
@click.option("--reason")
@json_option
@pass_cli
def community_rename(ctx: CliContext, old: str, new: str, reason: str | None, as_json: bool) -> None:
    """Give a community (小区) its right name; codes and archive numbers stay."""
    archive = ctx.ready_archive()
    with archive.session() as session:
        outcome = communities.rename_community(session, ctx.actor(session), old, new, reason)
    _reindex(archive, outcome.reindex)
    emit(
        as_json,
        {"old": old, "community": outcome.community},
        say("cli.household.community_renamed", old=old, new=outcome.community),
    )


@household.command("community-merge")
@click.argument("source")
@click.argument("target")
@click.option("--reason")
@click.option("--yes", is_flag=True, help="Do not ask to type the target's name to confirm.")
@json_option
@pass_cli
def community_merge(
    ctx: CliContext, source: str, target: str, reason: str | None, yes: bool, as_json: bool
) -> None:
    """Move every household of SOURCE into TARGET and delete SOURCE; archive numbers stay."""
    asked = say("cli.household.merge_prompt", target=target, source=source)
    if not yes and click.prompt(asked, err=True) != target:
        fail(text("cli.household.merge_not_confirmed"), 1)
    archive = ctx.ready_archive()
    with archive.session() as session:
        outcome = communities.merge_communities(session, ctx.actor(session), source, target, reason)
    _reindex(archive, outcome.reindex)
    payload = {"source": source, "community": outcome.community, "households": outcome.households}
    emit(
        as_json,
        payload,
        say(
            "cli.household.community_merged",
            source=source,
            target=outcome.community,
            count=len(outcome.households),
        ),
    )


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
    from retention.schedule import set_household_close_date

    if reopen and closed_on:
        fail(text("cli.household.close_either"), 2)
    when = None if reopen else (parse_date(closed_on, "--on") or today())
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
    human = (
        say("cli.household.closed", code=code, day=payload["closed_on"], count=changed)
        if when
        else say("cli.household.reopened", code=code, count=changed)
    )
    emit(as_json, payload, human)


def register(cli: click.Group) -> None:
    cli.add_command(household)
