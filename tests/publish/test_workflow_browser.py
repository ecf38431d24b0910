"""Each workflow action in real headless Chromium, with JavaScript (no reload) and without (plain forms)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from jobsift.config import load_config
from jobsift.publish.server import ThreadedServer
from jobsift.publish.web import create_app
from jobsift.store import workflow
from jobsift.store.db import open_store
from tests.publish.browser import CHROMIUM, chromium
from tests.publish.data import seed

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Chromium")]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Engine, dict[str, int]]]:
    engine = open_store(f"sqlite:///{tmp_path / 'j.db'}")
    ids = seed(engine)
    try:
        with ThreadedServer(create_app(engine, load_config(None, env={}))) as url:
            yield url, engine, ids
    finally:
        engine.dispose()


def state(engine: Engine, pid: int) -> workflow.JobState:
    with engine.connect() as conn:
        return workflow.states(conn, [pid])[pid]


def click(page: Any, selector: str, js: bool) -> None:
    """Click a workflow button; with JS the page must not reload (a marker on window survives)."""
    if js:
        page.evaluate("window.__stay = 1")
        page.click(selector)
    else:
        with page.expect_navigation():
            page.click(selector)


def settled(page: Any, selector: str, js: bool) -> None:
    page.wait_for_selector(selector, timeout=10_000)
    if js:
        assert page.evaluate("window.__stay") == 1  # updated in place, no reload


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_save_from_a_card(browser: Any, site: tuple[str, Engine, dict[str, int]], js: bool) -> None:
    url, engine, ids = site
    page = browser.new_page(java_script_enabled=js)
    try:
        page.goto(url + "/")
        card = f"#wf-{ids['a1']}"
        click(page, f"{card} button[value=save]", js)
        settled(page, f"{card} .chip.saved", js)
        assert page.locator(f"{card} button[value=unsave]").count() == 1
        assert state(engine, ids["a1"]).saved
    finally:
        page.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_hide_from_a_card_removes_it(browser: Any, site: tuple[str, Engine, dict[str, int]], js: bool) -> None:
    url, engine, ids = site
    page = browser.new_page(java_script_enabled=js)
    try:
        page.goto(url + "/")
        assert page.locator("li.job").count() == 8
        click(page, f"#wf-{ids['b2']} button[value=hide]", js)
        # The card goes (with JavaScript by the script, without by the redirect); the page's CSP forbids
        # eval, so wait on the DOM, not on a JavaScript predicate.
        page.locator(f"#wf-{ids['b2']}").wait_for(state="detached", timeout=10_000)
        assert page.locator("li.job").count() == 7
        assert "WordPress fixes" not in page.locator("ol.jobs").inner_text()
        assert state(engine, ids["b2"]).hidden
        page.reload()
        assert page.locator("li.job").count() == 7  # stays hidden
    finally:
        page.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_applied_with_connects_then_results_on_the_detail_page(
    browser: Any, site: tuple[str, Engine, dict[str, int]], js: bool
) -> None:
    url, engine, ids = site
    pid = ids["g3"]
    page = browser.new_page(java_script_enabled=js)
    try:
        page.goto(f"{url}/jobs/{pid}")
        box = f"#wf-{pid}"
        page.fill(f"{box} input[name=connects]", "16")
        page.check(f"{box} input[name=boosted]")
        click(page, f"{box} form.apply button[type=submit]", js)
        settled(page, f"{box} .chip.applied", js)
        assert "16 connects · boosted" in page.locator(f"{box} .chip.applied").inner_text()
        for result in ("viewed", "replied", "interviewed", "hired"):
            click(page, f"{box} button[value={result}]", js)
            settled(page, f"{box} button[value={result}][aria-pressed=true]", js)
        st = state(engine, pid)
        assert (st.connects, st.boosted, st.result) == (16, True, "hired")
    finally:
        page.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_no_reply_and_a_verdict(browser: Any, site: tuple[str, Engine, dict[str, int]], js: bool) -> None:
    url, engine, ids = site
    pid = ids["b3"]
    page = browser.new_page(java_script_enabled=js)
    try:
        page.goto(f"{url}/jobs/{pid}")
        box = f"#wf-{pid}"
        click(page, f"{box} form.apply button[type=submit]", js)
        settled(page, f"{box} button[value=no_reply]", js)
        click(page, f"{box} button[value=no_reply]", js)
        settled(page, f"{box} .chip.result", js)
        assert page.locator(f"{box} .chip.result").inner_text() == "no reply"
        click(page, f"{box} button[value=ghost]", js)
        settled(page, f"{box} .chip.label", js)
        assert page.locator(f"{box} .chip.label").inner_text() == "you said: ghost"
        st = state(engine, pid)
        assert st.result == "no_reply"
        assert st.labels == ["ghost"]
    finally:
        page.close()


def test_a_stale_form_is_refused_in_the_page(browser: Any, site: tuple[str, Engine, dict[str, int]]) -> None:
    url, engine, ids = site
    page = browser.new_page()
    try:
        page.goto(url + "/")
        page.context.clear_cookies()  # the session the form's token belongs to is gone
        page.click(f"#wf-{ids['a1']} button[value=save]")
        page.wait_for_selector(f"#wf-{ids['a1']} .problems", timeout=10_000)
        assert "reload the page" in page.locator(f"#wf-{ids['a1']} .problems").inner_text()
        assert not state(engine, ids["a1"]).saved
    finally:
        page.close()
