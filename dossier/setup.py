"""``dossier init``: schema, keys, reference data, first administrator, storage, index folder.

Idempotent: running it again creates only what is missing and changes nothing that exists.
Archive-wide: it seeds the retention classes and rebuilds an outdated search index, so it sits
above the domains (see the import-linter contract in pyproject.toml).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from dossier import ledger, pagetext
from dossier.actor import Actor
from dossier.archive import Archive
from dossier.config import Settings
from dossier.db import describe_url
from dossier.errors import ConfigurationError
from dossier.filemodes import secure_home
from dossier.keycheck import MASTER_KEY_ID, SIGNING_KEY_ID, SIGNING_PUBLIC_KEY, get_setting, put_setting
from dossier.keys import ensure_keys
from dossier.migrate import upgrade
from dossier.models import Role, User
from dossier.seed import seed_reference_data
from dossier.services import history, numbering
from dossier.services.users import add_user
from retention.classes import seed_classes
from search.writer import IndexWriter


@dataclass
class InitReport:
    home: str
    database: str
    store: str
    keys_created: list[str] = field(default_factory=list)
    admin_created: bool = False
    admin_username: str = "admin"
    admin_password: str | None = None  # only when it was generated now
    index_rebuilt: bool = False  # the search index was in an older format and was rebuilt
    documents_signed: int = 0  # documents of an older archive whose metadata was signed now
    documents_numbered: int = 0  # documents of an older archive that got their 档号 now
    modes_fixed: list[str] = field(default_factory=list)  # files and folders made private now
    pages_sealed: int = 0  # confidential documents' pages whose plain text was sealed now

    def as_dict(self) -> dict:
        return {
            "home": self.home,
            "database": self.database,
            "store": self.store,
            "keys_created": self.keys_created,
            "admin_created": self.admin_created,
            "admin_username": self.admin_username,
            "admin_password": self.admin_password,
            "index_rebuilt": self.index_rebuilt,
            "documents_signed": self.documents_signed,
            "documents_numbered": self.documents_numbered,
            "modes_fixed": self.modes_fixed,
            "pages_sealed": self.pages_sealed,
        }


def initialise(
    settings: Settings, admin_password: str | None = None, admin_username: str = "admin"
) -> InitReport:
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings.index_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys_created = ensure_keys(settings)
    modes_fixed = secure_home(settings)  # an archive from before private files: fixed, not refused
    try:
        upgrade(settings)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigurationError(
            "db.cannot_prepare", url=describe_url(settings.database_url), reason=reason
        ) from None
    archive = Archive(settings)
    archive.store.ensure_ready()  # fail early (e.g. MinIO unreachable) before anything is recorded
    report = InitReport(
        home=str(settings.home),
        database=describe_url(settings.database_url),
        store=archive.store.describe(),
        keys_created=keys_created,
        admin_username=admin_username,
    )
    # The catalog file may only exist now (created by the migration): check it too.
    report.modes_fixed = sorted(set(modes_fixed) | set(secure_home(settings)))
    with archive.session() as session:
        seed_reference_data(session)
        seed_classes(session)
        master = archive.keys.master
        recorded = get_setting(session, MASTER_KEY_ID)
        if recorded is None:
            put_setting(session, MASTER_KEY_ID, master.key_id)
        elif recorded != master.key_id:
            raise ConfigurationError("keys.wrong_master_key", key_id=master.key_id, expected=recorded)
        signer = archive.signer
        if get_setting(session, SIGNING_KEY_ID) not in (None, signer.fingerprint):
            raise ConfigurationError("keys.wrong_signing_key")
        put_setting(session, SIGNING_KEY_ID, signer.fingerprint)
        put_setting(session, SIGNING_PUBLIC_KEY, signer.public_pem())
        # An archive upgraded from before signed metadata: its logs' heads and its documents'
        # records are signed once, and the history says so.
        ledger.sign_unsigned_heads(session)
        report.documents_signed = history.sign_unsigned_documents(session)
        # An archive from before item numbers: every document gets its 档号 in filing order.
        report.documents_numbered = numbering.number_unnumbered(session)
        numbering.stamp_unstamped(session)  # and the 归档章's facts of those numbered before they were kept
        # An archive from before sealed page text: confidential documents' text is sealed once.
        report.pages_sealed = pagetext.seal_all(archive, session)
        has_admin = session.scalar(select(User.id).where(User.role == Role.ADMIN).limit(1))
        if has_admin is None:
            _, generated = add_user(
                session, Actor.console(), admin_username, Role.ADMIN, admin_password, display_name="管理员"
            )
            report.admin_created = True
            report.admin_password = generated
    report.index_rebuilt = _rebuild_outdated_index(archive)
    return report


def _rebuild_outdated_index(archive: Archive) -> bool:
    """An index written by an older version (see search.whoosh_engine.INDEX_FORMAT) is rebuilt
    from the catalog's page text, so that an upgrade is `dossier init` as usual."""
    writer = IndexWriter(archive)
    if not writer.engine.outdated():
        return False
    writer.rebuild()
    return True
