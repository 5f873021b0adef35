"""The catalog's rules, on SQLite and on PostgreSQL (each test runs on both)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select, text

from dossier.actor import Actor
from dossier.archive import Archive
from dossier.errors import AlreadyExists, ConfigurationError, InvalidInput, NotFound, PermissionDenied
from dossier.models import ApiToken, Document, DocumentType, Household, ObjectKey, Party, Role, User
from dossier.services import households as hh
from dossier.services import users
from dossier.services.documents import DuplicateDocument, NewDocument, store_original, verify_original
from dossier.services.folders import folder_catalog, open_folder
from dossier.setup import initialise


def _actor(session, username: str, role: str) -> Actor:
    user, _ = users.add_user(session, Actor.console(), username, role, "a-long-password")
    return Actor.from_user(user, "cli")


def test_init_is_idempotent_and_seeds(archive: Archive, settings):
    with archive.session() as session:
        codes = set(session.scalars(select(DocumentType.code)))
        assert {"contract", "renovation", "id_document", "other"} <= codes
        assert session.scalar(select(User.username).where(User.role == "admin")) == "admin"
    again = initialise(settings)
    assert again.admin_created is False and again.admin_password is None and again.keys_created == []
    assert (settings.keys_dir / "master.key").stat().st_mode & 0o077 == 0
    assert (settings.keys_dir / "signing.key").stat().st_mode & 0o077 == 0


def test_household_add_parses_code_and_numbers_folders(archive, console):
    with archive.session() as session:
        first = hh.add_household(session, console, None, "A-3-1201", owner="张三", phone="13800138000")
        second = hh.add_household(session, console, None, "A-3-1202")
        shop = hh.add_household(session, console, None, "S-101", use="commercial", community="翠湖花园")
        assert (first.building, first.unit, first.room, first.floor) == ("A", "3", "1201", 12)
        assert first.archive_no == "C001-Z00001" and second.archive_no == "C001-Z00002"
        assert shop.archive_no.endswith("-S00001") and shop.community.name == "翠湖花园"
        assert (shop.building, shop.unit, shop.room, shop.floor) == ("S", None, "101", 1)


def test_duplicate_code_refused_but_allowed_in_another_community(archive, console):
    with archive.session() as session:
        hh.add_household(session, console, None, "B-1-0101")
    with archive.session() as session, pytest.raises(AlreadyExists, match="already exists"):
        hh.add_household(session, console, None, "B-1-0101")
    with archive.session() as session:
        hh.add_household(session, console, None, "B-1-0101", community="翠湖花园")
        with pytest.raises(InvalidInput, match="several communities"):
            hh.get_household(session, "B-1-0101")
        assert hh.get_household(session, "B-1-0101", "翠湖花园").community.name == "翠湖花园"
        with pytest.raises(NotFound):
            hh.get_household(session, "Z-9-9999")


@pytest.mark.parametrize("bad", ["", "../etc", "a b", "x" * 80])
def test_bad_household_codes_refused(archive, console, bad):
    with archive.session() as session, pytest.raises(InvalidInput):
        hh.add_household(session, console, None, bad)


def test_list_filters_and_shelf_order(archive, console):
    with archive.session() as session:
        hh.add_household(session, console, None, "B-1-0302", owner="李四")
        hh.add_household(session, console, None, "A-2-1101", owner="王五")
        hh.add_household(session, console, None, "A-1-0201", owner="李小龙")
        hh.add_household(session, console, None, "S-12", use="commercial", building="S")
    with archive.session() as session:
        total, rows = hh.list_households(session, console, hh.HouseholdFilter())
        assert total == 4
        assert [h.code for h in rows] == ["S-12", "A-1-0201", "A-2-1101", "B-1-0302"]
        _, rows = hh.list_households(session, console, hh.HouseholdFilter(building="A"))
        assert {h.code for h in rows} == {"A-1-0201", "A-2-1101"}
        _, rows = hh.list_households(session, console, hh.HouseholdFilter(owner="李"))
        assert {h.code for h in rows} == {"B-1-0302", "A-1-0201"}
        _, rows = hh.list_households(session, console, hh.HouseholdFilter(floor=11))
        assert [h.code for h in rows] == ["A-2-1101"]
        _, rows = hh.list_households(session, console, hh.HouseholdFilter(use="commercial"))
        assert [h.code for h in rows] == ["S-12"]
        total, rows = hh.list_households(session, console, hh.HouseholdFilter(limit=2, offset=1))
        assert total == 4 and [h.code for h in rows] == ["A-1-0201", "A-2-1101"]
        _, rows = hh.list_households(session, console, hh.HouseholdFilter(owner="100%_"))
        assert rows == []


def test_id_number_encrypted_at_rest_and_masked_for_staff(archive, console):
    with archive.session() as session:
        staff = _actor(session, "clerk", Role.STAFF.value)
        archivist = _actor(session, "keeper", Role.ARCHIVIST.value)
        row = hh.add_household(
            session, console, archive.fields, "C-1-0101", owner="赵六", id_number="11010119900307123x"
        )
    with archive.session() as session:
        raw = session.execute(text("SELECT id_number_enc FROM parties")).scalar_one()
        assert b"110101" not in bytes(raw)
        household = hh.get_household(session, "C-1-0101")
        assert (
            hh.household_view(household, archivist, archive.fields)["parties"][0]["id_number"]
            == "11010119900307123X"
        )
        masked = hh.household_view(household, staff, archive.fields)["parties"][0]["id_number"]
        assert masked == "110***********123X"
        found = hh.find_by_id_number(session, archivist, archive.fields, "11010119900307123X")
        assert [h.id for h in found] == [row.id]
        with pytest.raises(PermissionDenied):
            hh.find_by_id_number(session, staff, archive.fields, "11010119900307123X")
        with pytest.raises(InvalidInput, match="ID-card number"):
            hh.add_household(session, console, archive.fields, "C-1-0102", owner="x", id_number="12345")
        with pytest.raises(InvalidInput, match="phone"):
            hh.add_household(session, console, archive.fields, "C-1-0103", owner="x", phone="call me")
    with archive.session() as session:  # the refused folders left nothing behind
        assert session.scalars(select(Household.code)).all() == ["C-1-0101"]


def test_roles_are_enforced(archive):
    with archive.session() as session:
        staff = _actor(session, "clerk", Role.STAFF.value)
        auditor = _actor(session, "checker", Role.AUDITOR.value)
    with archive.session() as session:
        with pytest.raises(PermissionDenied):
            hh.add_household(session, staff, None, "D-1-0101")
        with pytest.raises(PermissionDenied):
            hh.add_household(session, auditor, None, "D-1-0101")
        with pytest.raises(PermissionDenied):
            users.add_user(session, staff, "someone", "staff")
        assert hh.list_households(session, staff, hh.HouseholdFilter())[0] == 0


def test_passwords_and_tokens_are_stored_hashed(archive, console):
    with archive.session() as session:
        users.add_user(session, console, "keeper", "archivist", "correct-horse-1")
        token = users.issue_token(session, console, "keeper", "scanner")
    with archive.session() as session:
        row = session.scalar(select(User).where(User.username == "keeper"))
        assert "correct-horse-1" not in row.password_hash
        assert users.authenticate(session, "keeper", "correct-horse-1").id == row.id
        assert users.authenticate(session, "keeper", "wrong-password") is None
        assert users.authenticate(session, "nobody", "correct-horse-1") is None
        assert token not in {t.token_hash for t in session.scalars(select(ApiToken))}
        assert users.user_for_token(session, token).username == "keeper"
        assert users.user_for_token(session, token + "x") is None
        with pytest.raises(InvalidInput, match="至少需要 10 个字符"):
            users.add_user(session, console, "short", "staff", "short")
        with pytest.raises(AlreadyExists):
            users.add_user(session, console, "keeper", "staff")
        with pytest.raises(InvalidInput, match="unknown role"):
            users.add_user(session, console, "who", "janitor")
    with archive.session() as session:
        users.set_active(session, console, "keeper", False)
    with archive.session() as session:
        assert users.user_for_token(session, token) is None
        assert users.authenticate(session, "keeper", "correct-horse-1") is None


def _new(household, type_code="contract", title="购房合同", confidential=False):
    return NewDocument(
        household=household,
        type_code=type_code,
        title=title,
        media_type="application/pdf",
        original_name="contract.pdf",
        confidential=confidential,
    )


def test_store_original_is_signed_and_verifiable(archive, console):
    content = b"%PDF-1.4 scanned purchase contract " * 1000
    with archive.session() as session:
        household = hh.add_household(session, console, None, "E-1-0101")
        session.commit()
        doc = store_original(archive, session, console, _new(household), io.BytesIO(content))
    with archive.session() as session:
        doc = session.get(Document, doc.id)
        assert doc.size == len(content) and len(doc.sha256) == 64 and doc.sm3
        assert session.get(ObjectKey, doc.original_key) is not None
        check = verify_original(archive, session, doc)
        assert check.ok, check.problems
        with archive.vault.open(doc.original_key, session.get(ObjectKey, doc.original_key).wrapped_key) as fh:
            assert fh.read() == content
        # Forging the catalog (another digest) breaks the signature check.
        doc.signed_record = doc.signed_record.replace(doc.sha256, "0" * 64)
        assert not verify_original(archive, session, doc).ok
        session.rollback()


def test_duplicate_original_is_not_stored_twice(archive, console):
    content = b"the same scan"
    with archive.session() as session:
        household = hh.add_household(session, console, None, "E-1-0102")
        session.commit()
        first = store_original(archive, session, console, _new(household), io.BytesIO(content))
        before = sorted(o.key for o in archive.store.list())
        with pytest.raises(DuplicateDocument) as err:
            store_original(archive, session, console, _new(household, title="again"), io.BytesIO(content))
        assert err.value.existing_id == first.id
        assert sorted(o.key for o in archive.store.list()) == before
        assert session.scalar(select(Document.id).where(Document.title == "again")) is None


def test_failed_catalog_write_leaves_no_orphan_object(archive, console, monkeypatch):
    from sqlalchemy.exc import OperationalError

    with archive.session() as session:
        household = hh.add_household(session, console, None, "E-1-0103")
        session.commit()

        def broken_commit():
            raise OperationalError("COMMIT", {}, Exception("disk full"))

        monkeypatch.setattr(session, "commit", broken_commit)
        with pytest.raises(OperationalError):
            store_original(archive, session, console, _new(household), io.BytesIO(b"scan bytes"))
        monkeypatch.undo()
    assert list(archive.store.list()) == []
    with archive.session() as session:
        assert session.scalar(select(Document.id)) is None
        assert session.scalar(select(ObjectKey.object_key)) is None


def test_tampered_original_is_reported(archive, console, settings):
    with archive.session() as session:
        household = hh.add_household(session, console, None, "E-1-0104")
        session.commit()
        doc = store_original(archive, session, console, _new(household), io.BytesIO(b"x" * 5000))
    path = settings.objects_dir / doc.original_key
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with archive.session() as session:
        check = verify_original(archive, session, session.get(Document, doc.id))
        assert not check.ok and check.problems


def test_folder_catalog_and_completeness(archive, console):
    with archive.session() as session:
        staff = _actor(session, "clerk", Role.STAFF.value)
        household = hh.add_household(session, console, None, "F-1-0101")
        session.commit()
        store_original(archive, session, console, _new(household), io.BytesIO(b"contract"))
        store_original(
            archive,
            session,
            console,
            _new(household, "id_document", "身份证", confidential=True),
            io.BytesIO(b"id card"),
        )
        store_original(archive, session, console, _new(household, "repair", "报修单"), io.BytesIO(b"repair"))
    with archive.session() as session:
        household = hh.get_household(session, "F-1-0101")
        catalog = folder_catalog(session, console, household)
        ticked = {line.code for line in catalog.lines if line.ticked}
        assert ticked == {"contract", "id_document"}
        expected = session.scalars(select(DocumentType).where(DocumentType.expected.is_(True))).all()
        assert catalog.completeness == round(100 * 2 / len(expected), 1)
        docs, staff_catalog = open_folder(session, staff, household)
        assert {d.type_code for d in docs} == {"contract", "repair"}  # no confidential ID scan for staff
        assert {line.code for line in staff_catalog.lines if line.ticked} == {"contract"}  # nor is it counted
        assert staff_catalog.completeness == round(100 * 1 / len(expected), 1)
        docs, _ = open_folder(session, console, household)
        assert {d.type_code for d in docs} == {"contract", "id_document", "repair"}


def test_wrong_master_key_is_refused(archive, settings, monkeypatch):
    from dossier.config import Settings
    from dossier.crypto import MasterKey

    other = Settings.from_env(
        {
            "DOSSIER_HOME": str(settings.home),
            "DOSSIER_DATABASE_URL": settings.database_url,
            "DOSSIER_MASTER_KEY": MasterKey.generate().to_b64(),
        }
    )
    with pytest.raises(ConfigurationError, match="does not belong to this archive"):
        Archive(other).vault  # noqa: B018
    with pytest.raises(ConfigurationError, match="does not belong to this archive"):
        initialise(other)


def test_party_rows_survive_in_catalog(archive, console):
    with archive.session() as session:
        row = hh.add_household(session, console, None, "G-1-0101", owner="孙七")
        hh.add_party(session, console, None, row, name="周八", role="tenant", phone="021-12345678")
    with archive.session() as session:
        roles = sorted(session.scalars(select(Party.role)))
        assert roles == ["owner", "tenant"]
        assert session.scalar(select(Household.status)) == "active"


def test_migrations_match_the_models(archive, settings):
    """Every model change comes with a migration: the migrated schema equals the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from dossier.db import get_engine
    from dossier.models import Base

    with get_engine(settings).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
