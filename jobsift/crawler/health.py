"""A source's health after a parse: ok or partial, judged against its own recent history.

Only an ``ok`` parse may mark absent postings gone, so everything that smells of a broken feed
(salvaged XML, no items, a sudden shrink) is ``partial`` and leaves stored postings alone. The
baselines (items of the last healthy and the last parsed fetch) come from ``store.runs.item_baselines``.
"""

from __future__ import annotations

from jobsift.model import ParseResult

SHRINK_RATIO = 0.5  # fewer than half the items of the last healthy run: suspect a layout change


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
