"""certified votes: the public rating counts one vote per certified address per course

Revision ID: 0008_certified_votes
Revises: 0005_feedback_admin
Create Date: 2026-12-01 08:30:00

The public line (rating_totals) counted every evaluation; from here it sums rating_votes,
which keeps, per course and certified email address, the one evaluation that counts. The
upgrade fills both from the stored evaluations and certificates (as `ceengine admin recount`
does), so the public line drops uncertified votes at once.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_certified_votes'
down_revision = '0007_billing_integrity'
branch_labels = None
depends_on = None

# The rule of ceengine/feedback/votes.py: each learner's latest valid certificate gives
# their address; each address's latest evaluation is its vote.
_FILL_VOTES = """
INSERT INTO rating_votes (course_id, email_key, evaluation_id, stars)
SELECT course_id, email_key, evaluation_id, stars FROM (
  SELECT e.course_id AS course_id, a.email_key AS email_key, e.id AS evaluation_id,
         e.rating AS stars,
         ROW_NUMBER() OVER (PARTITION BY e.course_id, a.email_key
                            ORDER BY e.updated_at DESC, e.id DESC) AS n
  FROM evaluations e JOIN (
    SELECT learner_id, course_id, email_key,
           ROW_NUMBER() OVER (PARTITION BY learner_id, course_id
                              ORDER BY issued_at DESC, id DESC) AS n
    FROM certificates WHERE status = 'valid') a
  ON a.learner_id = e.learner_id AND a.course_id = e.course_id AND a.n = 1) ranked
WHERE n = 1
"""
_FILL_TOTALS = """
INSERT INTO rating_totals (course_id, votes, stars)
SELECT course_id, COUNT(*), SUM(stars) FROM rating_votes GROUP BY course_id
"""


def upgrade():
    op.create_table('rating_votes',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('stars', sa.Integer(), nullable=False),
    sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_rating_votes_stars_range')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_rating_votes_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_rating_votes_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'email_key', name=op.f('pk_rating_votes')),
    sa.UniqueConstraint('evaluation_id', name=op.f('uq_rating_votes_evaluation_id'))
    )
    op.execute(_FILL_VOTES)
    op.execute("DELETE FROM rating_totals")
    op.execute(_FILL_TOTALS)


def downgrade():
    op.drop_table('rating_votes')
    # Back to counting every evaluation on the public line.
    op.execute("DELETE FROM rating_totals")
    op.execute("INSERT INTO rating_totals (course_id, votes, stars) "
               "SELECT course_id, COUNT(*), SUM(rating) FROM evaluations GROUP BY course_id")
