"""publish: postings.listed_at (generated) and its index, for the newest-first listing

The web page, feeds and API list jobs newest first, ordered by coalesce(posted_at, first_seen_at).
An index on that expression would serve it, but expression indexes are invisible to SQLAlchemy
reflection and Alembic autogenerate, so the expression is a generated column instead: VIRTUAL on
SQLite (no storage), STORED on PostgreSQL (the only kind it has before version 18).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:10:00
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE postings ADD COLUMN listed_at TIMESTAMP WITH TIME ZONE "
                   "GENERATED ALWAYS AS (coalesce(posted_at, first_seen_at)) STORED")
    else:
        op.execute("ALTER TABLE postings ADD COLUMN listed_at DATETIME "
                   "GENERATED ALWAYS AS (coalesce(posted_at, first_seen_at)) VIRTUAL")
    op.execute("CREATE INDEX ix_postings_listed_at_id ON postings (listed_at, id)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_postings_listed_at_id")
    # A plain DROP COLUMN on both backends (SQLite >= 3.35): a batch rebuild would rename the table
    # under the jobs view (SQLite refuses) and, with foreign keys on, cascade-delete its sightings.
    op.execute("ALTER TABLE postings DROP COLUMN listed_at")
