"""filing stamp: the 归档章's 全宗号, 年度 and 保管期限 as the 档号 was made of them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 14:00:00

Three nullable columns, fixed once set (a trigger, as the ORM guard in ``dossier.models`` does).
``dossier init`` fills them for documents numbered before (``numbering.stamp_unstamped``), from
the facts of the day: the best there is. Columns are added in place (SQLite's ADD COLUMN), so the
triggers of earlier migrations on ``documents`` stay.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_STAMP = ("stamp_fonds", "stamp_year", "stamp_retention")
_MESSAGE = "a document''s filing stamp is never changed once given"


def upgrade() -> None:
    op.add_column('documents', sa.Column('stamp_fonds', sa.String(length=32), nullable=True))
    op.add_column('documents', sa.Column('stamp_year', sa.Integer(), nullable=True))
    op.add_column('documents', sa.Column('stamp_retention', sa.String(length=16), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        changed = " OR ".join(
            f"(OLD.{c} IS NOT NULL AND NEW.{c} IS DISTINCT FROM OLD.{c})" for c in _STAMP
        )
        op.execute(f"""
            CREATE OR REPLACE FUNCTION dossier_stamp_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {changed} THEN
                    RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'restrict_violation';
                END IF;
                RETURN NEW;
            END $$""")
        op.execute(
            "CREATE TRIGGER documents_stamp_fixed BEFORE UPDATE ON documents "
            "FOR EACH ROW EXECUTE FUNCTION dossier_stamp_fixed()"
        )
        return
    changed = " OR ".join(f"(OLD.{c} IS NOT NULL AND NEW.{c} IS NOT OLD.{c})" for c in _STAMP)
    op.execute(
        f"CREATE TRIGGER documents_stamp_fixed BEFORE UPDATE OF {', '.join(_STAMP)} ON documents "
        f"WHEN {changed} BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute("DROP TRIGGER IF EXISTS documents_stamp_fixed" + (" ON documents" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS dossier_stamp_fixed()")
    for column in reversed(_STAMP):
        op.drop_column('documents', column)
