"""The workflow store on both backends: marks, applications and results, verdict labels, visits,
the ledger, and hidden jobs left out of every listing (page, feed, digest, webhooks read list_jobs)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from jobsift.store import workflow
from jobsift.store.queries import JobFilter, get_job, list_jobs
from jobsift.store.schema import applications, labels
from tests.publish.data import NOW, seed


def test_save_hide_and_hidden_jobs_leave_every_listing(engine: Engine) -> None:
    ids = seed(engine)
    with engine.begin() as conn:
        assert workflow.mark(conn, ids["a1"], "save", NOW) == "saved"
        assert workflow.mark(conn, ids["b1"], "hide", NOW) == "hidden"
    with engine.connect() as conn:
        listed = {j.external_id for j in list_jobs(conn, JobFilter(limit=None))}
        assert "b1" not in listed
        assert len(listed) == 7
        assert {j.external_id for j in list_jobs(conn, JobFilter(limit=None, saved_only=True))} == {"a1"}
        assert "b1" in {j.external_id for j in list_jobs(conn, JobFilter(limit=None, include_hidden=True))}
        assert get_job(conn, ids["b1"]) is not None  # the detail page can still show (and unhide) it
        st = workflow.states(conn, [ids["a1"], ids["b1"]])
    assert st[ids["a1"]].saved
    assert not st[ids["a1"]].hidden
    assert st[ids["b1"]].hidden
    with engine.begin() as conn:
        workflow.mark(conn, ids["b1"], "unhide", NOW)
        assert "b1" in {j.external_id for j in list_jobs(conn, JobFilter(limit=None))}


def test_applied_then_results_keep_the_furthest_step_and_hired_is_a_label(engine: Engine) -> None:
    ids = seed(engine)
    a1 = ids["a1"]
    with engine.begin() as conn:
        assert workflow.mark(conn, a1, "applied", NOW, connects=16, boosted=True) == "applied, 16 connects, boosted"
        workflow.mark(conn, a1, "replied", NOW + timedelta(days=1))
        workflow.mark(conn, a1, "viewed", NOW + timedelta(days=2))  # late news of a lesser step
        workflow.mark(conn, a1, "hired", NOW + timedelta(days=3))
    with engine.connect() as conn:
        row = conn.execute(select(applications).where(applications.c.posting_id == a1)).one()
        got = conn.execute(select(labels.c.label).where(labels.c.posting_id == a1)).scalars().all()
    assert row.result == "hired"
    assert row.connects == 16
    assert row.boosted
    assert row.quality == 88.0  # the rating when applied, for the ledger
    assert row.flags == []
    assert row.viewed_at is not None
    assert row.replied_at is not None
    assert got == ["hired"]


def test_verdicts_are_labels_and_an_unknown_job_is_refused(engine: Engine) -> None:
    ids = seed(engine)
    with engine.begin() as conn:
        workflow.mark(conn, ids["b3"], "ghost", NOW)
        workflow.mark(conn, ids["g2"], "scam", NOW, note="asked for a deposit")
        with pytest.raises(workflow.UnknownJob, match="no job with id 99999"):
            workflow.mark(conn, 99999, "save", NOW)
    with engine.connect() as conn:
        rows = conn.execute(select(labels.c.posting_id, labels.c.label, labels.c.origin, labels.c.note)).all()
    assert sorted((r.label, r.origin, r.note) for r in rows) == [
        ("ghost", "user", None),
        ("scam", "user", "asked for a deposit"),
    ]


def test_visits_are_sessions_and_new_means_first_seen_after_the_last_one(engine: Engine) -> None:
    ids = seed(engine)
    with engine.begin() as conn:
        assert workflow.visit(conn, "web", NOW) is None  # first visit ever: nothing is "new"
        assert workflow.visit(conn, "web", NOW + timedelta(minutes=10)) is None  # same visit
        later = NOW + timedelta(hours=5)
        since = workflow.visit(conn, "web", later)
        assert since == NOW + timedelta(minutes=10)
        assert workflow.visit(conn, "web", later + timedelta(minutes=5)) == since  # a reload keeps it
        assert workflow.visit(conn, "cli", later) is None  # the terminal has its own
        fresh = list_jobs(conn, JobFilter(limit=None, new_since=NOW - timedelta(hours=2, minutes=30)))
    assert {j.external_id for j in fresh} == {"a1", "a2"}
    assert ids


def test_ledger_per_month_band_and_flag(engine: Engine) -> None:
    ids = seed(engine)
    with engine.begin() as conn:
        for ext, connects, result in (
            ("a1", 16, "replied"),
            ("g3", 24, "hired"),
            ("b1", 12, "no_reply"),
            ("a2", 6, None),
            ("b3", 8, "no_reply"),
            ("b2", 10, "viewed"),
        ):
            workflow.mark(conn, ids[ext], "applied", NOW, connects=connects, boosted=ext == "g3")
            if result:
                workflow.mark(conn, ids[ext], result, NOW)
        led = workflow.ledger(conn)
    assert led.total.applications == 6
    assert led.total.connects == 76
    assert (led.total.replies, led.total.interviews, led.total.hires) == (2, 1, 1)
    bands = {b.key: b for b in led.bands}
    assert (bands["70+"].applications, bands["70+"].connects, bands["70+"].replies) == (3, 52, 2)
    assert bands["70+"].summary() == "one reply per 26 connects"
    assert bands["under 40"].summary() == "no reply in 24 connects"
    flags = {f.key: f for f in led.flags}
    assert flags["ghost"].applications == 2
    assert flags["no flags"].applications == 3
    assert led.months[0].key == NOW.strftime("%Y-%m")
    assert "rated 70+: one reply per 26 connects" in led.headline()


def test_hidden_jobs_are_not_pushed_to_webhooks_nor_put_in_the_digest(engine: Engine) -> None:
    from jobsift.config import WebhookConfig, load_config
    from jobsift.publish.digest import select_jobs
    from jobsift.publish.webhooks import push_sink
    from tests.publish.receiver import Receiver

    ids = seed(engine)
    with engine.begin() as conn:
        workflow.mark(conn, ids["a1"], "hide", NOW)
    receiver = Receiver()
    try:
        report = push_sink(
            engine, WebhookConfig(url=receiver.url, kind="json", min_quality=70), now=NOW, sleep=lambda _s: None
        )
    finally:
        receiver.close()
    assert report.sent == 2
    assert sorted(b["job"]["external_id"] for b in receiver.bodies) == ["b1", "g3"]
    cfg = load_config(None, env={})
    cfg = replace(cfg, digest=replace(cfg.digest, min_quality=0))
    with engine.connect() as conn:
        picked, _left_out = select_jobs(conn, cfg, "me@example.com", NOW + timedelta(minutes=1))
    chosen = {j.external_id for j in picked}
    assert "a2" in chosen  # recent enough and not hidden
    assert "a1" not in chosen


def test_blocked_clients_are_left_out_of_listings_and_webhooks(engine: Engine) -> None:
    from jobsift.config import WebhookConfig
    from jobsift.publish.webhooks import push_sink
    from tests.publish.receiver import Receiver

    seed(engine)
    with engine.connect() as conn:
        shown = {j.external_id for j in list_jobs(conn, JobFilter(limit=None, blocked_clients=["ACME gmbh "]))}
    assert "a1" not in shown
    assert len(shown) == 7
    receiver = Receiver()
    try:
        report = push_sink(
            engine,
            WebhookConfig(url=receiver.url, kind="json", min_quality=70),
            now=NOW,
            sleep=lambda _s: None,
            blocked_clients=("Acme GmbH",),
        )
    finally:
        receiver.close()
    assert report.sent == 2
