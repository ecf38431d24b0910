"""Shortcuts in the per-posting hot path give what the plain code gives.

``canonical_url`` skips urllib for plain URLs, ``budget_from_prose`` looks for labels only near
digits, Upwork's trailing ``<br>`` tags are walked back instead of matched with a ``$`` regex.
Each is compared with the straightforward version on generated inputs (fixed seeds).
"""

from __future__ import annotations

import random
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jobsift.crawler.budget_prose import _LABEL_WORDS, MAX_LABELS, budget_at_label, budget_from_prose
from jobsift.crawler.normalize import TRACKING_PARAMS, canonical_url, clean_text, parse_date
from jobsift.crawler.sources.upwork_rss import strip_trailing_breaks
from jobsift.model import Budget


def reference_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    if not parts.scheme or not parts.netloc:
        return url.strip()
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))


def test_canonical_url_matches_urllib() -> None:
    rng = random.Random(5)
    schemes = ["https", "http", "HTTPS", "ftp", ""]
    hosts = ["Jobs.Example.com", "x.test:8080", "a-b.c", "[::1]", "ex ample.com", "bücher.de", ""]
    paths = ["", "/", "/jobs/1", "/a b", "/%7E01ab", "/ü", "/x;y=1", "/p/", "\t/p"]
    queries = [
        "",
        "?",
        "?utm_source=rss",
        "?source=rss&ref=x",
        "?a=1",
        "?utm_x=1&a=2",
        "?UTM_Medium=e",
        "?%75tm_source=x",
        "?q=a+b",
        "?k",
        "?&&utm_a=",
        "?src=1#frag",
        "#frag",
        "?ref=1&ref=2",
    ]
    for _ in range(3000):
        scheme = rng.choice(schemes)
        url = (f"{scheme}://" if scheme else "") + rng.choice(hosts) + rng.choice(paths) + rng.choice(queries)
        url = rng.choice(["", " "]) + url + rng.choice(["", "\n"])
        assert canonical_url(url) == reference_url(url), url


def reference_prose(text: str | None) -> Budget | None:
    """Every label mention, each checked for a figure with a regex."""
    if not text:
        return None
    text = text[:20_000]
    low = text.lower()
    starts = []
    for word in _LABEL_WORDS:
        i = low.find(word)
        while i >= 0:
            if i == 0 or not low[i - 1].isalnum():
                starts.append(i)
            i = low.find(word, i + 1)
    near_figures = [i for i in sorted(starts) if re.search(r"\d", text[i : i + 48])]
    for i in near_figures[:MAX_LABELS]:
        budget = budget_at_label(text, i)
        if budget is not None:
            return budget
    return None


def test_budget_from_prose_matches_reference() -> None:
    rng = random.Random(9)
    words = [
        "budget",
        "Budget:",
        "salary",
        "pay",
        "rate",
        "hourly rate",
        "price",
        "compensation",
        "the",
        "python",
        "years",
        "3",
        "2024",
        "$500",
        "$40-60/hr",
        "€60k",
        "USD 1,200",
        "100",
        "per",
        "hour",
        "repay",
        "pirate",
        "budgets",
        "\n",
        ".",
        "<",
        "٣",
        "a year",
        "k",
        "$",
        "to",
        "-",
        "50",
        "in",
        "2",
        "x" * 30,
    ]
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 60)))
        assert budget_from_prose(text) == reference_prose(text), text


def test_trailing_breaks_match_the_regex() -> None:
    pattern = re.compile(r"(?:\s*<br\s*/?>)+\s*$", re.I)
    rng = random.Random(3)
    parts = ["<br>", "<br />", "<BR/>", "<br  >", " ", "\n", "text", "<b>x</b>", "<br x>", "<", ">", "\u2003"]
    for _ in range(3000):
        html = "".join(rng.choice(parts) for _ in range(rng.randint(0, 8)))
        assert strip_trailing_breaks(html) == pattern.sub("", html), html


def test_clean_text_and_dates_keep_their_results() -> None:
    assert clean_text("  a\x00b \t c\u00a0d ") == "ab c d"
    assert clean_text("plain title") == "plain title"
    assert parse_date("Sun, 22 Nov 2026 06:00:00 +0000") == parse_date("2026-11-22T06:00:00Z")
    assert parse_date("Sun, 22 Nov 2026 06:00:00 -0500") == parse_date("2026-11-22T11:00:00Z")


# Upwork's labelled fields as first written: a lazy value before a lookahead, tried at every character.
_REFERENCE_LABEL = re.compile(
    r"<b>\s*([A-Za-z][A-Za-z ]{1,30}?)\s*</b>\s*:?\s*(.*?)\s*(?=<br\s*/?>|<b>|<a\s|\Z)", re.S | re.I
)


def reference_labelled_fields(description: str) -> tuple[dict[str, str], int | None]:
    import html

    out: dict[str, str] = {}
    start: int | None = None
    for m in _REFERENCE_LABEL.finditer(description):
        key = " ".join(m.group(1).lower().split())
        if key in {"budget", "hourly range", "posted on", "category", "skills", "country"} and start is None:
            start = m.start()
        value = m.group(2)
        if "<" in value:
            value = re.sub(r"<[^>]+>", " ", value)
        text = clean_text(html.unescape(value) if "&" in value else value)
        if text and key not in out:
            out[key] = text
    return out, start


UPWORK_PIECES = [
    "<b>Budget</b>: $500",
    "<B>Hourly Range</B>:$15.00-$30.00",
    "<b> Posted On </b> : ",
    "<b>Category</b>",
    "<b>Skills</b>:Python, Django",
    "<b>Country</b>: India",
    "<b>x</b>",
    "<b>",
    "</b>",
    ":",
    "<br>",
    "<BR />",
    "<br/>",
    "<a href='u'>",
    "<A\thref=x>",
    "<a>",
    "<i>it</i>",
    "&amp;",
    " ",
    "\n",
    "\t",
    "\xa0",
    "\u2003",
    "\x1c",
    "text",
    "é",
]


def test_upwork_labelled_fields_are_the_lazy_patterns_fields() -> None:
    from jobsift.crawler.sources.upwork_rss import labelled_fields

    rng = random.Random(15)
    for _ in range(4000):
        description = "".join(rng.choice(UPWORK_PIECES) for _ in range(rng.randint(0, 25)))
        assert labelled_fields(description) == reference_labelled_fields(description), description
