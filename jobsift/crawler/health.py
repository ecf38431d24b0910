"""A source's health after a parse: ok or partial, judged against its own recent history.

Only an ``ok`` parse may mark absent postings gone, so everything that smells of a broken feed
(salvaged XML, no items, a sudden shrink) is ``partial`` and leaves stored postings alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, select

from jobsift.model import ParseResult
from jobsift.store.schema import fetches

SHRINK_RATIO = 0.5  # fewer than half the items of the last healthy run: suspect a layout change


def item_baselines(conn: Any, source_ids: Sequence[int]) -> dict[int, tuple[int | None, int | None]]:
    """Per source: items of its last healthy (ok) fetch, and of its last parsed fetch whatever the outcome.

    A partial run never becomes the healthy baseline, so 50 → 0 → 10 still reads as a shrink.
    """
    out: dict[int, tuple[int | None, int | None]] = {}
    for start in range(0, len(source_ids), 500):
        ids = list(source_ids[start : start + 500])
        last_ok = (
            select(fetches.c.source_id, func.max(fetches.c.id))
            .where(and_(fetches.c.source_id.in_(ids), fetches.c.outcome == "ok"))
            .group_by(fetches.c.source_id)
        )
        last_any = (
            select(fetches.c.source_id, func.max(fetches.c.id))
            .where(and_(fetches.c.source_id.in_(ids), fetches.c["items"].isnot(None)))
            .group_by(fetches.c.source_id)
        )
        picks = [dict(conn.execute(q).all()) for q in (last_ok, last_any)]
        wanted = [i for p in picks for i in p.values()]
        items = dict(conn.execute(select(fetches.c.id, fetches.c["items"]).where(fetches.c.id.in_(wanted))).all())
        for sid in ids:
            ok_id, any_id = picks[0].get(sid), picks[1].get(sid)
            out[sid] = (items.get(ok_id) if ok_id else None, items.get(any_id) if any_id else None)
    return out


def classify(result: ParseResult, last_items: int | None, previous: int | None = None) -> tuple[str, str | None]:
    """ok / partial for a parsed body: only an ok body may mark absent postings gone.

    An empty feed is always partial. A feed with fewer than half the items of the last healthy
    run is partial (a layout change?) unless the run before this one already saw about as few:
    a shrink confirmed by two crawls is the board's new normal.
    """
    n = len(result.postings) + result.left_out
    if result.items_seen == 0 or n == 0:
        was = f"; last run had {last_items}" if last_items else ""
        return "partial", f"feed has no usable items ({result.items_seen} entries){was}"
    confirmed = previous is not None and previous > 0 and n >= previous * SHRINK_RATIO
    if last_items and n < last_items * SHRINK_RATIO and not confirmed:
        return "partial", f"only {n} items where the last healthy run had {last_items}: layout change?"
    if result.bozo:
        return "partial", "; ".join(result.warnings[:3]) or "malformed feed salvaged"
    return "ok", None
