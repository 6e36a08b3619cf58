"""quiz integrity: attempt numbers per person and course, confirmed learner emails

Revision ID: 0006_quiz_integrity
Revises: 0005_feedback_admin
Create Date: 2026-12-01 08:30:00

Existing attempts are numbered per learner and course in the order they were made, so the
retake policy keeps counting them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_quiz_integrity'
down_revision = '0005_feedback_admin'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_confirmations')),
    sa.UniqueConstraint('nonce', name=op.f('uq_email_confirmations_nonce'))
    )
    with op.batch_alter_table('learners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_key', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_learners_email_key'), ['email_key'], unique=False)

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE attempts SET subject = 'learner:' || CAST(learner_id AS VARCHAR(20)), "
        "number = (SELECT COUNT(*) FROM attempts AS earlier "
        "WHERE earlier.learner_id = attempts.learner_id "
        "AND earlier.course_id = attempts.course_id "
        "AND (earlier.submitted_at < attempts.submitted_at OR "
        "(earlier.submitted_at = attempts.submitted_at AND earlier.id <= attempts.id)))")
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.alter_column('subject', existing_type=sa.String(length=300), nullable=False)
        batch_op.alter_column('number', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_attempts_course_id_subject_number'),
                                          ['course_id', 'subject', 'number'])
        batch_op.create_check_constraint(batch_op.f('ck_attempts_number_positive'),
                                         'number >= 1')


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attempts_number_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_attempts_course_id_subject_number'), type_='unique')
        batch_op.drop_column('number')
        batch_op.drop_column('subject')
    with op.batch_alter_table('learners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learners_email_key'))
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('email_key')
    op.drop_table('email_confirmations')
