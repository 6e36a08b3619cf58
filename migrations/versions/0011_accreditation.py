"""accreditation: sponsor.yaml versions (the approvals), and on each certificate the credit it
printed per approval, the learner's attestation and when it was given

Revision ID: 0011_accreditation
Revises: 0010_outbox
Create Date: 2026-12-02 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_accreditation'
down_revision = '0010_outbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sponsor_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sponsor_versions')),
    sa.UniqueConstraint('number', name=op.f('uq_sponsor_versions_number'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        # Certificates issued before: no accredited credit was recorded with them.
        batch_op.add_column(sa.Column('credits', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('attestation', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('attested_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('attested_at')
        batch_op.drop_column('attestation')
        batch_op.drop_column('credits')
    op.drop_table('sponsor_versions')
