"""audit: verification runs, fixity events, loans and inventories of paper originals

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_by', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('documents_checked', sa.Integer(), nullable=False),
    sa.Column('documents_failed', sa.Integer(), nullable=False),
    sa.Column('archive_failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_runs'))
    )
    op.create_table('fixity_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('check', sa.String(length=32), nullable=False),
    sa.Column('property', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['audit_runs.id'], name=op.f('fk_fixity_events_run_id_audit_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fixity_events'))
    )
    op.create_index('ix_fixity_events_document_check', 'fixity_events', ['document_id', 'check', 'at'], unique=False)
    op.create_index('ix_fixity_events_run_outcome', 'fixity_events', ['run_id', 'outcome'], unique=False)
    op.create_table('loans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('borrower', sa.String(length=128), nullable=False),
    sa.Column('lent_by', sa.String(length=64), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('out_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_to', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_loans_approved_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_loans_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loans'))
    )
    op.create_index('ix_loans_open_due', 'loans', ['returned_at', 'due_on'], unique=False)
    op.create_index(op.f('ix_loans_document_id'), 'loans', ['document_id'], unique=False)
    op.create_table('inventory_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cabinet', sa.String(length=32), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('counted_by', sa.String(length=64), nullable=False),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('found', sa.Integer(), nullable=False),
    sa.Column('on_loan', sa.Integer(), nullable=False),
    sa.Column('discrepancies', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_counts'))
    )
    op.create_index('ix_inventory_counts_cabinet_month', 'inventory_counts', ['cabinet', 'month'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_inventory_counts_cabinet_month', table_name='inventory_counts')
    op.drop_table('inventory_counts')
    op.drop_index(op.f('ix_loans_document_id'), table_name='loans')
    op.drop_index('ix_loans_open_due', table_name='loans')
    op.drop_table('loans')
    op.drop_index('ix_fixity_events_run_outcome', table_name='fixity_events')
    op.drop_index('ix_fixity_events_document_check', table_name='fixity_events')
    op.drop_table('fixity_events')
    op.drop_table('audit_runs')
