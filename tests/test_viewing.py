"""Viewing a document is one use case (``dossier.services.viewing``) for the CLI, web and API.

A refused view is logged in its own short transaction: the caller's session, with whatever it
had pending, is left untouched (the entry point rolls it back), and the refusal is on record.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from dossier.errors import NotFound
from dossier.models import AccessEvent, ArchiveSetting
from dossier.services.documents import PurposeRequired
from dossier.services.households import add_household
from dossier.services.viewing import print_document, record_print, view_document
from tests.search_helpers import add_doc, archivist_actor, staff_actor

PERSONAL_PAGE = "业主张三，身份证 110101199003071234，手机 13800138000。"


@pytest.fixture
def docs(archive, console) -> dict[str, int]:
    with archive.session() as session:
        household = add_household(session, console, None, "A-3-1201")
        session.flush()
        return {
            "secret": add_doc(
                session, household.id, "id_document", "身份证复印件", ["身份证"], confidential=True
            ).id,
            "fund": add_doc(session, household.id, "payment", "维修基金", [PERSONAL_PAGE, "缴费记录"]).id,
        }


def _events(archive, document_id: int) -> list[tuple[str, str, str | None]]:
    with archive.session() as session:
        return [
            (e.action, e.outcome, e.detail)
            for e in session.scalars(
                select(AccessEvent).where(AccessEvent.document_id == document_id).order_by(AccessEvent.seq)
            )
        ]


def test_a_refused_view_leaves_the_callers_session_alone_and_is_logged(archive, docs):
    session = archive.new_session()
    try:
        session.add(ArchiveSetting(key="test.pending", value="unrelated"))  # not the view's business
        with pytest.raises(NotFound, match=f"没有编号为 {docs['secret']} 的文件"):
            view_document(session, staff_actor(), docs["secret"])
        assert [row.key for row in session.new] == ["test.pending"]  # still pending
        session.rollback()  # as the web and the CLI do on error
    finally:
        session.close()
    with archive.session() as other:
        assert other.get(ArchiveSetting, "test.pending") is None
    assert _events(archive, docs["secret"]) == [("document.view", "denied", None)]


def test_views_log_one_detail_format(archive, docs):
    with archive.session() as session:
        one = view_document(session, staff_actor(), docs["fund"], page=9)
        assert one.number == 2 and [p.number for p in one.shown] == [2]
        every = view_document(session, staff_actor(), docs["fund"])
        assert [p["number"] for p in every.as_dict()["pages"]] == [1, 2]
        assert every.shown[0].masked and "110101199003071234" not in every.shown[0].text
        with pytest.raises(PurposeRequired):
            view_document(session, archivist_actor(), docs["secret"])
        shown = view_document(session, archivist_actor(), docs["secret"], " 核对 ")
        assert shown.purpose == "核对" and not shown.shown[0].masked
        printed = print_document(session, archivist_actor(), docs["secret"], "核对")  # opened: a view
        assert [p.number for p in printed.pages] == [1]
        record_print(session, archivist_actor(), docs["secret"], "核对")  # printed
    assert [(a, o, json.loads(d) if d else None) for a, o, d in _events(archive, docs["fund"])] == [
        ("document.view", "ok", {"page": 2}),
        ("document.view", "ok", None),
    ]
    assert [(a, o, json.loads(d)) for a, o, d in _events(archive, docs["secret"])] == [
        ("document.view", "ok", {"purpose": "核对"}),
        ("document.view", "ok", {"purpose": "核对"}),
        ("document.print", "ok", {"purpose": "核对"}),
    ]
