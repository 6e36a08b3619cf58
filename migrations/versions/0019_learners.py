"""learners: search keys on certificates (name, last word of the name), prefix indexes, and
indexes for a learner's orders and reflections

Revision ID: 0019_learners
Revises: 0018_order_totals
Create Date: 2026-12-03 06:40:00

"""
from alembic import op
import sqlalchemy as sa

from ceengine.certificates.models import name_search_key, surname_search_key


# revision identifiers, used by Alembic.
revision = '0019_learners'
down_revision = '0018_order_totals'
branch_labels = None
depends_on = None

BATCH = 5000


def _fill_keys(bind) -> None:
    """Every stored certificate gets its keys (computed in Python: casefold, any script)."""
    certificates = sa.table(
        'certificates',
        sa.column('id', sa.Integer),
        sa.column('full_name', sa.String),
        sa.column('name_key', sa.String),
        sa.column('surname_key', sa.String),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(certificates.c.id, certificates.c.full_name)
            .where(certificates.c.id > last)
            .order_by(certificates.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            certificates.update()
            .where(certificates.c.id == sa.bindparam('row_id'))
            .values(name_key=sa.bindparam('name'), surname_key=sa.bindparam('surname')),
            [
                {
                    'row_id': row.id,
                    'name': name_search_key(row.full_name),
                    'surname': surname_search_key(row.full_name),
                }
                for row in rows
            ],
        )
        last = rows[-1].id


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('surname_key', sa.String(length=200), nullable=True))
    _fill_keys(op.get_bind())
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(
            'ix_certificates_name_key',
            ['name_key'],
            unique=False,
            postgresql_ops={'name_key': 'text_pattern_ops'},
        )
        batch_op.create_index(
            'ix_certificates_surname_key',
            ['surname_key'],
            unique=False,
            postgresql_ops={'surname_key': 'text_pattern_ops'},
        )
    op.create_index(
        'ix_certificates_email_prefix',
        'certificates',
        ['email_key'],
        postgresql_ops={'email_key': 'text_pattern_ops'},
    )
    op.create_index('ix_orders_learner', 'orders', ['learner_id', 'created_at'])
    op.create_index('ix_reflections_learner', 'reflections', ['learner_id', 'created_at'])
    op.create_index(
        'ix_learners_email_prefix',
        'learners',
        ['email_key'],
        postgresql_ops={'email_key': 'text_pattern_ops'},
    )


def downgrade():
    op.drop_index('ix_reflections_learner', table_name='reflections')
    op.drop_index('ix_orders_learner', table_name='orders')
    op.drop_index('ix_learners_email_prefix', table_name='learners')
    op.drop_index('ix_certificates_email_prefix', table_name='certificates')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_surname_key')
        batch_op.drop_index('ix_certificates_name_key')
        batch_op.drop_column('surname_key')
        batch_op.drop_column('name_key')
