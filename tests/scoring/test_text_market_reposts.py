"""Text signals, market percentiles and calibration, SimHash and the banded repost index."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

import numpy as np
import pytest

from jobsift import fingerprint as fingerprint_mod
from jobsift.scoring import reposts
from jobsift.scoring.market import Cell, Market, load_prior, read_upwork_csv
from jobsift.scoring.text import signals
from tests.conftest import DATA
from tests.scoring.factory import LONG_TEXT

UPWORK = DATA / "upwork-jobs-dev.csv"


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("off_platform_contact", "Send your portfolio to hiring.desk@example.org today."),
        ("off_platform_contact", "Message me on Telegram for details."),
        ("off_platform_contact", "Call +1 415 555 0134 after 5pm."),
        ("unpaid_test", "Applicants must complete an unpaid test task first."),
        ("free_work", "We offer a free consultation; send a free sample logo with your bid."),
        ("upfront_fee", "A refundable deposit and a registration fee are required."),
        ("too_good", "Work from home and earn $500 per day!"),
    ],
)
def test_text_signal_positive(code: str, text: str) -> None:
    assert signals("A job", LONG_TEXT + " " + text)[code] == 1


def test_text_signals_negative_on_an_ordinary_posting() -> None:
    assert signals("Shopify catalogue migration", LONG_TEXT) == {
        "off_platform_contact": 0,
        "unpaid_test": 0,
        "free_work": 0,
        "upfront_fee": 0,
        "too_good": 0,
        "vague_scope": 0,
    }


def test_vague_scope_needs_a_known_description() -> None:
    assert signals("Website", "Need website. Details in chat.")["vague_scope"] == 1
    assert signals("Website", None)["vague_scope"] == 0  # unknown is not vague


def test_percentile_handles_ties_and_ends() -> None:
    cell = Cell("x", 100, np.array([5.0] * 21 + list(np.linspace(6, 100, 80))))
    assert cell.percentile_of(5.0) == 10.0  # middle of the flat stretch 0..20
    assert cell.percentile_of(1.0) == 0.0
    assert cell.percentile_of(1000.0) == 100.0


@pytest.mark.skipif(not UPWORK.exists(), reason="shared data absent")
def test_lowball_calibration_on_held_out_upwork_postings() -> None:
    """Fit the market on 70% of the file, flag below the 10th percentile on the other 30%.

    Tolerance: the mean share over 5 random splits lies within 10% ± 3 points (each split has ~600
    held-out budgets, so sampling noise alone is about ±1.2 points; ties at round budgets such as
    $5 and $10 pull the share below 10%).
    """
    records = read_upwork_csv(UPWORK)
    shares = []
    for seed in range(5):
        rows = list(records)
        random.Random(seed).shuffle(rows)
        cut = int(len(rows) * 0.7)
        market = Market.from_history({}, rows[:cut], 30)
        flagged = total = 0
        for kind, usd, level, skills in rows[cut:]:
            m = market.match(kind, level, skills)
            assert m is not None
            total += 1
            flagged += usd < m.cell.quantile(10)
        shares.append(flagged / total)
    assert 0.07 <= float(np.mean(shares)) <= 0.13, shares


def test_store_history_blends_into_the_prior_with_a_minimum_count() -> None:
    prior = {"fixed|*|*": Cell("all fixed work", 1000, np.linspace(0, 1000, 101))}
    few = [("fixed", 5000.0, "*", ["x"])] * 10
    many = [("fixed", float(v), "*", []) for v in range(2000, 2200)]
    assert Market.from_history(prior, few, 30).cells["fixed|*|*"].median == 500.0
    blended = Market.from_history(prior, many, 30).cells["fixed|*|*"]
    assert 500.0 < blended.median < 2100.0
    assert blended.n == 1200


def test_shipped_prior_states_its_origin() -> None:
    import json

    from jobsift.scoring.market import PRIOR_PATH

    data = json.loads(PRIOR_PATH.read_text(encoding="utf-8"))
    assert "Upwork" in data["origin"]
    assert data["source_file"] == "upwork-jobs-dev.csv"
    assert "fixed|*|*" in data["cells"]
    assert "hourly|*|*" in data["cells"]
    assert len(load_prior()) == len(data["cells"])


# --- SimHash and the index -------------------------------------------------------------------


def _reference_simhash(text: str) -> int:
    weights = [0] * 64
    for s in fingerprint_mod._shingles(text):
        h = int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if (h >> bit) & 1 else -1
    return sum(1 << b for b in range(64) if weights[b] > 0)


def test_numpy_simhash_equals_the_reference_definition() -> None:
    rng = random.Random(1)
    words = LONG_TEXT.split()
    for _ in range(50):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 120)))
        assert fingerprint_mod.simhash(text) == _reference_simhash(text)


def test_near_duplicates_are_close_and_different_texts_are_far() -> None:
    a = fingerprint_mod.fingerprint("Shopify catalogue migration", LONG_TEXT)
    b = fingerprint_mod.fingerprint("SHOPIFY catalogue migration!", LONG_TEXT.replace("staging", "test"))
    c = fingerprint_mod.fingerprint(
        "Kubernetes cluster upgrade",
        "Upgrade three EKS clusters to the current version, "
        "move ingress to the gateway API and document the runbooks for the on-call team.",
    )
    assert a
    assert b
    assert c
    assert reposts.hamming(a, b) <= reposts.MAX_DISTANCE
    assert reposts.hamming(a, c) > 10
    assert fingerprint_mod.fingerprint("too short", "three words") is None


def test_banded_index_finds_exactly_what_brute_force_finds() -> None:
    rng = np.random.default_rng(7)
    base = [int(x) for x in rng.integers(0, 2**63, size=300, dtype=np.int64)]
    fps = []
    for v in base:
        fps.append(f"{v:016x}")
        for _ in range(3):  # near copies: flip up to 9 random bits (some within reach, some not)
            w = v
            for bit in rng.choice(64, size=int(rng.integers(0, 10)), replace=False):
                w ^= 1 << int(bit)
            fps.append(f"{w:016x}")
    entries = [reposts.Entry(i, fp, "s") for i, fp in enumerate(fps)]
    index = reposts.RepostIndex(entries)
    for e in entries[:120]:
        brute = {o.id for o in entries if reposts.hamming(e.fingerprint, o.fingerprint) <= reposts.MAX_DISTANCE}
        assert {o.id for o in index.near(e.fingerprint)} == brute


def test_repost_pairs_across_sources_same_client_but_not_between_different_clients() -> None:
    fp = "0123456789abcdef"
    a = reposts.Entry(1, fp, "upwork", client_id=7)
    assert reposts.is_repost_pair(a, reposts.Entry(2, fp, "freelancer", client_id=9))
    assert reposts.is_repost_pair(a, reposts.Entry(3, fp, "upwork", client_id=7))
    assert not reposts.is_repost_pair(a, reposts.Entry(4, fp, "upwork", client_id=8))


def test_index_holds_four_band_keys_per_entry() -> None:
    index = reposts.RepostIndex(reposts.Entry(i, f"{i * 2654435761 % 2**64:016x}", "s") for i in range(5000))
    assert index.size == 5000
    assert index._arrays()[0].size == 4 * 5000  # 4 band keys per entry, one sorted array


def test_market_matching_uses_skills_then_title_words_and_aliases() -> None:
    market = Market(load_prior())
    by_skill = market.match("fixed", "Expert", ["Shopify"])
    by_title = market.match("hourly", None, [], title="Python script for bank CSV exports")
    by_alias = market.match("fixed", None, [], title="Logo design for a bakery")
    fallback = market.match("fixed", None, [], title="Something else entirely")
    assert by_skill is not None
    assert by_skill.key.endswith("|shopify")
    assert by_title is not None
    assert by_title.key == "hourly|*|python"
    assert by_alias is not None
    assert by_alias.key == "fixed|*|graphic design"
    assert fallback is not None
    assert fallback.key == "fixed|*|*"
    assert market.match("salary_year", None, ["Python"]) is None


def test_index_from_arrays_resolves_details_for_matches_only() -> None:
    near_fp = "0123456789abcdef"
    one_bit_away = "0123456789abcdee"
    far = [f"{(i * 2654435761 + 99) % 2**64:016x}" for i in range(1000)]
    fps = [near_fp, *far, one_bit_away]
    ids = np.arange(1, len(fps) + 1, dtype=np.int64)
    asked: list[list[int]] = []

    def resolve(wanted: Sequence[int]) -> dict[int, reposts.Entry]:
        asked.append(list(wanted))
        # Posting 1 was deleted since the index was loaded: it has no details any more.
        return {i: reposts.Entry(i, fps[i - 1], "upwork", client_id=5) for i in wanted if i != 1}

    index = reposts.RepostIndex.from_arrays(ids, reposts.parse_fingerprints(fps), resolve=resolve)
    query = reposts.Entry(0, near_fp, "upwork", client_id=5)
    assert index.reposts_many([query]) == [1]  # only the live one-bit neighbour
    assert asked == [[1, len(fps)]]  # two lookups' worth of details, not 1,002
    assert index.size == len(fps)
