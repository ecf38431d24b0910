"""workflow: job_marks (saved, hidden), applications (connects, boosted, what came of it), visits

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_marks',
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('saved', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('hidden', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_job_marks_posting_id_postings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('posting_id', name=op.f('pk_job_marks'))
    )
    op.create_index(op.f('ix_job_marks_hidden'), 'job_marks', ['hidden'], unique=False)
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('connects', sa.Integer(), nullable=True, comment='Connects (or bids) spent; NULL = not said'),
    sa.Column('boosted', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('quality', sa.Float(), nullable=True, comment="jobsift's quality when applied"),
    sa.Column('flags', sa.JSON(), nullable=True, comment='Flags when applied'),
    sa.Column('result', sa.String(length=16), nullable=True,
              comment='viewed, replied, interviewed, hired, no_reply (the furthest step)'),
    sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('interviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('no_reply_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_applications_posting_id_postings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('posting_id', name=op.f('uq_applications_posting_id'))
    )
    op.create_index(op.f('ix_applications_applied_at'), 'applications', ['applied_at'], unique=False)
    op.create_table('visits',
    sa.Column('who', sa.String(length=32), nullable=False, comment='web or cli'),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False, comment='Last page view or listing'),
    sa.Column('since', sa.DateTime(timezone=True), nullable=True, comment='"New" means first seen after this'),
    sa.PrimaryKeyConstraint('who', name=op.f('pk_visits'))
    )


def downgrade() -> None:
    op.drop_table('visits')
    op.drop_index(op.f('ix_applications_applied_at'), table_name='applications')
    op.drop_table('applications')
    op.drop_index(op.f('ix_job_marks_hidden'), table_name='job_marks')
    op.drop_table('job_marks')
