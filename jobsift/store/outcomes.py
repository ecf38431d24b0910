"""Outcomes: what happened to each posting, as observed from its source, and when to ask again.

``outcome_events`` keeps every change (time observed, source field, value); ``posting_outcomes`` holds
the current state and the re-observation schedule. A posting is asked again ``SCHEDULE_DAYS`` after it
was first seen (1, 3, 7, 14 and 30 days) until it resolves (``hired`` or ``closed_no_hire``); after the
last point it is left unresolved (censored). A resolved outcome writes one training label, origin
``observed`` (label = the outcome), kept apart from the user's verdicts. ``gone`` (only vanished from a
listing) is derived from ``postings.gone_at`` for display and is never an event or a label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, literal, or_, select, update

from jobsift.model import Observation, Posting
from jobsift.store.schema import RESOLVED, labels, outcome_events, posting_outcomes, postings

SCHEDULE_DAYS: tuple[float, ...] = (1, 3, 7, 14, 30)
#: How long a claimed check stays claimed before another process may take it (a crashed fetch).
CLAIM_SECONDS = 600


def outcome_column() -> Any:
    """The outcome a reader sees (the SQL of the ``jobs`` view's ``outcome`` column, migration 0006)."""
    o = posting_outcomes.c
    return case(
        (o.outcome.in_(RESOLVED), o.outcome),
        (postings.c.gone_at.is_not(None), literal("gone")),
        else_=func.coalesce(o.outcome, literal("open")),
    )


def next_check(first_seen: datetime, now: datetime, days: Sequence[float] = SCHEDULE_DAYS) -> datetime | None:
    """The first point of the schedule after ``now``; None once the schedule is over."""
    for d in days:
        at = first_seen + timedelta(days=d)
        if at > now:
            return at
    return None


@dataclass(frozen=True, slots=True)
class Due:
    posting_id: int
    source: str
    external_id: str
    url: str


def due(conn: Connection, source: str, now: datetime, limit: int, days: Sequence[float] = SCHEDULE_DAYS) -> list[Due]:
    """Postings of ``source`` whose next check is due, oldest due first (never a resolved one)."""
    o = posting_outcomes.c
    p = postings.c
    first_due = p.first_seen_at <= now - timedelta(days=days[0]) if days else literal(False)
    q = (
        select(p.id, p.source, p.external_id, p.url)
        .select_from(postings.outerjoin(posting_outcomes, o.posting_id == p.id))
        .where(
            p.source == source,
            or_(and_(o.posting_id.is_(None), first_due), and_(o.resolved_at.is_(None), o.next_check_at <= now)),
        )
        .order_by(func.coalesce(o.next_check_at, p.first_seen_at), p.id)
        .limit(limit)
    )
    return [Due(r.id, r.source, r.external_id, r.url) for r in conn.execute(q)]


def requests_today(conn: Connection, source: str, now: datetime) -> int:
    """Re-observation requests made for ``source`` in the last 24 hours (one per posting checked)."""
    o = posting_outcomes.c
    return int(
        conn.execute(
            select(func.count())
            .select_from(posting_outcomes.join(postings, postings.c.id == o.posting_id))
            .where(postings.c.source == source, o.last_checked_at > now - timedelta(days=1))
        ).scalar_one()
    )


def claim(conn: Connection, posting_id: int, now: datetime) -> bool:
    """Take one posting's check for this process (no other process asks about it meanwhile)."""
    o = posting_outcomes.c
    row = conn.execute(select(o.next_check_at, o.resolved_at).where(o.posting_id == posting_id)).first()
    hold = now + timedelta(seconds=CLAIM_SECONDS)
    if row is None:
        values = {"posting_id": posting_id, "checks": 0, "next_check_at": hold}
        if conn.dialect.name == "postgresql":  # two processes may both find no row: one insert wins
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt = pg_insert(posting_outcomes).values(**values).on_conflict_do_nothing()
            return conn.execute(stmt.returning(posting_outcomes.c.posting_id)).first() is not None
        conn.execute(insert(posting_outcomes).values(**values))  # SQLite: writers are serialised
        return True
    if row.resolved_at is not None or row.next_check_at is None or row.next_check_at > now:
        return False
    done = conn.execute(
        update(posting_outcomes)
        .where(o.posting_id == posting_id, o.next_check_at == row.next_check_at)
        .values(next_check_at=hold)
    )
    return done.rowcount == 1


def release(conn: Connection, posting_id: int, now: datetime) -> None:
    """Give back a claimed check that was never made: due again from ``now``."""
    o = posting_outcomes.c
    conn.execute(
        update(posting_outcomes).where(o.posting_id == posting_id, o.resolved_at.is_(None)).values(next_check_at=now)
    )


def record(
    conn: Connection,
    posting_id: int,
    obs: Observation,
    now: datetime,
    *,
    first_seen: datetime | None = None,
    counted: bool = True,
    days: Sequence[float] = SCHEDULE_DAYS,
) -> bool:
    """Store one observation; returns True when it changed the outcome (an event was written).

    The same outcome seen again writes nothing (an outcome arriving twice, or for a rescored posting,
    is stored once). A resolved outcome stands, except that a hire overrides ``closed_no_hire``.
    ``counted``: this observation cost a request (the schedule and the budget move on).
    """
    o = posting_outcomes.c
    conn.execute(select(postings.c.id).where(postings.c.id == posting_id).with_for_update())
    row = conn.execute(select(posting_outcomes).where(o.posting_id == posting_id)).first()
    if first_seen is None:
        first_seen = conn.execute(select(postings.c.first_seen_at).where(postings.c.id == posting_id)).scalar_one()
    current = row.outcome if row is not None else None
    resolved_before = row is not None and row.resolved_at is not None
    changes = current != obs.outcome and not (
        resolved_before and not (obs.outcome == "hired" and current == "closed_no_hire")
    )
    values: dict[str, Any] = {}
    if counted:
        values.update(checks=(row.checks if row is not None else 0) + 1, last_checked_at=now, last_error=None)
    if changes:
        conn.execute(
            insert(outcome_events).values(
                posting_id=posting_id,
                observed_at=now,
                outcome=obs.outcome,
                source_field=obs.source_field,
                value=obs.value,
            )
        )
        values.update(outcome=obs.outcome, source_field=obs.source_field, value=obs.value, observed_at=now)
        if obs.resolved and not resolved_before:
            values["resolved_at"] = now
    resolved = resolved_before or (changes and obs.resolved)
    values["next_check_at"] = None if resolved else next_check(first_seen, now, days)
    if row is None:
        conn.execute(insert(posting_outcomes).values(**{"posting_id": posting_id, "checks": 0, **values}))
    else:
        conn.execute(update(posting_outcomes).where(o.posting_id == posting_id).values(**values))
    if changes and obs.resolved:
        _observed_label(conn, posting_id, obs, now)
    return changes


def record_failure(
    conn: Connection, posting_id: int, error: str, now: datetime, days: Sequence[float] = SCHEDULE_DAYS
) -> None:
    """A check that failed (network, parse): it counts against the budget; the next point stays due."""
    o = posting_outcomes.c
    first_seen = conn.execute(select(postings.c.first_seen_at).where(postings.c.id == posting_id)).scalar_one()
    retry = min(now + timedelta(days=1), next_check(first_seen, now, days) or now + timedelta(days=1))
    conn.execute(
        update(posting_outcomes)
        .where(o.posting_id == posting_id)
        .values(
            checks=o.checks + 1,
            last_checked_at=now,
            next_check_at=retry,
            last_error=" ".join(error.split())[:300],
        )
    )


def _observed_label(conn: Connection, posting_id: int, obs: Observation, now: datetime) -> None:
    """One ``observed`` label per posting: the resolved outcome (a later hire replaces closed_no_hire)."""
    lc = labels.c
    existing = conn.execute(select(lc.id).where(lc.posting_id == posting_id, lc.origin == "observed")).scalars().all()
    note = f"{obs.source_field} = {obs.value}" if obs.value is not None else obs.source_field
    if existing:
        conn.execute(update(labels).where(lc.id.in_(existing)).values(label=obs.outcome, note=note[:500]))
        return
    conn.execute(
        insert(labels).values(
            posting_id=posting_id,
            label=obs.outcome,
            origin="observed",
            note=note[:500],
            created_at=now,
        )
    )


def record_listed_hires(conn: Connection, source: str, items: Sequence[Posting], now: datetime) -> int:
    """A crawled item whose own fields count a hire (Upwork ``totalHired``) is a ``hired`` observation.

    Costs no request and needs no schedule; a hire count of 0 or none says nothing (never ``open``).
    Returns how many outcomes changed.
    """
    hired = {
        p.external_id: p.competition.hires
        for p in items
        if p.competition is not None and p.competition.hires is not None and p.competition.hires >= 1
    }
    if not hired:
        return 0
    ids = dict(
        conn.execute(
            select(postings.c.external_id, postings.c.id).where(
                postings.c.source == source, postings.c.external_id.in_(list(hired))
            )
        ).all()
    )
    changed = 0
    for ext, pid in ids.items():
        obs = Observation("hired", "competition.hires", str(hired[ext]))
        changed += record(conn, pid, obs, now, counted=False)
    return changed


def history(conn: Connection, posting_id: int) -> list[dict[str, Any]]:
    """Every outcome event of a posting, oldest first."""
    e = outcome_events.c
    rows = conn.execute(
        select(e.observed_at, e.outcome, e.source_field, e.value).where(e.posting_id == posting_id).order_by(e.id)
    )
    return [dict(r._mapping) for r in rows]


@dataclass(frozen=True, slots=True)
class OutcomeStatus:
    """A posting's outcome as a reader sees it, how often it was checked and when it is next."""

    posting_id: int
    outcome: str
    checks: int
    next_check_at: datetime | None


def outcome_status(conn: Connection, posting_id: int) -> OutcomeStatus | None:
    """The posting's current outcome (``outcome_column``), or None when there is no such posting."""
    o = posting_outcomes.c
    row = conn.execute(
        select(postings.c.id, outcome_column().label("outcome"), o.checks, o.next_check_at)
        .select_from(postings.outerjoin(posting_outcomes, o.posting_id == postings.c.id))
        .where(postings.c.id == posting_id)
    ).first()
    if row is None:
        return None
    return OutcomeStatus(int(row.id), row.outcome, int(row.checks or 0), row.next_check_at)


def shares(conn: Connection) -> list[dict[str, Any]]:
    """Postings per (source, category, outcome as shown), for the report."""
    o = posting_outcomes.c
    shown = outcome_column().label("outcome")
    q = (
        select(postings.c.source, postings.c.category, shown, func.count().label("n"))
        .select_from(postings.outerjoin(posting_outcomes, o.posting_id == postings.c.id))
        .group_by(postings.c.source, postings.c.category, shown)
    )
    return [dict(r._mapping) for r in conn.execute(q)]
