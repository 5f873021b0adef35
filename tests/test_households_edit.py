"""Correcting households after intake: facts, parties (moved out, removed) and communities
(renamed, merged), each refused without the right role and each on record in the access log.
Runs on SQLite and PostgreSQL (``database_url``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dossier import localtime
from dossier.actor import Actor
from dossier.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from dossier.models import AccessAction, AccessEvent, Community, Household, Party
from dossier.services.communities import merge_communities, rename_community
from dossier.services.household_changes import (
    edit_household,
    edit_party,
    move_out_party,
    new_party,
    remove_party,
)
from dossier.services.households import add_household, get_household, household_view

ID_NUMBER = "110101199003071234"


@pytest.fixture
def folder(archive, console):
    """Two communities; 阳光花苑 is the misspelt one (two households), plus a clash-free target."""
    with archive.session() as session:
        add_household(
            session,
            console,
            archive.fields,
            "A-3-1201",
            community="阳光花园",
            owner="张三",
            phone="13800138000",
            id_number=ID_NUMBER,
            area="89.5",
        )
        add_household(session, console, None, "A-1-0101", community="阳光花苑", owner="王五")
        add_household(session, console, None, "B-2-0202", community="阳光花苑", owner="赵六")
    return archive


def staff() -> Actor:
    return Actor(None, "staff", "staff")


def entries(session, action: AccessAction) -> list[AccessEvent]:
    return list(
        session.scalars(select(AccessEvent).where(AccessEvent.action == action).order_by(AccessEvent.seq))
    )


def test_edit_household_facts_keeps_the_archive_number_and_records_the_change(folder, console):
    with folder.session() as session:
        household = get_household(session, "A-3-1201")
        number = household.archive_no
        outcome = edit_household(
            session,
            console,
            household,
            "建档时楼栋录错",
            {
                "code": "B-3-1201",
                "building": "B",
                "unit": "",
                "floor": "12",
                "area": "90.25",
                "use": "office",
            },
        )
        assert {c.field for c in outcome.changes} == {
            "code",
            "building",
            "unit",
            "area",
            "use",
        }  # floor as was
    with folder.session() as session:
        household = get_household(session, "B-3-1201")
        assert household.archive_no == number
        assert (household.building, household.unit, household.floor, str(household.area)) == (
            "B",
            None,
            12,
            "90.25",
        )
        (entry,) = entries(session, AccessAction.HOUSEHOLD_EDIT)
        assert entry.household_id == household.id
        assert "楼栋：A → B" in entry.detail and "户号：A-3-1201 → B-3-1201" in entry.detail
        assert "理由：建档时楼栋录错" in entry.detail


def test_edit_household_refusals_change_nothing(folder, console):
    with folder.session() as session:
        household = get_household(session, "A-3-1201")
        with pytest.raises(InvalidInput, match="理由"):
            edit_household(session, console, household, "  ", {"building": "C"})
        with pytest.raises(InvalidInput, match="没有任何改动"):
            edit_household(session, console, household, "核对", {"building": "A"})
        with pytest.raises(InvalidInput, match="档案编号不可修改"):
            edit_household(session, console, household, "核对", {"archive_no": "X-1"})
        with pytest.raises(InvalidInput, match="面积"):
            edit_household(session, console, household, "核对", {"area": "-3"})
        with pytest.raises(NotFound, match="没有名为"):
            edit_household(session, console, household, "核对", {"community": "不存在的小区"})
        with pytest.raises(PermissionDenied):
            edit_household(session, staff(), household, "核对", {"building": "C"})
        session.rollback()
    with folder.session() as session:
        household = get_household(session, "A-1-0101")
        # 阳光花园 already has no A-1-0101, but moving A-3-1201's code onto it would clash after a move
        edit_household(session, console, household, "小区录错", {"community": "阳光花园"})
    with folder.session() as session:
        other = get_household(session, "A-3-1201")
        with pytest.raises(AlreadyExists):
            edit_household(session, console, other, "核对", {"code": "A-1-0101"})
        session.rollback()
    with folder.session() as session:
        assert get_household(session, "A-3-1201").building == "A"
        assert entries(session, AccessAction.HOUSEHOLD_EDIT)[-1].detail.startswith(
            "小区：阳光花苑 → 阳光花园"
        )


def test_parties_added_edited_moved_out_and_removed(folder, console):
    with folder.session() as session:
        household = get_household(session, "A-3-1201")
        tenant = new_party(session, console, None, household, name="李租", role="tenant", phone="13900139000")
        contact = new_party(
            session, console, None, household, name="张小", role="紧急联系人", phone="021-5555-1234"
        )
        owner = next(p for p in household.parties if p.name == "张三")
        ids = tenant.id, contact.id, owner.id
    tenant_id, contact_id, owner_id = ids
    with folder.session() as session:
        household = get_household(session, "A-3-1201")
        outcome = edit_party(
            session,
            console,
            folder.fields,
            household,
            owner_id,
            "姓名录错",
            {"name": "张叁", "phone": "13800138001", "id_number": "11010119850101002x"},
        )
        assert {c.field for c in outcome.changes} == {"name", "phone", "id_number"}
        move_out_party(
            session, console, household, tenant_id, localtime.today() - timedelta(days=3), "租约到期"
        )
        with pytest.raises(InvalidInput, match="已于"):
            move_out_party(session, console, household, tenant_id, None)
        remove_party(session, console, household, contact_id, "误录")
    with folder.session() as session:
        household = get_household(session, "A-3-1201")
        view = household_view(household, console, folder.fields)
        by_name = {p["name"]: p for p in view["parties"]}
        assert set(by_name) == {"张叁", "李租"}
        assert by_name["张叁"]["id_number"] == "11010119850101002X"
        assert (
            by_name["李租"]["moved_out"]
            and by_name["李租"]["until"] == (localtime.today() - timedelta(days=3)).isoformat()
        )
        assert household_view(household, console, with_parties=False)["owners"] == ["张叁"]
        assert session.get(Party, contact_id) is None
        (edit,) = entries(session, AccessAction.PARTY_EDIT)
        assert "姓名：张三 → 张叁" in edit.detail and "身份证号已更改" in edit.detail
        assert ID_NUMBER not in edit.detail and "11010119850101002" not in edit.detail
        assert "*******8001" in edit.detail and "13800138001" not in edit.detail  # masked
        assert "迁出" in entries(session, AccessAction.PARTY_MOVE_OUT)[0].detail
        assert "误录" in entries(session, AccessAction.PARTY_REMOVE)[0].detail
        assert len(entries(session, AccessAction.PARTY_ADD)) == 2


def test_party_refusals(folder, console):
    with folder.session() as session:
        household = get_household(session, "A-3-1201")
        owner = household.parties[0]
        with pytest.raises(InvalidInput, match="身份证号"):
            new_party(session, console, folder.fields, household, name="某", id_number="123")
        with pytest.raises(InvalidInput, match="身份"):
            new_party(session, console, None, household, name="某", role="landlord")
        with pytest.raises(InvalidInput, match="迁出日期不能早于入住日期"):
            edit_party(
                session,
                console,
                None,
                household,
                owner.id,
                "核对",
                {"since": "2020-01-01", "until": "2019-01-01"},
            )
        with pytest.raises(InvalidInput, match="不能晚于今天"):
            move_out_party(session, console, household, owner.id, localtime.today() + timedelta(days=1))
        with pytest.raises(InvalidInput, match="理由"):
            remove_party(session, console, household, owner.id, "")
        other = get_household(session, "A-1-0101")
        with pytest.raises(NotFound):
            remove_party(session, console, other, owner.id, "串户")
        with pytest.raises(PermissionDenied):
            move_out_party(session, staff(), household, owner.id, None)
        session.rollback()


def test_rename_community_keeps_codes_and_numbers(folder, console):
    with folder.session() as session:
        before = {h.code: h.archive_no for h in session.scalars(select(Household))}
        outcome = rename_community(session, console, "阳光花苑", "阳光苑", "名称录错")
        assert outcome.community == "阳光苑"
        with pytest.raises(AlreadyExists, match="合并"):
            rename_community(session, console, "阳光苑", "阳光花园")
        with pytest.raises(PermissionDenied):
            rename_community(session, staff(), "阳光苑", "别名")
        session.rollback()
    with folder.session() as session:
        assert {h.code: h.archive_no for h in session.scalars(select(Household))} == before
        assert get_household(session, "A-1-0101").community.name == "阳光花苑"  # rolled back above
        rename_community(session, console, "阳光花苑", "阳光苑", "名称录错")
    with folder.session() as session:
        assert get_household(session, "A-1-0101").community.name == "阳光苑"
        (entry,) = entries(session, AccessAction.COMMUNITY_RENAME)
        assert "阳光花苑 → 阳光苑" in entry.detail and "名称录错" in entry.detail


def test_merge_moves_households_keeps_archive_numbers_and_is_recorded(folder, console):
    with folder.session() as session:
        numbers = {h.code: h.archive_no for h in session.scalars(select(Household))}
        outcome = merge_communities(session, console, "阳光花苑", "阳光花园", "同一小区录成两个名称")
        assert sorted(outcome.households) == ["A-1-0101", "B-2-0202"]
    with folder.session() as session:
        assert session.scalar(select(Community).where(Community.name == "阳光花苑")) is None
        rows = session.scalars(select(Household)).all()
        assert {h.community.name for h in rows} == {"阳光花园"}
        assert {h.code: h.archive_no for h in rows} == numbers
        merged = entries(session, AccessAction.COMMUNITY_MERGE)
        assert len(merged) == 3  # one per household, one for the community
        assert {e.household_id for e in merged[:2]} == {h.id for h in rows if h.code != "A-3-1201"}
        assert "阳光花苑" in merged[-1].detail and "A-1-0101" in merged[-1].detail


def test_merge_refused_when_codes_clash(folder, console):
    with folder.session() as session:
        add_household(session, console, None, "A-1-0101", community="阳光花园")
    with folder.session() as session:
        with pytest.raises(AlreadyExists, match="A-1-0101"):
            merge_communities(session, console, "阳光花苑", "阳光花园")
        with pytest.raises(InvalidInput, match="自己"):
            merge_communities(session, console, "阳光花园", "阳光花园")
        with pytest.raises(PermissionDenied):
            merge_communities(session, staff(), "阳光花苑", "阳光花园")
        session.rollback()
    with folder.session() as session:
        assert session.scalar(select(Community).where(Community.name == "阳光花苑")) is not None
        assert entries(session, AccessAction.COMMUNITY_MERGE) == []


def test_cli_corrections(folder, run_cli):
    result = run_cli(
        "household", "edit", "A-1-0101", "--building", "C", "--unit", "", "--reason", "录错", "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["building"] == "C" and result.json()["unit"] is None
    result = run_cli("household", "edit", "A-1-0101", "--building", "C", "--reason", "录错")
    assert result.exit_code == 2 and "没有任何改动" in result.stderr
    assert run_cli("household", "edit", "A-1-0101", "--room", "9").exit_code == 2  # --reason is required

    shown = run_cli("household", "show", "A-3-1201", "--json").json()
    owner = shown["parties"][0]["id"]
    added = run_cli(
        "household", "party-add", "A-3-1201", "--role", "emergency_contact", "--name", "张小", "--json"
    )
    assert added.exit_code == 0 and added.json()["role"] == "emergency_contact"
    result = run_cli(
        "household", "party-edit", "A-3-1201", str(owner), "--name", "张叁", "--reason", "错字", "--json"
    )
    assert result.exit_code == 0 and result.json()["changes"] == ["姓名：张三 → 张叁"]
    result = run_cli("household", "party-moveout", "A-3-1201", str(owner), "--on", "2024-05-01", "--json")
    assert result.exit_code == 0 and result.json()["until"] == "2024-05-01"
    assert "（2024-05-01 已迁出）" in run_cli("household", "show", "A-3-1201").stdout
    contact = added.json()["id"]
    assert run_cli("household", "party-remove", "A-3-1201", str(contact), "--reason", "误录").exit_code == 0
    assert [p["name"] for p in run_cli("household", "show", "A-3-1201", "--json").json()["parties"]] == [
        "张叁"
    ]

    result = run_cli("household", "community-rename", "阳光花苑", "阳光苑", "--json")
    assert result.exit_code == 0 and result.json()["community"] == "阳光苑"
    result = run_cli("household", "community-merge", "阳光苑", "阳光花园", "--yes", "--json")
    assert result.exit_code == 0 and sorted(result.json()["households"]) == ["A-1-0101", "B-2-0202"]
    listed = run_cli("household", "list", "--json").json()["households"]
    assert {h["community"] for h in listed} == {"阳光花园"}
    assert run_cli("audit", "verify").exit_code == 0


def test_a_merged_communitys_code_is_never_given_again(folder, console):
    with folder.session() as session:
        gone = session.scalars(select(Community).where(Community.name == "阳光花苑")).one().code
        merge_communities(session, console, "阳光花苑", "阳光花园")
    with folder.session() as session:
        new = add_household(session, console, None, "C-1-0101", community="翠湖苑")
        assert new.community.code != gone
        assert not new.archive_no.startswith(f"{gone}-")


def test_a_household_moved_to_another_community_leaves_no_gap_in_the_audit(folder, console, run_cli):
    with folder.session() as session:
        add_household(session, console, None, "C-3-0303", community="阳光花苑")
    with folder.session() as session:
        middle = get_household(session, "B-2-0202")
        edit_household(session, console, middle, "小区录错", {"community": "阳光花园"})
    result = run_cli("audit", "verify", "--json")
    assert result.exit_code == 0, result.stdout
    assert result.json()["ok"] is True
