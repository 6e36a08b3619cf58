"""audit trail: an append-only table of admin actions (UPDATE and DELETE refused by triggers)

Revision ID: 0017_audit_trail
Revises: 0016_mail_html
Create Date: 2026-12-02 19:30:00

"""
from alembic import op
import sqlalchemy as sa

from ceengine.audit.models import trigger_statements


# revision identifiers, used by Alembic.
revision = '0017_audit_trail'
down_revision = '0016_mail_html'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('admin_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('target', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_action_at', ['action', 'at'], unique=False)
        batch_op.create_index('ix_audit_events_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_events_target', ['target'], unique=False)
    for statement in trigger_statements(op.get_bind().dialect.name):
        op.get_bind().exec_driver_sql(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TABLE audit_events')
        op.execute('DROP FUNCTION IF EXISTS audit_events_append_only()')
        return
    op.drop_table('audit_events')
