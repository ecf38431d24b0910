"""Telegram sink against a loopback Bot API: once per chat, escaping, 401/400/429, the token never shown."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from jobsift.cli import main
from jobsift.config import WebhookConfig, load_config
from jobsift.errors import ConfigError
from jobsift.publish.webhooks import push_new, push_sink
from jobsift.store.schema import webhook_deliveries
from tests.publish.data import NOW, seed
from tests.support.telegram_api import BotApi

TOKEN = "123456:AAE-secret-token-value"


@pytest.fixture
def bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[BotApi]:
    monkeypatch.setenv("JOBSIFT_TELEGRAM_TOKEN", TOKEN)
    api = BotApi(TOKEN, {"-1001", "@jobs"})
    try:
        yield api
    finally:
        api.close()


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, s: float) -> None:
        self.delays.append(s)


def hook(bot: BotApi, chat: str = "-1001", **kw: object) -> WebhookConfig:
    return WebhookConfig(url=bot.url, kind="telegram", chat_id=chat, min_quality=70, **kw)  # type: ignore[arg-type]


def test_each_job_is_sent_once_per_chat_and_the_token_is_not_recorded(engine: Engine, bot: BotApi) -> None:
    seed(engine)
    first = push_sink(engine, hook(bot), now=NOW, sleep=Sleeps())
    assert (first.sent, first.failed) == (3, 0)
    assert all(m["chat_id"] == "-1001" and m["parse_mode"] == "HTML" for m in bot.messages)
    texts = [m["text"] for m in bot.messages]
    assert any('<a href="https://alpha.test/jobs/a1">Senior Python developer' in t for t in texts)
    assert any("Django API with 50% off' OR 1=1" in t for t in texts)
    again = push_sink(engine, hook(bot), now=NOW, sleep=Sleeps())
    assert (again.sent, again.skipped) == (0, 3)
    other_chat = push_sink(engine, hook(bot, "@jobs"), now=NOW, sleep=Sleeps())
    assert other_chat.sent == 3
    with engine.connect() as conn:
        sinks = set(conn.execute(select(webhook_deliveries.c.sink)).scalars())
    assert sinks == {f"telegram:{bot.url}#-1001", f"telegram:{bot.url}#@jobs"}
    assert not any(TOKEN in s for s in sinks)


def test_titles_with_markup_are_escaped_so_telegram_accepts_them(engine: Engine, bot: BotApi) -> None:
    from tests.publish.data import JOBS

    hostile = [(*JOBS[0][:1], "x1", "<b>Free</b> & <script>alert(1)</script> job", *JOBS[0][3:])]
    seed(engine, hostile)
    report = push_sink(engine, hook(bot), now=NOW, sleep=Sleeps())
    assert report.sent == 1, report.errors
    assert "&lt;script&gt;" in bot.messages[0]["text"]


def test_wrong_token_and_unknown_chat_fail_without_retry_and_without_the_token(
    engine: Engine, bot: BotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(engine)
    sleeps = Sleeps()
    unknown = push_sink(engine, hook(bot, "-999"), now=NOW, sleep=sleeps)
    assert unknown.failed == 3
    assert "chat not found" in unknown.errors[0]
    monkeypatch.setenv("JOBSIFT_TELEGRAM_TOKEN", "999:wrong-token")
    wrong = push_sink(engine, hook(bot, "@jobs"), now=NOW, sleep=sleeps)
    assert wrong.failed == 3
    assert "Telegram 401: Unauthorized" in wrong.errors[0]
    assert sleeps.delays == []  # a 4xx other than 429 is not retried in the run
    with engine.connect() as conn:
        stored = " ".join(e or "" for e in conn.execute(select(webhook_deliveries.c.error)).scalars())
    assert "wrong-token" not in stored
    assert "wrong-token" not in " ".join(wrong.errors)


def test_429_waits_retry_after_then_sends_and_a_long_wait_is_left_to_the_next_run(engine: Engine, bot: BotApi) -> None:
    seed(engine)
    bot.too_many(2)
    sleeps = Sleeps()
    report = push_sink(engine, hook(bot), now=NOW, sleep=sleeps)
    assert report.sent == 3
    assert sleeps.delays == [2.0]
    bot.too_many(600)
    later = push_sink(engine, hook(bot, "@jobs"), now=NOW, sleep=sleeps)
    assert later.failed == 1
    assert later.sent == 2
    assert "next run" in later.errors[0]
    assert sleeps.delays == [2.0]
    retried = push_sink(engine, hook(bot, "@jobs"), now=NOW, sleep=sleeps)
    assert retried.sent == 1  # the deferred job goes out on the next run


def test_missing_token_is_a_config_error_naming_the_variable(
    sqlite_engine: Engine, bot: BotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(sqlite_engine)
    monkeypatch.delenv("JOBSIFT_TELEGRAM_TOKEN")
    cfg = replace(load_config(None, env={}), webhooks=[hook(bot)])
    with pytest.raises(ConfigError, match="JOBSIFT_TELEGRAM_TOKEN"):
        push_new(sqlite_engine, cfg, now=NOW)
    assert bot.paths == []


def test_push_cli_with_a_telegram_sink(tmp_path: Path, bot: BotApi) -> None:
    db = tmp_path / "j.db"
    from jobsift.store.db import open_store

    eng = open_store(f"sqlite:///{db}")
    seed(eng)
    eng.dispose()
    cfg = tmp_path / "jobsift.toml"
    cfg.write_text(
        f'[database]\nurl = "sqlite:///{db}"\n\n[[webhooks]]\nkind = "telegram"\n'
        f'url = "{bot.url}"\nchat_id = "-1001"\nmin_quality = 70\n'
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run(
        [sys.executable, "-m", "jobsift", "-vv", "--config", str(cfg), "push", "--since", "3d"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "pushed 3 jobs" in result.stdout
    assert "POST" in result.stderr  # httpx did log the request, with the token taken out
    assert TOKEN not in result.stdout + result.stderr
    assert len(bot.messages) == 3
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[database]\nurl = "sqlite:///{db}"\n\n[[webhooks]]\nkind = "telegram"\nurl = "{bot.url}"\n')
    refused = CliRunner().invoke(main, ["--config", str(bad), "push"])
    assert refused.exit_code == 2
    assert "chat_id: missing" in refused.output
