"""Webhook push against a loopback receiver: shapes, once per sink, retries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import Engine, select

from jobsift.config import WebhookConfig, load_config
from jobsift.publish.webhooks import push_new, push_sink
from jobsift.store.schema import webhook_deliveries
from tests.publish.data import NOW, seed
from tests.publish.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


def no_sleep(_s: float) -> None:
    return None


def test_json_push_sends_each_job_once(engine: Engine, receiver: Receiver) -> None:
    seed(engine)
    hook = WebhookConfig(url=receiver.url, kind="json", min_quality=70)
    first = push_sink(engine, hook, now=NOW, sleep=no_sleep)
    assert first.sent == 3  # a1 88, g3 80, b1 74
    assert sorted(b["job"]["external_id"] for b in receiver.bodies) == ["a1", "b1", "g3"]
    assert receiver.bodies[0]["event"] == "job"
    assert receiver.bodies[0]["job"]["reasons"]
    again = push_sink(engine, hook, now=NOW, sleep=no_sleep)
    assert (again.sent, again.skipped) == (0, 3)
    assert len(receiver.bodies) == 3


def test_slack_discord_and_n8n_shapes(sqlite_engine: Engine, receiver: Receiver) -> None:
    seed(sqlite_engine)
    cfg = replace(
        load_config(None, env={}),
        webhooks=[
            WebhookConfig(url=receiver.url + "?s", kind="slack", min_quality=85),
            WebhookConfig(url=receiver.url + "?d", kind="discord", min_quality=85),
            WebhookConfig(url=receiver.url + "?n", kind="n8n", min_quality=85),
        ],
    )
    report = push_new(sqlite_engine, cfg, now=NOW, sleep=no_sleep)
    assert report.sent == 3
    slack, discord, n8n = receiver.bodies
    assert set(slack) == {"text", "blocks"}
    assert slack["blocks"][0]["type"] == "section"
    link = "<https://alpha.test/jobs/a1|Senior Python developer for a data pipeline>"
    assert link in slack["blocks"][0]["text"]["text"]
    assert set(discord) == {"content", "embeds", "allowed_mentions"}
    assert discord["embeds"][0]["url"] == "https://alpha.test/jobs/a1"
    assert discord["allowed_mentions"] == {"parse": []}
    assert n8n["external_id"] == "a1"
    assert n8n["quality"] == 88.0


def test_retries_within_a_run_then_across_runs(sqlite_engine: Engine) -> None:
    seed(sqlite_engine)
    flaky = Receiver([503, 503, 503, 500])  # the first run's three tries fail, the next run's first too
    try:
        hook = WebhookConfig(url=flaky.url, kind="json", min_quality=85)
        r1 = push_sink(sqlite_engine, hook, now=NOW, sleep=no_sleep)
        assert (r1.sent, r1.failed) == (0, 1)
        with sqlite_engine.connect() as conn:
            row = conn.execute(select(webhook_deliveries)).one()
        assert (row.status, row.attempts) == ("failed", 3)
        assert row.error == "HTTP 503"
        r2 = push_sink(sqlite_engine, hook, now=NOW, sleep=no_sleep)
        assert (r2.sent, r2.failed) == (1, 0)
        assert len(flaky.bodies) == 1
        with sqlite_engine.connect() as conn:
            row = conn.execute(select(webhook_deliveries)).one()
        assert (row.status, row.attempts) == ("sent", 5)
    finally:
        flaky.close()
