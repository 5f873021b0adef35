"""integrity: chained access log, signed log heads, document change history, append-only triggers

Old access-log entries are chained in id order here; the log heads are left unsigned and
``dossier init`` signs and anchors them, and signs every document's metadata once (a history
entry "upgrade"), since signing needs the archive's key, which migrations do not hold.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 15:00:00
"""

from types import SimpleNamespace

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
_sql = sa.text  # raw SQL (a name the message-catalog check does not take for a message)
BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# Tables whose rows are never changed or deleted, and tables whose rows are never deleted.
APPEND_ONLY = ("shred_log", "access_events", "fixity_events", "document_history")
NEVER_DELETED = ("destruction_lists", "destruction_items", "paper_destructions", "holds")


def upgrade() -> None:
    op.create_table(
        "log_heads",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("seq", BIG, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=True),
        sa.Column("signing_key_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_log_heads")),
    )
    op.create_table(
        "document_history",
        sa.Column("seq", BIG, autoincrement=False, nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("signing_key_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_history_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_document_history")),
    )
    op.create_index(
        "ix_document_history_document_seq", "document_history", ["document_id", "seq"], unique=False
    )
    with op.batch_alter_table("destruction_lists") as batch:
        batch.add_column(sa.Column("log_range_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("scan_stacks") as batch:  # a stack whose every page was destroyed
        batch.alter_column("original_key", existing_type=sa.String(length=512), nullable=True)
    with op.batch_alter_table("access_events") as batch:
        batch.add_column(sa.Column("seq", BIG, nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
    access_head = _chain_access_log()
    with op.batch_alter_table("access_events") as batch:
        batch.alter_column("seq", existing_type=BIG, nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("entry_hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f("uq_access_events_seq"), ["seq"])
    heads = sa.table("log_heads", sa.column("name"), sa.column("seq"), sa.column("hash"))
    op.bulk_insert(
        heads,
        [
            {"name": "access", "seq": access_head[0], "hash": access_head[1]},
            {"name": "shredlog", **_shredlog_head()},
            {"name": "history", "seq": 0, "hash": GENESIS},
        ],
    )
    op.execute("DELETE FROM archive_settings WHERE key = 'shredlog.head'")
    _record_list_ranges()
    _create_guards()


def _chain_access_log() -> tuple[int, str]:
    """Number and chain the existing entries in id order; returns the head."""
    from dossier.ledger import entry_hash
    from dossier.services.access import access_record

    bind = op.get_bind()
    events = sa.table(
        "access_events",
        *(
            sa.column(c)
            for c in (
                "id",
                "user_id",
                "username",
                "role",
                "action",
                "outcome",
                "household_id",
                "document_id",
                "detail",
                "client_addr",
                "channel",
                "seq",
                "prev_hash",
                "entry_hash",
            )
        ),
        sa.column("at", sa.DateTime(timezone=True)),
    )
    seq, prev, last = 0, GENESIS, 0
    while True:
        rows = bind.execute(
            sa.select(events).where(events.c.id > last).order_by(events.c.id).limit(1000)
        ).all()
        if not rows:
            return seq, prev
        for row in rows:
            seq += 1
            event = SimpleNamespace(**{**row._mapping, "seq": seq, "prev_hash": prev})
            digest = entry_hash(access_record(event))
            bind.execute(
                events.update()
                .where(events.c.id == row.id)
                .values(seq=seq, prev_hash=prev, entry_hash=digest)
            )
            prev, last = digest, row.id


def _shredlog_head() -> dict:
    """The old unsigned head where there was one (so a log cut back before the upgrade still
    shows), else the last entry."""
    bind = op.get_bind()
    old = bind.execute(_sql("SELECT value FROM archive_settings WHERE key = 'shredlog.head'")).scalar()
    seq, _, digest = (old or "").partition(":")
    if seq.isdigit() and len(digest) == 64:
        return {"seq": int(seq), "hash": digest}
    row = bind.execute(_sql("SELECT seq, entry_hash FROM shred_log ORDER BY seq DESC LIMIT 1")).first()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": GENESIS}


def _record_list_ranges() -> None:
    """Each list's range hash over its existing shredding-log entries (what its certificate quotes)."""
    import hashlib

    bind = op.get_bind()
    entries: dict[str, list[str]] = {}
    for number, digest in bind.execute(_sql("SELECT list_number, entry_hash FROM shred_log ORDER BY seq")):
        entries.setdefault(number, []).append(digest)
    for number, digests in entries.items():
        bind.execute(
            _sql("UPDATE destruction_lists SET log_range_sha256 = :h WHERE number = :n"),
            {"h": hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest(), "n": number},
        )


def _create_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE OR REPLACE FUNCTION dossier_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% rows are never %d', TG_TABLE_NAME, lower(TG_OP)
                    USING ERRCODE = 'restrict_violation';
            END $$""")
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION dossier_append_only()"
            )
        for table in NEVER_DELETED:
            op.execute(
                f"CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION dossier_append_only()"
            )
        for table in APPEND_ONLY + NEVER_DELETED:
            op.execute(
                f"CREATE TRIGGER {table}_never_truncated BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION dossier_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are never {verb.lower()}d'); END"
            )
    for table in NEVER_DELETED:
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END"
        )


def _drop_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY + NEVER_DELETED:
            for name in ("append_only", "never_deleted", "never_truncated"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS dossier_append_only()")
        return
    for table in APPEND_ONLY + NEVER_DELETED:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def downgrade() -> None:
    _drop_guards()
    op.execute(
        "INSERT INTO archive_settings (key, value) SELECT 'shredlog.head', "
        + (
            "CAST(seq AS TEXT) || ':' || hash"
            if op.get_bind().dialect.name == "sqlite"
            else "seq::text || ':' || hash"
        )
        + " FROM log_heads WHERE name = 'shredlog' AND seq > 0"
    )
    with op.batch_alter_table("access_events") as batch:
        batch.drop_constraint(op.f("uq_access_events_seq"), type_="unique")
        batch.drop_column("entry_hash")
        batch.drop_column("prev_hash")
        batch.drop_column("seq")
    with op.batch_alter_table("scan_stacks") as batch:
        batch.alter_column("original_key", existing_type=sa.String(length=512), nullable=False)
    with op.batch_alter_table("destruction_lists") as batch:
        batch.drop_column("log_range_sha256")
    op.drop_index("ix_document_history_document_seq", table_name="document_history")
    op.drop_table("document_history")
    op.drop_table("log_heads")
