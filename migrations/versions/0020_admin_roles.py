"""admin roles, deactivation, invitations and two-factor sign-in (existing admins become owners)

Revision ID: 0020_admin_roles
Revises: 0019_learners
Create Date: 2026-12-03 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_admin_roles'
down_revision = '0019_learners'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('admin_users', schema=None) as batch_op:
        # server default 'owner': every admin made before roles existed becomes an owner
        batch_op.add_column(sa.Column('role', sa.String(length=16), server_default='owner', nullable=False))
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('two_factor_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_admin_users_role_known'), "role IN ('owner', 'staff', 'reviewer')"
        )
    op.create_table(
        'admin_recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('admin_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['admin_id'], ['admin_users.id'], name=op.f('fk_admin_recovery_codes_admin_id_admin_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_recovery_codes')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_admin_recovery_codes_code_hash')),
    )
    with op.batch_alter_table('admin_recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_recovery_codes_admin_id'), ['admin_id'], unique=False)
    op.create_table(
        'admin_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('owner', 'staff', 'reviewer')", name=op.f('ck_admin_invitations_role_known')),
        sa.ForeignKeyConstraint(['invited_by_id'], ['admin_users.id'], name=op.f('fk_admin_invitations_invited_by_id_admin_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_invitations')),
        sa.UniqueConstraint('email', name=op.f('uq_admin_invitations_email')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_admin_invitations_token_hash')),
    )


def downgrade():
    op.drop_table('admin_invitations')
    with op.batch_alter_table('admin_recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_recovery_codes_admin_id'))
    op.drop_table('admin_recovery_codes')
    with op.batch_alter_table('admin_users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_admin_users_role_known'), type_='check')
        batch_op.drop_column('two_factor_since')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('active')
        batch_op.drop_column('role')
