"""What the tamper-evident logs cost: one access-log entry per committed transaction (the web's
pattern: every view, search and download writes one), and verifying the whole access log.

    .venv/bin/python bench/ledger.py                        # SQLite, 2,000 entries
    .venv/bin/python bench/ledger.py --entries 20000 --postgres postgresql://postgres@127.0.0.1:5432/postgres

Prints per-entry latency (p50, p95, p99) of ``record_access`` + commit (hash chain, signed head,
anchor file written after the commit), the same for a plain insert of the old unchained row as
the baseline, and the time ``verify_access_log`` takes over the whole log.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dossier.actor import Actor  # noqa: E402
from dossier.archive import Archive  # noqa: E402
from dossier.config import Settings  # noqa: E402
from dossier.db import dispose_engines  # noqa: E402
from dossier.models import AccessEvent, utcnow  # noqa: E402
from dossier.services.access import record_access, verify_access_log  # noqa: E402
from dossier.setup import initialise  # noqa: E402
from dossier.signing import load_public_key  # noqa: E402


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return f"p50 {pick(0.50):6.2f} ms  p95 {pick(0.95):6.2f} ms  p99 {pick(0.99):6.2f} ms"


def _time_appends(archive: Archive, entries: int, chained: bool) -> list[float]:
    actor = Actor(1, "bench", "staff", channel="web", client_addr="127.0.0.1")
    samples = []
    with archive.session() as session:
        for n in range(entries):
            start = time.perf_counter()
            if chained:
                record_access(session, actor, "document.view", document_id=n, household_id=1)
            else:  # the row as it was before the chain: no link, no head, no anchor
                session.add(
                    AccessEvent(
                        at=utcnow(),
                        user_id=1,
                        username="bench",
                        role="staff",
                        action="document.view",
                        document_id=n,
                        household_id=1,
                        channel="web",
                        seq=-(n + 1),
                        prev_hash="",
                        entry_hash="",
                    )
                )
            session.commit()
            samples.append(time.perf_counter() - start)
    return samples


def _archive(database_url: str | None) -> Archive:
    env = {"DOSSIER_HOME": tempfile.mkdtemp(prefix="dossier-bench-ledger-")}
    if database_url:
        env["DOSSIER_DATABASE_URL"] = database_url
    settings = Settings.from_env(env)
    initialise(settings, admin_password="bench-password-1")
    return Archive(settings)


def run(database_urls: tuple[str | None, str | None], entries: int) -> None:
    """The baseline in one fresh archive, the chained log in another (same database server)."""
    plain = _time_appends(_archive(database_urls[0]), entries, chained=False)
    dispose_engines()
    archive = _archive(database_urls[1])
    kind = "PostgreSQL" if database_urls[1] else "SQLite"
    chained = _time_appends(archive, entries, chained=True)
    print(f"{kind}, {entries:,} entries, one commit each")
    print(f"  plain insert (baseline)     {_percentiles(plain)}   {entries / sum(plain):7.0f} /s")
    print(f"  chained, signed, anchored   {_percentiles(chained)}   {entries / sum(chained):7.0f} /s")
    public_key = load_public_key(archive.signer.public_pem())
    with archive.session() as session:
        start = time.perf_counter()
        result = verify_access_log(session, public_key)
        took = time.perf_counter() - start
    print(
        f"  verify the access log       {took:.2f} s for {result.entries:,} entries "
        f"({result.entries / took:,.0f} entries/s, ok={result.ok})"
    )
    dispose_engines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--postgres", metavar="URL", help="also measure on a fresh database of this server")
    args = parser.parse_args()
    run((None, None), args.entries)
    if args.postgres:
        import psycopg

        names = [f"dossier_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        admin = args.postgres.replace("+psycopg", "")
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f'CREATE DATABASE "{name}"')
        base = args.postgres.rsplit("/", 1)[0]
        try:
            run((f"{base}/{names[0]}", f"{base}/{names[1]}"), args.entries)
        finally:
            dispose_engines()
            with psycopg.connect(admin, autocommit=True) as conn:
                for name in names:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
