"""R32 for the crawler's own patterns: HTML-to-text strips tags in linear time and Upwork's title
suffix looks only at a title's tail, so hostile text of many unclosed "<" or blank-dash runs is cheap.
The tag patterns now run on Python's engine only up to the last ">" (linear there, and much faster than
the RE2 wrapper's sub()); a property test keeps their result equal to the RE2 patterns' on hostile markup.

Measured per byte in ``python -m bench textsignals``; here the results are checked on inputs whose
old patterns took quadratic time (a 600 KB run of "<a " needed ~10^11 steps before).
"""

from __future__ import annotations

import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsift.crawler import markup
from jobsift.crawler.markup import html_to_text
from jobsift.crawler.sources.upwork_rss import strip_site_suffix


def test_r32_many_unclosed_angle_brackets_read_as_before() -> None:
    # As with Python's engine: from the first "<" to the first ">" is one tag.
    assert html_to_text("<a " * 200_000 + "<b>bold</b>") == "bold"
    assert html_to_text("x " + "< " * 200_000) == "x " + "< " * 199_999 + "<"


def test_r32_block_tags_without_a_closing_bracket_are_text() -> None:
    hostile = "<br" * 200_000
    assert html_to_text(hostile) == hostile


def test_html_to_text_still_strips_tags_and_keeps_paragraphs() -> None:
    out = html_to_text("<p>One <b>two</b></p><p>three<br>four</p>")
    assert out is not None
    assert "<" not in out
    assert out.split() == ["One", "two", "three", "four"]
    assert "two\n" in out


def test_r32_title_suffix_is_found_only_at_the_end() -> None:
    assert strip_site_suffix("Logo design - Upwork") == "Logo design"
    assert strip_site_suffix("Logo design  -  Upwork  ") == "Logo design"
    assert strip_site_suffix("Upwork - Upwork expert") == "Upwork - Upwork expert"
    hostile = " - " * 300_000 + "x"
    assert strip_site_suffix(hostile) == hostile
    assert strip_site_suffix(" " * 300_000 + "- Upwork").strip() == ""  # clean_title drops the blanks


# The patterns as they ran before, on RE2: the reference the linear Python version must equal.
_OPTS = re2.Options()
_OPTS.log_errors = False
_OPTS_I = re2.Options()
_OPTS_I.log_errors = False
_OPTS_I.case_sensitive = False
_RE2_BLOCK = re2.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr|p|li)\b[^>]*>[ \t]*\r?\n?", _OPTS_I)
_RE2_TAG = re2.compile(r"<[^>]+>", _OPTS)

#: Pieces of hostile and ordinary markup: stray brackets, block tags in every case, blanks RE2 and
#: Python's engine read differently (\v, non-ASCII letters after a tag name), CR LF after a tag.
MARKUP = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<",
                ">",
                "<>",
                "< ",
                "<br>",
                "<BR/>",
                "<br />",
                "<p>",
                "</P>",
                "<p class='x'>",
                "<li>",
                "</li>",
                "</div>",
                "</h3>",
                "</tr>",
                "<pre>",
                "<b>",
                "</b>",
                "<a href='u'>",
                "<\x0bbr>",
                "<\x0cbr>",
                "<\nli>",
                "<bré>",
                "<pé>",
                "<lİ>",
                " ",
                "\t",
                "\r\n",
                "\n",
                "\r",
                "x",
                "é",
                "&amp;",
            ]
        ),
        st.text(alphabet="<>/bprliBP \n\t\r\x0baé", max_size=6),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(MARKUP)
def test_tag_stripping_is_the_re2_patterns_result(fragment: str) -> None:
    assert markup._strip_tags(fragment) == _RE2_TAG.sub("", _RE2_BLOCK.sub("\n", fragment))
    assert markup.looks_like_html(fragment) is bool(fragment and _RE2_TAG.search(fragment))
