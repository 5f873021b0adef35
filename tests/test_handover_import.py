"""接收: a package written by ``handover export`` is checked and filed by ``handover import`` on a
second, fresh archive (its own home and catalog): the documents keep their 档号, are found by
search, and ``audit verify`` is clean there. Anything wrong (one byte of an original, a signature,
an executable, a 档号 already here, a user who is not an administrator) refuses the whole package
and stores nothing. Real archives, real CLI."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dossier import pagetext
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.config import Settings
from dossier.models import AccessEvent, Document, Handover, Household, Page, Party
from dossier.services import numbering
from dossier.services.households import ID_NUMBER as ID_NUMBER_PURPOSE
from dossier.services.households import add_party, get_household
from dossier.services.users import add_user
from dossier.setup import initialise
from dossier.signing import Signer, canonical_bytes
from handover.eep import NS
from tests.audit_helpers import stored_documents
from tests.conftest import ADMIN_PASSWORD, fresh_pg_database, make_env

HOUSEHOLD = "A-3-1201"
TEXTS = ["装修申请表 业主张三 申请卧室改造", "物业服务合同 甲方乙方 服务期限三年"]
SECRET = "产权纠纷调解记录 保密 双方签字确认"
ID_NUMBER = "11010119900307123X"


def _ok(result):
    assert result.exit_code == 0, result.stderr + result.stdout
    return result.json() if result.stdout.startswith("{") else result.stdout


@pytest.fixture
def package(archive, console, tmp_path, run_cli) -> tuple[Path, list[str]]:
    """One household with three processed documents (one confidential), exported; (the package,
    its 档号)."""
    ids = stored_documents(archive, console, tmp_path, TEXTS, HOUSEHOLD)
    ids += stored_documents(archive, console, tmp_path, [SECRET], HOUSEHOLD, confidential=True)
    with archive.session() as session:
        household = get_household(session, HOUSEHOLD)
        add_party(
            session, console, archive.fields, household, name="李四", role="tenant", id_number=ID_NUMBER
        )
    numbers = [
        _ok(run_cli("doc", "show", str(i), "--purpose", "移交核对", "--json"))["archive_no"] for i in ids
    ]
    out = tmp_path / "package"
    _ok(run_cli("handover", "export", "--household", HOUSEHOLD, "-o", str(out), "--json"))
    return out, numbers


@pytest.fixture
def receiver(database_url, tmp_path, monkeypatch):
    """A second, fresh archive (own home, own catalog), made the CLI's archive."""
    yield from _second_archive(database_url, tmp_path, monkeypatch)


def _second_archive(database_url, tmp_path, monkeypatch):
    urls = None
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'receiver.db'}"
    else:
        urls = fresh_pg_database("dossier_receiver")
        url = next(urls)
    home = tmp_path / "receiver-home"
    home.mkdir()
    env = make_env(home, url)
    settings = Settings.from_env(env)
    initialise(settings, admin_password=ADMIN_PASSWORD)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield Archive(settings)
    if urls is not None:
        next(urls, None)


def _counts(archive: Archive) -> tuple[int, int]:
    with archive.session() as session:
        return (
            session.scalar(select(func.count(Household.id))) or 0,
            session.scalar(select(func.count(Document.id))) or 0,
        )


def _copy(package: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(package, target)
    return target


def _refused(run_cli, receiver, path: Path, *args: str) -> dict:
    before = _counts(receiver)
    result = run_cli(*args, "handover", "import", str(path), "--json")
    assert result.exit_code != 0
    assert "Traceback" not in result.stderr
    assert _counts(receiver) == before  # nothing stored
    return result.json() if result.stdout.startswith("{") else {}


def _codes(report: dict, aspect: str) -> set[str]:
    return {f["code"] for f in report["checks"][aspect]["findings"]}


def _manifest(path: Path) -> dict:
    return json.loads((path / "package.json").read_text(encoding="utf-8"))


def _resign(path: Path, manifest: dict) -> None:
    """Sign the package again with some other key (what a forger can always do)."""
    signer = Signer.generate()
    (path / "package.json").write_bytes(canonical_bytes(manifest))
    (path / "package.sig").write_text(signer.sign(manifest) + "\n", encoding="ascii")
    (path / "signing-key.pem").write_text(signer.public_pem(), encoding="ascii")


def test_an_exported_household_is_received_whole_with_its_numbers_searchable_and_verified(
    package, receiver, run_cli
):
    path, numbers = package
    eep = next(path.glob("households/*/*/eep.xml")).read_text(encoding="utf-8")
    assert NS in eep and "电子文件封装包" in eep  # DA/T 48's namespace

    _ok(run_cli("numbering", "set", "--fonds", "J042"))  # the receiver's own 全宗号 differs
    report = _ok(run_cli("handover", "import", str(path), "--json"))
    assert report["accepted"] and report["ok"]
    assert report["filed"]["households"] == 1 and report["filed"]["documents"] == 3
    assert Path(report["register"]["pdf"]).is_file() and Path(report["register"]["xlsx"]).is_file()
    with receiver.session() as session:
        ids = {d.archive_no: d.id for d in session.scalars(select(Document))}
        row = session.scalars(select(Handover)).one()
        assert row.accepted and row.direction == "import"
        tenant = session.scalars(select(Party).where(Party.name == "李四")).one()
        assert tenant.id_number_enc and ID_NUMBER.encode() not in tenant.id_number_enc
        assert (
            receiver.fields.open(tenant.id_number_enc, ID_NUMBER_PURPOSE) == ID_NUMBER
        )  # sealed under our key
        # Each 归档章 stays the one its 档号 was made of, the sender's 全宗号 included.
        stamps = {d.archive_no: numbering.filing_stamp(session, d) for d in session.scalars(select(Document))}
        assert {s["fonds"] for s in stamps.values()} == {"0001"}
        assert all(number.startswith(f"0001-WY·{stamps[number]['year']}-") for number in numbers)
        folder = session.scalars(select(Household)).one()
        assert (folder.archive_no, folder.item_counter) == ("C001-Z00001", 3)  # as the sender had it
        secret = session.scalars(select(Page).join(Document).where(Document.archive_no == numbers[2])).one()
        assert secret.text is None and secret.text_enc  # sealed here as the sender sealed it
        assert pagetext.page_text(receiver, secret) == "".join(SECRET.split())  # as the sender read it
    assert sorted(ids) == sorted(numbers)
    for number in numbers:
        shown = _ok(run_cli("doc", "show", str(ids[number]), "--purpose", "接收核对", "--json"))
        assert shown["archive_no"] == number
        assert shown["status"] == "indexed"

    hits = _ok(run_cli("search", "卧室改造", "--json"))["hits"]
    assert [h["archive_no"] for h in hits] == [numbers[0]]
    hits = _ok(run_cli("search", "调解记录", "--json"))["hits"]
    assert [h["archive_no"] for h in hits] == [numbers[2]]
    audit = run_cli("audit", "verify", "--json")
    assert audit.exit_code == 0, audit.stdout

    human = run_cli("handover", "import", str(path))  # the same package again: every number is taken
    assert human.exit_code != 0 and "Traceback" not in human.stderr
    assert numbers[0] in human.stderr and "档号" in human.stderr


def test_one_flipped_byte_in_an_original_refuses_the_whole_package(package, receiver, run_cli, tmp_path):
    path = _copy(package[0], tmp_path, "flipped")
    original = next(path.glob("households/*/*/original.*"))
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01
    original.write_bytes(bytes(data))

    report = _refused(run_cli, receiver, path)
    assert "handover.receive.file_differs" in _codes(report, "integrity")
    assert not report["accepted"]
    with receiver.session() as session:
        row = session.scalars(select(Handover)).one()
        assert not row.accepted and json.loads(row.report)["checks"]["integrity"]["ok"] is False
        refusals = session.scalars(select(AccessEvent).where(AccessEvent.action == "handover.import")).all()
        assert [e.outcome for e in refusals] == ["denied"]
    human = run_cli("handover", "import", str(path))
    assert human.exit_code == 1
    assert "拒收" in human.stderr and original.parent.name in human.stderr.replace("·", "·")


def test_a_package_with_a_broken_or_foreign_signature_is_refused(package, receiver, run_cli, tmp_path):
    broken = _copy(package[0], tmp_path, "broken")
    signature = base64.b64decode((broken / "package.sig").read_text().strip())
    (broken / "package.sig").write_text(base64.b64encode(bytes([signature[0] ^ 1]) + signature[1:]).decode())
    assert "handover.receive.sig_invalid" in _codes(_refused(run_cli, receiver, broken), "authenticity")

    # Re-signed with another key: the manifest verifies, the records inside do not.
    foreign = _copy(package[0], tmp_path, "foreign")
    _resign(foreign, _manifest(foreign))
    codes = _codes(_refused(run_cli, receiver, foreign), "authenticity")
    assert {"handover.receive.eep_signature", "handover.receive.intake_signature"} <= codes
    assert "handover.receive.sig_invalid" not in codes


def test_the_senders_fingerprint_when_given_refuses_any_other_key(
    archive, package, receiver, run_cli, tmp_path
):
    """Without ``--sender-key`` the signature proves only that the package is unchanged since some
    key signed it; with the fingerprint from the sender's signed 登记表, another key is refused."""
    path = package[0]
    given = archive.signer.fingerprint
    forged = _copy(path, tmp_path, "forged")
    _resign(forged, _manifest(forged))
    before = _counts(receiver)
    result = run_cli("handover", "import", str(forged), "--sender-key", given, "--json")
    assert result.exit_code == 1 and _counts(receiver) == before
    report = result.json()
    assert "handover.receive.sender_key_differs" in _codes(report, "authenticity")
    assert report["sender_key_confirmed"] is False

    typo = run_cli("handover", "import", str(path), "--sender-key", "not-a-fingerprint")
    assert typo.exit_code == 2 and "不是签名公钥指纹" in typo.stderr and "Traceback" not in typo.stderr
    assert _counts(receiver) == before

    # As people copy it from paper: upper case, in groups.
    spaced = " ".join(given[i : i + 4] for i in range(0, 16, 4)).upper()
    accepted = _ok(run_cli("handover", "import", str(path), "--sender-key", spaced, "--json"))
    assert accepted["accepted"] and accepted["sender_key_confirmed"] is True
    assert accepted["key_fingerprint"] == given


def test_an_executable_in_the_package_is_refused(package, receiver, run_cli, tmp_path):
    path = _copy(package[0], tmp_path, "executable")
    folder = next(path.glob("households/*/"))
    (folder / "setup.exe").write_bytes(b"MZ\x90\x00" + bytes(200))
    report = _refused(run_cli, receiver, path)
    assert "handover.receive.executable" in _codes(report, "security")
    assert "handover.receive.file_extra" in _codes(report, "integrity")


def test_a_number_already_in_this_archive_refuses_the_package(package, receiver, run_cli, console, tmp_path):
    path, numbers = package
    _ok(run_cli("handover", "import", str(path), "--json"))
    report = _refused(run_cli, receiver, path)
    conflicts = report["checks"]["conflicts"]["findings"]
    assert {f["item"] for f in conflicts if f["code"] == "handover.receive.conflict.archive_no"} == set(
        numbers
    )
    assert "handover.receive.conflict.folder" in _codes(report, "conflicts")


def test_only_an_administrator_may_receive(package, receiver, run_cli):
    with receiver.session() as session:
        add_user(session, Actor.console(), "keeper", "archivist", "keeper-password-1")
    result = run_cli("--as", "keeper", "handover", "import", str(package[0]))
    assert result.exit_code == 5 and "Traceback" not in result.stderr
    assert _counts(receiver) == (0, 0)
    with receiver.session() as session:
        refusal = session.scalars(select(AccessEvent).where(AccessEvent.action == "handover.import")).one()
        assert (refusal.username, refusal.outcome) == ("keeper", "denied")


def test_a_destroyed_document_arrives_as_its_tombstone_and_the_numbers_stay_continuous(
    archive, console, tmp_path, run_cli, monkeypatch, database_url
):
    from datetime import date

    from tests.retention_helpers import add_retention_users, cli_token, store_document

    add_retention_users(archive)
    kept = stored_documents(archive, console, tmp_path, TEXTS[:1], HOUSEHOLD)
    destroyed = store_document(archive, HOUSEHOLD, "repair", date(2015, 3, 1), title="报修单")
    number = _ok(run_cli("--as", "keeper", "retention", "propose", "--json"))["number"]
    monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "officer"))
    _ok(run_cli("--as", "officer", "retention", "approve", number))
    monkeypatch.delenv("DOSSIER_TOKEN")
    assert _ok(run_cli("--as", "keeper", "retention", "execute", number, "--json"))["destroyed"] == [
        destroyed
    ]
    tombstone_no = _ok(run_cli("doc", "show", str(destroyed), "--json"))["archive_no"]
    kept_no = _ok(run_cli("doc", "show", str(kept[0]), "--json"))["archive_no"]
    out = tmp_path / "package"
    _ok(run_cli("handover", "export", "--household", HOUSEHOLD, "-o", str(out), "--json"))

    receiver = next(_second_archive(database_url, tmp_path, monkeypatch))
    report = _ok(run_cli("handover", "import", str(out), "--json"))
    assert report["filed"]["destroyed"] == 1 and report["filed"]["documents"] == 1
    with receiver.session() as session:
        docs = {d.archive_no: d for d in session.scalars(select(Document))}
        assert docs[tombstone_no].status == "destroyed" and docs[tombstone_no].original_key is None
        assert docs[kept_no].status == "indexed"
        tomb = docs[tombstone_no]
        assert (tomb.stamp_fonds, tomb.stamp_year) == ("0001", 2015)  # as its 档号 was made
    entries = _ok(run_cli("doc", "history", str(docs[tombstone_no].id), "--json"))["history"]
    assert [e["action"] for e in entries] == ["received"]
    assert entries[0]["received"]["destroyed"] is True and entries[0]["received"]["shredlog"]
    entries = _ok(run_cli("doc", "history", str(docs[kept_no].id), "--json"))["history"]
    assert [e["action"] for e in entries] == ["received", "processed"]
    assert entries[0]["received"]["package"] == report["package_id"]
    assert [b["action"] for b in entries[0]["received"]["sent_history"]][:1] == ["入库"]
    audit = run_cli("audit", "verify", "--json")
    assert audit.exit_code == 0, audit.stdout


def test_a_number_whose_document_moved_out_of_the_package_is_recorded_not_refused():
    from handover.checks import Folder, Item, ReceiveReport, _check_numbering

    def folder(archive_no: str, counter: int, items: list[int], **extra) -> Folder:
        data = {"archive_no": archive_no, "item_counter": counter, **extra}
        made = Folder(f"households/{archive_no}", data)
        made.items = [Item(archive_no, f"{archive_no}-{n:04d}", n, archive_no, "") for n in items]
        return made

    moved = {"archive_no": "C001-Z00001-0002", "item_no": 2, "to_folder": "C001-Z00009"}
    report = ReceiveReport(path="p")
    report.folders = [folder("C001-Z00001", 3, [1, 3], moved_out=[moved])]
    _check_numbering(report)
    assert report.ok and report.numbers_not_carried == [["C001-Z00001", 2]]
    assert "C001-Z00009" in report.notes[0].message

    report = ReceiveReport(path="p")
    report.folders = [folder("C001-Z00001", 3, [1, 3])]
    _check_numbering(report)
    assert [f.code for f in report.findings] == ["handover.receive.number_missing"]
    assert "C001-Z00001 的件号 2" in report.findings[0].message


def _pdf_with(tmp_path: Path, action: bytes, name: str) -> Path:
    """A one-page PDF whose catalog opens with ``action``, its objects compressed into an object
    stream by qpdf (so the names are not in the file's bytes)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction " + action + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body, offsets = b"%PDF-1.5\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(body)
    body += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer << /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    raw, out = tmp_path / f"{name}-raw.pdf", tmp_path / f"{name}.pdf"
    raw.write_bytes(body)
    subprocess.run(
        ["qpdf", "--object-streams=generate", "--compress-streams=y", str(raw), str(out)], check=True
    )
    return out


def test_active_pdf_content_is_found_even_inside_compressed_object_streams(tmp_path):
    from handover.checks import pdf_active_content

    script = _pdf_with(tmp_path, b"<< /S /JavaScript /JS (app.alert(1)) >>", "script")
    assert b"/JavaScript" not in script.read_bytes()
    assert pdf_active_content(script, "script.pdf") == ["/JS", "/JavaScript"]
    launch = _pdf_with(tmp_path, b"<< /S /Launch /F (calc.exe) >>", "launch")
    assert pdf_active_content(launch, "launch.pdf") == ["/Launch"]
    plain = _pdf_with(tmp_path, b"[3 0 R /Fit]", "plain")
    assert pdf_active_content(plain, "plain.pdf") == []


def test_a_folder_that_is_no_package_is_refused_in_one_sentence(receiver, run_cli, tmp_path):
    (tmp_path / "empty").mkdir()
    for path in (tmp_path / "nowhere", tmp_path / "empty"):
        result = run_cli("handover", "import", str(path))
        assert result.exit_code == 1 and "Traceback" not in result.stderr
        assert "拒收" in result.stderr and "package.json" in result.stderr or "不是" in result.stderr
    assert _counts(receiver) == (0, 0)


def test_a_damaged_pdf_is_named_in_chinese(tmp_path):
    """qpdf's own English words never reach the 接收 report (the web shows it in Chinese)."""
    from dossier.errors import InvalidInput
    from handover.checks import pdf_active_content
    from tests.english import english_sentences

    damaged = tmp_path / "original.pdf"
    damaged.write_bytes(b"%PDF-1.4\n% not really a PDF\n" + bytes(range(256)) * 4)
    with pytest.raises(InvalidInput) as caught:
        pdf_active_content(damaged, "original.pdf")
    message = caught.value.render("zh")
    assert "已损坏" in message and not english_sentences(message)
