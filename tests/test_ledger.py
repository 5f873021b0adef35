"""The tamper-evident log mechanism itself: concurrent writers queue on the head instead of
forking the chain, and the anchor never moves backwards."""

from __future__ import annotations

import threading

from dossier import ledger
from dossier.actor import Actor
from dossier.services.access import record_access, verify_access_log
from dossier.signing import load_public_key


def test_concurrent_writers_keep_one_unbroken_chain(archive):
    actor = Actor(None, "clerk", "staff", channel="web")
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(15):
                with archive.session() as session:
                    record_access(session, actor, "document.view", document_id=n * 100 + i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with archive.session() as session:
        result = verify_access_log(session, load_public_key(archive.signer.public_pem()))
    assert result.ok, result.problems
    assert result.entries >= 60 and result.anchor is not None and result.anchor["seq"] == result.head["seq"]


def test_the_anchor_never_moves_backwards(archive):
    with archive.session() as session:
        for _ in range(3):
            record_access(session, Actor.console(), "test")
    anchored = ledger.read_anchor(archive.settings)["access"]
    ledger.write_anchor(archive.settings, {"access": {**anchored, "seq": 1}})
    assert ledger.read_anchor(archive.settings)["access"]["seq"] == anchored["seq"]


def test_a_transaction_rolled_back_leaves_no_anchor_behind(archive):
    before = ledger.read_anchor(archive.settings)["access"]["seq"]
    with archive.new_session() as session:
        record_access(session, Actor.console(), "test")
        session.rollback()
    assert ledger.read_anchor(archive.settings)["access"]["seq"] == before
