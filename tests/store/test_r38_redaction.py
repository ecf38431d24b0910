"""R38: database passwords never show; stored and logged failure reasons are one bounded line."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from jobsift.cli import main
from jobsift.crawler.run import crawl
from jobsift.redact import MASK, REASON_MAX, one_line, reason, redact
from jobsift.store.db import open_store
from jobsift.store.schema import fetches, sources
from tests.support.crawling import RSS_HEADERS, config, rss, source
from tests.support.httpserver import Reply, ScriptedServer

SECRET = "S3cr3t-pw-93"
# What may appear in a URL's password once percent-encoding is undone by a careless writer: anything
# but "/" and blanks (an "@" included).
BLANKS = "/ \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0"
PASSWORDS = st.text(
    st.characters(blacklist_characters=BLANKS, blacklist_categories=("Zs", "Zl", "Zp", "Cs")), min_size=1, max_size=30
)
USERS = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd")), max_size=12)
SCHEMES = st.sampled_from(["postgresql", "postgresql+psycopg", "mysql", "sqlite", "redis", "x-y.z"])


@settings(max_examples=300, deadline=None)
@given(SCHEMES, USERS, PASSWORDS, st.text(max_size=40), st.text(max_size=40))
def test_r38_redact_hides_every_url_password(scheme: str, user: str, pw: str, before: str, after: str) -> None:
    url = f"{scheme}://{user}:{pw}@db.example:5432/jobs"
    shown = redact(f"{before} {url} {after}")
    assert f"{scheme}://{user}:{MASK}@db.example:5432/jobs" in shown


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000), st.integers(20, 500))
def test_r38_reasons_are_one_bounded_line(raw: str, limit: int) -> None:
    line = one_line(raw, limit)
    assert len(line) <= limit
    assert "\n" not in line
    assert "\r" not in line
    assert line == " ".join(line.split())


def test_r38_password_parameters_are_redacted() -> None:
    assert SECRET not in (reason(f"connect failed: host=db password={SECRET} sslpassword={SECRET}") or "")


def test_r38_unsupported_scheme_does_not_print_the_password() -> None:
    result = CliRunner().invoke(main, ["--db", f"mysql://jobs:{SECRET}@db.example/jobs", "jobs"])
    assert result.exit_code != 0
    assert SECRET not in result.output
    assert "mysql://jobs:***@db.example/jobs" in result.output
    assert len([ln for ln in result.output.splitlines() if ln.strip()]) == 1


@pytest.mark.postgres
def test_r38_failed_postgresql_write_is_stored_and_logged_as_one_short_line(
    pg_url: str, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A write the database refuses (here a trigger) for a 300-item feed: the statement with its
    parameters (tens of KB) is neither stored nor logged; the reason is the driver's first line."""
    engine = open_store(pg_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                f"'refused by policy (see postgresql://ops:{SECRET}@db.example/audit)' "
                "USING DETAIL = repeat('x', 5000); "
                "END $$"
            )
        )
        conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON postings FOR EACH ROW EXECUTE FUNCTION refuse()"))
    server.route("/robots.txt", Reply(404))
    server.route("/feed", Reply(200, rss(300), RSS_HEADERS))
    with caplog.at_level(logging.DEBUG):
        report = crawl(engine, config([source("big", server.url + "/feed")], db_url=pg_url))
    assert report.outcomes[0].outcome == "failed"
    with engine.connect() as conn:
        stored = [
            conn.execute(select(sources.c.last_error)).scalar_one(),
            conn.execute(select(fetches.c.reason)).scalar_one(),
        ]
    engine.dispose()
    for why in [*stored, report.outcomes[0].reason]:
        assert why is not None
        assert "refused by policy" in why
        assert len(why) <= REASON_MAX
        assert "\n" not in why
        assert "INSERT INTO" not in why
        assert "parameters" not in why
        assert SECRET not in why
    for record in caplog.records:
        message = record.getMessage()
        assert SECRET not in message
        assert all(len(line) <= 2000 for line in message.splitlines()), message[:200]
