"""Stored fingerprints stay comparable: the SimHash the store writes for a text is the one it wrote before."""

from __future__ import annotations

import pytest

from jobsift.fingerprint import fingerprint, simhash


@pytest.mark.parametrize(
    ("title", "description", "want"),
    [
        (
            "Logo design for a bakery",
            "We need a modern logo for our family bakery in Lyon, with two colour variants.",
            "54016c24711f5255",
        ),
        ("Data entry", "Data entry clerk. " * 40, "8aab00934bbcbbc3"),
        ("ÉTÉ café", "naïve ünïcödé words here and there, x y z", "113c813b7c243644"),
        ("A B C D E F G H", None, None),  # words are counted before lower-casing: capitals alone are none
        ("Seven words only in this title", None, None),
    ],
)
def test_fingerprints_of_known_texts(title: str, description: str | None, want: str | None) -> None:
    assert fingerprint(title, description) == want


def test_short_texts_hash_their_words_whole() -> None:
    assert simhash("") == 0
    assert simhash("two words") == simhash("TWO  words!") != 0
