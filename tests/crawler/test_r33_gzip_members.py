"""R33/R06: every member of a multi-member gzip body is decoded, all members under one decompressed cap."""

from __future__ import annotations

import gzip
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from jobsift.crawler.decoding import CHUNK, Decoder
from jobsift.errors import PermanentFetchError
from tests.crawler.test_crawl import count, outcomes, run
from tests.support.crawling import RSS_HEADERS, config, rss, source
from tests.support.httpserver import Reply, ScriptedServer


def members(*parts: bytes) -> bytes:
    return b"".join(gzip.compress(p) for p in parts)


def feed_in_chunks(decoder: Decoder, body: bytes, sizes: list[int]) -> bytes:
    out = bytearray()
    i = 0
    for n in sizes:
        out += decoder.feed(body[i : i + n])
        i += n
    out += decoder.feed(body[i:])
    out += decoder.flush()
    return bytes(out)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=6), st.lists(st.integers(1, 700), max_size=40))
def test_r33_every_gzip_member_is_decoded_whatever_the_chunking(parts: list[bytes], sizes: list[int]) -> None:
    decoder = Decoder("gzip", 1_000_000)
    assert feed_in_chunks(decoder, members(*parts), sizes) == b"".join(parts)
    assert decoder.members == len(parts)


def test_r33_many_small_members_are_still_under_one_cap() -> None:
    """A bomb split into 200 members of 1 MB each stops at the cap, like a single-member bomb."""
    one = gzip.compress(b"\0" * 1_000_000, compresslevel=9)
    decoder = Decoder("gzip", 5_000_000)
    with pytest.raises(PermanentFetchError, match="after decompression"):
        feed_in_chunks(decoder, one * 200, [4096] * (len(one) * 200 // 4096))
    assert decoder.size <= decoder.limit + 1
    assert decoder.peak <= CHUNK
    assert 5 <= decoder.members <= 6


def test_r33_trailing_bytes_after_the_last_member_are_ignored() -> None:
    decoder = Decoder("gzip", 1_000_000)
    assert feed_in_chunks(decoder, members(b"abc", b"def") + b"\0\0junk", [7]) == b"abcdef"


def test_r33_multi_member_feed_is_stored_whole(server: ScriptedServer, engine: Engine) -> None:
    """A 40-item feed sent as two gzip members: all 40 items are stored (the first member alone held 20)."""
    feed = rss(40)
    cut = [m.start() for m in re.finditer(rb"<item>", feed)][20]
    server.route("/feed", Reply(200, members(feed[:cut], feed[cut:]), {**RSS_HEADERS, "Content-Encoding": "gzip"}))
    report = run(engine, config([source("multi", server.url + "/feed")]))
    assert outcomes(report)["multi"] == ("ok", None)
    assert count(engine, "multi") == 40
