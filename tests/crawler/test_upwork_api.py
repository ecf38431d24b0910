"""Upwork end to end against loopback stand-ins: OAuth2 (authorize, token, refresh, revoke, errors),
the GraphQL endpoint (query validated against the schema, bearer checked), and the crawl."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from jobsift.cli import main
from jobsift.crawler import upwork_auth
from jobsift.crawler.upwork_auth import AuthError, UpworkKey
from jobsift.errors import BlockedError
from jobsift.publish.server import free_port
from tests.support.oauth_server import OAuthServer
from tests.support.upwork_graphql_api import GraphQLApi

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-value"


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("UPWORK_CLIENT_SECRET", SECRET)
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    oauth = OAuthServer("my-client", SECRET, redirect)
    api = GraphQLApi(oauth.valid)
    try:
        yield {"oauth": oauth, "api": api, "redirect": redirect, "tokens": tmp_path / "tokens" / "upwork.json"}
    finally:
        api.close()
        oauth.close()


def options(stack: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "client_id": "my-client",
        "redirect_uri": stack["redirect"],
        "auth_url": stack["oauth"].url + "/authorize",
        "token_url": stack["oauth"].url + "/token",
        "revoke_url": stack["oauth"].url + "/revoke",
        "token_file": str(stack["tokens"]),
        **extra,
    }


def browser(url: str) -> None:
    """What the user's browser does: open the consent page, which redirects to the receiver."""

    def go() -> None:
        httpx.get(url, follow_redirects=True, timeout=10)

    threading.Thread(target=go, daemon=True).start()


def authorised(stack: dict[str, Any]) -> UpworkKey:
    key = UpworkKey.from_options("upwork", options(stack), env=os.environ)
    upwork_auth.authorize(key, open_url=browser, timeout=20)
    return key


def write_config(tmp_path: Path, stack: dict[str, Any], **extra: Any) -> Path:
    opts = options(stack, **extra)
    lines = "\n".join(f"{k} = {json.dumps(v)}" for k, v in opts.items())
    cfg = tmp_path / "jobsift.toml"
    cfg.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "j.db"}"\n\n[fetch]\nper_host_delay = 0\nretries = 1\n\n'
        f'[[sources]]\nname = "upwork"\nformat = "upwork-graphql"\nurl = "{stack["api"].url}"\n{lines}\n'
    )
    return cfg


def crawl(cfg: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["--config", str(cfg), "crawl", "--json"])
    assert result.exit_code in (0, 1), result.output
    # stdout only: a stand-in server thread may log a reset keep-alive connection to stderr meanwhile
    return {o["name"]: o for o in json.loads(result.stdout)["sources"]}["upwork"]


def jobs(cfg: Path) -> dict[str, dict[str, Any]]:
    out = CliRunner().invoke(main, ["--config", str(cfg), "jobs", "--format", "json", "--limit", "100"]).output
    return {j["title"]: j for j in json.loads(out)}


def test_authorization_code_flow_stores_tokens_readable_only_by_the_user(stack: dict[str, Any]) -> None:
    key = authorised(stack)
    path = stack["tokens"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = json.loads(path.read_text())
    assert stack["oauth"].valid(token["access_token"])
    assert token["refresh_token"]
    assert token["expires_at"] > time.time() + 3600
    token_calls = [form for p, form in stack["oauth"].log if p == "/token"]
    assert token_calls[0]["grant_type"] == "authorization_code"
    assert token_calls[0]["redirect_uri"] == stack["redirect"]
    assert upwork_auth.access_token(key) == token["access_token"]  # fresh: no refresh
    assert len([p for p, _ in stack["oauth"].log if p == "/token"]) == 1


def test_denied_consent_wrong_secret_and_a_stale_state_are_refused(
    stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    stack["oauth"].deny = True
    key = UpworkKey.from_options("upwork", options(stack), env=os.environ)
    with pytest.raises(AuthError, match="access_denied"):
        upwork_auth.authorize(key, open_url=browser, timeout=20)
    stack["oauth"].deny = False
    bad = UpworkKey.from_options("upwork", options(stack), env={"UPWORK_CLIENT_SECRET": "wrong"})
    with pytest.raises(AuthError, match="invalid_client"):
        upwork_auth.authorize(bad, open_url=browser, timeout=20)

    def forged(url: str) -> None:  # a redirect that is not the answer to this request
        threading.Thread(
            target=lambda: httpx.get(f"{stack['redirect']}?code=x&state=forged", timeout=10), daemon=True
        ).start()

    with pytest.raises(AuthError, match="state"):
        upwork_auth.authorize(key, open_url=forged, timeout=20)
    assert not stack["tokens"].exists()


def test_crawl_sends_the_built_in_query_pages_and_maps_client_fields(tmp_path: Path, stack: dict[str, Any]) -> None:
    authorised(stack)
    cfg = write_config(tmp_path, stack, keywords=["python", "django"], page_size=2, max_pages=5)
    outcome = crawl(cfg)
    assert outcome["outcome"] == "ok", outcome
    assert outcome["items"] == 4  # the logo job matches neither word
    bodies = stack["api"].bodies
    assert all("errors" not in b for b in bodies)
    filters = [b["variables"]["marketPlaceJobFilter"] for b in bodies]
    assert [f["pagination_eq"]["after"] for f in filters] == ["0", "2"]
    assert filters[0]["searchExpression_eq"] == "python OR django"
    assert bodies[0]["query"].lstrip().startswith("query jobsiftSearch")
    listed = jobs(cfg)
    clinic = listed["Django REST API for a clinic"]
    assert clinic["client"]["payment_verified"] is True
    assert clinic["client"]["jobs_posted"] == 15
    assert clinic["client"]["total_spent"] == 12000
    assert clinic["client"]["country"] == "Canada"
    assert clinic["budget"]["kind"] == "fixed"
    assert clinic["budget"]["max"] == 1200
    assert clinic["competition"]["proposals"] == 6
    assert listed["Python scraper for prices"]["client"]["payment_verified"] is False
    assert listed["Long-term Django developer"]["budget"]["kind"] == "hourly"


def test_options_become_filters_and_details_add_activity(tmp_path: Path, stack: dict[str, Any]) -> None:
    authorised(stack)
    cfg = write_config(
        tmp_path,
        stack,
        skills=["Django", "FastAPI"],
        job_type="hourly",
        min_budget=30,
        payment_verified=True,
        details=5,
    )
    outcome = crawl(cfg)
    assert outcome["outcome"] == "ok", outcome
    f = stack["api"].bodies[0]["variables"]["marketPlaceJobFilter"]
    assert f["jobType_eq"] == "HOURLY"
    assert f["hourlyRate_eq"] == {"rangeStart": 30}
    assert f["verifiedPaymentOnly_eq"] is True
    listed = jobs(cfg)
    assert set(listed) == {"Long-term Django developer"}  # FastAPI's top rate is $20/h
    assert stack["api"].bodies[1]["query"].lstrip().startswith("query jobsiftJobDetails")
    comp = listed["Long-term Django developer"]["competition"]
    assert comp["interviewing"] == 2
    assert comp["invites_sent"] == 3


def test_token_near_expiry_is_refreshed_before_the_request(tmp_path: Path, stack: dict[str, Any]) -> None:
    stack["oauth"].expires_in = 60  # under the five-minute margin from the start
    authorised(stack)
    before = json.loads(stack["tokens"].read_text())["access_token"]
    cfg = write_config(tmp_path, stack)
    assert crawl(cfg)["outcome"] == "ok"
    grants = [form["grant_type"] for p, form in stack["oauth"].log if p == "/token"]
    assert grants == ["authorization_code", "refresh_token"]
    after = json.loads(stack["tokens"].read_text())["access_token"]
    assert after != before
    assert stat.S_IMODE(stack["tokens"].stat().st_mode) == 0o600
    assert 401 not in stack["api"].statuses


def test_a_401_refreshes_once_and_a_revoked_grant_blocks_with_the_fix(tmp_path: Path, stack: dict[str, Any]) -> None:
    key = authorised(stack)
    cfg = write_config(tmp_path, stack)
    stack["oauth"].expire_access_tokens()  # the server forgot the access token early
    assert crawl(cfg)["outcome"] == "ok"
    assert stack["api"].statuses[:2] == [401, 200]
    assert upwork_auth.revoke(key) is True
    assert not stack["tokens"].exists()
    authorised(stack)
    refresh = json.loads(stack["tokens"].read_text())["refresh_token"]
    stack["oauth"].revoke(refresh)  # revoked at Upwork, e.g. from the account's settings
    outcome = crawl(cfg)
    assert outcome["outcome"] == "blocked"
    assert "run 'jobsift auth upwork'" in outcome["reason"]
    assert "\n" not in outcome["reason"]
    listed = CliRunner().invoke(main, ["--config", str(cfg), "sources", "list", "--json"]).output
    assert json.loads(listed)[0]["last_outcome"] == "blocked"
    with pytest.raises(BlockedError, match="jobsift auth upwork"):
        upwork_auth.access_token(key, force_refresh=True)


def test_no_token_file_blocks_and_a_readable_file_is_refused(tmp_path: Path, stack: dict[str, Any]) -> None:
    cfg = write_config(tmp_path, stack)
    outcome = crawl(cfg)
    assert outcome["outcome"] == "blocked"
    assert "not authorised yet" in outcome["reason"]
    key = authorised(stack)
    stack["tokens"].chmod(0o644)
    with pytest.raises(BlockedError, match="chmod 600"):
        upwork_auth.access_token(key)


def test_auth_upwork_command_end_to_end(tmp_path: Path, stack: dict[str, Any]) -> None:
    cfg = write_config(tmp_path, stack)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobsift", "--config", str(cfg), "auth", "upwork", "--no-browser", "--timeout", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    url = ""
    for line in proc.stdout:
        if line.startswith("http"):
            url = line.strip()
            break
    assert url.startswith(stack["oauth"].url + "/authorize?")
    assert SECRET not in url
    httpx.get(url, follow_redirects=True, timeout=10)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "authorised: tokens stored in" in out
    assert SECRET not in out + err
    token = json.loads(stack["tokens"].read_text())
    assert token["access_token"] not in out + err
    runner = CliRunner()
    status = runner.invoke(main, ["--config", str(cfg), "auth", "upwork", "--status"])
    assert "authorised: access token valid" in status.output
    revoked = runner.invoke(main, ["--config", str(cfg), "auth", "upwork", "--revoke"])
    assert revoked.exit_code == 0
    assert not stack["oauth"].refresh[token["refresh_token"]]


def test_missing_client_id_or_secret_is_one_line_exit_2(
    tmp_path: Path, stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = write_config(tmp_path, stack)
    monkeypatch.delenv("UPWORK_CLIENT_SECRET")
    result = CliRunner().invoke(main, ["--config", str(cfg), "auth", "upwork", "--status"])
    assert result.exit_code == 2
    assert "UPWORK_CLIENT_SECRET is not set" in result.output
