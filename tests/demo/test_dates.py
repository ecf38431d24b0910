"""The demo server dates its feeds as of now, so the demo reads (and scores) the same on any day."""

from __future__ import annotations

from datetime import timedelta
from urllib.request import urlopen

import pytest

from jobsift.crawler.sources import get_format
from jobsift.demo.dates import ANCHOR, shift_dates, shift_for
from jobsift.demo.server import FEEDS, DemoServer
from jobsift.demo.sources import DEMO_SOURCES, DemoSource
from jobsift.model import Posting

PLAIN = [s for s in DEMO_SOURCES if not s.browser]


def parsed(body: bytes, fmt: str) -> dict[str, Posting]:
    result = get_format(fmt).parse(body, {}, source=fmt, options={})
    return {p.external_id: p for p in result.postings}


@pytest.mark.parametrize("src", PLAIN, ids=lambda s: s.name)
def test_every_date_moves_by_the_same_amount_and_nothing_else_changes(src: DemoSource) -> None:
    delta = timedelta(days=45, hours=5, minutes=13)
    body = (FEEDS / src.path).read_bytes()
    before, after = parsed(body, src.format), parsed(shift_dates(body, delta), src.format)
    assert before.keys() == after.keys()
    dated = 0
    for key, old in before.items():
        new = after[key]
        if old.posted_at is not None:
            assert new.posted_at is not None
            assert new.posted_at - old.posted_at == delta
            dated += 1
        if old.client is not None and old.client.member_since is not None:
            assert new.client is not None
            assert new.client.member_since is not None
            assert new.client.member_since - old.client.member_since == delta
        assert (new.title, new.budget, new.description_text) == (old.title, old.budget, old.description_text)
    assert dated == len(before) > 0


def test_no_shift_serves_the_files_unchanged() -> None:
    for src in DEMO_SOURCES:
        body = (FEEDS / src.path).read_bytes()
        assert shift_dates(body, timedelta(0)) == body
        assert shift_dates(body, shift_for(ANCHOR)) == body


def test_the_server_serves_feeds_as_of_its_now() -> None:
    now = ANCHOR + timedelta(days=400, minutes=30)
    with DemoServer(now=now) as base, urlopen(f"{base}/generic.rss", timeout=10) as reply:
        body = reply.read()
    newest = max(p.posted_at for p in parsed(body, "rss").values() if p.posted_at is not None)
    assert now - timedelta(hours=2) < newest <= now
