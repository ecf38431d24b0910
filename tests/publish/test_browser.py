"""The web page in real headless Chromium: load, filter through the form, open a job, screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.publish.browser import CHROMIUM, chromium, is_png

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no Chromium")]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_load_filter_open_and_screenshot_on_a_laptop(browser: Any, live: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        page.goto(live + "/")
        assert page.locator("li.job").count() == 8
        # Apply filters the way a person does: tick "hide likely ghost", type a minimum, submit.
        page.check("input[name=hide][value=ghost]")
        page.fill("#min_quality", "50")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "hide=ghost" in page.url
        assert "min_quality=50" in page.url
        titles = page.locator("li.job h2").all_inner_texts()
        assert "Logo design for a bakery" not in titles
        assert len(titles) == 5
        assert page.locator("input[name=hide][value=ghost]").is_checked()  # the form keeps its state
        shot = page.screenshot(path=str(tmp_path / "list.png"), full_page=True)
        assert is_png(shot)
        page.click("text=Senior Python developer for a data pipeline")
        page.wait_for_load_state()
        assert "/jobs/" in page.url
        assert page.locator("h1").inner_text() == "Senior Python developer for a data pipeline"
        assert page.locator("a.out").get_attribute("href") == "https://alpha.test/jobs/a1"
        assert is_png(page.screenshot(path=str(tmp_path / "job.png"), full_page=True))
    finally:
        page.close()


def test_phone_viewport_has_no_horizontal_scroll(browser: Any, live: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    try:
        page.goto(live + "/?f=1&order=quality&hide=ghost")
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1]
        # On a phone the filters stack above the list instead of beside it, folded: the jobs come
        # first, and the folded form says how many filters are in use.
        form = page.locator("form.filters").bounding_box()
        first = page.locator("li.job").first.bounding_box()
        assert form is not None
        assert first is not None
        assert first["y"] > form["y"] + form["height"] - 1
        assert first["y"] < 300
        assert not page.locator("#q").is_visible()
        assert page.locator("label.fold").inner_text().startswith("Filters (1 in use)")  # hide=ghost
        assert page.locator("li.job h2").first.inner_text() == "Senior Python developer for a data pipeline"
        assert is_png(page.screenshot(path=str(tmp_path / "phone.png"), full_page=True))
        page.click("label.fold")  # one tap opens it
        assert page.locator("#q").is_visible()
        opened = page.locator("form.filters").bounding_box()
        assert opened is not None
        assert opened["height"] > form["height"] + 200
    finally:
        page.close()


def test_r18_no_script_runs_from_a_hostile_description(browser: Any, live: str, seeded: Any) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(live + f"/jobs/{seeded[1]['g1']}")
        page.goto(live + "/")
        assert dialogs == []
        assert page.locator("iframe").count() == 0
    finally:
        page.close()
