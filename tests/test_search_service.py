"""Search through the catalog: hooks feed the index, permissions, filters, facets, access log, CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from dossier.models import AccessEvent, Document, DocumentStatus
from dossier.services.households import add_household
from search import hooks
from search.service import SearchFilters, search_documents
from search.writer import IndexWriter, open_engine
from tests.search_helpers import add_doc, archivist_actor, search_cli, staff_actor  # noqa: F401


@pytest.fixture
def catalog(archive, console):
    """Two households, five documents (one confidential), indexed through the pipeline's hook."""
    with archive.session() as session:
        h1 = add_household(
            session, console, None, "A-3-1201", community="阳光花园", owner="张三", phone="13800138000"
        )
        h2 = add_household(session, console, None, "B-1-0502", community="阳光花园", owner="李四")
        session.flush()
        ids = {
            "fund": add_doc(
                session,
                h1.id,
                "payment",
                "维修基金缴纳通知",
                ["业主申请维修基金缴纳，请于五月前办理。", "5单元水電表編號 DN2019001"],
                document_date=date(2020, 5, 1),
            ).id,
            "noisy": add_doc(
                session,
                h2.id,
                "payment",
                "缴费通知",
                ["关于维俢基金缴纳的说明"],
                document_date=date(2021, 2, 1),
            ).id,
            "reno": add_doc(
                session,
                h1.id,
                "renovation",
                "装修申请表",
                ["装修押金收据 维修费 300 元"],
                document_date=date(2019, 3, 2),
            ).id,
            "secret": add_doc(
                session,
                h1.id,
                "id_document",
                "身份证复印件",
                ["保密 维修基金 身份证号码"],
                confidential=True,
                document_date=date(2018, 1, 1),
            ).id,
            "trad": add_doc(
                session,
                h2.id,
                "correspondence",
                "往來函件",
                ["物業管理費繳費記錄 車位"],
                document_date=date(2021, 6, 1),
            ).id,
        }
    for document_id in ids.values():
        hooks.document_changed(archive, document_id)
    return ids


def run(archive, actor, q, **kw):
    filters = SearchFilters(**{k: kw.pop(k) for k in list(kw) if k in SearchFilters.__dataclass_fields__})
    with archive.session() as session:
        return search_documents(session, actor, open_engine(archive.settings), q, filters, **kw)


def ids_of(result):
    return sorted(h["document"] for h in result["hits"])


def test_chinese_multiword_phrase_and_ocr_noise(archive, console, catalog):
    assert ids_of(run(archive, console, "维修基金 办理")) == [catalog["fund"]]
    assert ids_of(run(archive, console, '"维修基金缴纳"')) == [catalog["fund"]]
    assert ids_of(run(archive, console, "维修基金缴纳")) == [catalog["fund"], catalog["noisy"]]
    assert ids_of(run(archive, console, "修费")) == [catalog["reno"]]


def test_traditional_simplified_and_highlight_on_page_characters(archive, console, catalog):
    result = run(archive, console, "物业管理费")
    assert ids_of(result) == [catalog["trad"]]
    assert "<mark>物業管理費</mark>" in result["hits"][0]["snippet"]
    result = run(archive, console, "水電表編號")
    assert ids_of(result) == [catalog["fund"]] and result["hits"][0]["page"] == 2
    assert "<mark>水電表編號</mark>" in result["hits"][0]["snippet"]


def test_english_and_digits(archive, console, catalog):
    assert ids_of(run(archive, console, "dn2019001")) == [catalog["fund"]]
    assert ids_of(run(archive, console, "300")) == [catalog["reno"]]


def test_filters_and_syntax(archive, console, catalog):
    assert ids_of(run(archive, console, "type:装修")) == [catalog["reno"]]
    assert ids_of(run(archive, console, "维修 type:renovation")) == [catalog["reno"]]
    assert ids_of(run(archive, console, "household:A-3-1201 维修")) == sorted(
        [catalog["fund"], catalog["reno"], catalog["secret"]]
    )
    assert ids_of(run(archive, console, "基金", household="b-1-0502")) == [catalog["noisy"]]
    assert ids_of(run(archive, console, "date:2019..2020")) == sorted([catalog["fund"], catalog["reno"]])
    assert ids_of(run(archive, console, "基金", date_from="2021")) == [catalog["noisy"]]
    assert ids_of(run(archive, console, "押金 OR 车位")) == sorted([catalog["reno"], catalog["trad"]])
    assert ids_of(run(archive, console, "基金 -说明")) == sorted([catalog["fund"], catalog["secret"]])
    assert ids_of(run(archive, console, "基金", community="阳光花园", type="payment")) == sorted(
        [catalog["fund"], catalog["noisy"]]
    )


def test_staff_never_sees_confidential_documents(archive, console, catalog):
    admin = run(archive, console, "维修")
    staff = run(archive, staff_actor(), "维修")
    assert catalog["secret"] in ids_of(admin) and catalog["secret"] not in ids_of(staff)
    assert staff["total"] == admin["total"] - 1
    assert "id_document" in [f["value"] for f in admin["facets"]["type"]]
    assert "id_document" not in [f["value"] for f in staff["facets"]["type"]]
    assert "2018" not in [f["value"] for f in staff["facets"]["year"]]
    assert run(archive, staff_actor(), "身份证号码")["total"] == 0
    assert run(archive, archivist_actor(), "身份证号码")["total"] == 1
    assert staff["total_exact"] and admin["total_exact"]


def test_capped_totals_still_exclude_confidential_documents(archive, console, catalog, monkeypatch):
    from search import whoosh_engine

    monkeypatch.setattr(whoosh_engine, "MAX_PAGES", 1)
    for _ in range(2):
        staff = run(archive, staff_actor(), "保密 OR 维修")
        assert not staff["total_exact"] and staff["total"] == 1
        assert catalog["secret"] not in ids_of(staff)
        assert "id_document" not in [f["value"] for f in staff["facets"]["type"]]
    assert run(archive, staff_actor(), "保密")["total"] == 0  # the secret page alone matches
    assert run(archive, archivist_actor(), "保密")["total"] == 1


def test_facets_count_documents(archive, console, catalog):
    facets = run(archive, console, "基金")["facets"]
    assert {f["value"]: f["count"] for f in facets["type"]} == {"payment": 2, "id_document": 1}
    assert {f["label"] for f in facets["type"]} >= {"缴费记录"}


def test_household_lookup_and_access_log(archive, console, catalog):
    result = run(archive, console, "张三")
    assert [h["code"] for h in result["households"]] == ["A-3-1201"]
    assert [h["code"] for h in run(archive, console, "13800138000")["households"]] == ["A-3-1201"]
    with archive.session() as session:
        events = session.scalars(select(AccessEvent).where(AccessEvent.action == "search")).all()
    detail = json.loads(events[-1].detail)
    assert detail["q"] == "13800138000" and "total" in detail and events[-1].username == "console"


def test_destroyed_document_disappears_at_once(archive, console, catalog):
    with archive.session() as session:
        session.get(Document, catalog["reno"]).status = DocumentStatus.DESTROYED.value
    hooks.document_changed(archive, catalog["reno"])
    assert run(archive, console, "押金")["total"] == 0


def test_rebuild_and_check(archive, console, catalog):
    writer = IndexWriter(archive)
    assert writer.check()["ok"]
    # Drift: one document's index entries vanish, an entry without a document appears.
    writer.engine.apply({catalog["trad"]: []})
    from search.engine import PageEntry

    writer.engine.apply(
        {
            9999: [
                PageEntry(
                    9999, 1, "X", "阳光花园", None, "", "other", "ghost", None, False, "indexed", "幽灵"
                )
            ]
        }
    )
    report = writer.check()
    assert report["missing"] == [catalog["trad"]] and report["orphans"] == [9999] and not report["ok"]
    counts = writer.rebuild()
    assert counts["documents"] == 5 and counts["pages"] == 6
    assert writer.check()["ok"]
    assert ids_of(run(archive, console, "物业管理费")) == [catalog["trad"]]


def test_an_index_of_an_older_format_is_refused_then_rebuilt_by_init(archive, console, catalog):
    """Upgrading from an index with Whoosh's own positions format (INDEX_FORMAT 1): searching
    asks for a rebuild in one sentence, and `dossier init` rebuilds it from the catalog."""
    from whoosh import fields as wf
    from whoosh import index as wi

    from dossier.errors import DossierError
    from dossier.setup import initialise
    from search.whoosh_engine import FORMAT_FILE, make_schema

    engine = open_engine(archive.settings)
    gen = engine._new_generation()
    (gen / FORMAT_FILE).unlink()  # written before FORMAT files existed
    schema = make_schema()
    schema.remove("text")
    schema.add("text", wf.TEXT(phrase=True))
    wi.create_in(str(gen), schema)
    engine._point_current_at(gen)
    assert engine.outdated()
    with pytest.raises(DossierError, match="run `dossier index rebuild`"):
        run(archive, console, "维修基金")
    report = initialise(archive.settings)
    assert report.index_rebuilt and not engine.outdated()
    assert ids_of(run(archive, console, "维修基金")) == sorted(
        [catalog["fund"], catalog["noisy"], catalog["secret"]]
    )
    assert not initialise(archive.settings).index_rebuilt


@pytest.mark.parametrize("written", [None, "3\n"])
def test_the_format_file_decides_when_init_and_the_writer_rebuild(archive, console, catalog, written):
    """FORMAT missing (an index of before FORMAT files) or another INDEX_FORMAT: `dossier init`
    rebuilds the index from the catalog, and so does the single writer when it next opens the
    index for a change; a current FORMAT is left alone."""
    from dossier.setup import initialise
    from search.whoosh_engine import FORMAT_FILE, INDEX_FORMAT

    def outdate():
        live = open_engine(archive.settings).live_dir()
        if written is None:
            (live / FORMAT_FILE).unlink()
        else:
            (live / FORMAT_FILE).write_text(written)
        return live

    old = outdate()
    report = initialise(archive.settings)
    engine = open_engine(archive.settings)
    assert report.index_rebuilt and engine.live_dir() != old and not engine.outdated()
    assert (engine.live_dir() / FORMAT_FILE).read_text().strip() == str(INDEX_FORMAT)
    assert ids_of(run(archive, console, "维修基金")) == sorted(
        [catalog["fund"], catalog["noisy"], catalog["secret"]]
    )
    assert not initialise(archive.settings).index_rebuilt

    old = outdate()
    with archive.session() as session:
        session.get(Document, catalog["reno"]).title = "装修申请表 押金"
    hooks.document_changed(archive, catalog["reno"])  # the writer rebuilds, then applies
    assert open_engine(archive.settings).live_dir() != old and not open_engine(archive.settings).outdated()
    assert ids_of(run(archive, console, "维修基金")) == sorted(
        [catalog["fund"], catalog["noisy"], catalog["secret"]]
    )
    assert IndexWriter(archive).check()["ok"]


def test_the_cache_size_comes_from_the_settings(archive):
    from dataclasses import replace

    from search.postings import term_cache

    before = term_cache.max_bytes
    try:
        open_engine(replace(archive.settings, search_cache_mb=3))
        assert term_cache.max_bytes == 3 << 20
    finally:
        term_cache.resize(before)
    from dossier.config import Settings
    from dossier.errors import ConfigurationError

    assert Settings.from_env({}).search_cache_mb == 256
    assert Settings.from_env({"DOSSIER_SEARCH_CACHE_MB": "0"}).search_cache_mb == 0
    with pytest.raises(ConfigurationError, match="DOSSIER_SEARCH_CACHE_MB"):
        Settings.from_env({"DOSSIER_SEARCH_CACHE_MB": "lots"})


def test_cli(archive, catalog, run_cli, search_cli):
    result = run_cli("search", "维修基金", "--type", "缴费记录", "--json")
    assert result.exit_code == 0, result.stderr
    payload = result.json()
    assert payload["total"] == 2 and {
        "document",
        "page",
        "household",
        "type",
        "title",
        "date",
        "score",
        "snippet",
    } <= set(payload["hits"][0])
    assert run_cli("index", "check", "--json").json()["ok"] is True
    rebuilt = run_cli("index", "rebuild", "--json")
    assert rebuilt.exit_code == 0 and rebuilt.json()["pages"] == 6
    bad = run_cli("search", "x", "--type", "nonsense")
    assert bad.exit_code == 2 and "没有“nonsense”这种文件类型" in bad.stderr
    human = run_cli("search", "维修基金", "--type", "缴费记录")
    assert human.exit_code == 0 and human.stdout.startswith("共 2 份文件")
    assert "第1页" in human.stdout or "第2页" in human.stdout
    # Nothing found: the suggestions, in Chinese (the JSON keys stay English).
    empty = run_cli("search", "维修基金", "乌龙茶")
    assert empty.exit_code == 0, empty.stderr
    assert empty.stdout.startswith("共 0 份文件") and "建议：维修基金（" in empty.stdout
    assert run_cli("search", "维修基金", "乌龙茶", "--json").json()["suggestions"] == [
        {"kind": "fewer", "q": "维修基金", "count": 3}
    ]
    unclosed = run_cli("search", '"维修基金')
    assert unclosed.exit_code == 2 and "引号没有闭合" in unclosed.stderr
