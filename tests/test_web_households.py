"""Correcting households on the web: facts, parties, communities, closing with a confirmation,
and the holds shown on the folder page. Roles are checked, bad input answers one sentence and
changes nothing, every change is in the access log, and search follows the catalog."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from dossier import localtime
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.models import AccessEvent, Community, Household, Party
from retention.holds import add_hold


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def events(web_archive, action: str) -> list[AccessEvent]:
    with Archive(web_archive.settings).session() as session:
        return list(
            session.scalars(select(AccessEvent).where(AccessEvent.action == action).order_by(AccessEvent.id))
        )


def household(web_archive, code: str) -> dict:
    with Archive(web_archive.settings).session() as session:
        row = session.scalars(select(Household).where(Household.code == code)).one()
        return {
            "id": row.id,
            "community": row.community.name,
            "building": row.building,
            "archive_no": row.archive_no,
            "status": row.status,
            "parties": {p.name: (p.role, p.until) for p in row.parties},
        }


EDIT = {
    "code": "A-1-0101",
    "community": "阳光花园",
    "use": "residential",
    "building": "B",
    "unit": "1",
    "floor": "1",
    "room": "0101",
    "area": "89.50",
    "reason": "楼栋录错",
}


def test_archivist_edits_a_household_with_a_reason(web_client, web_login, web_archive):
    hid = web_archive.households["A-1-0101"]
    before = household(web_archive, "A-1-0101")
    web_login(web_client, "archivist")
    page = text(web_client.get(f"/households/{hid}/edit"))
    assert 'value="阳光花园"' in page and "修改理由" in page
    response = web_client.post(f"/households/{hid}/edit", data=EDIT)
    assert response.status_code == 302
    after = household(web_archive, "A-1-0101")
    assert after["building"] == "B" and after["archive_no"] == before["archive_no"]
    folder = text(web_client.get(f"/households/{hid}"))
    assert "已修改：楼栋：A → B" in folder
    (entry,) = events(web_archive, "household.edit")
    assert entry.username == "archivist" and entry.household_id == hid and "理由：楼栋录错" in entry.detail


def test_edit_refusals_keep_the_form_and_change_nothing(web_client, web_login, web_archive):
    hid = web_archive.households["A-1-0101"]
    web_login(web_client, "archivist")
    response = web_client.post(f"/households/{hid}/edit", data={**EDIT, "reason": ""})
    assert response.status_code == 400 and "请填写修改理由" in text(response)
    response = web_client.post(f"/households/{hid}/edit", data={**EDIT, "area": "很大"})
    assert response.status_code == 400
    body = text(response)
    assert "面积“很大”不是数字" in body and 'value="很大"' in body
    response = web_client.post(f"/households/{hid}/edit", data={**EDIT, "community": "无此小区"})
    assert response.status_code == 404 and "没有名为“无此小区”的小区" in text(response)
    assert household(web_archive, "A-1-0101")["building"] == "A"
    assert events(web_archive, "household.edit") == []


def test_staff_may_not_correct(web_client, web_login, web_archive):
    hid = web_archive.households["A-1-0101"]
    web_login(web_client, "staff")
    folder = text(web_client.get(f"/households/{hid}"))
    assert "修改/迁出" not in folder and 'id="edit-household"' not in folder
    assert web_client.get(f"/households/{hid}/edit").status_code == 403
    assert web_client.post(f"/households/{hid}/edit", data=EDIT).status_code == 403
    assert web_client.get("/communities").status_code == 403
    assert (
        web_client.post(f"/households/{hid}/parties", data={"role": "tenant", "name": "某"}).status_code
        == 403
    )
    assert household(web_archive, "A-1-0101")["building"] == "A"


def test_parties_added_edited_moved_out_and_removed(web_client, web_login, web_archive):
    hid = web_archive.households["A-1-1201"]
    web_login(web_client, "archivist")
    assert "紧急联系人" in text(web_client.get(f"/households/{hid}/parties/new"))
    response = web_client.post(
        f"/households/{hid}/parties", data={"role": "tenant", "name": "钱七", "phone": "13900139000"}
    )
    assert response.status_code == 302
    response = web_client.post(
        f"/households/{hid}/parties", data={"role": "emergency_contact", "name": "王小", "phone": "12"}
    )
    assert response.status_code == 400 and "联系电话“12”不是电话号码" in text(response)
    parties = household(web_archive, "A-1-1201")["parties"]
    assert set(parties) == {"王五", "钱七"}

    with Archive(web_archive.settings).session() as session:
        ids = {p.name: p.id for p in session.scalars(select(Party).where(Party.household_id == hid))}
    edit = {"role": "owner", "name": "王伍", "phone": "", "reason": "姓名录错"}
    assert web_client.post(f"/households/{hid}/parties/{ids['王五']}", data=edit).status_code == 302
    response = web_client.post(f"/households/{hid}/parties/{ids['王五']}", data={**edit, "reason": ""})
    assert response.status_code == 400 and "请填写修改理由" in text(response)

    on = localtime.today().isoformat()
    response = web_client.post(f"/households/{hid}/parties/{ids['钱七']}/moveout", data={"on": on})
    assert response.status_code == 302
    folder = text(web_client.get(f"/households/{hid}"))
    former = folder[folder.index('id="former-parties"') :]
    assert "钱七" in former and on in former
    current = folder[folder.index('id="parties"') : folder.index('id="former-parties"')]
    assert "王伍" in current and "钱七" not in current

    # Removing asks for a reason and a ticked confirmation.
    remove = f"/households/{hid}/parties/{ids['钱七']}/remove"
    response = web_client.post(remove, data={"reason": "误录"})
    assert response.status_code == 400 and "请勾选确认" in text(response)
    assert "钱七" in household(web_archive, "A-1-1201")["parties"]
    assert web_client.post(remove, data={"reason": "误录", "confirm": "y"}).status_code == 302
    assert set(household(web_archive, "A-1-1201")["parties"]) == {"王伍"}
    assert [
        len(events(web_archive, a)) for a in ("party.add", "party.edit", "party.moveout", "party.remove")
    ] == [
        1,
        1,
        1,
        1,
    ]


def test_a_party_of_another_household_is_not_found(web_client, web_login, web_archive):
    web_login(web_client, "archivist")
    with Archive(web_archive.settings).session() as session:
        other = session.scalars(select(Party).where(Party.name == "李四")).one().id
    hid = web_archive.households["A-1-0101"]
    assert web_client.get(f"/households/{hid}/parties/{other}").status_code == 404


def test_close_asks_for_confirmation_first(web_client, web_login, web_archive):
    hid = web_archive.households["A-1-1201"]
    web_login(web_client, "archivist")
    on = localtime.today().isoformat()
    response = web_client.post(f"/households/{hid}/close", data={"closed_on": on})
    assert response.status_code == 200
    body = text(response)
    assert "确认结档" in body and f"于 {on} 结档" in body
    assert household(web_archive, "A-1-1201")["status"] == "active"
    assert events(web_archive, "household.close") == []
    response = web_client.post(f"/households/{hid}/close", data={"closed_on": on, "confirmed": "yes"})
    assert response.status_code == 302
    assert household(web_archive, "A-1-1201")["status"] == "closed"
    # Reopening needs no confirmation (nothing is lost).
    response = web_client.post(f"/households/{hid}/close", data={"closed_on": on, "reopen": "y"})
    assert response.status_code == 302 and household(web_archive, "A-1-1201")["status"] == "active"


def test_communities_renamed_and_merged_with_the_name_typed(web_client, web_login, web_archive):
    web_login(web_client, "archivist")
    with Archive(web_archive.settings).session() as session:
        ids = {c.name: c.id for c in session.scalars(select(Community))}
    page = text(web_client.get("/communities"))
    assert "阳光花园" in page and "滨江商城" in page
    response = web_client.post(
        f"/communities/{ids['滨江商城']}/rename", data={"name": "滨江商场", "reason": "错字"}
    )
    assert response.status_code == 302
    numbers = {code: household(web_archive, code)["archive_no"] for code in web_archive.households}

    merge = f"/communities/{ids['滨江商城']}/merge"
    response = web_client.post(merge, data={"target": str(ids["阳光花园"]), "confirm_name": "阳光"})
    assert response.status_code == 400 and "输入的名称与并入小区“阳光花园”不一致" in text(response)
    assert household(web_archive, "S-101")["community"] == "滨江商场"
    response = web_client.post(merge, data={"target": str(ids["阳光花园"]), "confirm_name": "阳光花园"})
    assert response.status_code == 302
    assert "已并入“阳光花园”：1 户迁入" in text(web_client.get("/communities"))
    assert household(web_archive, "S-101")["community"] == "阳光花园"
    assert {code: household(web_archive, code)["archive_no"] for code in web_archive.households} == numbers
    assert len(events(web_archive, "community.rename")) == 1
    assert len(events(web_archive, "community.merge")) == 2


def test_holds_on_the_folder_page(web_client, web_login, web_archive):
    hid = web_archive.households["A-1-0101"]
    secret = web_archive.documents[web_archive.confidential_title]
    with Archive(web_archive.settings).session() as session:
        row = session.get(Household, hid)
        add_hold(session, Actor.console(), "产权纠纷，法院保全", household=row)
        from dossier.models import Document

        add_hold(session, Actor.console(), "投诉未结", document=session.get(Document, secret))
    web_login(web_client, "archivist")
    body = text(web_client.get(f"/households/{hid}"))
    holds = body[body.index('id="holds"') : body.index('id="holds"') + 2000]
    assert "产权纠纷，法院保全" in holds and "整户档案" in holds and "投诉未结" in holds
    web_client.post("/logout")
    web_login(web_client, "staff")
    body = text(web_client.get(f"/households/{hid}"))
    assert 'id="holds"' not in body and "产权纠纷" not in body


def test_search_follows_a_renamed_community_and_an_edited_building(
    web_client, web_login, web_archive, web_search_docs
):
    ids = web_search_docs.ids
    web_login(web_client, "archivist")

    def hits(q: str) -> list[int]:
        body = web_client.get("/search", query_string={"q": q}).get_data(as_text=True)
        return sorted(int(i) for i in re.findall(r'<li class="hit" data-document="(\d+)">', body))

    assert hits("维修 小区:阳光家园") == []
    with Archive(web_archive.settings).session() as session:
        community = session.scalars(select(Community).where(Community.name == "阳光花园")).one().id
    web_client.post(f"/communities/{community}/rename", data={"name": "阳光家园"})
    assert hits("维修 小区:阳光家园") == sorted([ids["fund"], ids["secret"], ids["reno"]])
    hid = web_archive.households["A-1-1201"]
    edit = {**EDIT, "code": "A-1-1201", "community": "阳光家园", "floor": "12", "room": "1201", "area": ""}
    assert web_client.post(f"/households/{hid}/edit", data={**edit, "building": "C"}).status_code == 302
    assert hits("维修 楼栋:C") == [ids["reno"]]


def test_corrections_need_the_csrf_token(web_csrf_client, web_login, web_archive):
    hid = web_archive.households["A-1-0101"]
    web_login(web_csrf_client, "archivist")
    response = web_csrf_client.post(f"/households/{hid}/edit", data=EDIT)
    assert response.status_code == 400 and "安全校验失败" in text(response)
    assert household(web_archive, "A-1-0101")["building"] == "A"
