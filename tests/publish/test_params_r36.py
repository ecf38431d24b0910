"""R36: invalid or out-of-range parameters are a 4xx naming the parameter, a notice on the page, or one
CLI line with exit 2; never a 500 or a traceback. Property-based over the parameter space."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from starlette.datastructures import QueryParams

from jobsift.cli import main
from jobsift.config import load_config
from jobsift.publish.params import FilterParams
from jobsift.publish.server import ThreadedServer
from jobsift.publish.web import create_app
from tests.publish.data import seed

Seeded = tuple[Engine, dict[str, int], Path]
NUMERIC = ("min_quality", "min_budget", "page", "limit")
HTML = {"Accept": "text/html,application/xhtml+xml"}

ages = st.one_of(
    st.builds(lambda n, u: f"{n}{u}", st.integers(0, 10**30), st.sampled_from("mhdw")),
    st.builds(
        lambda y, m, d, off: f"{y:04d}-{m:02d}-{d:02d}T00:00:00{off}",
        st.integers(1, 9999),
        st.integers(1, 12),
        st.integers(1, 28),
        st.sampled_from(["", "Z", "+05:00", "-14:00", "+23:59"]),
    ),
    st.text(max_size=30),
)
numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True).map(str),
    st.sampled_from(["abc", "1e400", "-1e400", "0x10", " 5 ", "1_0", "", "NaN", "inf"]),
    st.text(max_size=20),
)
values = st.fixed_dictionaries(
    {},
    optional={
        "age": ages,
        "min_quality": numbers,
        "min_budget": numbers,
        "page": numbers,
        "limit": numbers,
        "order": st.one_of(st.sampled_from(["newest", "quality", "oldest", ""]), st.text(max_size=10)),
        "hide": st.sampled_from(["ghost", "lowball", "gohst", "bogus", ""]),
        "flag": st.sampled_from(["payment_unverified", "spooky", ""]),
    },
)


@given(values)
@settings(max_examples=300, deadline=None)
def test_r36_every_parameter_is_used_or_named_as_ignored(params: dict[str, str]) -> None:
    p = FilterParams.from_query(QueryParams({"f": "1", **params}))
    f = p.to_filter()  # never raises
    assert set(p.invalid) <= set(params)
    for name, why in p.invalid.items():
        assert why
        assert "\n" not in why
        assert any(line.startswith(f"{name}: ") for line in p.problems)
    if "age" in params and "age" not in p.invalid and params["age"]:
        assert f.since is not None
    if f.min_quality is not None:
        assert 0 <= f.min_quality <= 100
    assert f.limit is not None
    assert 1 <= f.limit <= 500
    assert 0 <= f.offset <= 100_000 * 500


@given(values)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_r36_every_listing_route_answers_4xx_naming_the_parameter_never_5xx(live: str, params: dict[str, str]) -> None:
    query = {"f": "1", **params}
    page = httpx.get(live + "/", params=query, timeout=10)
    assert page.status_code == 200
    api = httpx.get(live + "/api/jobs", params=query, timeout=10)
    assert api.status_code in (200, 422)
    named = {e["loc"][1] for e in api.json()["detail"]} if api.status_code == 422 else set()
    assert named <= set(params)
    for name in named:
        assert f"{name}: " in page.text  # the page shows what it ignored
    for feed in ("/feed.xml", "/feed.atom"):
        r = httpx.get(live + feed, params=query, timeout=10)
        assert r.status_code == api.status_code
        if r.status_code == 422:
            assert {e["loc"][1] for e in r.json()["detail"]} == named


@pytest.mark.parametrize("route", ["/", "/feed.xml", "/feed.atom", "/api/jobs"])
def test_r36_a_huge_age_is_named_not_a_500(live: str, route: str) -> None:
    r = httpx.get(live + route, params={"age": "100000000d"}, timeout=10)
    if route == "/":
        assert r.status_code == 200
        assert "age: &#39;100000000d&#39; is too long ago" in r.text or "age: '100000000d' is too long ago" in r.text
    else:
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["query", "age"]
        assert "too long ago" in r.json()["detail"][0]["msg"]


@pytest.fixture
def live_both(engine: Engine) -> Iterator[tuple[str, dict[str, int]]]:
    ids = seed(engine)
    with ThreadedServer(create_app(engine, load_config(None, env={}))) as url:
        yield url, ids


@pytest.mark.parametrize(
    "job_id", ["9223372036854775808", "2147483648", "99999999999999999999999", "0", "-1", "abc", "1e3"]
)
def test_r36_out_of_range_job_ids_are_422_naming_job_id_on_both_backends(
    live_both: tuple[str, dict[str, int]], job_id: str
) -> None:
    live, _ = live_both
    api = httpx.get(f"{live}/api/jobs/{job_id}", timeout=10)
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["path", "job_id"]
    page = httpx.get(f"{live}/jobs/{job_id}", headers=HTML, timeout=10)
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "job_id: " in page.text


def test_r36_missing_job_is_an_html_404_for_browsers_and_json_for_the_api(
    live_both: tuple[str, dict[str, int]],
) -> None:
    live, ids = live_both
    page = httpx.get(f"{live}/jobs/999", headers=HTML, timeout=10)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>No such job</h1>" in page.text
    assert '{"detail"' not in page.text
    plain = httpx.get(f"{live}/jobs/999", timeout=10)  # curl, scripts: JSON
    assert plain.status_code == 404
    assert plain.json() == {"detail": "no such job"}
    api = httpx.get(f"{live}/api/jobs/999", headers=HTML, timeout=10)
    assert api.status_code == 404
    assert api.json() == {"detail": "no such job"}
    lost = httpx.get(f"{live}/no/such/page", headers=HTML, timeout=10)
    assert lost.status_code == 404
    assert "<h1>Not found</h1>" in lost.text
    assert httpx.get(f"{live}/jobs/{ids['a1']}", headers=HTML, timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["jobs", "--since", "100000000d"], "--since"),
        (["jobs", "--since", "0001-01-01T00:00:00+05:00"], "--since"),
        (["jobs", "--min-quality", "150"], "--min-quality"),
        (["export", "--since", "100000000d", "--out", "x.csv"], "--since"),
        (["feed", "--since", "99999999999w", "--out", "x.xml"], "--since"),
        (["push", "--since", "100000000d"], "--since"),
    ],
)
def test_r36_cli_out_of_range_is_one_line_exit_2(
    sqlite_engine: Engine, sqlite_url: str, tmp_path: Path, args: list[str], hint: str
) -> None:
    cfg = tmp_path / "jobsift.toml"
    cfg.write_text(f'[database]\nurl = "{sqlite_url}"\n[[webhooks]]\nurl = "http://127.0.0.1:9/h"\n', encoding="utf-8")
    out = [a if not a.endswith((".csv", ".xml")) else str(tmp_path / a) for a in args]
    r = CliRunner().invoke(main, ["--config", str(cfg), *out])
    assert r.exit_code == 2, r.output
    lines = [line for line in r.output.strip().splitlines() if line.startswith("Error")]
    assert len(lines) == 1, r.output
    assert hint in lines[0]
    assert "Traceback" not in r.output
    assert r.output.strip().count("\n") == 0, r.output  # one line: no usage block around it
