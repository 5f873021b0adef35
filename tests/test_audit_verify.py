"""`dossier audit verify`: every original checked against its signed record, catalog ↔ storage,
fixity events kept per document so a failure says when it was last good; resumable runs."""

from __future__ import annotations

import io
from datetime import UTC

import pytest
from sqlalchemy import func, select

from audit.verification import Scope, open_run, verify_archive
from dossier.actor import Actor
from dossier.models import AuditRun, FixityEvent, Role
from dossier.services import households as hh
from dossier.services.access import record_access
from dossier.services.users import add_user
from tests.audit_helpers import flip_byte, original_key, replace_with_other_content, stored_documents


@pytest.fixture
def docs(archive, console, tmp_path):
    return stored_documents(
        archive, console, tmp_path, ["业主装修申请表 A-3-1201 保证金", "缴费记录 二〇二四年三月"]
    )


def _verify(run_cli, *args):
    return run_cli("audit", "verify", "--json", *args)


def _failed(result) -> set[tuple[int | None, str]]:
    return {(f["document"], f["check"]) for f in result.json()["failures"]}


def test_a_clean_archive_passes_every_check(docs, run_cli, archive):
    result = _verify(run_cli)
    assert result.exit_code == 0, result.stderr
    view = result.json()
    assert view["ok"] and view["documents_checked"] == 2 and view["failures"] == []
    with archive.session() as session:
        checks = set(session.scalars(select(FixityEvent.check).where(FixityEvent.document_id == docs[0])))
        assert {
            "signature",
            "record",
            "sha256",
            "sm3",
            "key",
            "object",
            "decrypt",
            "size",
            "metadata",
            "pages",
            "derivatives",
            "index",
            "text",
        } <= checks
        archive_checks = set(
            session.scalars(select(FixityEvent.check).where(FixityEvent.document_id.is_(None)))
        )
        assert {
            "orphan_objects",
            "missing_objects",
            "archive_no_gaps",
            "unauthorised_readers",
        } <= archive_checks


def test_one_flipped_byte_names_the_document_and_when_it_was_last_good(docs, run_cli, archive):
    first = _verify(run_cli)
    assert first.exit_code == 0
    flip_byte(archive, original_key(archive, docs[1]))
    result = _verify(run_cli)
    assert result.exit_code == 1
    assert _failed(result) == {(docs[1], "decrypt")}
    failure = result.json()["failures"][0]
    assert failure["household"] == "A-3-1201" and failure["property"] == "integrity"
    assert failure["last_good"] is not None and failure["last_good"] <= failure["at"]
    human = run_cli("audit", "verify")
    assert human.exit_code == 1
    assert f"文件 {docs[1]}（A-3-1201）：原件可解密且未被改动" in human.stdout and "上次通过" in human.stdout


def test_another_valid_encryption_of_other_content_fails_authenticity(docs, run_cli, archive):
    replace_with_other_content(archive, original_key(archive, docs[0]), b"%PDF-1.4 forged contract")
    result = _verify(run_cli)
    assert result.exit_code == 1
    failed = _failed(result)
    assert {(docs[0], "sha256"), (docs[0], "sm3"), (docs[0], "size")} <= failed
    assert (docs[0], "decrypt") not in failed and all(doc == docs[0] for doc, _ in failed)
    props = {f["check"]: f["property"] for f in result.json()["failures"]}
    assert props["sha256"] == props["sm3"] == "authenticity"
    # The report puts it under authenticity.
    report = run_cli("audit", "report", "--format", "json").json()
    assert (
        report["properties"]["authenticity"]["failed"] >= 2 and not report["properties"]["authenticity"]["ok"]
    )


def test_an_edited_catalog_record_breaks_the_signature_check(docs, run_cli, archive):
    from dossier.models import Document

    with archive.session() as session:
        doc = session.get(Document, docs[0])
        doc.signed_record = doc.signed_record.replace('"size":', '"size": 1, "x":', 1)
    failed = _failed(_verify(run_cli))
    assert (docs[0], "signature") in failed


def test_a_missing_object_and_an_orphan_are_each_reported(docs, run_cli, archive):
    key = original_key(archive, docs[0])
    archive.store.delete(key)
    archive.store.put("originals/2020/01/strayobject", io.BytesIO(b"not in the catalog"))
    result = _verify(run_cli)
    assert result.exit_code == 1
    failed = _failed(result)
    assert (docs[0], "object") in failed and (docs[0], "missing_objects") in failed
    orphans = [f for f in result.json()["failures"] if f["check"] == "orphan_objects"]
    assert len(orphans) == 1 and "originals/2020/01/strayobject" in orphans[0]["detail"]
    assert all(doc == docs[0] for doc, check in failed if check not in ("orphan_objects",))


def test_archive_number_gaps_and_unauthorised_readers(archive, console, run_cli, tmp_path):
    (doc,) = stored_documents(archive, console, tmp_path, ["身份证复印件"], confidential=True)
    with archive.session() as session:
        first = session.scalar(select(hh.Household.archive_no))
        prefix = first.rstrip("0123456789")
        hh.add_household(session, console, None, "A-3-1205", archive_no=f"{prefix}00004", owner="王五")
        # An entry as a staff member's read of it would have been written (a role check gone wrong).
        record_access(
            session, Actor(None, "staff1", Role.STAFF.value, channel="web"), "document.view", document_id=doc
        )
    result = _verify(run_cli)
    assert result.exit_code == 1
    details = {f["check"]: f["detail"] for f in result.json()["failures"]}
    assert f"{prefix}00002–{prefix}00003" in details["archive_no_gaps"]
    assert "staff1" in details["unauthorised_readers"]


def test_an_interrupted_run_continues_where_it_stopped(archive, console, tmp_path, run_cli):
    ids = stored_documents(archive, console, tmp_path, ["第一件", "第二件", "第三件"])

    def stop(_n):
        raise KeyboardInterrupt

    with archive.session() as session:
        run, resumed = open_run(session, console, Scope())
        assert not resumed
        with pytest.raises(KeyboardInterrupt):
            verify_archive(archive, session, run, progress=stop, chunk=1)
        run_id = run.id
    result = _verify(run_cli)
    assert result.exit_code == 0, result.stderr
    view = result.json()
    assert view["run"] == run_id and view["documents_checked"] == len(ids)
    with archive.session() as session:
        per_doc = session.execute(
            select(FixityEvent.document_id, func.count())
            .where(FixityEvent.run_id == run_id, FixityEvent.check == "sha256")
            .group_by(FixityEvent.document_id)
        ).all()
        assert sorted(per_doc) == [(i, 1) for i in ids]
        # --restart starts a new run even though none is unfinished now.
    assert _verify(run_cli, "--restart").json()["run"] == run_id + 1


def test_scoped_and_sample_runs(docs, run_cli, archive, console, tmp_path):
    stored_documents(archive, console, tmp_path, ["别户的文件"], household="B-1-0101")
    sample = _verify(run_cli, "--sample", "1")
    assert sample.exit_code == 0 and sample.json()["documents_checked"] == 1
    one = _verify(run_cli, "--household", "B-1-0101")
    assert one.json()["documents_checked"] == 1 and one.json()["scope"]["household"] == "B-1-0101"
    recent = _verify(run_cli, "--since", "2000-01-01")
    assert recent.json()["documents_checked"] == 3
    with archive.session() as session:  # scoped runs do not make the archive-wide checks
        assert not session.scalar(
            select(func.count()).select_from(FixityEvent).where(FixityEvent.document_id.is_(None))
        )
    bad = run_cli("audit", "verify", "--since", "yesterday")
    assert bad.exit_code == 2 and "--since" in bad.stderr and "Traceback" not in bad.stderr
    missing = run_cli("audit", "verify", "--household", "Z-9")
    assert missing.exit_code == 3 and missing.stderr.count("\n") == 1


def test_only_auditors_officers_and_admins_may_audit(docs, run_cli, archive, console):
    with archive.session() as session:
        for name, role in (
            ("aud", "auditor"),
            ("off", "retention_officer"),
            ("stf", "staff"),
            ("arc", "archivist"),
        ):
            add_user(session, console, name, role, f"{name}-password-1")
    for name in ("stf", "arc"):
        for args in (("audit", "verify"), ("audit", "report"), ("audit", "history", str(docs[0]))):
            result = run_cli("--as", name, *args)
            assert result.exit_code == 5, (name, args, result.stdout)
            assert "无权" in result.stderr
    assert run_cli("--as", "aud", "audit", "verify", "--json").exit_code == 0
    assert run_cli("--as", "off", "audit", "verify", "--json").exit_code == 0
    with archive.session() as session:
        assert [r.started_by for r in session.scalars(select(AuditRun).order_by(AuditRun.id))] == [
            "aud",
            "off",
        ]


def test_fixity_history_and_report_formats(docs, run_cli, archive, tmp_path):
    assert _verify(run_cli).exit_code == 0
    flip_byte(archive, original_key(archive, docs[0]))
    assert _verify(run_cli).exit_code == 1
    history = run_cli("audit", "history", str(docs[0]), "--json").json()["events"]
    decrypts = [e["outcome"] for e in history if e["check"] == "decrypt"]
    assert decrypts == ["fail", "pass"]  # newest first
    as_json = run_cli("audit", "report", "--format", "json").json()
    assert set(as_json["properties"]) == {"authenticity", "integrity", "usability", "security"}
    assert not as_json["properties"]["integrity"]["ok"] and as_json["properties"]["security"]["ok"]
    assert [f["document"] for f in as_json["failures"]] == [docs[0]]
    csv_text = run_cli("audit", "report", "--format", "csv").stdout
    assert csv_text.startswith("\ufeff电子档案四性检测报告") and "性质,通过,未通过,结论" in csv_text
    assert f"{docs[0]},A-3-1201,完整性,原件可解密且未被改动," in csv_text
    out = tmp_path / "report.html"
    assert run_cli("audit", "report", "--format", "html", "-o", str(out)).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "四性检测" in html and "完整性" in html and "A-3-1201" in html
    first = run_cli("audit", "report", "--format", "json", "--run", "1").json()
    assert first["ok"] and first["failures"] == []
    assert run_cli("audit", "report", "--run", "99").exit_code == 3


def test_a_broken_shredding_log_is_reported(docs, run_cli, archive):
    from datetime import datetime

    from sqlalchemy import update

    from dossier.models import ShredLogEntry
    from retention import shredlog
    from tests.tamper import behind_the_back

    with archive.session() as session:
        for n in (1, 2):
            shredlog.append(
                session,
                archive.signer,
                kind="electronic",
                list_number="XH2026-0001",
                document_id=1000 + n,
                at=datetime(2026, 1, n, tzinfo=UTC),
                facts={"n": n},
            )
        session.commit()
    assert not [f for f in _verify(run_cli).json()["failures"] if f["check"] == "shred_log"]
    with behind_the_back(archive) as conn:  # a change made behind the application's back
        conn.execute(
            update(ShredLogEntry.__table__).where(ShredLogEntry.seq == 2).values(list_number="XH2026-0009")
        )
    result = _verify(run_cli)
    assert result.exit_code == 1
    broken = [f for f in result.json()["failures"] if f["check"] == "shred_log"]
    assert len(broken) == 1 and broken[0]["detail"].startswith("销毁日志：第 2 条：")
