"""open badges: each certificate's signed Open Badge credential and its status-list index

Revision ID: 0014_open_badges
Revises: 0013_ce_broker
Create Date: 2026-12-02 16:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_open_badges'
down_revision = '0013_ce_broker'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credential', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_status_index'),
                                          ['status_index'])
        batch_op.create_index('ix_certificates_status_index', ['status', 'status_index'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_status_index')
        batch_op.drop_constraint(batch_op.f('uq_certificates_status_index'), type_='unique')
        batch_op.drop_column('status_index')
        batch_op.drop_column('credential')
