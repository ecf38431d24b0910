"""The workflow over HTTP: POST only with a CSRF token, serve.token off loopback (login form cookie
or bearer), cookies HttpOnly + SameSite, JSON for scripts, 303 for plain forms, GET changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from jobsift.config import load_config
from jobsift.publish.server import ThreadedServer
from jobsift.publish.web import create_app
from jobsift.store import workflow
from jobsift.store.db import open_store
from tests.publish.data import seed

TOKEN = "correct horse battery staple"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Engine, dict[str, int]]]:
    engine = open_store(f"sqlite:///{tmp_path / 'j.db'}")
    try:
        yield engine, seed(engine)
    finally:
        engine.dispose()


#: A page renders in milliseconds; httpx's default 5 s is too short only on a machine busy with other suites.
WEB_TIMEOUT = 60.0


def serve(engine: Engine, host: str = "127.0.0.1", token: str = "") -> ThreadedServer:
    cfg = load_config(None, env={})
    cfg = replace(cfg, serve=replace(cfg.serve, host=host, token=token))
    return ThreadedServer(create_app(engine, cfg))  # listens on 127.0.0.1 whatever serve.host says


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def state(engine: Engine, pid: int) -> workflow.JobState:
    with engine.connect() as conn:
        return workflow.states(conn, [pid])[pid]


def test_plain_form_post_with_csrf_saves_and_redirects(store: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = store
    with serve(engine) as url, httpx.Client(base_url=url, timeout=WEB_TIMEOUT) as web:
        page = web.get("/")
        cookie = page.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        r = web.post(f"/jobs/{ids['a1']}/mark", data={"action": "save", "csrf": csrf_of(page.text), "next": "/?f=1"})
        assert r.status_code == 303
        assert r.headers["location"] == "/?f=1"
        assert state(engine, ids["a1"]).saved
        # applied with connects and boost, then a result, as the forms send them
        r = web.post(
            f"/jobs/{ids['a1']}/mark",
            data={"action": "applied", "connects": "16", "boosted": "1", "csrf": csrf_of(page.text)},
        )
        assert r.headers["location"] == f"/jobs/{ids['a1']}"
        web.post(f"/jobs/{ids['a1']}/mark", data={"action": "interviewed", "csrf": csrf_of(page.text)})
        st = state(engine, ids["a1"])
        assert (st.connects, st.boosted, st.result) == (16, True, "interviewed")
        detail = web.get(f"/jobs/{ids['a1']}").text
        assert "16 connects" in detail
        assert "boosted" in detail


def test_without_csrf_or_with_another_sessions_token_nothing_changes(store: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = store
    with serve(engine) as url:
        with httpx.Client(base_url=url, timeout=WEB_TIMEOUT) as one:
            token = csrf_of(one.get("/").text)
        with httpx.Client(base_url=url, timeout=WEB_TIMEOUT) as other:
            other.get("/")
            missing = other.post(f"/jobs/{ids['a1']}/mark", data={"action": "hide"})
            assert missing.status_code == 403
            assert "security token" in missing.text
            stolen = other.post(f"/jobs/{ids['a1']}/mark", data={"action": "hide", "csrf": token})
            assert stolen.status_code == 403
            assert other.get(f"/jobs/{ids['a1']}/mark?action=hide").status_code == 405  # GET never writes
    assert not state(engine, ids["a1"]).hidden


def test_json_answer_for_the_script_and_bad_input_is_422(store: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = store
    with (
        serve(engine) as url,
        httpx.Client(base_url=url, timeout=WEB_TIMEOUT, headers={"Accept": "application/json"}) as web,
    ):
        token = csrf_of(web.get("/").text)
        r = web.post(f"/jobs/{ids['g3']}/mark", data={"action": "hide", "csrf": token})
        assert r.status_code == 200
        body = r.json()
        assert body["ok"] is True
        assert body["state"]["hidden"] is True
        assert 'value="unhide"' in body["html"]
        assert web.post(f"/jobs/{ids['g3']}/mark", data={"action": "delete", "csrf": token}).status_code == 422
        bad = web.post(f"/jobs/{ids['g3']}/mark", data={"action": "applied", "connects": "lots", "csrf": token})
        assert bad.status_code == 422
        assert "connects" in bad.json()["message"]
        assert web.post("/jobs/99999/mark", data={"action": "save", "csrf": token}).status_code == 404
        listed = web.get("/").text
    assert "Django API with 50% off" not in listed  # hidden: gone from the page
    with serve(engine) as url:
        assert "Django API" not in httpx.get(url + "/feed.xml", timeout=WEB_TIMEOUT).text
        assert all(j["external_id"] != "g3" for j in httpx.get(url + "/api/jobs", timeout=WEB_TIMEOUT).json()["jobs"])


def test_off_loopback_without_serve_token_the_page_is_read_only(store: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = store
    with serve(engine, host="0.0.0.0") as url, httpx.Client(base_url=url, timeout=WEB_TIMEOUT) as web:
        page = web.get("/").text
        assert 'name="csrf"' not in page  # no write buttons shown
        r = web.post(f"/jobs/{ids['a1']}/mark", data={"action": "save"})
        assert r.status_code == 403
        assert "serve.token is not set" in r.text
    assert not state(engine, ids["a1"]).saved


def test_off_loopback_writes_need_the_token_by_login_cookie_or_bearer(store: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = store
    with serve(engine, host="192.0.2.10", token=TOKEN) as url:
        with httpx.Client(base_url=url, timeout=WEB_TIMEOUT) as web:
            page = web.get("/").text
            assert 'name="csrf"' not in page
            refused = web.post(f"/jobs/{ids['a1']}/mark", data={"action": "save", "csrf": "x"})
            assert refused.status_code == 403
            assert "log in at /login" in refused.text
            form = web.get("/login").text
            wrong = web.post("/login", data={"token": "guess", "csrf": csrf_of(form)})
            assert "wrong+token" in wrong.headers["location"]
            ok = web.post("/login", data={"token": TOKEN, "csrf": csrf_of(form)})
            assert ok.status_code == 303
            auth_cookie = ok.headers["set-cookie"]
            assert "jobsift_auth=" in auth_cookie
            assert "HttpOnly" in auth_cookie
            assert "SameSite=strict" in auth_cookie
            assert TOKEN not in auth_cookie
            page = web.get("/").text
            saved = web.post(f"/jobs/{ids['a1']}/mark", data={"action": "save", "csrf": csrf_of(page)})
            assert saved.status_code == 303
            no_csrf = web.post(f"/jobs/{ids['b1']}/mark", data={"action": "save"})
            assert no_csrf.status_code == 403  # logged in by cookie: CSRF still needed
        bearer = httpx.post(
            f"{url}/jobs/{ids['b1']}/mark",
            data={"action": "save"},
            headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
            timeout=WEB_TIMEOUT,
        )
        assert bearer.status_code == 200
        bad = httpx.post(
            f"{url}/jobs/{ids['g1']}/mark",
            data={"action": "save"},
            headers={"Authorization": "Bearer nope"},
            timeout=WEB_TIMEOUT,
        )
        assert bad.status_code == 403
    assert state(engine, ids["a1"]).saved
    assert state(engine, ids["b1"]).saved
    assert not state(engine, ids["g1"]).saved


def test_new_since_last_visit_on_the_page(store: tuple[Engine, dict[str, int]]) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from jobsift.store.schema import visits
    from tests.publish.data import NOW

    engine, _ = store
    with serve(engine) as url:
        first = httpx.get(url + "/", timeout=WEB_TIMEOUT).text
        assert "new since your last visit" not in first
        with engine.begin() as conn:  # the last visit was 2.5 hours before the seed's "now"
            conn.execute(update(visits).values(seen_at=NOW - timedelta(hours=2, minutes=30), since=None))
        page = httpx.get(url + "/", timeout=WEB_TIMEOUT).text
        assert "2 new since your last visit" in page
        only = httpx.get(url + "/?new=1", timeout=WEB_TIMEOUT).text
        assert only.count('<li class="job">') == 2
