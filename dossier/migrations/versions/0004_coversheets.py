"""cover sheets: scanned stacks stored whole, batch items for the parts of a split stack

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scan_stacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=256), nullable=False),
    sa.Column('original_key', sa.String(length=512), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('sm3', sa.String(length=64), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=True),
    sa.Column('signed_record', sa.Text(), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.Column('signing_key_id', sa.String(length=32), nullable=False),
    sa.Column('intake_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('intake_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], name=op.f('fk_scan_stacks_batch_id_batches')),
    sa.ForeignKeyConstraint(['intake_by_id'], ['users.id'], name=op.f('fk_scan_stacks_intake_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_stacks')),
    sa.UniqueConstraint('original_key', name=op.f('uq_scan_stacks_original_key'))
    )
    with op.batch_alter_table('scan_stacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scan_stacks_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_stacks_sha256'), ['sha256'], unique=False)

    with op.batch_alter_table('batch_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stack_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_page', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_page', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sheet', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_batch_items_stack_id'), ['stack_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_batch_items_stack_id_scan_stacks'), 'scan_stacks', ['stack_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('batch_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_batch_items_stack_id_scan_stacks'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_batch_items_stack_id'))
        batch_op.drop_column('sheet')
        batch_op.drop_column('last_page')
        batch_op.drop_column('first_page')
        batch_op.drop_column('stack_id')

    with op.batch_alter_table('scan_stacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scan_stacks_sha256'))
        batch_op.drop_index(batch_op.f('ix_scan_stacks_batch_id'))

    op.drop_table('scan_stacks')
