"""What the 统计 page costs on a sizeable archive: its figures (``archive_statistics``, aggregate
queries only) and the whole page through the web app (queries, SVG charts, template).

    .venv/bin/python bench/statistics.py                      # SQLite, 10,000 documents
    .venv/bin/python bench/statistics.py --documents 100000 --postgres postgresql://postgres@127.0.0.1:5432/postgres

Builds communities, buildings and households, documents filed over two years (a tenth
confidential, some destroyed, with disposal dates), loans and access-log rows, with bulk inserts
(catalog rows only: no stored objects), then prints the time of the figures and of the page.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from dossier.actor import Actor  # noqa: E402
from dossier.archive import Archive  # noqa: E402
from dossier.config import Settings  # noqa: E402
from dossier.db import dispose_engines  # noqa: E402
from dossier.models import (  # noqa: E402
    AccessEvent,
    Community,
    Document,
    DocumentType,
    Household,
    Loan,
    Role,
)
from dossier.seed import DOCUMENT_TYPES  # noqa: E402
from dossier.setup import initialise  # noqa: E402
from dossier.statistics import archive_statistics  # noqa: E402

PASSWORD = "bench-password-1"


def _median(samples: list[float]) -> float:
    """(Not ``statistics.median``: this file's own name hides that module when run as a script.)"""
    return sorted(samples)[len(samples) // 2]


def build(archive: Archive, documents: int, seed: int = 17) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    types = [code for code, _name, _expected in DOCUMENT_TYPES]
    households_wanted = max(1, documents // 8)
    with archive.session() as session:
        communities = []
        for c in range(5):
            row = Community(code=f"B{c:02d}", name=f"测试小区{c + 1}")
            session.add(row)
            communities.append(row)
        session.flush()
        session.execute(
            insert(Household),
            [
                {
                    "community_id": communities[n % 5].id,
                    "code": f"{n // 5 % 10 + 1}-{n:05d}",
                    "archive_no": f"BENCH-{n:06d}",
                    "building": f"{n // 5 % 10 + 1}栋",
                    "room": f"{n:05d}",
                }
                for n in range(households_wanted)
            ],
        )
        household_ids = list(session.scalars(select(Household.id)))
        classes = dict(session.execute(select(DocumentType.code, DocumentType.retention_class)).all())
        rows = []
        for n in range(documents):
            intake = now - timedelta(days=rng.uniform(0, 730))
            destroyed = rng.random() < 0.03
            type_code = rng.choice(types)
            rows.append(
                {
                    "household_id": rng.choice(household_ids),
                    "type_code": type_code,
                    "title": f"文件 {n}",
                    "confidentiality": "confidential" if rng.random() < 0.1 else "ordinary",
                    "status": "destroyed" if destroyed else "indexed",
                    "destroyed_at": intake + timedelta(days=30) if destroyed else None,
                    "disposal_date": None
                    if classes.get(type_code) == "Y"
                    else date(now.year + rng.randint(-3, 30), 1, 1),
                    "original_key": None if destroyed else f"originals/bench/{uuid.uuid4().hex}",
                    "sha256": uuid.uuid4().hex * 2,
                    "size": 1,
                    "media_type": "application/pdf",
                    "page_count": rng.randint(1, 40),
                    "signed_record": "{}",
                    "signature": "bench",
                    "signing_key_id": "bench",
                    "intake_at": intake,
                }
            )
        session.execute(insert(Document), rows)
        document_ids = list(session.scalars(select(Document.id)))
        session.execute(
            insert(Loan),
            [
                {
                    "document_id": rng.choice(document_ids),
                    "borrower": "借阅人",
                    "lent_by": "admin",
                    "out_at": now - timedelta(days=rng.uniform(0, 400)),
                    "due_on": (now + timedelta(days=rng.randint(-120, 30))).date(),
                    "returned_at": None if rng.random() < 0.3 else now - timedelta(days=rng.uniform(0, 30)),
                }
                for _ in range(max(10, documents // 50))
            ],
        )
        users = [f"user{k}" for k in range(12)]
        session.execute(
            insert(AccessEvent),
            [
                {
                    "at": now - timedelta(days=rng.uniform(0, 400)),
                    "username": rng.choice(users),
                    "role": "staff",
                    "action": rng.choice(("search", "document.view", "page.view")),
                    "outcome": "ok",
                    "document_id": rng.choice(document_ids),
                    "channel": "web",
                    "seq": -(k + 1),  # off the chain: the figures only count rows
                    "prev_hash": "",
                    "entry_hash": "",
                }
                for k in range(documents * 2)
            ],
        )
        session.commit()
        # Fresh planner statistics, as autovacuum (PostgreSQL) would have after a bulk load; without
        # them PostgreSQL takes every table for one row and nests its loops.
        session.execute(text("ANALYZE"))
        session.commit()


def run(database_url: str | None, documents: int, repeats: int) -> None:
    env = {"DOSSIER_HOME": tempfile.mkdtemp(prefix="dossier-bench-statistics-")}
    if database_url:
        env["DOSSIER_DATABASE_URL"] = database_url
    settings = Settings.from_env(env)
    initialise(settings, admin_password=PASSWORD)
    archive = Archive(settings)
    start = time.perf_counter()
    build(archive, documents)
    print(
        f"archive: {documents:,} documents, {documents * 2:,} access-log rows, built in {time.perf_counter() - start:.1f} s"
    )
    print(f"database: {settings.database_url.split('://')[0]}")

    auditor = Actor(None, "console", Role.ADMIN)
    samples = []
    for _ in range(repeats):
        with archive.session() as session:
            start = time.perf_counter()
            archive_statistics(session, auditor)
            samples.append(time.perf_counter() - start)
    print(
        f"figures (archive_statistics):  median {_median(samples) * 1000:7.1f} ms  max {max(samples) * 1000:7.1f} ms"
    )

    from webapp import create_app

    app = create_app(settings, testing=True)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    samples = []
    size = 0
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get("/statistics")
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        size = len(response.data)
    print(
        f"page (GET /statistics):        median {_median(samples) * 1000:7.1f} ms  max {max(samples) * 1000:7.1f} ms  ({size / 1024:.0f} KiB)"
    )
    dispose_engines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--postgres", metavar="URL", help="measure on a fresh database of this server")
    args = parser.parse_args()
    if not args.postgres:
        run(None, args.documents, args.repeats)
        return
    import psycopg

    name = f"dossier_bench_{uuid.uuid4().hex[:8]}"
    admin = args.postgres.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        run(f"{args.postgres.rsplit('/', 1)[0]}/{name}", args.documents, args.repeats)
    finally:
        dispose_engines()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
