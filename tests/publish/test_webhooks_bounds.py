"""``jobsift push`` against a sink that hangs (R33) and with secret webhook URLs (R38)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, select

from jobsift.cli import main
from jobsift.config import WebhookConfig
from jobsift.publish.webhooks import push_sink, redact, sink_id
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


def rows(engine: Engine) -> list[tuple[str, str, int]]:
    with engine.connect() as conn:
        return [
            (r.sink, r.status, r.attempts)
            for r in conn.execute(select(webhook_deliveries).order_by(webhook_deliveries.c.posting_id))
        ]


def test_r33_a_hanging_sink_is_given_up_after_one_timeout_and_the_rest_deferred(
    engine: Engine, receiver: Receiver
) -> None:
    seed(engine)
    hook = WebhookConfig(url=receiver.url, kind="json", min_quality=0)
    receiver.hang()
    with httpx.Client(timeout=httpx.Timeout(0.5)) as client:
        r1 = push_sink(engine, hook, now=NOW, sleep=no_sleep, client=client)
    assert receiver.hung == 1  # one POST, not 3 tries x every job
    jobs = r1.failed + r1.deferred
    assert jobs >= 5
    assert (r1.sent, r1.failed) == (0, 1)
    assert r1.errors[-1].endswith(f"{r1.deferred} jobs deferred to the next run")
    assert "gave up on this sink for this run" in r1.errors[-1]
    stored = rows(engine)
    assert sorted(s for _, s, _ in stored) == ["deferred"] * r1.deferred + ["failed"]
    assert {a for _, s, a in stored if s == "deferred"} == {0}
    # The sink answers again: the next run sends every job once, the deferred ones included.
    receiver.release_hung()
    r2 = push_sink(engine, hook, now=NOW, sleep=no_sleep)
    assert (r2.sent, r2.failed, r2.deferred) == (jobs, 0, 0)
    assert len({b["job"]["id"] for b in receiver.bodies}) == len(receiver.bodies) == jobs
    assert {s for _, s, _ in rows(engine)} == {"sent"}


def test_r33_deferred_jobs_are_sent_even_after_they_leave_the_new_window(
    sqlite_engine: Engine, receiver: Receiver
) -> None:
    from datetime import timedelta

    seed(sqlite_engine)
    hook = WebhookConfig(url=receiver.url, kind="json", min_quality=0)
    receiver.hang()
    with httpx.Client(timeout=httpx.Timeout(0.5)) as client:
        r1 = push_sink(sqlite_engine, hook, now=NOW, sleep=no_sleep, client=client)
    receiver.release_hung()
    later = NOW + timedelta(days=30)  # nothing is "new" any more
    r2 = push_sink(sqlite_engine, hook, now=later, since=later, sleep=no_sleep)
    assert r2.sent == r1.failed + r1.deferred


def test_r33_a_refused_connection_gives_up_the_sink_too(sqlite_engine: Engine) -> None:
    from tests.support.pgserver import free_port

    seed(sqlite_engine)
    hook = WebhookConfig(url=f"http://127.0.0.1:{free_port()}/hook", kind="json", min_quality=0)
    r = push_sink(sqlite_engine, hook, now=NOW, sleep=no_sleep)
    assert r.failed == 1
    assert r.deferred >= 4
    assert [a for _, s, a in rows(sqlite_engine) if s == "failed"] == [1]


def test_r33_a_sink_past_its_run_budget_defers_the_rest(sqlite_engine: Engine, receiver: Receiver) -> None:
    seed(sqlite_engine)
    hook = WebhookConfig(url=receiver.url, kind="json", min_quality=0)
    r = push_sink(sqlite_engine, hook, now=NOW, sleep=no_sleep, budget=0.0)
    assert r.sent == 1  # the first job is always tried
    assert r.deferred >= 4
    assert "used its 0 s for this run" in r.errors[-1]


SECRET_HOOKS = [
    ("slack", "/services/T0SECRET1/B0SECRET2/XoXoSeCrEtToKeN123"),
    ("discord", "/api/webhooks/123456789012345678/SeCrEt-DiScOrD_ToKeN-abcdef"),
    ("n8n", "/webhook/9c1f0a3e-secret-uuid-77aa"),
]


@pytest.mark.parametrize(("kind", "path"), SECRET_HOOKS)
def test_r38_webhook_urls_never_stored_or_printed(
    sqlite_engine: Engine, sqlite_url: str, tmp_path: Path, kind: str, path: str
) -> None:
    seed(sqlite_engine)
    failing = Receiver([404] * 50)
    try:
        url = failing.url.removesuffix("/hook") + path + "?token=QuErYsEcReT"
        cfg = tmp_path / "jobsift.toml"
        cfg.write_text(
            f'[database]\nurl = "{sqlite_url}"\n[[webhooks]]\nurl = "{url}"\nkind = "{kind}"\nmin_quality = 0\n',
            encoding="utf-8",
        )
        res = CliRunner().invoke(main, ["--config", str(cfg), "push", "--since", "3650d"])
    finally:
        failing.close()
    assert res.exit_code == 1
    assert "warning: " + sink_id(url) in res.output
    stored = rows(sqlite_engine)
    assert stored
    with sqlite_engine.connect() as conn:
        everything = repr(conn.execute(select(webhook_deliveries)).all())
    for secret in [*path.split("/")[2:], "QuErYsEcReT"]:
        assert secret not in res.output
        assert secret not in everything


def test_r38_rows_stored_under_the_raw_url_are_adopted_not_sent_twice(
    sqlite_engine: Engine, receiver: Receiver
) -> None:
    ids = seed(sqlite_engine)
    hook = WebhookConfig(url=receiver.url, kind="json", min_quality=85)
    with sqlite_engine.begin() as conn:  # what an older jobsift stored: the URL itself
        conn.execute(
            insert(webhook_deliveries).values(
                sink=receiver.url, posting_id=ids["a1"], status="sent", attempts=1, created_at=NOW, sent_at=NOW
            )
        )
    r = push_sink(sqlite_engine, hook, now=NOW, sleep=no_sleep)
    assert (r.sent, r.skipped) == (0, 1)
    assert receiver.bodies == []
    assert rows(sqlite_engine) == [(sink_id(receiver.url), "sent", 1)]


TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=8, max_size=60)


@given(
    host=st.sampled_from(["hooks.slack.com", "discord.com", "n8n.example.org:5678", "127.0.0.1:9"]),
    segments=st.lists(TOKEN, min_size=1, max_size=4),
    query=st.none() | TOKEN,
)
def test_r38_sink_id_and_redact_keep_no_part_of_path_or_query(
    host: str, segments: list[str], query: str | None
) -> None:
    url = f"https://{host}/" + "/".join(segments) + (f"?key={query}" if query else "")
    ident = sink_id(url)
    message = redact(f"ConnectError: POST {url} failed; path /{'/'.join(segments)}", url)
    for secret in [*segments, *([query] if query else [])]:
        assert secret not in ident.split("#")[0].removeprefix(f"https://{host}")
        assert secret not in message.replace(ident, "")
    assert ident.startswith(f"https://{host.split(':')[0]}")
    assert sink_id(url) == ident  # stable: the same sink keeps its rows
    assert sink_id(url + "x") != ident


def test_redacting_with_no_sink_url_leaves_the_text_as_it_is() -> None:
    # A Telegram sink on the real Bot API has an empty url: nothing to redact, and the text must
    # not be rewritten around every character (str.replace("", ...) would).
    assert redact("HTTP 429: retry later", "") == "HTTP 429: retry later"
