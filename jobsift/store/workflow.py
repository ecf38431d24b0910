"""A freelancer's workflow on postings: save, hide, applied (connects, boosted), what came of it,
verdicts as labels, "new since your last visit", and the connects ledger.

Every function takes a connection inside the caller's transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from jobsift.errors import JobsiftError
from jobsift.store.schema import applications, job_marks, labels, postings, scores, visits

MARKS = ("save", "unsave", "hide", "unhide")
RESULTS = ("viewed", "replied", "interviewed", "hired", "no_reply")
VERDICTS = ("ghost", "scam", "ok")
ACTIONS = (*MARKS, "applied", *RESULTS, *VERDICTS)
#: How far each result goes; a later, lesser result never undoes a further one (hired stays hired).
STEP = {"viewed": 1, "replied": 2, "interviewed": 3, "hired": 4, "no_reply": 0}
VISIT_GAP = timedelta(minutes=30)  # page views closer than this are one visit


class UnknownJob(JobsiftError):
    reason = "unknown_job"


@dataclass
class JobState:
    saved: bool = False
    hidden: bool = False
    applied_at: datetime | None = None
    connects: int | None = None
    boosted: bool = False
    result: str | None = None
    labels: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "saved": self.saved,
            "hidden": self.hidden,
            "applied": self.applied_at is not None,
            "applied_at": self.applied_at,
            "connects": self.connects,
            "boosted": self.boosted,
            "result": self.result,
            "labels": self.labels,
        }


def _exists(conn: Connection, posting_id: int) -> None:
    if conn.execute(select(postings.c.id).where(postings.c.id == posting_id)).first() is None:
        raise UnknownJob(f"no job with id {posting_id} (see 'jobsift jobs')")


def _set_mark(conn: Connection, posting_id: int, now: datetime, **values: bool) -> None:
    done = conn.execute(
        update(job_marks).where(job_marks.c.posting_id == posting_id).values(**values, updated_at=now)
    ).rowcount
    if not done:
        conn.execute(
            insert(job_marks).values(
                posting_id=posting_id, updated_at=now, **{"saved": False, "hidden": False, **values}
            )
        )


def _application(conn: Connection, posting_id: int, now: datetime) -> Any:
    row = conn.execute(select(applications).where(applications.c.posting_id == posting_id)).first()
    if row is not None:
        return row
    latest = conn.execute(
        select(scores.c.quality, scores.c.flags)
        .where(and_(scores.c.posting_id == posting_id, scores.c.is_latest))
        .order_by(scores.c.id.desc())
        .limit(1)
    ).first()
    conn.execute(
        insert(applications).values(
            posting_id=posting_id,
            applied_at=now,
            boosted=False,
            updated_at=now,
            quality=latest.quality if latest else None,
            flags=list(latest.flags or []) if latest else None,
        )
    )
    return conn.execute(select(applications).where(applications.c.posting_id == posting_id)).first()


def mark(
    conn: Connection,
    posting_id: int,
    action: str,
    now: datetime,
    *,
    connects: int | None = None,
    boosted: bool | None = None,
    note: str | None = None,
) -> str:
    """Apply one action to a posting; returns a one-line description of what changed."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} (one of {', '.join(ACTIONS)})")
    _exists(conn, posting_id)
    if action in MARKS:
        key = "saved" if action in ("save", "unsave") else "hidden"
        _set_mark(conn, posting_id, now, **{key: not action.startswith("un")})
        return {"save": "saved", "unsave": "unsaved", "hide": "hidden", "unhide": "shown again"}[action]
    if action in VERDICTS:
        conn.execute(
            insert(labels).values(posting_id=posting_id, label=action, origin="user", note=note, created_at=now)
        )
        return f"labelled {action}"
    row = _application(conn, posting_id, now)
    values: dict[str, Any] = {"updated_at": now}
    if note is not None:
        values["note"] = note
    if action == "applied":
        if connects is not None:
            values["connects"] = connects
        if boosted is not None:
            values["boosted"] = boosted
        conn.execute(update(applications).where(applications.c.id == row.id).values(**values))
        spent = f", {connects} connects" if connects is not None else ""
        return "applied" + spent + (", boosted" if boosted else "")
    values[f"{action}_at"] = getattr(row, f"{action}_at") or now
    current = row.result
    if current is None or STEP[action] >= STEP.get(current, 0) or current == "no_reply":
        values["result"] = action
    conn.execute(update(applications).where(applications.c.id == row.id).values(**values))
    if action == "hired":  # what 'jobsift label 17 hired' records, so training sees it too
        conn.execute(
            insert(labels).values(posting_id=posting_id, label="hired", origin="user", note=note, created_at=now)
        )
    return f"result: {values.get('result', current)}"


def states(conn: Connection, ids: Iterable[int]) -> dict[int, JobState]:
    """Each posting's marks, application and labels (for the cards and the detail page)."""
    wanted = list(ids)
    out: dict[int, JobState] = {i: JobState() for i in wanted}
    if not wanted:
        return out
    for r in conn.execute(select(job_marks).where(job_marks.c.posting_id.in_(wanted))):
        out[r.posting_id].saved, out[r.posting_id].hidden = bool(r.saved), bool(r.hidden)
    for r in conn.execute(select(applications).where(applications.c.posting_id.in_(wanted))):
        st = out[r.posting_id]
        st.applied_at, st.connects, st.boosted, st.result = r.applied_at, r.connects, bool(r.boosted), r.result
    for r in conn.execute(
        select(labels.c.posting_id, labels.c.label).where(labels.c.posting_id.in_(wanted)).order_by(labels.c.id)
    ):
        if r.label not in out[r.posting_id].labels:
            out[r.posting_id].labels.append(r.label)
    return out


def visit(conn: Connection, who: str, now: datetime, *, record: bool = True) -> datetime | None:
    """The boundary of "new since your last visit" for ``who``, and (``record``) note this view.

    Views closer together than ``VISIT_GAP`` are one visit, so reloading the page keeps showing the
    same jobs as new; the first visit ever has no boundary (None: nothing is "new")."""
    row = conn.execute(select(visits).where(visits.c.who == who)).first()
    if row is None:
        if record:
            conn.execute(insert(visits).values(who=who, seen_at=now, since=None))
        return None
    since = row.since
    if now - row.seen_at > VISIT_GAP:
        since = row.seen_at
    if record:
        conn.execute(update(visits).where(visits.c.who == who).values(seen_at=now, since=since))
    return since  # type: ignore[no-any-return]


# --- the connects ledger ----------------------------------------------------------------------------


def band(quality: float | None) -> str:
    if quality is None:
        return "unscored"
    return "70+" if quality >= 70 else "40-69" if quality >= 40 else "under 40"


@dataclass
class LedgerRow:
    key: str
    applications: int = 0
    connects: int = 0
    boosted: int = 0
    viewed: int = 0
    replies: int = 0
    interviews: int = 0
    hires: int = 0

    def add(self, r: Any) -> None:
        self.applications += 1
        self.connects += int(r.connects or 0)
        self.boosted += int(bool(r.boosted))
        step = STEP.get(r.result or "", 0)
        self.viewed += int(step >= 1 or r.viewed_at is not None)
        self.replies += int(step >= 2)
        self.interviews += int(step >= 3)
        self.hires += int(step >= 4)

    @property
    def connects_per_reply(self) -> float | None:
        return self.connects / self.replies if self.replies else None

    def summary(self) -> str:
        if self.replies:
            per = self.connects_per_reply or 0
            return f"one reply per {per:.0f} connects" if per else f"{self.replies} replies"
        if self.connects:
            return f"no reply in {self.connects} connects"
        return f"no reply in {self.applications} applications"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "applications": self.applications,
            "connects": self.connects,
            "boosted": self.boosted,
            "viewed": self.viewed,
            "replies": self.replies,
            "interviews": self.interviews,
            "hires": self.hires,
            "connects_per_reply": self.connects_per_reply,
            "summary": self.summary(),
        }


@dataclass
class Ledger:
    total: LedgerRow
    months: list[LedgerRow]
    bands: list[LedgerRow]
    flags: list[LedgerRow]

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total.as_dict(),
            "months": [r.as_dict() for r in self.months],
            "bands": [r.as_dict() for r in self.bands],
            "flags": [r.as_dict() for r in self.flags],
        }

    def headline(self) -> str:
        parts = [f"rated {r.key}: {r.summary()}" for r in self.bands if r.applications]
        return "; ".join(parts)


BAND_ORDER = ("70+", "40-69", "under 40", "unscored")


def ledger(conn: Connection) -> Ledger:
    """Connects spent and what they bought, per month applied, per quality band and per flag at apply."""
    total = LedgerRow("all")
    months: dict[str, LedgerRow] = {}
    bands: dict[str, LedgerRow] = {b: LedgerRow(b) for b in BAND_ORDER}
    flags: dict[str, LedgerRow] = {}
    for r in conn.execute(select(applications).order_by(applications.c.applied_at)):
        total.add(r)
        months.setdefault(r.applied_at.strftime("%Y-%m"), LedgerRow(r.applied_at.strftime("%Y-%m"))).add(r)
        bands[band(r.quality)].add(r)
        for f in (r.flags or []) or ["no flags"]:
            flags.setdefault(f, LedgerRow(f)).add(r)
    return Ledger(
        total,
        list(months.values()),
        [b for b in bands.values() if b.applications],
        sorted(flags.values(), key=lambda x: (x.key == "no flags", x.key)),
    )


def count_applications(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(applications)).scalar_one())
