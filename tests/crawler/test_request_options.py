"""API sources: a token from the environment as a Bearer header, a POSTed JSON body; the token
is never stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from jobsift.crawler.run import crawl
from jobsift.store.schema import sources
from tests.support.crawling import config, source
from tests.support.httpserver import Reply, Request, ScriptedServer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "upwork-graphql" / "search.json"
TOKEN = "tok-3f9a1c-never-store-me"
QUERY = {"query": "query { marketplaceJobPostingsSearch { edges { node { id } } } }", "variables": {"first": 10}}


def graphql(req: Request) -> Reply:
    if req.headers.get("authorization") != f"Bearer {TOKEN}":
        return Reply(401, b'{"errors": [{"message": "unauthorized"}]}')
    if req.method != "POST" or json.loads(req.body) != QUERY:
        return Reply(400, b"bad request")
    return Reply(200, FIXTURE.read_bytes(), {"Content-Type": "application/json"})


def test_token_from_env_is_sent_and_never_stored(
    sqlite_engine: Engine, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("UPWORK_TOKEN_TEST", TOKEN)
    server.route("/robots.txt", Reply(404))
    server.route("/graphql", graphql)
    src = source(
        "upwork",
        f"{server.url}/graphql",
        "upwork-graphql",
        options={"token_env": "UPWORK_TOKEN_TEST", "post_json": QUERY},
    )
    report = crawl(sqlite_engine, config([src]))
    assert [o.outcome for o in report.outcomes] == ["ok"], report.outcomes
    assert report.new > 0
    db_file = Path(sqlite_engine.url.database or "")
    sqlite_engine.dispose()
    stored = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
    assert TOKEN.encode() not in stored


def test_missing_token_env_fails_that_source_with_a_clear_reason(
    sqlite_engine: Engine, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UPWORK_TOKEN_MISSING", raising=False)
    server.route("/robots.txt", Reply(404))
    server.route("/graphql", graphql)
    src = source("upwork", f"{server.url}/graphql", "upwork-graphql", options={"token_env": "UPWORK_TOKEN_MISSING"})
    report = crawl(sqlite_engine, config([src]))
    assert report.outcomes[0].outcome == "failed"
    assert "UPWORK_TOKEN_MISSING is not set" in (report.outcomes[0].reason or "")
    assert server.hits("/graphql") == 0
    with sqlite_engine.connect() as conn:
        assert "UPWORK_TOKEN_MISSING" in conn.execute(select(sources.c.last_error)).scalar_one()


def test_authorization_is_dropped_on_a_redirect_to_another_host(
    sqlite_engine: Engine, server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = ScriptedServer("127.0.0.3")
    try:
        other.route("/robots.txt", Reply(404))
        other.route("/feed", Reply(200, FIXTURE.read_bytes()))
        server.route("/robots.txt", Reply(404))
        server.route("/graphql", Reply(307, b"", {"Location": f"{other.url}/feed"}))
        monkeypatch.setenv("UPWORK_TOKEN_TEST", TOKEN)
        src = source("upwork", f"{server.url}/graphql", "upwork-graphql", options={"token_env": "UPWORK_TOKEN_TEST"})
        report = crawl(sqlite_engine, config([src]))
        assert report.outcomes[0].outcome == "ok"
        assert server.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"
        assert "authorization" not in other.requests[-1].headers
    finally:
        other.close()
