"""Market rates: what the same kind of work usually pays, as quantile curves per market cell.

A *cell* is (budget kind, experience level, skill), with ``*`` for "any"; each holds the count of
budgets behind it and the budget at every percentile 0..100 (USD; for hourly, the top of the
client's range: the one budget figure of ``store.budget_figure``). The shipped prior table (``jobsift/data/
market_prior.json``) is derived from Upwork search results (see its ``origin`` field and
``scripts/build_market_prior.py``). The store's own postings are blended in per cell once a cell
has at least ``min_samples`` of them: the two curves are averaged percentile by percentile,
weighted by sample counts, with the prior's weight capped at ``PRIOR_WEIGHT`` so that a store's
history takes over as it grows.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from jobsift.scoring.linear import compile_linear

PRIOR_PATH = Path(__file__).resolve().parent.parent / "data" / "market_prior.json"
PERCENTILES = np.arange(101, dtype=float)
PRIOR_WEIGHT = 100
ANY = "*"
KINDS = ("fixed", "hourly")
_MONEY = compile_linear("market.money", r"\$\s*([\d,]+(?:\.\d+)?)")
#: Words of common postings whose own skill has too few budgets in the prior, mapped to the
#: nearest market that has them (used only when the posting's skills find no cell).
ALIASES: dict[str, str] = {
    "logo": "graphic design",
    "logo design": "graphic design",
    "branding": "graphic design",
    "illustration": "graphic design",
    "banner": "graphic design",
    "website": "web development",
    "landing page": "web design",
    "ios app": "ios",
    "android app": "android",
    "chatbot": "api",
}


def norm_level(level: str | None) -> str:
    """Upwork's Entry Level / Intermediate / Expert (and $, $$, $$$) → entry / intermediate / expert."""
    t = (level or "").strip().lower()
    if t.startswith(("entry", "beginner", "junior")) or t == "$":
        return "entry"
    if t.startswith(("intermediate", "mid")) or t == "$$":
        return "intermediate"
    if t.startswith(("expert", "senior")) or t == "$$$":
        return "expert"
    return ANY


def norm_skill(skill: str | None) -> str:
    return " ".join((skill or "").lower().split())


def cell_key(kind: str, level: str, skill: str) -> str:
    return f"{kind}|{level}|{skill}"


@dataclass(frozen=True, slots=True)
class Cell:
    label: str
    n: int
    q: np.ndarray  # budget at percentiles 0..100

    def percentile_of(self, value: float) -> float:
        """Mid-rank percentile of ``value``: ties with a flat stretch of the curve take its middle."""
        q = self.q
        lo = float(np.interp(value, q, PERCENTILES, left=0.0, right=100.0))
        below = int(np.searchsorted(q, value, side="left"))
        upto = int(np.searchsorted(q, value, side="right"))
        if upto > below:  # value equals a flat stretch of the curve
            lo = (below + upto - 1) / 2.0
        return round(min(100.0, max(0.0, lo)), 1)

    def quantile(self, pct: float) -> float:
        return float(np.interp(pct, PERCENTILES, self.q))

    @property
    def median(self) -> float:
        return float(self.q[50])


@dataclass(frozen=True, slots=True)
class MarketMatch:
    key: str
    cell: Cell


def parse_upwork_row(row: dict[str, str]) -> tuple[str, float, str, list[str]] | None:
    """One row of the Upwork search export → (kind, USD, level, skills), or None without a figure."""
    kind_text = (row.get("Hourly/Fixed") or "").strip()
    skills = [s.strip() for s in (row.get("Skills") or "").split(",") if s.strip() and not s.strip().startswith("+")]
    level = norm_level(row.get("Level"))
    if kind_text.lower().startswith("hourly"):
        amounts = [float(m.replace(",", "")) for m in _MONEY.findall(kind_text)]
        return ("hourly", max(amounts), level, skills) if amounts else None
    if kind_text.lower().startswith("fixed"):
        amounts = [float(m.replace(",", "")) for m in _MONEY.findall(row.get("Budget") or "")]
        return ("fixed", max(amounts), level, skills) if amounts and max(amounts) > 0 else None
    return None


def read_upwork_csv(path: Path) -> list[tuple[str, float, str, list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [r for r in (parse_upwork_row(row) for row in csv.DictReader(fh)) if r is not None]


def cell_samples(
    records: Iterable[tuple[str, float, str, Sequence[str]]],
    counts: Iterable[int] | None = None,
) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Every budget filed under each cell it belongs to; labels keep a skill's usual spelling.

    ``counts`` (parallel to ``records``) says how many postings each record stands for, so the
    store's history can arrive grouped by the database instead of one row per posting.
    """
    values: dict[str, list[float]] = defaultdict(list)
    spellings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (kind, usd, level, skills), n in zip(records, counts if counts is not None else repeat(1), strict=False):
        if kind not in KINDS or usd is None or usd <= 0:
            continue
        seen = {ANY}
        for s in skills:
            k = norm_skill(s)
            if k and k not in seen:
                seen.add(k)
                spellings[k][s.strip()] += n
        same = [usd] * n
        for skill in seen:
            values[cell_key(kind, ANY, skill)].extend(same)
            if level != ANY:
                values[cell_key(kind, level, skill)].extend(same)
    labels = {k: max(v.items(), key=lambda kv: kv[1])[0] for k, v in spellings.items()}
    return values, labels


def build_cells(values: dict[str, list[float]], labels: dict[str, str], min_samples: int) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for key, vals in values.items():
        if len(vals) < min_samples:
            continue
        kind, level, skill = key.split("|", 2)
        label = labels.get(skill, skill) if skill != ANY else f"all {kind} work"
        if level != ANY:
            label += f" ({level} level)"
        q = np.round(np.percentile(np.asarray(vals, dtype=float), PERCENTILES), 2)
        cells[key] = Cell(label=label, n=len(vals), q=q)
    return cells


def cells_to_json(cells: dict[str, Cell]) -> dict[str, Any]:
    return {k: {"label": c.label, "n": c.n, "q": [float(x) for x in c.q]} for k, c in sorted(cells.items())}


def cells_from_json(data: dict[str, Any]) -> dict[str, Cell]:
    return {k: Cell(label=v["label"], n=int(v["n"]), q=np.asarray(v["q"], dtype=float)) for k, v in data.items()}


#: Prior tables read, by (path, mtime, size): a daemon scoring every few minutes reads the file once.
#: Callers never change the cells (``Market`` copies the mapping and builds new cells when blending).
_PRIORS: dict[tuple[str, int, int], dict[str, Cell]] = {}


def load_prior(path: Path = PRIOR_PATH) -> dict[str, Cell]:
    """The shipped prior table; an absent table gives an empty market (lowball then never flags)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _PRIORS:
        _PRIORS[key] = cells_from_json(json.loads(path.read_text(encoding="utf-8"))["cells"])
    return dict(_PRIORS[key])


class Market:
    """Prior cells blended with the store's own budgets; looks up the best cell for a posting."""

    def __init__(self, prior: dict[str, Cell], store: dict[str, Cell] | None = None) -> None:
        self._skill_re: re.Pattern[str] | None = None
        self.cells = dict(prior)
        for key, own in (store or {}).items():
            base = prior.get(key)
            if base is None:
                self.cells[key] = own
                continue
            w = min(base.n, PRIOR_WEIGHT)
            q = (w * base.q + own.n * own.q) / (w + own.n)
            self.cells[key] = Cell(label=base.label, n=base.n + own.n, q=np.round(q, 2))

    @classmethod
    def from_history(
        cls,
        prior: dict[str, Cell],
        records: Iterable[tuple[str, float, str, Sequence[str]]],
        min_samples: int,
        counts: Iterable[int] | None = None,
    ) -> Market:
        values, labels = cell_samples(records, counts)
        return cls(prior, build_cells(values, labels, min_samples))

    def _title_skills(self, title: str) -> list[str]:
        """Skills of the market named in a title ("Shopify theme tweaks" → shopify), longest first."""
        if self._skill_re is None:
            names = sorted(({k.split("|")[2] for k in self.cells} | set(ALIASES)) - {ANY}, key=len, reverse=True)
            self._skill_re = (
                re.compile(r"(?<![\w.#+])(" + "|".join(re.escape(n) for n in names) + r")(?![\w#+])")
                if names
                else re.compile(r"$^")
            )
        found = (m.group(1) for m in self._skill_re.finditer(title.lower()))
        return list(dict.fromkeys(ALIASES.get(n, n) for n in found))

    def match(self, kind: str | None, level: str | None, skills: Sequence[str], title: str = "") -> MarketMatch | None:
        """The most specific cell: a skill at this level, the skill at any level, then the level.

        Skills are the posting's own (then its category), then market skills named in its title.
        """
        if kind not in KINDS:
            return None
        lvl = norm_level(level)
        candidates = [norm_skill(s) for s in skills]
        candidates += [ALIASES[c] for c in candidates if c in ALIASES]
        if title:
            candidates += self._title_skills(title)
        for s in candidates:
            if not s:
                continue
            for key in (cell_key(kind, lvl, s), cell_key(kind, ANY, s)):
                if key in self.cells:
                    return MarketMatch(key, self.cells[key])
        for key in (cell_key(kind, lvl, ANY), cell_key(kind, ANY, ANY)):
            if key in self.cells:
                return MarketMatch(key, self.cells[key])
        return None
