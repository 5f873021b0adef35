"""item numbers: a 档号 for every document (per-folder 件号 never reused) and handovers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 09:00:00

Existing documents are numbered by ``dossier init`` (``numbering.number_unnumbered``), which
signs each new number into the document's history; the migration only makes room for it.
A trigger keeps a number once given, as the ORM guard in ``dossier.models`` does. (A later
migration that rebuilds ``documents`` with ``batch_alter_table`` on SQLite must create it again.)
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_FIXED = ("archive_no", "item_no", "numbered_in_id")


def upgrade() -> None:
    with op.batch_alter_table('households') as batch:
        batch.add_column(sa.Column('item_counter', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('documents') as batch:
        batch.add_column(sa.Column('archive_no', sa.String(length=128), nullable=True))
        batch.add_column(sa.Column('item_no', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('numbered_in_id', sa.Integer(), nullable=True))
        batch.create_unique_constraint(batch.f('uq_documents_archive_no'), ['archive_no'])
        batch.create_unique_constraint('uq_documents_numbered_in_item_no', ['numbered_in_id', 'item_no'])
        batch.create_foreign_key(
            batch.f('fk_documents_numbered_in_id_households'), 'households', ['numbered_in_id'], ['id']
        )
    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('package_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('source_archive', sa.String(length=128), nullable=True),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('report', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers'))
    )
    with op.batch_alter_table('handovers') as batch:
        batch.create_index(batch.f('ix_handovers_package_id'), ['package_id'], unique=False)
    _create_guard()


def _create_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE OR REPLACE FUNCTION dossier_item_no_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF OLD.archive_no IS NOT NULL AND (NEW.archive_no IS DISTINCT FROM OLD.archive_no
                        OR NEW.item_no IS DISTINCT FROM OLD.item_no
                        OR NEW.numbered_in_id IS DISTINCT FROM OLD.numbered_in_id) THEN
                    RAISE EXCEPTION 'a document''s archive number is never changed once given'
                        USING ERRCODE = 'restrict_violation';
                END IF;
                RETURN NEW;
            END $$""")
        op.execute(
            "CREATE TRIGGER documents_item_no_fixed BEFORE UPDATE ON documents "
            "FOR EACH ROW EXECUTE FUNCTION dossier_item_no_fixed()"
        )
        return
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _FIXED)
    op.execute(
        f"CREATE TRIGGER documents_item_no_fixed BEFORE UPDATE OF {', '.join(_FIXED)} ON documents "
        f"WHEN OLD.archive_no IS NOT NULL AND ({changed}) "
        "BEGIN SELECT RAISE(ABORT, 'a document''s archive number is never changed once given'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS documents_item_no_fixed" + (
        " ON documents" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS dossier_item_no_fixed()")
    with op.batch_alter_table('handovers') as batch:
        batch.drop_index(batch.f('ix_handovers_package_id'))
    op.drop_table('handovers')
    with op.batch_alter_table('documents') as batch:
        batch.drop_constraint(batch.f('fk_documents_numbered_in_id_households'), type_='foreignkey')
        batch.drop_constraint('uq_documents_numbered_in_item_no', type_='unique')
        batch.drop_constraint(batch.f('uq_documents_archive_no'), type_='unique')
        batch.drop_column('numbered_in_id')
        batch.drop_column('item_no')
        batch.drop_column('archive_no')
    with op.batch_alter_table('households') as batch:
        batch.drop_column('item_counter')
