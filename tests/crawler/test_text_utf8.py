"""HTML-to-text on UTF-8 bytes gives what the str passes gave, character for character.

The tag, blank and mojibake passes of ``markup._text`` and ``textfix.squash_blanks`` run on the text's
UTF-8 encoding (the regex engine is several times faster there on non-Latin-1 text). The str versions
they replaced are kept here as the reference, and property tests compare both on text mixing markup,
blanks of every kind, entities, mojibake, multi-byte characters and lone surrogates. Hostile inputs of
1 MB check that the new passes stay linear (R32; time per byte is in ``python -m bench textsignals``).
"""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from jobsift.crawler import markup, textfix
from jobsift.crawler.textfix import WIDE_SPACE_CLASS, WIDE_SPACES, fix_mojibake, squash_blanks, strip_controls

# --- the str implementations as they were (jobsift 643bdbb) -----------------------------------
_OLD_BLOCK = re.compile(r"<(?=[\t\n\f\r ]*(?:br|/p|/div|/li|/h[1-6]|/tr|p|li)\b)[^>]*>[ \t]*\r?\n?", re.I | re.ASCII)
_OLD_TAG = re.compile(r"<[^>]+>")
_OLD_AFTER = re.compile(r"[ \t]*\r?\n?")
_OLD_WIDE = re.compile(f"[{WIDE_SPACE_CLASS}]")


def old_strip_tags(text: str) -> str:
    end = text.rfind(">") + 1
    if not end:
        return text
    end = _OLD_AFTER.match(text, end).end()  # type: ignore[union-attr]
    text = _OLD_BLOCK.sub("\n", text[:end]) + text[end:]
    end = text.rfind(">") + 1
    return _OLD_TAG.sub("", text[:end]) + text[end:]


def old_squash(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r", "\n")
    if not text.isascii() and _OLD_WIDE.search(text):
        text = _OLD_WIDE.sub(" ", text)
    if "\t" in text:
        text = text.replace("\t", " ")
    while "  " in text:
        text = text.replace("  ", " ")
    if " \n" in text:
        text = text.replace(" \n", "\n")
    if "\n " in text:
        text = text.replace("\n ", "\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def old_text(fragment: str | None) -> str | None:
    if not fragment:
        return None
    text = fragment
    if "<" in text:
        text = old_strip_tags(text)
    if "&" in text:
        text = html.unescape(html.unescape(text)) if "&amp;" in text else html.unescape(text)
    text = strip_controls(text)
    return old_squash(fix_mojibake(text)) or None


# --- inputs ---------------------------------------------------------------------------------
PIECES = [
    "<",
    ">",
    "<br>",
    "<BR/>",
    "<p class='é'>",
    "</P>",
    "<li>",
    "</div>",
    "<bré>",
    "<lİ>",
    "<a href='x'>",
    "</a>",
    "<b>",
    "&amp;",
    "&nbsp;",
    "&#12;",
    "&#x2009;",
    "&amp;#10;",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\n\n\n",
    *WIDE_SPACES,
    "x",
    "é",
    "’",
    "“q”",
    "—",
    "東京",
    "😀",
    "Ã©",
    "â€™",
    "Â\xa0",
    "В©",
    "вЂ™",
    "Ð¿",
    "\ud800",
    "\udcff",
    "\x00",
    "\x0b",
    "\x85",
]
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_tags_stripped_on_bytes_as_on_str(text: str) -> None:
    assert markup._strip_tags(text) == old_strip_tags(text)


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_blanks_squashed_on_bytes_as_on_str(text: str) -> None:
    assert squash_blanks(text) == old_squash(text)


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_mojibake_check_on_bytes_finds_what_the_str_scan_finds(text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    found = not text.isascii() and textfix._any_mojibake().search(text) is not None
    assert textfix.may_hold_mojibake_utf8(raw) is found
    if not found:
        assert fix_mojibake(text) == text


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_html_to_text_and_describe_give_the_str_result(text: str) -> None:
    assert markup.html_to_text(text) == old_text(text)
    if not re.search("[\ud800-\udfff]", text):  # nh3 cannot encode lone surrogates (JSON loading replaces them)
        assert markup.describe(text)[0] == old_text(text)


def test_every_lead_and_continuation_pair_is_found_on_bytes() -> None:
    for codec in textfix._MOJIBAKE_CODECS:
        lead, cont = textfix._lead_cont(codec)
        for a in lead:
            for b in cont:
                assert textfix.may_hold_mojibake_utf8((a + b).encode()), (codec, a, b)


def test_wide_spaces_are_the_class() -> None:
    assert {c for c in WIDE_SPACES} == {chr(c) for c in range(0x80, 0x3001) if _OLD_WIDE.fullmatch(chr(c))}


def test_r32_new_passes_finish_on_hostile_megabytes() -> None:
    """Runs that would make a back-tracking or rescanning pass quadratic: each is 1 MB."""
    n = 1_000_000
    assert squash_blanks(" " * n + "x" + "\n" * n) == "x"
    assert squash_blanks("\xa0\u2009\n" * (n // 3) + "y") == "y"
    assert squash_blanks("’ " * (n // 2)) == ("’ " * (n // 2)).strip()
    lead_run = "Ã" * n  # leads with no continuation after them
    assert textfix.may_hold_mojibake_utf8(lead_run.encode()) is False
    assert markup.html_to_text("Ã" * n + "©") == "Ã" * (n - 1) + "é"  # "Ã©" re-decoded, the leads before kept
    assert markup.html_to_text("<\u2009" * (n // 2)) == "< " * (n // 2 - 1) + "<"
    assert markup.html_to_text("<p>" * (n // 3)) is None


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["<p>", "</p>", "<br/>", "<br />", "<a href='x'>", "<b", "< b>", "<P>", "é", "x", ">"]),
        max_size=20,
    ).map("".join)
)
def test_not_a_token_search_agrees_with_counting_tokens(fragment: str) -> None:
    every_lt_a_token = fragment.count("<") == len(markup._TOKEN.findall(fragment))
    assert (markup._NOT_A_TOKEN.search(fragment) is None) is every_lt_a_token


def test_r32_not_a_token_search_is_linear_on_long_names() -> None:
    hostile = ("<" + "a" * 1000) * 1000  # 1 MB: each "<" reads its own name once
    assert markup._NOT_A_TOKEN.search(hostile) is not None
    assert markup._already_clean(hostile + "é") is None
