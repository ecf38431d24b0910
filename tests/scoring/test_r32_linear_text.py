"""R32: every pattern scoring runs on fetched text is linear-time, and every text signal reads bounded text.

Speed is never asserted here (``python -m bench textsignals`` measures time per byte): linearity is
shown structurally (each pattern is compiled by RE2, which has no backtracking, or belongs to a
pattern class shown to be single-pass), and Hypothesis checks the RE2 results are the ones Python's
backtracking ``re`` gives on the same adversarial texts (digit runs, emails, phone-like runs, separators).
"""

from __future__ import annotations

import re
from re import _constants as sre_constants
from re import _parser as sre_parse
from types import ModuleType

import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsift import fingerprint
from jobsift.scoring import emscad_model, features, linear, market, reposts, rules, score, text, textgrams
from jobsift.scoring.market import Market, load_prior
from jobsift.scoring.text import PATTERNS, SIGNALS, TRIGGERS, VAGUE_SOURCE, VAGUE_TRIGGERS, signals, word_count

#: Modules whose patterns run on a posting's fetched text when it is scored.
SCORING_MODULES: tuple[ModuleType, ...] = (
    text,
    rules,
    features,
    score,
    market,
    reposts,
    emscad_model,
    fingerprint,
    textgrams,
)


def _single_run(pattern: re.Pattern[str]) -> bool:
    """One character class repeated (``[a-z0-9]+``): finditer/split try each position once, O(n)."""
    parsed = list(sre_parse.parse(pattern.pattern))
    if len(parsed) != 1 or parsed[0][0] is not sre_constants.MAX_REPEAT:
        return False
    _lo, _hi, body = parsed[0][1]
    return len(body) == 1 and body[0][0] in (sre_constants.IN, sre_constants.LITERAL, sre_constants.NOT_LITERAL)


def test_r32_every_scoring_pattern_is_linear() -> None:
    seen = 0
    for module in SCORING_MODULES:
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                seen += 1
                assert _single_run(value), f"{module.__name__}.{name} runs on Python's backtracking engine"
            if isinstance(value, re2._Regexp):
                seen += 1
    for code, (pattern, _words) in SIGNALS.items():
        assert isinstance(pattern, re2._Regexp), code
    assert isinstance(text.VAGUE_PHRASES, re2._Regexp)
    assert set(linear.REGISTRY) >= {f"text.{c}" for c in SIGNALS} | {"text.vague_scope", "text.phoneish"}
    assert seen >= 5  # phone-ish, vague, market money, repost words, model tokens


def test_r32_market_title_pattern_is_a_guarded_literal_alternation() -> None:
    """The one Python pattern on a title: literal alternatives between one-character lookarounds.

    Each start position costs at most the alternatives' total length (a constant of the market), never
    a rescan of the text, and the title itself is cut to ``MAX_TEXT_CHARS`` (checked below).
    """
    m = Market(load_prior(), {})
    m._title_skills("x")
    parsed = list(sre_parse.parse(m._skill_re.pattern))  # type: ignore[union-attr]
    ops = [op for op, _ in parsed]
    assert ops == [sre_constants.ASSERT_NOT, sre_constants.SUBPATTERN, sre_constants.ASSERT_NOT]
    branch = parsed[1][1][3]
    for op, av in branch:
        assert op is sre_constants.BRANCH
        for alt in av[1]:
            assert all(o is sre_constants.LITERAL for o, _ in alt), alt


def _python_twin(source: str) -> re.Pattern[str]:
    """The same pattern on Python's engine, with RE2's ASCII meaning of \\w, \\d, \\s and \\b."""
    return re.compile(source.replace(r"\pL\pN_", r"\w"), re.I | re.ASCII)


TWINS = {code: _python_twin(src) for code, (src, _w) in PATTERNS.items()} | {"vague_scope": _python_twin(VAGUE_SOURCE)}

#: Pieces an attacker strings together: digit runs, emails, phone numbers, separators, trigger words.
PIECES = st.one_of(
    st.text(alphabet="0123456789", min_size=1, max_size=40),
    st.sampled_from(
        [
            "@",
            ".",
            "+",
            "-",
            " ",
            "(",
            ")",
            "\n",
            "\t",
            "_",
            ",",
            "$",
            "/",
            "a",
            "x.y",
            ".com",
            "@mail.io",
            "bob@ex.org",
            "+1 415 555 0134",
            "(415) 555-0134",
            "415.555.0134",
            "whatsapp",
            "whats app",
            "telegram",
            "skype id",
            "text me",
            "contact me at",
            "dm me",
            "kik",
            "unpaid test",
            "free trial",
            "test task is unpaid",
            "free sample",
            "for exposure",
            "in exchange for exposure",
            "will be paid later",
            "equity only",
            "no budget",
            "registration fee",
            "buy the equipment",
            "security deposit",
            "earn $500 per day",
            "make up to 300 a week",
            "no experience needed",
            "quick money",
            "details in chat",
            "simple task",
            "Earn",
            "EMAIL",
            "No Budget",
        ]
    ),
)
ADVERSARIAL = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(ADVERSARIAL)
def test_r32_re2_patterns_agree_with_pythons_engine(sample: str) -> None:
    low = sample.lower()
    for code, (pattern, _w) in SIGNALS.items():
        assert bool(pattern.search(low)) == bool(TWINS[code].search(low)), code
    assert bool(text.VAGUE_PHRASES.search(low)) == bool(TWINS["vague_scope"].search(low))


def _reference(title: str, description: str | None) -> dict[str, int]:
    """signals() as a plain definition: every pattern on the whole (bounded, lowercased) text, no shortcuts."""
    low = linear.bounded(f"{title}\n{description or ''}").lower()
    out = {code: int(bool(TWINS[code].search(low))) for code in PATTERNS}
    if description is None:
        out["vague_scope"] = 0
    else:
        short = word_count(description) < text.VAGUE_MAX_WORDS
        out["vague_scope"] = int(short or bool(TWINS["vague_scope"].search(low)))
    return out


@settings(max_examples=400, deadline=None)
@given(ADVERSARIAL, st.one_of(st.none(), ADVERSARIAL))
def test_r32_signals_are_correct_on_adversarial_text(title: str, description: str | None) -> None:
    """The trigger-word and phone-ish shortcuts never change a result."""
    assert signals(title, description) == _reference(title, description)


CONTACTS = st.sampled_from(["ann@example.org", "+1 415 555 0134", "+1 (415) 555-0134"])


@settings(max_examples=100, deadline=None)
@given(st.integers(15, 5000), st.integers(1, 5000), CONTACTS)
def test_r32_contact_found_among_long_digit_runs(before: int, after: int, contact: str) -> None:
    body = "1" * before + " " + contact + " " + "2" * after
    assert signals("Job", body)["off_platform_contact"] == 1
    # Runs of 15+ digits are not phone numbers (10-14 digits alone are read as one).
    assert signals("Job", "1" * before + " and " + "2" * max(after, 15))["off_platform_contact"] == 0


def test_r32_signals_read_bounded_text() -> None:
    pad = "9" * linear.MAX_TEXT_CHARS
    assert signals("Job", "Email ann@example.org. " + pad)["off_platform_contact"] == 1
    assert signals("Job", pad + " Email ann@example.org.")["off_platform_contact"] == 0  # past the cap: not read
    assert len(text.posting_text("Job", pad + pad)) == linear.MAX_TEXT_CHARS
    assert all(isinstance(t, str) for t in (*VAGUE_TRIGGERS, *(w for ws in TRIGGERS.values() for w in ws)))


def test_r32_compile_linear_refuses_backtracking_only_syntax() -> None:
    try:
        linear.compile_linear("test.lookbehind", r"(?<!a)b")
    except re2.error:
        linear.REGISTRY.pop("test.lookbehind", None)
    else:  # pragma: no cover - would mean RE2 grew lookaround
        raise AssertionError("RE2 accepted a lookbehind")
