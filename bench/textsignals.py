"""Time per byte of every text signal and every pattern run on fetched text, 1 KB to 1 MB (R32).

For each pattern (scoring's text signals, the market title pattern, and the module-level patterns of
the crawler: budgets, markup, text repair, normalisation, enrichment, source parsers) the benchmark
times a full scan (``finditer``, an upper bound of ``sub``/``split``; ``search`` for scoring's signals,
which is how they are used) of adversarial texts
of 1 KB, 10 KB, 100 KB and 1 MB: a digit run, email-ish runs (``a.b@``), phone-like runs, repeated
separators, markup-ish runs (``<a``, ``&``) and repeated trigger phrases. The figure is the worst
input's nanoseconds per byte at each size; ``growth`` is 1 MB over 1 KB (about 1 for linear work; the
machine is shared, so a few x is noise, while quadratic work grows about 10x per size in time per byte). A pattern whose
time per byte grew over ``STOP_GROWTH`` from one size to the next, taking over ``STOP_S``, is not tried
at the next size (quadratic work would take hours at 1 MB): its row says where it stopped.
``signals()`` (what scoring calls) is also timed: it reads at most ``MAX_TEXT_CHARS``, so its time per
byte falls past the cap.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Callable
from typing import Any

SIZES = (1_000, 10_000, 100_000, 1_000_000)
STOP_S = 0.05
STOP_GROWTH = 20.0  # linear work grows a few x under load (caches, a shared machine); quadratic ~100x
SEEDS = (
    "1",
    "a.b@",
    "x@y.",
    "123-456-789 ",
    "+1 ",
    " -",
    ". ",
    "\n\n ",
    "<a ",
    "&",
    "$1,",
    "no experience needed ",
    "whatsapp@",
    "<b>Budget</b>: ",
    "\xa0 \u2009\n",
    "Ã\xa0é’",
)


def adversarial(size: int) -> list[str]:
    return [(seed * (size // len(seed) + 1))[:size] for seed in SEEDS]


def _patterns() -> dict[str, Any]:
    from jobsift.scoring import text
    from jobsift.scoring.market import Market, load_prior

    found: dict[str, Any] = {f"scoring.text.{code}": p for code, (p, _w) in text.SIGNALS.items()}
    found["scoring.text.vague_scope"] = text.VAGUE_PHRASES
    found["scoring.text.phoneish"] = text._PHONEISH
    market = Market(load_prior(), {})
    market._title_skills("x")
    found["scoring.market.title_skills"] = market._skill_re
    import jobsift.crawler as crawler
    import jobsift.crawler.sources as sources

    names = [f"jobsift.crawler.{m.name}" for m in pkgutil.iter_modules(crawler.__path__) if not m.ispkg]
    names += [f"jobsift.crawler.sources.{m.name}" for m in pkgutil.iter_modules(sources.__path__)]
    for modname in sorted(names):
        try:
            module = importlib.import_module(modname)
        except Exception:
            continue
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern):  # bytes patterns (run on UTF-8) are timed on encoded text
                found[f"{modname.removeprefix('jobsift.')}.{attr}"] = value
    # HTML-to-text's tag patterns run only up to the last ">" (where they are linear): timed through
    # the functions that run them, not on their own.
    for attr in RUN_BOUNDED:
        found.pop(f"crawler.markup.{attr}", None)
    return found


#: crawler.markup patterns that its functions never run past a text's last ">".
RUN_BOUNDED = ("_BLOCK", "_ANY_TAG")


def _worst_ns_per_byte(fn: Callable[[str], object], size: int) -> float:
    """The slowest input's time per byte (each input's best of 3 below 1 MB: the machine is shared)."""
    worst = 0.0
    for sample in adversarial(size):
        best = float("inf")
        for _ in range(3 if size < 1_000_000 else 2):
            started = time.perf_counter()
            fn(sample)
            best = min(best, time.perf_counter() - started)
            if best > 1.0:
                break
        worst = max(worst, best / size * 1e9)
    return worst


def _search(pattern: Any) -> Callable[[str], object]:
    return lambda sample: pattern.search(sample)


def _scan(pattern: Any) -> Callable[[str], object]:
    utf8 = isinstance(pattern.pattern, bytes)

    def run(sample: str) -> object:
        for _m in pattern.finditer(sample.encode() if utf8 else sample):
            pass
        return None

    return run


def measure(name: str, fn: Callable[[str], object], sizes: tuple[int, ...]) -> dict[str, Any]:
    per: dict[int, float] = {}
    note = ""
    previous = None
    for size in sizes:
        ns = _worst_ns_per_byte(fn, size)
        per[size] = ns
        grew = previous is not None and previous > 0 and ns / previous > STOP_GROWTH
        if grew and ns * size / 1e9 > STOP_S and size != sizes[-1]:
            note = f"NON-LINEAR, stopped: {ns * size / 1e9:.1f}s at {size:,} bytes"
            break
        previous = ns
    first, last = per[sizes[0]], per[max(per)]
    shown = ", ".join(f"{s // 1000:,}KB {v:,.1f}" for s, v in per.items())
    return {
        "name": f"textsignals/{name}",
        "value": round(per[max(per)], 2),
        "unit": "ns/byte at largest size",
        "ratio": round(last / first, 2) if first else None,
        "note": f"{shown}; growth {last / first:,.1f}x" + (f"; {note}" if note else "") if first else shown,
    }


def run(quick: bool) -> list[dict[str, Any]]:
    from jobsift.scoring.text import signals

    sizes = SIZES[:3] if quick else SIZES
    for _ in range(2):  # warm caches (RE2 builds its DFA lazily)
        signals("warm", adversarial(1_000)[0])
    from jobsift.crawler import markup

    records = [measure("signals() (capped)", lambda s: signals("Job", s), sizes)]
    records.append(measure("crawler.markup._strip_tags (_BLOCK, _ANY_TAG)", markup._strip_tags, sizes))
    records.append(measure("crawler.markup.looks_like_html (_ANY_TAG)", markup.looks_like_html, sizes))
    for name, pattern in _patterns().items():
        # Scoring's signals only ask whether a pattern occurs (search); the others are timed over
        # every match (finditer), which bounds their sub/split/findall use.
        how = _search if name.startswith("scoring.text.") else _scan
        records.append(measure(name, how(pattern), sizes))
    return records
