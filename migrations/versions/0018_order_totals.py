"""order and certificate totals: payments, refunds and disputes, and certificates issued, by
course and day, for the admin overview and the orders page; orders indexed by creation

The upgrade fills both from the stored orders and certificates (the same sums as
`ceengine admin recount`, by UTC day; run the recount once after upgrading when
CEENGINE_TIMEZONE is not UTC).

Revision ID: 0018_order_totals
Revises: 0017_audit_trail
Create Date: 2026-12-03 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_order_totals'
down_revision = '0017_audit_trail'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'order_tallies',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('paid', sa.Integer(), nullable=False),
        sa.Column('revenue_cents', sa.BigInteger(), nullable=False),
        sa.Column('refunds', sa.Integer(), nullable=False),
        sa.Column('refunded_cents', sa.BigInteger(), nullable=False),
        sa.Column('disputes', sa.Integer(), nullable=False),
        sa.CheckConstraint(
            'paid >= 0 AND revenue_cents >= 0 AND refunds >= 0 AND refunded_cents >= 0 '
            'AND disputes >= 0',
            name=op.f('ck_order_tallies_not_negative'),
        ),
        sa.ForeignKeyConstraint(
            ['course_id'], ['courses.id'],
            name=op.f('fk_order_tallies_course_id_courses'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('course_id', 'currency', 'day', name=op.f('pk_order_tallies')),
    )
    op.create_table(
        'certificate_tallies',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('issued', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['course_id'], ['courses.id'],
            name=op.f('fk_certificate_tallies_course_id_courses'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('course_id', 'day', name=op.f('pk_certificate_tallies')),
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_created', ['created_at', 'id'], unique=False)
    _count_existing()


def _day(column):
    if op.get_bind().dialect.name == 'postgresql':
        return f"CAST(timezone('UTC', {column}) AS DATE)"
    return f"date({column})"


def _count_existing():
    """Orders and certificates from before this revision go into the new totals.

    The same sums as ceengine/billing/totals.py and ceengine/certificates/totals.py (kept in
    plain SQL here, so this revision does not change when the app's code does).
    """
    day = _day('o.paid_at')
    op.execute(
        "INSERT INTO order_tallies (course_id, currency, day, paid, revenue_cents, refunds, "
        "refunded_cents, disputes) "
        f"SELECT a.course_id, o.currency, {day}, count(*), "
        "sum(coalesce(o.amount_paid_cents, o.amount_cents)), "
        "sum(CASE WHEN o.status = 'refunded' THEN 1 ELSE 0 END), sum(o.amount_refunded_cents), "
        "sum(CASE WHEN o.status = 'disputed' THEN 1 ELSE 0 END) "
        "FROM orders o JOIN attempts a ON a.id = o.attempt_id WHERE o.paid_at IS NOT NULL "
        f"GROUP BY a.course_id, o.currency, {day}"
    )
    day = _day('c.issued_at')
    op.execute(
        "INSERT INTO certificate_tallies (course_id, day, issued) "
        f"SELECT c.course_id, {day}, count(*) FROM certificates c WHERE c.edition = 1 "
        f"GROUP BY c.course_id, {day}"
    )


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_created')
    op.drop_table('certificate_tallies')
    op.drop_table('order_tallies')
