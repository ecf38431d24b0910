"""The digest against a real SMTP server on loopback: content, escaping, and exactly-once (R29)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from jobsift.config import Config, DigestConfig, SmtpConfig, load_config
from jobsift.publish.digest import preview, send_digests
from jobsift.publish.server import free_port
from jobsift.store.schema import digest_items, digests, sources
from tests.publish.data import NOW, seed
from tests.publish.smtp import SmtpServer

TO = "me@example.test"


def config(port: int, **digest: object) -> Config:
    base = load_config(None, env={})
    return replace(
        base,
        smtp=SmtpConfig(host="127.0.0.1", port=port, security="none", timeout=5),
        digest=replace(
            DigestConfig(),
            recipients=[TO],
            sender="jobsift <digest@example.test>",
            min_quality=30.0,
            subject="{count} jobs for {date}",
            **digest,
        ),  # type: ignore[arg-type]
    )


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_digest_arrives_with_both_parts_reasons_cap_and_health(sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    seed(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(sources).values(
                name="broken",
                format="rss",
                url="http://x.test/",
                enabled=True,
                last_outcome="blocked",
                last_error="robots.txt forbids /feed",
                consecutive_failures=3,
            )
        )
    with SmtpServer() as srv:
        run = send_digests(engine, config(srv.port, per_client_cap=1), now=NOW)
        assert [o.status for o in run.outcomes] == ["sent"]
        assert len(srv.inbox.messages) == 1
        got = srv.inbox.messages[0]
    assert got.rcpt_tos == [TO]
    msg = got.message
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == f"{run.outcomes[0].count} jobs for {NOW.date().isoformat()}"
    assert msg["From"] == "jobsift <digest@example.test>"
    text, html = parts(msg)
    # best first, scored above the threshold, with reasons
    assert text.index("Senior Python developer") < text.index("React frontend")
    assert "Logo design" not in text  # quality 12 < 30
    assert "quality below 30" in text
    assert "Left out" in html
    assert "WordPress fixes" in html
    assert "fixed $25 is the 4th percentile" in html
    # source health
    assert "broken" in text
    assert "robots.txt forbids /feed" in html
    # R18 in the email: the hostile description is text, never markup
    assert "<script" not in html
    assert "<iframe" not in html
    assert "&lt;script&gt;" in html


def test_r19_title_with_crlf_cannot_inject_headers(sqlite_engine: Engine) -> None:
    seed(sqlite_engine)
    with SmtpServer() as srv:
        send_digests(sqlite_engine, config(srv.port), now=NOW)
        got = srv.inbox.messages[0]
    assert got.rcpt_tos == [TO]  # no extra envelope recipient
    assert got.message["Bcc"] is None
    assert all("victim@evil.test" not in str(v) for k, v in got.message.items())
    text, _ = parts(got.message)
    assert "Dev Bcc: victim@evil.test" in text  # shown, flattened to one line, in the body only


def later_the_same_day(**delta: float) -> datetime:
    """``NOW + delta``, but never past NOW's day (the digest's period, UTC by default): NOW is the
    wall clock, and a run after 22:00 would otherwise cross midnight into the next period."""
    return min(NOW + timedelta(**delta), NOW.replace(hour=23, minute=59, second=59))


def test_r29_twice_in_one_period_sends_once(sqlite_engine: Engine) -> None:
    seed(sqlite_engine)
    with SmtpServer() as srv:
        first = send_digests(sqlite_engine, config(srv.port), now=NOW)
        second = send_digests(sqlite_engine, config(srv.port), now=later_the_same_day(hours=2))
        assert len(srv.inbox.messages) == 1
    assert [o.status for o in first.outcomes] == ["sent"]
    assert [o.status for o in second.outcomes] == ["skipped"]
    assert count(sqlite_engine, digests) == 1


def test_r29_smtp_down_then_up_retries_and_never_repeats_a_job(sqlite_engine: Engine) -> None:
    seed(sqlite_engine)
    port = free_port()
    down = send_digests(sqlite_engine, config(port), now=NOW)  # nothing listens on the port
    assert down.failed
    assert down.outcomes[0].status == "failed"
    with sqlite_engine.connect() as conn:
        row = conn.execute(select(digests)).one()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.error
    with SmtpServer(port) as srv:
        up = send_digests(sqlite_engine, config(port), now=later_the_same_day(minutes=30))
        assert [o.status for o in up.outcomes] == ["sent"]
        assert len(srv.inbox.messages) == 1
        reserved = count(sqlite_engine, digest_items)
        # Next day: a new job arrives; the new digest has it and none of yesterday's.
        tomorrow = NOW + timedelta(days=1)
        seed(
            sqlite_engine, [("delta", "d1", "Rust CLI tool", "Write a Rust CLI.", None, None, (), None, -23, 77.0, [])]
        )
        nxt = send_digests(sqlite_engine, config(port), now=tomorrow)
        assert [o.status for o in nxt.outcomes] == ["sent"]
        assert len(srv.inbox.messages) == 2
        text, _ = parts(srv.inbox.messages[1].message)
    assert "Rust CLI tool" in text
    for title in ("Senior Python developer", "React frontend"):
        assert title in parts(srv.inbox.messages[0].message)[0]
        assert title not in text
    assert count(sqlite_engine, digest_items) == reserved + 1
    with sqlite_engine.connect() as conn:
        dup = conn.execute(
            select(digest_items.c.posting_id, func.count()).group_by(digest_items.c.posting_id).having(func.count() > 1)
        ).all()
    assert dup == []


def test_r29_two_processes_racing_send_one_digest(db_url: str, tmp_path: Path) -> None:
    from jobsift.store.db import open_store

    engine = open_store(db_url)
    try:
        seed(engine)
    finally:
        engine.dispose()
    with SmtpServer() as srv:
        cfg = tmp_path / "jobsift.toml"
        cfg.write_text(
            f'[smtp]\nhost = "127.0.0.1"\nport = {srv.port}\n\n[digest]\nrecipients = ["{TO}"]\nmin_quality = 30\n',
            encoding="utf-8",
        )
        cmd = [
            sys.executable,
            "-c",
            "from jobsift.cli import main; main()",
            "--config",
            str(cfg),
            "--db",
            db_url,
            "digest",
            "--period",
            "2026-11-22",
        ]
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        outs = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        assert len(srv.inbox.messages) == 1


def test_dry_run_preview_records_nothing(sqlite_engine: Engine) -> None:
    seed(sqlite_engine)
    d = preview(sqlite_engine, config(1), TO, now=NOW)
    assert d.jobs
    assert "Senior Python developer" in d.html
    assert count(sqlite_engine, digests) == 0
    assert count(sqlite_engine, digest_items) == 0
