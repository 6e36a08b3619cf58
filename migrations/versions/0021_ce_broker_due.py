"""ce broker due: when each completion was reported to CE Broker, on the certificate, and a
partial index of the completions still due (the overview's count stays flat)

Revision ID: 0021_ce_broker_due
Revises: 0020_admin_roles
Create Date: 2026-12-03 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_ce_broker_due'
down_revision = '0020_admin_roles'
branch_labels = None
depends_on = None

# The same text as ceengine.certificates.models.CE_BROKER_DUE (kept here as it was).
DUE = "ce_broker_reported_at IS NULL AND CAST(credits AS TEXT) != '[]'"


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('ce_broker_reported_at', sa.DateTime(timezone=True), nullable=True)
        )
    # Every edition of an attempt some edition of which was reported.
    op.execute(
        "UPDATE certificates SET ce_broker_reported_at = ("
        "SELECT min(r.reported_at) FROM ce_broker_reports r "
        "JOIN certificates e ON e.id = r.certificate_id "
        "WHERE e.attempt_id = certificates.attempt_id)"
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(
            'ix_certificates_ce_broker_due',
            ['license_state', 'completed_at'],
            unique=False,
            postgresql_where=sa.text(DUE),
            sqlite_where=sa.text(DUE),
        )


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_ce_broker_due')
        batch_op.drop_column('ce_broker_reported_at')
