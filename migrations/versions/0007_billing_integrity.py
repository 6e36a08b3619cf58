"""billing integrity: the Checkout Sessions opened for each order, payments that could not
fulfil one, and the amounts paid and refunded

Revision ID: 0007_billing_integrity
Revises: 0005_feedback_admin
Create Date: 2026-12-01 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_billing_integrity'
down_revision = '0006_quiz_integrity'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkout_sessions',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_checkout_sessions_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkout_sessions'))
    )
    with op.batch_alter_table('checkout_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkout_sessions_order_id'), ['order_id'], unique=False)

    op.create_table('payment_problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('checkout_session_id', sa.String(length=255), nullable=False),
    sa.Column('payment_intent_id', sa.String(length=255), nullable=True),
    sa.Column('amount_cents', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=16), nullable=True),
    sa.Column('livemode', sa.Boolean(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_payment_problems_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_problems')),
    sa.UniqueConstraint('order_id', 'checkout_session_id', name=op.f('uq_payment_problems_order_id_checkout_session_id'))
    )
    with op.batch_alter_table('payment_problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_problems_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount_paid_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('amount_refunded_cents', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_orders_amount_refunded_not_negative'), 'amount_refunded_cents >= 0')

    # The session each existing order opened last is its own (earlier ones were not kept).
    op.execute("INSERT INTO checkout_sessions (id, order_id, opened_at) "
               "SELECT checkout_session_id, id, updated_at FROM orders "
               "WHERE checkout_session_id IS NOT NULL")
    # amount_paid_cents stays empty on orders paid before: what Stripe took was not kept.


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_orders_amount_refunded_not_negative'), type_='check')
        batch_op.drop_column('amount_refunded_cents')
        batch_op.drop_column('amount_paid_cents')

    with op.batch_alter_table('payment_problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_problems_order_id'))
    op.drop_table('payment_problems')
    with op.batch_alter_table('checkout_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkout_sessions_order_id'))
    op.drop_table('checkout_sessions')
