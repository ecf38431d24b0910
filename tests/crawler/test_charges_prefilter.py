"""``is_charge``'s substring pre-check changes no answer: the same result as the word split alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jobsift.crawler import charges


def word_split_only(before: str, after: str) -> bool:
    """``is_charge`` as it was before the pre-check."""
    head, tail = charges._phrase_before(before), charges._phrase_after(after)
    near = [w.lower() for w in charges._LETTERS.findall(head)[-charges._NEAR_WORDS :]]
    near += [w.lower() for w in charges._LETTERS.findall(tail)[: charges._NEAR_WORDS]]
    if any(w in charges._CHARGE_WORDS for w in near):
        return True
    return "earn" in {w.lower() for w in charges._LETTERS.findall(head)} and bool(charges._PER_DAY.search(tail))


WORDS = [
    "fee",
    "FEES",
    "Deposit",
    "deposits",
    "\u212ait",  # KELVIN SIGN: lower-cases to "k"
    "KITS",
    "registration",
    "Training",
    "earn",
    "EARN",
    "per day",
    "a day",
    "/day",
    "daily",
    "pay",
    "coffee",
    "İ",
    "Σ",
    "$50",
    " ",
    ", ",
    ". ",
    "\n",
    "(",
    "x",
]
PHRASE = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=3)), max_size=12).map("".join)


@settings(max_examples=4000, deadline=None)
@given(PHRASE, PHRASE)
def test_pre_check_gives_the_word_split_answer(before: str, after: str) -> None:
    assert charges.is_charge(before, after) is word_split_only(before, after)


def test_charges_still_found() -> None:
    assert charges.is_charge("Pay a ", " registration fee")
    assert charges.is_charge("you will earn ", " per day")
    assert charges.is_charge("starter \u212aIT for ", "")
    assert not charges.is_charge("Salary: ", " a year")
