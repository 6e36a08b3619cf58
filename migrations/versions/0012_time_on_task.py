"""time on task: when each learner first opened a course and its modules; attempts keep
when the course was first opened

Revision ID: 0012_time_on_task
Revises: 0011_accreditation
Create Date: 2026-12-02 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_time_on_task'
down_revision = '0011_accreditation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_openings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('module', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('module >= 1', name=op.f('ck_course_openings_module_positive')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_openings_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_course_openings_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_openings')),
    sa.UniqueConstraint('learner_id', 'course_id', 'module', name=op.f('uq_course_openings_learner_id_course_id_module'))
    )
    with op.batch_alter_table('course_openings', schema=None) as batch_op:
        # NULLs are distinct in a unique constraint: the course page's row (module NULL)
        # is kept to one per learner and course by this partial index.
        batch_op.create_index('uq_course_openings_course_page', ['learner_id', 'course_id'], unique=True, sqlite_where=sa.text('module IS NULL'), postgresql_where=sa.text('module IS NULL'))

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('opened_at')

    with op.batch_alter_table('course_openings', schema=None) as batch_op:
        batch_op.drop_index('uq_course_openings_course_page')

    op.drop_table('course_openings')
