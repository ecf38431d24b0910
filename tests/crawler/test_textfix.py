"""fix_mojibake's one-scan pre-check changes nothing: the same result as the three codec passes."""

from __future__ import annotations

import functools
import random

from jobsift.crawler import textfix
from jobsift.crawler.textfix import fix_mojibake


def three_passes(text: str) -> str:
    """fix_mojibake without the pre-check: every codec's pattern tried on every non-ASCII text."""
    if text.isascii():
        return text
    for codec, pattern in textfix._mojibake_patterns():
        if pattern.search(text):
            text = pattern.sub(functools.partial(textfix._redecode, codec=codec), text)
    return text


PIECES = [
    "café",
    "naÃ¯ve",
    "â€“",
    "â€™s",
    "Ã©tÃ©",
    "В©",
    "вЂ™",
    "Привет",
    "’",
    "“quoted”",
    "東京",
    "\xa0",
    "Â",
    "Ã",
    "â",
    "€",
    "plain ",
    "x",
    "ÃƒÂ©",
    "Ð¿Ñ€Ð¸",
    "ðŸ˜€",
    "ð",
    "\u00f4\u00bf",
    "\u00c2\u0080",
]


def test_pre_check_gives_the_three_pass_result() -> None:
    rng = random.Random(15)
    for _ in range(5000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 8)))
        assert fix_mojibake(text) == three_passes(text), repr(text)
    # Every lead/continuation pair of every codec is found by the pre-check.
    for codec in textfix._MOJIBAKE_CODECS:
        lead, cont = textfix._lead_cont(codec)
        for a in lead:
            for b in cont:
                assert textfix._any_mojibake().search(a + b), (codec, a, b)
