"""ce broker: which completions were reported to CE Broker, and an index on certificates by
license state (Florida completions)

Revision ID: 0013_ce_broker
Revises: 0012_time_on_task
Create Date: 2026-12-02 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_ce_broker'
down_revision = '0012_time_on_task'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ce_broker_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('admin_id', sa.Integer(), nullable=True),
    sa.Column('batch', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['admin_id'], ['admin_users.id'],
                            name=op.f('fk_ce_broker_reports_admin_id_admin_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'],
                            name=op.f('fk_ce_broker_reports_certificate_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ce_broker_reports')),
    sa.UniqueConstraint('certificate_id', name=op.f('uq_ce_broker_reports_certificate_id'))
    )
    with op.batch_alter_table('ce_broker_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ce_broker_reports_batch'), ['batch'], unique=False)
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_license_state', ['license_state', 'completed_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_license_state')
    with op.batch_alter_table('ce_broker_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ce_broker_reports_batch'))
    op.drop_table('ce_broker_reports')
