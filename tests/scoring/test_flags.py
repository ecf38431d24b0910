"""The flag registry: one module per flag, found by a package scan, read by scoring and the docs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jobsift.model import Reason
from jobsift.scoring import flags
from jobsift.scoring.flags import Flag, Outcome, RegistryError, scan
from jobsift.scoring.model import rules_only
from jobsift.scoring.score import compute_score, merge_reasons

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "scoring.md").read_text(encoding="utf-8")

GOOD = """
from jobsift.scoring.flags import CAUTION, Flag, Outcome

def rule(f, model):
    return Outcome(bool(f.get("odd")))

FLAG = Flag(code="{code}", label="odd one", severity=CAUTION, colour="#000", background="#fff", order=99,
            rule=rule, when="odd", example="`odd`")
"""


def _package(tmp_path: Path, name: str, modules: dict[str, str]) -> tuple[str, list[str]]:
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for mod, body in modules.items():
        (pkg / f"{mod}.py").write_text(body)
    sys.path.insert(0, str(tmp_path))
    return name, [str(pkg)]


def test_registry_holds_every_flag_module_in_display_order() -> None:
    assert flags.flag_codes() == ("scam", "ghost", "payment_unverified", "lowball")
    for flag in flags.all_flags():
        assert isinstance(flag, Flag)
        assert flag.label
        assert flag.when
        assert flag.example
        assert flags.label(flag.code) == flag.label
    assert flags.label("not_a_flag") == "not a flag"


def test_adding_a_flag_is_one_module(tmp_path: Path) -> None:
    try:
        found = scan(*_package(tmp_path, "extraflags_ok", {"odd": GOOD.format(code="odd"), "_helper": "X = 1\n"}))
    finally:
        sys.path.pop(0)
    assert list(found) == ["odd"]
    assert found["odd"].rule({"odd": 1}, rules_only()) == Outcome(True)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("import no_such_module_anywhere\n", "does not import"),
        ("X = 1\n", "defines no FLAG"),
        (GOOD.format(code="other"), "named for its code"),
    ],
)
def test_a_broken_flag_module_fails_loudly(tmp_path: Path, body: str, message: str) -> None:
    name = f"extraflags_{abs(hash(body)) % 10_000}"
    try:
        with pytest.raises(RegistryError, match=message):
            scan(*_package(tmp_path, name, {"broken": body}))
    finally:
        sys.path.pop(0)


@pytest.mark.parametrize("code", flags.flag_codes())
def test_docs_list_every_registered_flag(code: str) -> None:
    flag = flags.get(code)
    assert flag is not None
    row = f"| `{code}` | {flag.when} | {flag.example} |"
    assert row in DOCS, f"docs/scoring.md has no row for flag {code!r}; expected:\n{row}"


def test_compute_score_runs_every_registered_flag() -> None:
    s = compute_score({"payment_verified": False}, rules_only())
    assert s.flags == ("payment_unverified",)
    assert s.payment_status == "unverified"
    assert s.reasons[0].flag == "payment_unverified"


def test_a_signal_feeding_two_flags_is_one_reason_under_the_worse_flag() -> None:
    merged = merge_reasons(
        [
            Reason("ghost.upfront_fee", "asks the applicant to pay", 1.0, 1.5, 1.5, "ghost"),
            Reason(
                "payment_unverified.upfront_fee", "asks the applicant to pay", 1.0, None, None, "payment_unverified"
            ),
            Reason("quality.ghost", "ghost", contribution=-10.0),
        ]
    )
    assert [r.code for r in merged] == ["ghost.upfront_fee", "quality.ghost"]
    assert merged[0].flag == "ghost"
    assert merged[0].contribution == 1.5
