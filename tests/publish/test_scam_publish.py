"""A scam, scored by the real scorer in a real store (both backends), as every output shows and hides it."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import Engine

from jobsift.config import config_from_dict
from jobsift.publish.digest import preview
from jobsift.publish.server import ThreadedServer
from jobsift.publish.web import create_app
from jobsift.publish.webhooks import push_new
from jobsift.scoring.score import score_pending
from jobsift.store.queries import JobFilter, list_jobs
from tests.publish.receiver import Receiver
from tests.scoring.factory import GOOD_CLIENT, LONG_TEXT, T0, posting, store

FEE = (
    "Earn $800/day from home! No experience needed. Pay a $50 registration fee to get started, "
    "then WhatsApp me for your first task."
)
SCAM_TITLE = "Data entry from home, start today"


def test_scam_is_red_hidden_by_hide_scam_and_exclude_flags_everywhere(engine: Engine, db_url: str) -> None:
    store(
        engine,
        [
            posting("ok", title="Shopify catalogue migration", description=LONG_TEXT, client=GOOD_CLIENT),
            posting("fee", title=SCAM_TITLE, description=FEE, client=GOOD_CLIENT),
        ],
        when=T0,
    )
    plain = config_from_dict({"database": {"url": db_url}}, env={})
    report = score_pending(engine, plain, now=T0)
    assert report.flagged["scam"] == 1
    with engine.connect() as conn:
        jobs = {j.external_id: j for j in list_jobs(conn, JobFilter(limit=None))}
        kept = list_jobs(conn, JobFilter(limit=None, exclude_flags=("scam",)))
    fee = jobs["fee"]
    assert fee.flags[0] == "scam"
    assert fee.quality <= 10
    assert [j.external_id for j in kept] == ["ok"]

    with ThreadedServer(create_app(engine, plain)) as url, httpx.Client(base_url=url, timeout=10) as http:
        page = http.get("/").text
        assert f'q poor flag-scam" title="quality">{fee.quality:.0f}<' in page  # its own red, not amber
        assert 'class="chip flag flag-scam">likely scam<' in page
        assert ".chip.flag-scam" in http.get("/static/style.css").text
        assert SCAM_TITLE not in http.get("/", params={"hide": "scam"}).text
        assert 'value="scam"' in page  # the hide checkbox comes from the registry
        detail = http.get(f"/jobs/{fee.id}").text
        assert "looks like a scam" in detail
        assert "flag-scam" in detail
        api = http.get("/api/jobs", params={"hide": "scam"}).json()
        assert [j["external_id"] for j in api["jobs"]] == ["ok"]
        assert api["problems"] == []
        assert "scam" in http.get(f"/api/jobs/{fee.id}").json()["flags"]
        feed = http.get("/feed.xml").text
        assert "<category>scam</category>" in feed
        assert SCAM_TITLE not in http.get("/feed.xml", params={"hide": "scam"}).text

    hiding = config_from_dict({"database": {"url": db_url}, "filters": {"exclude_flags": ["scam"]}}, env={})
    d = preview(engine, hiding, "me@example.com", now=T0 + timedelta(hours=1))
    assert [j.external_id for j in d.jobs] == ["ok"]
    assert d.filtered.get("flagged scam") == 1

    receiver = Receiver()
    try:
        hooks = [{"url": receiver.url, "kind": "json", "min_quality": 0}]
        cfg = config_from_dict(
            {"database": {"url": db_url}, "filters": {"exclude_flags": ["scam"]}, "webhooks": hooks}, env={}
        )
        pushed = push_new(engine, cfg, now=T0 + timedelta(hours=1))
        assert pushed.sent == 1
        assert [b["job"]["external_id"] for b in receiver.bodies] == ["ok"]
        cfg_all = config_from_dict({"database": {"url": db_url}, "webhooks": hooks}, env={})
        push_new(engine, cfg_all, now=T0 + timedelta(hours=1))
        scam_body = next(b for b in receiver.bodies if b["job"]["external_id"] == "fee")
        assert scam_body["job"]["flags"][0] == "scam"
    finally:
        receiver.close()
