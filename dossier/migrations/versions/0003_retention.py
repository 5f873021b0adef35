"""retention: classes, holds, destruction lists, shredding log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:22:24.538569
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('retention_classes',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('years', sa.Integer(), nullable=True),
    sa.Column('trigger', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_retention_classes'))
    )
    op.create_table('shred_log',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('list_number', sa.String(length=32), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.Column('signing_key_id', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_shred_log'))
    )
    with op.batch_alter_table('shred_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shred_log_list_number'), ['list_number'], unique=False)

    op.create_table('destruction_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by', sa.String(length=64), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('executed_by', sa.String(length=64), nullable=True),
    sa.Column('executed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_destruction_lists_approved_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_destruction_lists_proposed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_lists')),
    sa.UniqueConstraint('number', name=op.f('uq_destruction_lists_number'))
    )
    op.create_table('paper_destructions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('destroyed_on', sa.Date(), nullable=False),
    sa.Column('shredded_by', sa.String(length=128), nullable=False),
    sa.Column('witnesses', sa.Text(), nullable=False),
    sa.Column('method', sa.String(length=128), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['destruction_lists.id'], name=op.f('fk_paper_destructions_list_id_destruction_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_destructions'))
    )
    with op.batch_alter_table('paper_destructions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_destructions_list_id'), ['list_id'], unique=False)

    op.create_table('destruction_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('household_code', sa.String(length=64), nullable=False),
    sa.Column('archive_no', sa.String(length=64), nullable=False),
    sa.Column('type_code', sa.String(length=32), nullable=False),
    sa.Column('type_name', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=256), nullable=False),
    sa.Column('document_date', sa.Date(), nullable=True),
    sa.Column('retention_class', sa.String(length=16), nullable=False),
    sa.Column('disposal_date', sa.Date(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('paper_location', sa.String(length=128), nullable=True),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('struck_reason', sa.Text(), nullable=True),
    sa.Column('struck_by', sa.String(length=64), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('destroyed_by', sa.String(length=64), nullable=True),
    sa.Column('paper_destruction_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_destruction_items_document_id_documents')),
    sa.ForeignKeyConstraint(['list_id'], ['destruction_lists.id'], name=op.f('fk_destruction_items_list_id_destruction_lists')),
    sa.ForeignKeyConstraint(['paper_destruction_id'], ['paper_destructions.id'], name=op.f('fk_destruction_items_paper_destruction_id_paper_destructions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_items')),
    sa.UniqueConstraint('list_id', 'document_id', name='uq_destruction_items_list_document')
    )
    with op.batch_alter_table('destruction_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destruction_items_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_destruction_items_list_id'), ['list_id'], unique=False)

    op.create_table('holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('placed_by', sa.String(length=64), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_by', sa.String(length=64), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('release_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_holds_document_id_documents')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_holds_household_id_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holds'))
    )
    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holds_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_holds_household_id'), ['household_id'], unique=False)

    with op.batch_alter_table('document_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_class', sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_document_types_retention_class_retention_classes'), 'retention_classes', ['retention_class'], ['code'])

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disposal_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('retain_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('destroyed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('destruction_list', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_disposal_date'), ['disposal_date'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_disposal_date'))
        batch_op.drop_column('destruction_list')
        batch_op.drop_column('destroyed_by')
        batch_op.drop_column('destroyed_at')
        batch_op.drop_column('retain_until')
        batch_op.drop_column('disposal_date')

    with op.batch_alter_table('document_types', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_types_retention_class_retention_classes'), type_='foreignkey')
        batch_op.drop_column('retention_class')

    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holds_household_id'))
        batch_op.drop_index(batch_op.f('ix_holds_document_id'))

    op.drop_table('holds')
    with op.batch_alter_table('destruction_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_destruction_items_list_id'))
        batch_op.drop_index(batch_op.f('ix_destruction_items_document_id'))

    op.drop_table('destruction_items')
    with op.batch_alter_table('paper_destructions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_destructions_list_id'))

    op.drop_table('paper_destructions')
    op.drop_table('destruction_lists')
    with op.batch_alter_table('shred_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shred_log_list_number'))

    op.drop_table('shred_log')
    op.drop_table('retention_classes')
