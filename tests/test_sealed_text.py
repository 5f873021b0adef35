"""Sealed page text: a confidential document's page text is stored encrypted (the field cipher)
in ``Page.text_enc`` with ``Page.text`` NULL, by the pipeline, by a correction that changes
confidentiality and by ``dossier init`` for an upgraded archive; every reader (index, search,
``doc show``, audits, the signed text digest) gets the plaintext. Real catalog (SQLite and
PostgreSQL), real pipeline on born-digital PDFs (no OCR)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from dossier import pagetext
from dossier.models import DocumentHistory, Page
from dossier.services.history import text_digest
from dossier.setup import initialise
from tests.audit_helpers import stored_documents
from tests.conftest import ADMIN_PASSWORD
from tests.retention_helpers import add_retention_users, store_document
from tests.synthetic import make_born_digital_pdf
from tests.tamper import behind_the_back

SECRET = "离婚协议书 男方张三 女方李四 子女抚养费每月三千元"


def _columns(archive, document_id: int) -> list[tuple[int, str | None, bytes | None]]:
    with archive.session() as session:
        return [
            tuple(r)
            for r in session.execute(
                select(Page.number, Page.text, Page.text_enc)
                .where(Page.document_id == document_id)
                .order_by(Page.number)
            )
        ]


def _signed_digest(archive, document_id: int) -> str | None:
    with archive.session() as session:
        entry = session.scalars(
            select(DocumentHistory)
            .where(DocumentHistory.document_id == document_id)
            .order_by(DocumentHistory.seq.desc())
            .limit(1)
        ).first()
        return json.loads(entry.record)["metadata"]["text_sha256"]


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_a_confidential_documents_page_text_is_sealed_and_every_reader_gets_plaintext(
    archive, console, tmp_path, run_cli
):
    (ordinary,) = stored_documents(archive, console, tmp_path, ["装修申请表 押金三千元"])
    (secret,) = stored_documents(archive, console, tmp_path, [SECRET], confidential=True)
    [(_, text, sealed)] = _columns(archive, secret)
    assert text is None and sealed and "张三".encode() not in sealed and "离婚".encode() not in sealed
    [(_, text, sealed)] = _columns(archive, ordinary)
    assert "押金" in text and sealed is None

    shown = _ok(run_cli("doc", "show", str(secret), "--purpose", "核对抚养费", "--json"))
    assert "子女抚养费" in shown["pages"][0]["text"]
    hits = _ok(run_cli("search", "抚养费", "--json"))["hits"]
    assert [h["document"] for h in hits] == [secret]  # indexed from the plaintext
    assert _signed_digest(archive, secret) == text_digest([(1, shown["pages"][0]["text"])])
    audit = run_cli("audit", "verify", "--json")
    assert audit.exit_code == 0 and audit.json()["failures"] == [], audit.stdout


def test_a_correction_seals_or_opens_the_pages_and_the_signed_digest_stays(archive, run_cli):
    add_retention_users(archive)
    assert run_cli("household", "add", "A-1-0101", "--owner", "张三").exit_code == 0
    doc = store_document(
        archive, "A-1-0101", "contract", None, pages=["购房合同 身份证号 110101199003071234", "第二页"]
    )
    digest = _signed_digest(archive, doc)
    plain = _columns(archive, doc)

    _ok(
        run_cli(
            "--as", "keeper", "doc", "edit", str(doc), "--confidential", "--reason", "含身份证号", "--json"
        )
    )
    columns = _columns(archive, doc)
    assert all(text is None and sealed for _, text, sealed in columns)
    with archive.session() as session:
        assert [
            (p.number, pagetext.page_text(session, p))
            for p in session.scalars(select(Page).where(Page.document_id == doc).order_by(Page.number))
        ] == [(n, t) for n, t, _ in plain]
    assert _signed_digest(archive, doc) == digest  # sealing changes no signature

    _ok(
        run_cli(
            "--as", "keeper", "doc", "edit", str(doc), "--ordinary", "--reason", "已核实无敏感信息", "--json"
        )
    )
    assert _columns(archive, doc) == plain
    assert _signed_digest(archive, doc) == digest
    assert run_cli("audit", "verify", "--json").json()["failures"] == []


def test_init_seals_the_plain_text_of_an_upgraded_archives_confidential_pages_once(
    archive, console, tmp_path, run_cli
):
    (secret,) = stored_documents(archive, console, tmp_path, [SECRET], confidential=True)
    with behind_the_back(archive) as conn:  # as an archive from before sealing has it
        conn.execute(update(Page).where(Page.document_id == secret).values(text=SECRET, text_enc=None))
    report = initialise(archive.settings, admin_password=ADMIN_PASSWORD)
    assert report.pages_sealed == 1
    [(_, text, sealed)] = _columns(archive, secret)
    assert text is None and sealed
    assert initialise(archive.settings, admin_password=ADMIN_PASSWORD).pages_sealed == 0
    assert run_cli("audit", "verify", "--json").json()["failures"] == []


def test_sealed_text_moved_to_another_page_is_caught_by_the_audit(archive, console, tmp_path, run_cli):
    from dossier.services import households as hh
    from ingest import intake
    from ingest.pipeline import process_document

    with archive.session() as session:
        hh.add_household(session, console, None, "A-3-1201", owner="张三")
    pdf = make_born_digital_pdf([SECRET, "第二页 财产分割 房屋归女方所有"], tmp_path / "two.pdf")
    with archive.session() as session:
        batch = intake.intake(
            archive,
            session,
            console,
            [
                intake.FileSpec(
                    path=pdf, name=pdf.name, household="A-3-1201", type_code="renovation", confidential=True
                )
            ],
        )
        (doc,) = intake.batch_document_ids(session, batch.id)
    assert process_document(archive, doc) == "indexed"
    (_, _, first), (_, _, second) = _columns(archive, doc)
    with behind_the_back(archive) as conn:  # swap the two pages' sealed text
        conn.execute(update(Page).where(Page.document_id == doc, Page.number == 1).values(text_enc=second))
        conn.execute(update(Page).where(Page.document_id == doc, Page.number == 2).values(text_enc=first))
    result = run_cli("audit", "verify", "--json")
    assert result.exit_code == 1
    details = {f["check"]: f["detail"] for f in result.json()["failures"] if f["document"] == doc}
    assert "无法读取" in details["signed_metadata"] and "文件" in details["signed_metadata"]


@pytest.mark.parametrize("confidential", [False, True])
def test_the_page_text_readers_agree_with_what_was_stored(archive, console, tmp_path, confidential):
    (doc,) = stored_documents(archive, console, tmp_path, [SECRET], confidential=confidential)
    with archive.session() as session:
        page = session.scalar(select(Page).where(Page.document_id == doc))
        expected = pagetext.page_text(archive, page)
        assert SECRET.split()[0] in expected
        assert pagetext.page_text(session, page) == pagetext.page_text(archive.fields, page) == expected
        assert pagetext.texts_by_page(session, session, [(doc, 1), (doc, 9)]) == {(doc, 1): expected}
        assert pagetext.document_texts(session, session, doc) == [(1, expected)]
