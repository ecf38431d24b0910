"""Labels: what a posting turned out to be, from the user (``jobsift label``) or observed outcomes.

Observed labels are written with the outcomes they come from (``store.outcomes``); this module
writes the user's and reads both for training.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from jobsift.errors import NotFoundError
from jobsift.store.schema import labels, postings, scores


@dataclass(frozen=True, slots=True)
class Label:
    """One stored label."""

    posting_id: int
    label: str
    origin: str


def add_user_label(conn: Connection, posting_id: int, verdict: str, note: str | None, now: datetime) -> int:
    """Store the user's verdict on a posting; returns how many labels are stored now.

    Raises ``NotFoundError`` when there is no posting with this id.
    """
    if conn.execute(select(postings.c.id).where(postings.c.id == posting_id)).first() is None:
        raise NotFoundError(f"no posting with id {posting_id}")
    conn.execute(insert(labels).values(posting_id=posting_id, label=verdict, origin="user", note=note, created_at=now))
    return int(conn.execute(select(func.count()).select_from(labels)).scalar_one())


def all_labels(conn: Connection) -> list[Label]:
    """Every label, oldest first (so a later label on the same posting comes after)."""
    q = select(labels.c.posting_id, labels.c.label, labels.c.origin).order_by(labels.c.id)
    return [Label(int(r.posting_id), r.label, r.origin) for r in conn.execute(q)]


def unscored_label_count(conn: Connection) -> int:
    """How many labelled postings have never been scored (they have no features to learn from)."""
    latest = select(scores.c.posting_id).where(scores.c.is_latest.is_(True))
    return int(
        conn.execute(
            select(func.count(func.distinct(labels.c.posting_id))).where(labels.c.posting_id.not_in(latest))
        ).scalar_one()
    )
