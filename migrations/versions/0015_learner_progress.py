"""learner progress: the modules each learner has finished (opened ones are course_openings)

Revision ID: 0015_learner_progress
Revises: 0014_open_badges
Create Date: 2026-12-02 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_learner_progress'
down_revision = '0014_open_badges'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('finished_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('module', sa.String(length=100), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_finished_modules_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_finished_modules_learner_id_learners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['course_versions.id'], name=op.f('fk_finished_modules_version_id_course_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finished_modules')),
    sa.UniqueConstraint('learner_id', 'course_id', 'module', name=op.f('uq_finished_modules_learner_id_course_id_module'))
    )
    with op.batch_alter_table('finished_modules', schema=None) as batch_op:
        # Deleting a course version cascades here: without an index that is a table scan.
        batch_op.create_index(batch_op.f('ix_finished_modules_version_id'), ['version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('finished_modules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finished_modules_version_id'))

    op.drop_table('finished_modules')
