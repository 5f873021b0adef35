"""Upgrading an archive made before signed metadata and chained logs (migration 0006): old
access-log entries are chained, the logs' heads signed and anchored, every document's metadata
signed once with a history entry saying so, and the archive verifies clean afterwards."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from dossier import ledger
from dossier.migrate import downgrade
from dossier.models import AccessEvent, DocumentHistory, LogHead
from dossier.setup import initialise
from tests.conftest import ADMIN_PASSWORD
from tests.retention_helpers import add_retention_users, cli_token, store_document


def test_an_older_archive_is_signed_once_at_upgrade_and_verifies(archive, run_cli, monkeypatch):
    add_retention_users(archive)
    assert run_cli("household", "add", "A-1-0101", "--owner", "张三").exit_code == 0
    doomed = store_document(archive, "A-1-0101", "repair", date(2015, 3, 1), pages=["报修单 水管漏水"])
    kept = store_document(archive, "A-1-0101", "contract", date(2015, 3, 1), pages=["购房合同"])
    number = run_cli("--as", "keeper", "retention", "propose", "--json").json()["number"]
    monkeypatch.setenv("DOSSIER_TOKEN", cli_token(archive, "officer"))  # four-eyes: the officer's own token
    assert run_cli("--as", "officer", "retention", "approve", number).exit_code == 0
    assert run_cli("--as", "keeper", "retention", "execute", number, "--json").json()["destroyed"] == [doomed]
    with archive.session() as session:
        events = session.scalar(select(func.count()).select_from(AccessEvent))

    downgrade(archive.settings, "0005")  # the archive as the version before this one left it
    ledger.anchor_path(archive.settings).unlink()
    report = initialise(archive.settings, admin_password=ADMIN_PASSWORD)
    assert report.documents_signed == 2

    with archive.session() as session:
        heads = {h.name: h for h in session.scalars(select(LogHead))}
        assert all(h.signature for h in heads.values())
        assert heads["access"].seq == events and heads["shredlog"].seq == 1
        upgraded = session.scalars(select(DocumentHistory).where(DocumentHistory.action == "upgrade")).all()
        assert sorted(e.document_id for e in upgraded) == sorted([doomed, kept])
        assert json.loads(next(e for e in upgraded if e.document_id == doomed).record)["metadata"][
            "destroyed"
        ]
    assert ledger.read_anchor(archive.settings)["access"]["seq"] == events
    history = run_cli("doc", "history", str(kept), "--json").json()["history"]
    assert [e["action"] for e in history] == ["upgrade", "numbered"]
    assert history[0]["action_name"] == "升级时首次签名"
    verify = run_cli("audit", "verify", "--json")
    assert verify.exit_code == 0, verify.stdout
    assert run_cli("--as", "checker", "shredlog", "verify", "--json").json()["ok"]
    again = initialise(archive.settings, admin_password=ADMIN_PASSWORD)  # idempotent: signs nothing twice
    assert again.documents_signed == 0
