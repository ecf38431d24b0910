"""How a job reads to a person: budget, age, flags and reasons as short text, shared by every output.

Everything here returns plain text; escaping belongs to the output (Jinja2 autoescape for HTML and
email, lxml for XML). ``safe_html`` is the one exception: it re-sanitises stored HTML at display
time, so a row written by an older parser (or by hand) cannot carry script into a page (R18).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import nh3

from jobsift import model
from jobsift.scoring import evidence, flags
from jobsift.store.records import Budget, Job

KIND_SUFFIX = {"hourly": "/h", "salary_year": "/yr", "salary_month": "/mo"}
# XML 1.0 forbids most control characters; a feed carrying one is not XML at all.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACE = re.compile(r"\s+")


def money(value: float | None) -> str:
    if value is None:
        return ""
    return f"${value:,.0f}" if value >= 100 or float(value).is_integer() else f"${value:,.2f}"


def budget_text(budget: Budget | model.Budget | None) -> str:
    """``$500``, ``$15-$35/h``, or empty when the source does not say (a stored or a parsed budget)."""
    if budget is None:
        return ""
    lo, hi = budget.min_usd, budget.max_usd
    if lo is None and hi is None:
        lo, hi = budget.min, budget.max
        if lo is None and hi is None:
            return budget.raw or ""
    if hi is None or hi == lo:
        span = money(lo if lo is not None else hi)
    elif lo is None:
        span = "up to " + money(hi)
    else:
        span = f"{money(lo)}-{money(hi)}"
    return span + KIND_SUFFIX.get(budget.kind or "", "")


def age_text(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return ""
    secs = ((now or datetime.now(UTC)) - when).total_seconds()
    if secs < 3600:
        return f"{max(0, int(secs // 60))} min ago"
    if secs < 86400 * 2:
        return f"{int(secs // 3600)} h ago"
    return f"{int(secs // 86400)} days ago"


def num(value: Any) -> str:
    """A stored number or value, short: ``0.611833`` → ``0.612``; missing → ``–``."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def flag_label(code: str) -> str:
    return flags.label(code)


def flag_class(code: str | None) -> str:
    """The CSS classes of a flag's chip: ``flag flag-<code>`` (colours from the registry)."""
    return f"flag flag-{code}" if code and flags.get(code) else "flag"


BAND_COLOURS = {"good": "#1f7a4d", "fair": "#9a6b00", "poor": "#b3261e", "unscored": "#8a93a3"}


def flag_colour(code: str) -> str:
    flag = flags.get(code)
    return flag.colour if flag else BAND_COLOURS["poor"]


def badge_colour(quality: float | None, job_flags: list[str] | tuple[str, ...] | None = None) -> str:
    """The quality badge's colour for inline styles (email): a danger flag's own colour first."""
    danger = [c for c in (job_flags or []) if flags.severity(c) >= flags.DANGER]
    if danger:
        return flag_colour(danger[0])
    return BAND_COLOURS[quality_band(quality)]


def quality_text(quality: float | None) -> str:
    return "–" if quality is None else f"{quality:.0f}"


def quality_band(quality: float | None, job_flags: list[str] | tuple[str, ...] | None = None) -> str:
    """A CSS class: good / fair / poor / unscored, or ``flag-<code>`` when a danger flag (scam) is set:
    such a posting is never drawn in the good or fair colours."""
    danger = [c for c in (job_flags or []) if flags.severity(c) >= flags.DANGER]
    if danger:
        return f"poor flag-{danger[0]}"
    if quality is None:
        return "unscored"
    return "good" if quality >= 70 else "fair" if quality >= 40 else "poor"


def flagged_reasons(job: Job) -> list[dict[str, Any]]:
    """The reasons behind the job's flags first, then the rest, each a dict with ``text``."""
    reasons = [r for r in job.reasons if isinstance(r, dict) and r.get("text")]
    return sorted(reasons, key=lambda r: (not r.get("flag"), -abs(float(r.get("contribution") or 0))))


def _ghost(job: Job) -> dict[str, Any]:
    return {"ghost_probability": job.ghost_probability, "ghost_basis": job.ghost_basis}


def ghost_words(job: Job) -> str:
    """The ghost figure in words for the model that made it: a level, or a probability with its basis."""
    return evidence.ghost_words(_ghost(job))


def ghost_basis_line(job: Job) -> str:
    """One line on what the job's ghost figure rests on ('' when it is not scored)."""
    return "" if job.ghost_probability is None else evidence.basis_line(evidence.job_basis(_ghost(job)))


def basis_notes(jobs: Sequence[Job]) -> list[str]:
    """The distinct basis lines of a page of jobs (one line when one model scored them all)."""
    out: list[str] = []
    for job in jobs:
        line = ghost_basis_line(job)
        if line and line not in out:
            out.append(line)
    return out[:3]


def title_prefix(job: Job) -> str:
    """``[82] `` or ``[34 ghost,lowball] ``: what a feed reader shows before the title."""
    flags = ",".join(job.flags)
    q = quality_text(job.quality)
    return f"[{q}{' ' + flags if flags else ''}] "


def summary_bits(job: Job) -> list[str]:
    """``quality 82``, the budget, the source and the flags: a push message's one-line summary."""
    bits = [f"quality {quality_text(job.quality)}"]
    if budget_text(job.budget):
        bits.append(budget_text(job.budget))
    bits.append(str(job.source))
    if job.flags:
        bits.append("flags: " + ", ".join(flag_label(f) for f in job.flags))
    return bits


def snippet(text: str | None, length: int = 280) -> str:
    text = _SPACE.sub(" ", text or "").strip()
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def xml_text(value: Any) -> str:
    """Text safe to put in an XML document (control characters removed)."""
    return _XML_BAD.sub("", "" if value is None else str(value))


def one_line(value: Any, length: int = 200) -> str:
    """No CR/LF or other control characters: for email headers and single-line fields (R19)."""
    text = _SPACE.sub(" ", xml_text(value)).strip()
    return text[:length]


def safe_html(html: str | None) -> str:
    """Stored description HTML, sanitised again at display time (no script, handlers, frames)."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags={"p", "br", "ul", "ol", "li", "b", "strong", "i", "em", "a", "code", "pre", "h3", "h4", "blockquote"},
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


def safe_url(url: str | None) -> str:
    """A link out only when it is http(s); anything else (javascript:, data:) becomes empty."""
    url = (url or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


def client_lines(job: Job) -> list[str]:
    """The client's facts as short lines; unknown facts are left out, never shown as bad."""
    c = job.client
    out: list[str] = []
    if c is None:
        return out
    if c.name:
        out.append(str(c.name))
    if c.payment_verified is not None:
        out.append("payment verified" if c.payment_verified else "payment not verified")
    if c.total_spent is not None:
        out.append(f"spent {money(c.total_spent)}")
    if c.jobs_posted is not None:
        hires = c.jobs_with_hires
        out.append(f"{c.jobs_posted} jobs posted" + (f", {hires} with hires" if hires is not None else ""))
    if c.hire_rate is not None:
        out.append(f"hire rate {c.hire_rate * 100:.0f}%")
    if c.rating is not None:
        out.append(f"rating {c.rating:.1f}")
    if c.country:
        out.append(str(c.country))
    return out


def _pct(value: Any) -> str:
    return f"{float(value):.0%}" if isinstance(value, int | float) else num(value)


def _signed(value: Any, fmt: str = "+.2g") -> str:
    return format(float(value), fmt) if isinstance(value, int | float) else num(value)


def reason_figures(reason: dict[str, Any]) -> str:
    """What a reason's numbers are, in words: ``budget $25 · market median $250``, not ``25 · 250 · –``."""
    code = str(reason.get("code") or "")
    value, ref, effect = reason.get("value"), reason.get("reference"), reason.get("contribution")
    parts: list[tuple[Any, str]]
    if code == "ghost":
        parts = [(value, f"ghost probability {_pct(value)}"), (ref, f"flagged from {_pct(ref)}")]
    elif code.startswith("ghost."):
        parts = [
            (value, f"signal value {num(value)}"),
            (ref, f"weight {num(ref)}"),
            (effect, f"{_signed(effect)} to the ghost log-odds"),
        ]
    elif code.startswith("lowball"):
        against = "your floor" if code == "lowball.floor" else "market median"
        parts = [
            (value, f"budget {money(value) if isinstance(value, int | float) else num(value)}"),
            (ref, f"{against} {money(ref) if isinstance(ref, int | float) else num(ref)}"),
        ]
    elif code.startswith("payment"):
        parts = [(value, f"payment {num(value)}")]
    elif code.startswith("quality."):
        parts = [(effect, f"{_signed(effect, '+.1f')} quality points")]
    else:
        parts = [
            (value, f"value {num(value)}"),
            (ref, f"compared with {num(ref)}"),
            (effect, f"effect {_signed(effect)}"),
        ]
    return " · ".join(words for raw, words in parts if raw is not None)
