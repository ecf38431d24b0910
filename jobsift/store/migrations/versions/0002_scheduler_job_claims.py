"""scheduler: job_claims (one process runs a periodic job per period)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=32), nullable=False, comment='digest, prune'),
    sa.Column('period', sa.String(length=32), nullable=False, comment='e.g. 2026-11-22 (the local day)'),
    sa.Column('status', sa.String(length=16), nullable=False, comment='running, done, failed'),
    sa.Column('claimed_by', sa.String(length=128), nullable=False, comment='host:pid of the process'),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=False,
              comment='Another process may take over after this'),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_claims')),
    sa.UniqueConstraint('job', 'period', name=op.f('uq_job_claims_job_period'))
    )


def downgrade() -> None:
    op.drop_table('job_claims')
