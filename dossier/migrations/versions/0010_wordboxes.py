"""wordboxes: the OCR words of a page with their boxes in the preview image (sealed when confidential)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 22:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pages') as batch:
        batch.add_column(sa.Column('words', sa.Text(), nullable=True))
        batch.add_column(sa.Column('words_enc', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pages') as batch:
        batch.drop_column('words_enc')
        batch.drop_column('words')
