"""R32 for the crawler's own patterns: HTML-to-text runs its tag patterns on RE2 and Upwork's title
suffix looks only at a title's tail, so hostile text of many unclosed "<" or blank-dash runs is cheap.

Measured per byte in ``python -m bench textsignals``; here the results are checked on inputs whose
old patterns took quadratic time (a 600 KB run of "<a " needed ~10^11 steps before).
"""

from __future__ import annotations

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
