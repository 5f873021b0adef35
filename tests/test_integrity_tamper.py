"""The tamper matrix: one archive is built per database (documents processed, a stack split and
part of it destroyed, corrections, a retention class set, an access log), then every case works on
its own copy, tampers with it as someone with database and disk access would (triggers dropped,
plain SQL, files rewritten), and ``audit verify`` or ``shredlog verify`` must fail naming it.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select, update

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.config import Settings
from dossier.db import dispose_engines
from dossier.models import (
    AccessEvent,
    BatchItem,
    Document,
    DocumentHistory,
    LogHead,
    ObjectKey,
    Page,
    ScanStack,
    ShredLogEntry,
)
from dossier.setup import initialise
from tests.audit_helpers import stored_documents
from tests.conftest import ADMIN_PASSWORD, PG_ADMIN_URL, fresh_pg_database, make_env
from tests.retention_helpers import add_retention_users, cli_token, store_document
from tests.synthetic import make_pdf
from tests.tamper import behind_the_back

H, OTHER = "A-3-1201", "A-3-1202"


@dataclass
class Built:
    home: Path
    database_url: str | None
    confidential: int  # a processed confidential document
    ordinary: int  # a processed ordinary document, corrected and given a class
    destroyed_part: int  # cut from a stack, then destroyed
    kept_part: int  # the same stack's other part, kept
    destroyed_image: bytes  # the destroyed part's page as the stack's PDF holds it
    stack_before: dict  # the stack's row, data key and ciphertext before the destruction


def _cli(*args: str) -> tuple[int, str, str]:
    import contextlib

    from dossier.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, out.getvalue(), err.getvalue()


def _ok(*args: str) -> dict:
    code, out, err = _cli(*args)
    assert code == 0, err
    return json.loads(out) if out.strip().startswith("{") else {}


@contextmanager
def _env(home: Path, database_url: str | None):
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("DOSSIER_")]:
            mp.delenv(name)
        for key, value in make_env(home, database_url).items():
            mp.setenv(key, value)
        try:
            yield Archive(Settings.from_env())
        finally:
            dispose_engines()


def _stack_pdf(archive: Archive, tmp: Path) -> Path:
    from tests.test_coversheets import _facts, _plain, blank, content, sheet

    key = archive.cover_sheet_key
    due = _facts(
        archive, H, type_code="repair", title="报修单", document_date=date(2015, 3, 1), retention_class="D3"
    )
    kept = _facts(archive, OTHER, type_code="contract", title="购房合同", document_date=date(2020, 5, 1))
    pages = [sheet(due, key), blank(1), content("报修 水管漏水", 2), sheet(kept, key), content("购房合同", 3)]
    return make_pdf(_plain(pages), tmp / "stack.pdf")


def _page_images(pdf: Path, tmp: Path) -> list[bytes]:
    out = tmp / f"images-{uuid.uuid4().hex[:6]}"
    out.mkdir()
    subprocess.run(["pdfimages", "-all", str(pdf), str(out / "p")], check=True)
    return [p.read_bytes() for p in sorted(out.iterdir())]


def _build(tmp: Path, database_url: str | None) -> Built:
    from ingest import intake

    home = tmp / "home"
    with _env(home, database_url) as archive:
        initialise(archive.settings, admin_password=ADMIN_PASSWORD)
        add_retention_users(archive)
        _ok("household", "add", H, "--owner", "张三")
        _ok("household", "add", OTHER, "--owner", "李四")
        console = Actor.console()
        (ordinary,) = stored_documents(archive, console, tmp, ["装修申请 押金 三千元"], household=H)
        (confidential,) = stored_documents(
            archive, console, tmp, ["身份证复印件 110101199003071234"], household=H, confidential=True
        )
        store_document(archive, OTHER, "repair", date(2015, 1, 5), pages=["报修 电梯"])
        pdf = _stack_pdf(archive, tmp)
        with archive.session() as session:
            batch = intake.intake(
                archive, session, console, [intake.FileSpec(path=pdf, name=pdf.name, split=True)]
            )
            parts = [
                i.document_id
                for i in session.scalars(
                    select(BatchItem)
                    .where(BatchItem.batch_id == batch.id, BatchItem.document_id.is_not(None))
                    .order_by(BatchItem.position)
                )
            ]
        destroyed_part, kept_part = parts
        _ok(
            "--as",
            "keeper",
            "doc",
            "edit",
            str(ordinary),
            "--title",
            "装修申请（更正）",
            "--reason",
            "题名录错",
            "--json",
        )
        _ok(
            "--as",
            "keeper",
            "retention",
            "set-class",
            str(ordinary),
            "D30",
            "--reason",
            "业主要求延长",
            "--json",
        )
        _ok("--as", "keeper", "doc", "show", str(ordinary), "--json")
        with archive.session() as session:
            stack = session.scalar(select(ScanStack))
            row = {c.name: getattr(stack, c.key) for c in ScanStack.__table__.columns}
            key_row = session.get(ObjectKey, stack.original_key)
            before = {
                "row": row,
                "wrapped": key_row.wrapped_key,
                "master": key_row.master_key_id,
                "cipher": archive.store.open(stack.original_key).read(),
            }
        number = _ok("--as", "keeper", "retention", "propose", "--json")["number"]
        with pytest.MonkeyPatch.context() as mp:  # four-eyes: the officer's own token
            mp.setenv("DOSSIER_TOKEN", cli_token(archive, "officer"))
            _ok("--as", "officer", "retention", "approve", number)
        report = _ok("--as", "keeper", "retention", "execute", number, "--json")
        assert destroyed_part in report["destroyed"] and kept_part not in report["destroyed"]
        image = _page_images(pdf, tmp)[2]  # sheet, blank, then the destroyed part's page
    return Built(home, database_url, confidential, ordinary, destroyed_part, kept_part, image, before)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def built(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"tamper-{request.param}")
    if request.param == "sqlite":
        yield _build(tmp, None)
        return
    gen = fresh_pg_database("dossier_tamper")
    url = next(gen)
    try:
        yield _build(tmp, url)
    finally:
        dispose_engines()
        next(gen, None)


@pytest.fixture
def copy(built, tmp_path):
    """A copy of the built archive (home folder, and the PostgreSQL database), opened."""
    home = tmp_path / "copy"
    dispose_engines()
    shutil.copytree(built.home, home)
    url = None
    if built.database_url:
        import psycopg

        source = built.database_url.rsplit("/", 1)[1]
        name = f"dossier_tamper_{uuid.uuid4().hex[:10]}"
        admin = PG_ADMIN_URL.replace("+psycopg", "")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        url = built.database_url.rsplit("/", 1)[0] + "/" + name
    with _env(home, url) as archive:
        yield archive
    if url:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _audit() -> dict:
    code, out, err = _cli("audit", "verify", "--json")
    assert code in (0, 1), err
    return json.loads(out)


def _failures(check: str | None = None) -> list[dict]:
    failures = _audit()["failures"]
    return [f for f in failures if check is None or f["check"] == check]


# --- untouched --------------------------------------------------------------------------------


def test_an_untouched_archive_verifies_clean(built, copy):
    assert _cli("audit", "verify", "--json")[0] == 0, _audit()["failures"]
    code, out, _ = _cli("--as", "checker", "shredlog", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] and json.loads(out)["entries"] == 2


def test_no_object_whose_key_still_exists_yields_the_destroyed_pages(built, copy):
    with copy.session() as session:
        keys = session.execute(select(ObjectKey.object_key, ObjectKey.wrapped_key)).all()
    assert keys
    for key, wrapped in keys:
        with copy.vault.open(key, wrapped) as stream:
            assert built.destroyed_image not in stream.read(), key
    with copy.session() as session:
        stack = session.scalar(select(ScanStack))
        kept_item = session.scalar(select(BatchItem).where(BatchItem.document_id == built.kept_part))
        assert json.loads(stack.signed_record)["pages"] == [kept_item.first_page - 1, kept_item.first_page]


def test_legitimate_changes_appear_in_the_history(built, copy):
    code, out, _ = _cli("doc", "history", str(built.ordinary), "--json")
    entries = json.loads(out)["history"]
    assert [e["action"] for e in entries] == ["intake", "processed", "corrected", "retention_class"]
    assert entries[2]["changes"]["title"][1] == "装修申请（更正）" and entries[2]["reason"] == "题名录错"
    assert entries[3]["changes"] == {"retention_class": [None, "D30"]} and entries[3]["by"] == "keeper"


# --- the shredding log ------------------------------------------------------------------------


def _shredlog() -> tuple[int, dict]:
    code, out, _ = _cli("--as", "checker", "shredlog", "verify", "--json")
    return code, json.loads(out)


def _older_signed_head(archive: Archive, conn, name: str, seq: int) -> None:
    """Rewind a head to an earlier genuine one (as kept in an older backup): signed, but old."""
    from dossier.ledger import GENESIS, head_record

    digest = (
        GENESIS
        if seq == 0
        else conn.execute(select(ShredLogEntry.entry_hash).where(ShredLogEntry.seq == seq)).scalar()
    )
    conn.execute(
        update(LogHead.__table__)
        .where(LogHead.name == name)
        .values(seq=seq, hash=digest, signature=archive.signer.sign(head_record(name, seq, digest)))
    )


def test_a_shredding_log_cut_back_is_detected(copy):
    with behind_the_back(copy) as conn:
        conn.execute(delete(ShredLogEntry.__table__).where(ShredLogEntry.seq == 2))
        _older_signed_head(copy, conn, "shredlog", 1)
    code, body = _shredlog()
    assert code == 8 and body["broken_at"] == 2 and "截短或清空" in body["problems"][0]["problem"]
    assert _failures("shred_log") and _failures("destruction_records")


def test_a_wiped_shredding_log_is_detected(copy):
    with behind_the_back(copy) as conn:
        conn.execute(delete(ShredLogEntry.__table__))
        conn.execute(delete(LogHead.__table__).where(LogHead.name == "shredlog"))
    code, body = _shredlog()
    assert code == 8 and body["broken_at"] == 1 and "截短或清空" in body["problems"][0]["problem"]
    assert any("销毁日志中没有它的条目" in f["detail"] for f in _failures("destruction_records"))


def test_a_reordered_shredding_log_is_detected(copy):
    with behind_the_back(copy) as conn:
        rows = {r.seq: r for r in conn.execute(select(ShredLogEntry.__table__))}
        for seq, other in ((1, 2), (2, 1)):
            values = {
                c: getattr(rows[other], c)
                for c in (
                    "record",
                    "prev_hash",
                    "entry_hash",
                    "signature",
                    "document_id",
                    "list_number",
                    "kind",
                )
            }
            conn.execute(update(ShredLogEntry.__table__).where(ShredLogEntry.seq == seq).values(**values))
    code, body = _shredlog()
    assert code == 8 and body["broken_at"] == 1


def test_an_edited_shredding_log_entry_is_detected(copy):
    with behind_the_back(copy) as conn:
        record = json.loads(conn.execute(select(ShredLogEntry.record).where(ShredLogEntry.seq == 1)).scalar())
        record["title"] = "别的文件"
        conn.execute(
            update(ShredLogEntry.__table__)
            .where(ShredLogEntry.seq == 1)
            .values(record=json.dumps(record, ensure_ascii=False, sort_keys=True))
        )
    code, body = _shredlog()
    assert code == 8 and body["broken_at"] == 1 and "已被改动" in body["problems"][0]["problem"]


# --- the access log ---------------------------------------------------------------------------


def test_deleted_access_log_entries_are_detected(copy):
    with behind_the_back(copy) as conn:
        conn.execute(delete(AccessEvent.__table__).where(AccessEvent.seq.in_((3, 4, 5))))
    [finding, *_] = _failures("access_log")
    assert finding["detail"].startswith("查阅登记：") and "缺少第 3 至 5 条" in finding["detail"]


def test_an_edited_access_log_entry_is_detected(copy):
    with behind_the_back(copy) as conn:
        conn.execute(
            update(AccessEvent.__table__).where(AccessEvent.seq == 4).values(username="someone-else")
        )
    assert "第 4 条" in _failures("access_log")[0]["detail"]


def test_an_inserted_access_log_entry_is_detected(copy):
    from dossier.ledger import entry_hash
    from dossier.services.access import access_record

    with behind_the_back(copy) as conn:
        last = conn.execute(select(AccessEvent.__table__).order_by(AccessEvent.seq.desc()).limit(1)).one()
        forged = dict(
            last._mapping,
            id=last.id + 1,
            seq=last.seq + 1,
            prev_hash=last.entry_hash,
            username="ghost",
            action="document.view",
        )
        forged["entry_hash"] = entry_hash(access_record(type("E", (), forged)))
        conn.execute(insert(AccessEvent.__table__).values(**forged))
    assert _failures("access_log")


def test_a_wiped_access_log_is_detected(copy):
    with behind_the_back(copy) as conn:
        conn.execute(delete(AccessEvent.__table__))
        conn.execute(delete(LogHead.__table__).where(LogHead.name == "access"))
    assert any("截短或清空" in f["detail"] for f in _failures("access_log"))


# --- catalog metadata and page text -----------------------------------------------------------


@pytest.mark.parametrize(
    "column, value, field",
    [
        ("confidentiality", "ordinary", "confidentiality"),
        ("title", "别的题名", "title"),
        ("type_code", "contract", "type"),
        ("document_date", date(1999, 1, 1), "date"),
        ("retention_class", "D3", "retention_class"),
    ],
)
def test_changed_metadata_is_detected_naming_the_field(built, copy, column, value, field):
    with behind_the_back(copy) as conn:
        conn.execute(
            update(Document.__table__).where(Document.id == built.confidential).values(**{column: value})
        )
    failed = [f for f in _failures("signed_metadata") if f["document"] == built.confidential]
    assert failed and field in failed[0]["detail"]


def test_a_document_moved_behind_the_back_is_detected(built, copy):
    with behind_the_back(copy) as conn:
        other = conn.execute(select(Document.household_id).where(Document.id == built.kept_part)).scalar()
        conn.execute(
            update(Document.__table__).where(Document.id == built.ordinary).values(household_id=other)
        )
    assert (
        "household"
        in [f for f in _failures("signed_metadata") if f["document"] == built.ordinary][0]["detail"]
    )


def test_rewritten_page_text_is_detected(built, copy):
    with behind_the_back(copy) as conn:
        conn.execute(
            update(Page.__table__).where(Page.document_id == built.ordinary).values(text="伪造的文字")
        )
    failed = [f for f in _failures("signed_metadata") if f["document"] == built.ordinary]
    assert failed and "text_sha256" in failed[0]["detail"]


def test_a_rolled_back_history_is_detected(built, copy):
    """The latest history entry dropped and the catalog set back to the one before it."""
    with behind_the_back(copy) as conn:
        last = conn.execute(select(func.max(DocumentHistory.seq))).scalar()
        conn.execute(delete(DocumentHistory.__table__).where(DocumentHistory.seq == last))
    assert _failures("change_history")


# --- originals and storage --------------------------------------------------------------------


def _original(copy: Archive, doc: int) -> str:
    with copy.session() as session:
        return session.get(Document, doc).original_key


def test_a_flipped_byte_of_an_original_is_detected(built, copy):
    from tests.audit_helpers import flip_byte

    flip_byte(copy, _original(copy, built.ordinary))
    assert (built.ordinary, "decrypt") in {(f["document"], f["check"]) for f in _failures()}


def test_a_deleted_original_is_detected(built, copy):
    copy.store.delete(_original(copy, built.ordinary))
    checks = {(f["document"], f["check"]) for f in _failures()}
    assert (built.ordinary, "object") in checks and (built.ordinary, "missing_objects") in checks


def test_swapped_originals_are_detected(built, copy):
    a, b = _original(copy, built.ordinary), _original(copy, built.confidential)
    with behind_the_back(copy) as conn:
        conn.execute(
            update(Document.__table__).where(Document.id == built.ordinary).values(original_key="swap")
        )
        conn.execute(
            update(Document.__table__).where(Document.id == built.confidential).values(original_key=a)
        )
        conn.execute(update(Document.__table__).where(Document.id == built.ordinary).values(original_key=b))
    checks = {(f["document"], f["check"]) for f in _failures()}
    assert (built.ordinary, "record") in checks and (built.confidential, "record") in checks


def test_an_orphan_object_is_detected(copy):
    copy.store.put("originals/2020/01/stray", io.BytesIO(b"x" * 100), length=100)
    assert any("stray" in f["detail"] for f in _failures("orphan_objects"))


def test_a_stack_that_still_holds_destroyed_pages_is_detected(built, copy):
    """The stack's row, data key and object put back as they were before the destruction."""
    before = built.stack_before
    copy.store.put(before["row"]["original_key"], io.BytesIO(before["cipher"]), length=len(before["cipher"]))
    with behind_the_back(copy) as conn:
        conn.execute(
            update(ScanStack.__table__).where(ScanStack.id == before["row"]["id"]).values(**before["row"])
        )
        conn.execute(
            insert(ObjectKey.__table__).values(
                object_key=before["row"]["original_key"],
                wrapped_key=before["wrapped"],
                master_key_id=before["master"],
            )
        )
    found = _failures("destroyed_content")
    assert any(str(built.destroyed_part) in f["detail"] and "整叠扫描件" in f["detail"] for f in found)


def test_guards_refuse_changes_without_dropping_the_triggers(built, copy):
    """The database itself refuses: plain SQL on the append-only tables fails."""
    from sqlalchemy.exc import DBAPIError

    for statement in (
        delete(ShredLogEntry.__table__),
        update(AccessEvent.__table__).values(username="x"),
        delete(DocumentHistory.__table__),
    ):
        with copy.new_session() as session, pytest.raises(DBAPIError, match="never"):
            session.connection().execute(statement)
