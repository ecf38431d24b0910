"""The fast paths of sanitising and text extraction give exactly what the full paths give.

``sanitize_html`` skips nh3 for fragments it proves already clean; ``html_to_text`` and
``squash_blanks`` use C-level string passes instead of a per-line loop. Both are compared here
with the straightforward implementations on thousands of generated fragments (fixed seed).
"""

from __future__ import annotations

import html
import random
import re
import sys

import nh3
import pytest

from jobsift.crawler import markup
from jobsift.crawler.markup import ALLOWED_TAGS, html_to_text, sanitize_html
from jobsift.crawler.textfix import CTRL_TABLE, WIDE_SPACE_CLASS, fix_mojibake, squash_blanks, strip_controls

_BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr|p|li)\b[^>]*>[ \t]*\r?\n?", re.I)


def reference_sanitize(fragment: str | None) -> str | None:
    """Every fragment through nh3, as the sanitiser did before its fast path."""
    if not fragment:
        return None
    cleaned = nh3.clean(
        fragment.translate(CTRL_TABLE),
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return cleaned.strip() or None


def reference_text(fragment: str | None) -> str | None:
    """Text extraction written the obvious way: a Python pass per line."""
    if not fragment:
        return None
    text = re.sub(r"<[^>]+>", "", _BLOCK.sub("\n", fragment))
    text = html.unescape(html.unescape(text)) if "&amp;" in text else html.unescape(text)
    text = fix_mojibake(text.translate(CTRL_TABLE))
    text = "\n".join(" ".join(line.split()) for line in text.replace("\r", "\n").split("\n"))
    return re.sub(r"\n\s*\n+", "\n\n", text).strip() or None


TAGS = [
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "span",
    "code",
    "div",
    "blockquote",
    "h1",
    "h3",
    "hr",
    "pre",
    "table",
    "tr",
    "td",
    "a",
    "script",
    "style",
    "img",
    "font",
    "P",
    "Li",
]
TEXTS = [
    "Python dev",
    " ",
    "\n",
    "  \n\n  ",
    "R&D",
    "a &amp; b",
    "&lt;x&gt;",
    "&nbsp;",
    "\xa0",
    "1 > 0",
    "x < y",
    "café",
    "naÃ¯ve",
    "\r\n",
    "\r",
    "\t",
    "\x00\x07",
    "\u2028",
    "\u3000",
    "&quot;",
    "&#39;",
    "&amp;amp;",
    "’",
    "$50/hr",
    "&copy;",
    "\x85",
    "B\u200ac",
    "&#12;",
    "&amp;#x1f;",
    "&amp;#12;",
]
ATTRS = [
    "",
    "",
    "",
    "",
    ' class="x"',
    ' href="https://x.test/a?b=1&amp;c=2"',
    ' onclick="bad()"',
    " href='javascript:alert(1)'",
    ' style="color:red"',
]


def random_fragment(rng: random.Random) -> str:
    out: list[str] = []
    stack: list[str] = []
    for _ in range(rng.randint(0, 14)):
        roll = rng.random()
        if roll < 0.35:
            out.append(rng.choice(TEXTS))
        elif roll < 0.65 or not stack:
            tag = rng.choice(TAGS)
            if tag in ("br", "hr"):
                out.append(rng.choice([f"<{tag}>", f"<{tag}/>", f"<{tag} />", f"</{tag}>"]))
            else:
                out.append(f"<{tag}{rng.choice(ATTRS)}{'/' if rng.random() < 0.03 else ''}>")
                stack.append(tag)
        elif roll < 0.95:
            out.append(f"</{stack.pop()}>")
        else:
            out.append(rng.choice(["<!-- c -->", "<", ">", "</", "<p", "<>"]))
    if rng.random() < 0.8:
        out.extend(f"</{t}>" for t in reversed(stack))
    return "".join(out)


def well_nested(rng: random.Random, depth: int = 0) -> str:
    """Mostly-valid fragments, so the fast path is exercised as well as refused."""
    parts = []
    for _ in range(rng.randint(1, 4)):
        if depth > 3 or rng.random() < 0.4:
            parts.append(rng.choice(TEXTS[:12]))
        else:
            tag = rng.choice(["p", "ul", "ol", "li", "b", "em", "div", "blockquote", "h2", "span", "br", "hr"])
            if tag in ("br", "hr"):
                parts.append(f"<{tag}{rng.choice(['', '/', ' /'])}>")
            else:
                parts.append(f"<{tag}>{well_nested(rng, depth + 1)}</{tag}>")
    return "".join(parts)


@pytest.mark.parametrize("maker", [random_fragment, well_nested])
def test_sanitize_fast_path_matches_nh3(maker: object) -> None:
    rng = random.Random(20261122)
    fast_hits = 0
    for _ in range(4000):
        fragment = maker(rng)  # type: ignore[operator]
        assert sanitize_html(fragment) == reference_sanitize(fragment), fragment
        fast_hits += markup._already_clean(strip_controls(fragment)) is not None
    assert fast_hits > 100  # the fast path really ran


@pytest.mark.parametrize("maker", [random_fragment, well_nested])
def test_text_matches_reference(maker: object) -> None:
    rng = random.Random(7)
    for _ in range(4000):
        fragment = maker(rng)  # type: ignore[operator]
        assert html_to_text(fragment) == reference_text(fragment), fragment


def test_fast_path_refuses_what_html5_would_change() -> None:
    for fragment in (
        "<p><ul><li>a</li></ul></p>",
        "<b><p>x</p></b>",
        "<li>x</li>",
        "<div><li>x</li></div>",
        "<p>a<p>b</p></p>",
        "<h1><h2>b</h2></h1>",
        "<p>R&D</p>",
        "<p>1 > 0</p>",
        "<P>x</P>",
        "<p class=x>y</p>",
        "<p/>",
        "</br>",
        "<!-- x -->",
        "<pre>\nx</pre>",
        "<p>x",
    ):
        assert markup._already_clean(fragment) is None, fragment
        assert sanitize_html(fragment) == reference_sanitize(fragment)
    assert markup._already_clean("<p>a <b>b</b></p><ul><li>c<br/></li></ul>") == (
        "<p>a <b>b</b></p><ul><li>c<br></li></ul>"
    )


def test_sanitize_still_removes_scripts_and_handlers() -> None:
    out = sanitize_html('<p onclick="x()">hi<script>alert(1)</script><a href="javascript:x">l</a></p>')
    assert out is not None
    assert "script" not in out
    assert "onclick" not in out
    assert "javascript" not in out


def test_wide_space_class_lists_every_unicode_blank() -> None:
    blanks = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() and not chr(c).isascii()}
    assert blanks == {c for c in blanks if re.fullmatch(f"[{WIDE_SPACE_CLASS}]", c)}
    assert all(c.isspace() for c in map(chr, range(0x2000, 0x200B)))


def test_squash_and_strip_controls() -> None:
    assert squash_blanks(" a \t b \n\n\n\n c\u3000d \r\n e ") == "a b\n\nc d\n\ne"  # CR LF: two breaks, as before
    assert strip_controls("a\x00b\x1fc\x7fd\té\n") == "abcd\té\n"
    assert strip_controls("plain") == "plain"


@pytest.mark.parametrize("maker", [random_fragment, well_nested])
def test_describe_is_text_and_sanitised_html(maker: object) -> None:
    rng = random.Random(11)
    for _ in range(4000):
        fragment = maker(rng)  # type: ignore[operator]
        if rng.random() < 0.5:  # without CR/LF, so the replace-based text path runs too
            fragment = fragment.replace("\r", "").replace("\n", " ")
        assert markup.describe(fragment) == (reference_text(fragment), reference_sanitize(fragment)), fragment
