"""The flag registry: one module per flag in this package, found by a package scan.

Each module defines ``FLAG = Flag(...)``: the flag's stable code, its label, severity and colours,
its rule (stored features + the scoring model → an ``Outcome`` with the reasons and the quality
terms), and the line docs/scoring.md shows for it. Scoring, the filters, the web page, feeds, the
digest, webhooks and the docs all read this registry, so adding a flag is one module (and its
test). Modules whose name starts with ``_`` are helpers, not flags. A module that fails to import
or defines no ``FLAG`` raises ``RegistryError`` on first use: a typo is never silently skipped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from jobsift.errors import JobsiftError
from jobsift.model import Reason
from jobsift.plugins import package_modules

F = Mapping[str, Any]

#: Severity levels, least to most severe: the most severe flag decides a merged reason's flag.
CAUTION, WARNING, DANGER = 1, 2, 3


class RegistryError(JobsiftError):
    """A flag module is broken (does not import, or defines no valid FLAG)."""


class ModelView(Protocol):
    """What a rule may read of the scoring model (``jobsift.scoring.model.GhostModel``)."""

    version: str
    weights: dict[str, float]
    intercept: float
    calibration: dict[str, Any] | None


@dataclass(frozen=True)
class QualityTerm:
    """One term of the quality formula a flag contributes (``quality.<code>`` reason)."""

    code: str
    text: str
    contribution: float


@dataclass(frozen=True)
class Outcome:
    """What a flag's rule found: flagged or not, its reasons, and its part of the score.

    ``outputs`` are ``Score`` fields the rule fills (``ghost_probability``, ``payment_status``, ...);
    ``cap`` is a ceiling on the final quality with the text that explains it.
    """

    flagged: bool
    reasons: list[Reason] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    quality: list[QualityTerm] = field(default_factory=list)
    cap: tuple[float, str] | None = None


Rule = Callable[[F, ModelView], Outcome]


@dataclass(frozen=True)
class Flag:
    """One flag. ``code`` is stable text users filter on (``hide=code``, ``filters.exclude_flags``)."""

    code: str
    label: str  # what a person reads on a chip: "likely ghost"
    severity: int  # CAUTION, WARNING or DANGER
    colour: str  # text colour of its chip (CSS colour)
    background: str  # background of its chip
    order: int  # position in listings, the docs table and the score's flags
    rule: Rule
    when: str  # docs/scoring.md "when" cell
    example: str  # docs/scoring.md example reason
    text_signals: Callable[[str, str | None], dict[str, int]] | None = None  # extra text features


def scan(package: str, path: list[str]) -> dict[str, Flag]:
    """Every flag module of ``package`` (found at ``path``), by code, in display order."""
    found: list[Flag] = []
    for module in package_modules(package, path, "flag", RegistryError):
        name = module.__name__.rpartition(".")[2]
        flag = getattr(module, "FLAG", None)
        if not isinstance(flag, Flag):
            raise RegistryError(f"flag module {name} defines no FLAG = Flag(...)")
        if flag.code != name:
            raise RegistryError(f"flag module {name} defines flag {flag.code!r}: the module is named for its code")
        found.append(flag)
    return {f.code: f for f in sorted(found, key=lambda f: (f.order, f.code))}


@functools.cache
def registry() -> dict[str, Flag]:
    """Every registered flag by code, in display order."""
    return scan(__name__, list(__path__))


def all_flags() -> list[Flag]:
    return list(registry().values())


def flag_codes() -> tuple[str, ...]:
    """Every registered flag code, in display order (config validation and filters use this)."""
    return tuple(registry())


def get(code: str) -> Flag | None:
    return registry().get(code)


def label(code: str) -> str:
    flag = registry().get(code)
    return flag.label if flag else code.replace("_", " ")


def severity(code: str | None) -> int:
    flag = registry().get(code or "")
    return flag.severity if flag else 0


def text_features(title: str, description: str | None) -> dict[str, int]:
    """The extra text signals flags define (stored as ``text_<name>`` features)."""
    out: dict[str, int] = {}
    for flag in all_flags():
        if flag.text_signals is not None:
            out.update(flag.text_signals(title, description))
    return out


def chip_css() -> str:
    """CSS for every flag's chip and, for danger flags, the quality badge: generated from the registry."""
    rules = [
        f".chip.flag-{f.code} {{ background: {f.colour}; color: #fff; }}"  # a danger flag's chip is solid
        if f.severity >= DANGER
        else f".chip.flag-{f.code} {{ background: {f.background}; color: {f.colour}; }}"
        for f in all_flags()
    ]
    rules += [f".q.flag-{f.code} {{ background: {f.colour}; }}" for f in all_flags() if f.severity >= DANGER]
    return "\n".join(rules) + "\n"
