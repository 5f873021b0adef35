"""paper: loan register fields (unit, purpose, manner, return check), renewals, reminders, inventory resolutions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 22:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('loans') as batch:
        batch.add_column(sa.Column('borrower_unit', sa.String(length=128), nullable=True))
        batch.add_column(sa.Column('purpose', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('manner', sa.String(length=8), server_default='take', nullable=False))
        batch.add_column(sa.Column('return_condition', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('return_note', sa.Text(), nullable=True))
    op.create_table('loan_renewals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('renewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('renewed_by', sa.String(length=64), nullable=False),
    sa.Column('old_due', sa.Date(), nullable=False),
    sa.Column('new_due', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_renewals_loan_id_loans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_renewals'))
    )
    op.create_index(op.f('ix_loan_renewals_loan_id'), 'loan_renewals', ['loan_id'], unique=False)
    op.create_table('loan_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_by', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['loan_id'], ['loans.id'], name=op.f('fk_loan_reminders_loan_id_loans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loan_reminders'))
    )
    op.create_index(op.f('ix_loan_reminders_loan_id'), 'loan_reminders', ['loan_id'], unique=False)
    op.create_table('inventory_resolutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('count_id', sa.Integer(), nullable=False),
    sa.Column('entry', sa.Integer(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_by', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['count_id'], ['inventory_counts.id'], name=op.f('fk_inventory_resolutions_count_id_inventory_counts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_resolutions')),
    sa.UniqueConstraint('count_id', 'entry', name='uq_inventory_resolutions_count_entry')
    )


def downgrade() -> None:
    op.drop_table('inventory_resolutions')
    op.drop_index(op.f('ix_loan_reminders_loan_id'), table_name='loan_reminders')
    op.drop_table('loan_reminders')
    op.drop_index(op.f('ix_loan_renewals_loan_id'), table_name='loan_renewals')
    op.drop_table('loan_renewals')
    with op.batch_alter_table('loans') as batch:
        batch.drop_column('return_note')
        batch.drop_column('return_condition')
        batch.drop_column('manner')
        batch.drop_column('purpose')
        batch.drop_column('borrower_unit')
