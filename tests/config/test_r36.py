"""R36 + issue 14: settings that cannot work are refused at load, in one line naming the key, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsift.cli import main
from jobsift.config import config_from_dict, load_config
from jobsift.config_checks import RANGES
from jobsift.errors import ConfigError
from jobsift.scoring.flags import flag_codes

ROOT = Path(__file__).resolve().parents[2]
INTEGER_KEYS = {
    "fetch.max_bytes",
    "fetch.max_redirects",
    "fetch.retries",
    "fetch.per_host_concurrency",
    "fetch.concurrency",
    "scoring.market_min_samples",
    "smtp.port",
    "digest.max_items",
    "digest.per_client_cap",
    "schedule.prune_days",
    "schedule.score_history_days",
    "serve.port",
    "serve.page_size",
}


def data_for(key: str, value: object) -> dict[str, object]:
    section, name = key.split(".")
    if section == "sources":
        return {"sources": [{"name": "a", "format": "rss", "url": "https://example.org/f", name: value}]}
    if section == "webhooks":
        return {"webhooks": [{"url": "https://example.org/h", name: value}]}
    return {section: {name: value}}


@st.composite
def out_of_range(draw: st.DrawFn) -> tuple[str, object]:
    key = draw(st.sampled_from(sorted(RANGES)))
    lo, hi, open_lo = RANGES[key]
    choices = []
    if lo is not None:
        choices.append(lo if open_lo else lo - draw(st.integers(1, 10**12)))
    if hi is not None:
        choices.append(hi + draw(st.integers(1, 10**12)))
    value = draw(st.sampled_from(choices))
    return key, int(value) if key in INTEGER_KEYS else float(value)


@given(out_of_range())
@settings(max_examples=300, deadline=None)
def test_r36_every_out_of_range_number_is_refused_naming_the_key(case: tuple[str, object]) -> None:
    key, value = case
    with pytest.raises(ConfigError) as err:
        config_from_dict(data_for(key, value), env={})
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(key.replace("sources.", "sources[0].").replace("webhooks.", "webhooks[0]."))
    assert "out of range" in message


@given(
    st.sampled_from(sorted(k for k in RANGES if not k.startswith(("sources", "webhooks")))),
    st.sampled_from(["nan", "inf", "-inf", "1e999"]),
)
@settings(max_examples=60, deadline=None)
def test_r36_non_finite_numbers_are_refused(key: str, value: str) -> None:
    if key in INTEGER_KEYS:
        value = "12x"
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        config_from_dict(data_for(key, value), env={})


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"JOBSIFT_FETCH__MAX_BYTES": "-1"}, "JOBSIFT_FETCH__MAX_BYTES: fetch.max_bytes: -1 is out of range"),
        ({"JOBSIFT_SERVE__PORT": "99999999"}, "JOBSIFT_SERVE__PORT: serve.port: 99999999 is out of range"),
        ({"JOBSIFT_SERVE__PORT": "http"}, "JOBSIFT_SERVE__PORT: serve.port: expected an integer"),
        ({"JOBSIFT_FILTERS__EXCLUDE_FLAGS": "ghost,gohst"}, "filters.exclude_flags: unknown flag 'gohst'"),
        ({"JOBSIFT_DB": "sqlite:////tmp/a#b/jobsift.db"}, "JOBSIFT_DB: database.url: the SQLite path"),
    ],
)
def test_r36_env_settings_are_checked_the_same_way(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict({}, env=env, known_flags=flag_codes())
    assert needle in str(err.value)


def test_every_flag_the_scoring_code_defines_is_accepted() -> None:
    cfg = config_from_dict({"filters": {"exclude_flags": list(flag_codes())}}, env={}, known_flags=flag_codes())
    assert tuple(cfg.filters.exclude_flags) == tuple(flag_codes())


@pytest.mark.parametrize(
    "url",
    [
        "example.org/feed.xml",
        "www.example.org/rss",
        "ftp://example.org/f",
        "https://",
        "/local/file.xml",
        "mailto:x@example.org",
    ],
)
def test_source_url_without_http_scheme_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match=r"sources\[0\]\.url: .* is not an http:// or https:// URL"):
        config_from_dict({"sources": [{"name": "a", "format": "rss", "url": url}]}, env={})


BAD_FILES = [
    ("[fetch]\nmax_bytes = -1\n", "error: config: fetch.max_bytes: -1 is out of range (must be at least 1"),
    ("[serve]\nport = 99999999\n", "error: config: serve.port: 99999999 is out of range"),
    ('[serve]\nport = "eighty"\n', "error: config: serve.port: expected an integer"),
    ('[filters]\nexclude_flags = ["gohst"]\n', "error: config: filters.exclude_flags: unknown flag 'gohst'"),
    (
        '[[sources]]\nname = "a"\nformat = "rss"\nurl = "example.org/feed"\n',
        "error: config: sources[0].url: 'example.org/feed' is not an http:// or https:// URL "
        "(did you mean 'https://example.org/feed'?)",
    ),
    ('[database]\nurl = "sqlite:///data#1/jobsift.db"\n', "error: config: database.url: the SQLite path"),
    ('[serve]\nbase_url = "jobs.example.org"\n', "error: config: serve.base_url:"),
]


@pytest.mark.parametrize(("toml", "line"), BAD_FILES)
def test_r36_bad_config_is_one_line_exit_2_for_every_command(tmp_path: Path, toml: str, line: str) -> None:
    cfg = tmp_path / "jobsift.toml"
    cfg.write_text(toml, encoding="utf-8")
    for args in (["jobs"], ["query", "SELECT 1"], ["serve"]):
        r = CliRunner().invoke(main, ["--config", str(cfg), *args])
        assert r.exit_code == 2, (args, r.output)
        assert r.output.strip().splitlines() == [r.output.strip()], r.output
        assert r.output.startswith(line), r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobsift.toml"]  # no stray store or file


def test_hash_in_a_db_flag_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store#1.db"
    r = CliRunner().invoke(main, ["--db", url, "query", "SELECT 1"])
    assert r.exit_code == 2
    assert r.output.startswith("error: config: --db: the SQLite path")
    assert list(tmp_path.iterdir()) == []


def test_relative_sqlite_path_in_a_config_file_is_beside_the_file(tmp_path: Path) -> None:
    home = tmp_path / "etc" / "jobsift"
    home.mkdir(parents=True)
    cfg = home / "jobsift.toml"
    cfg.write_text('[database]\nurl = "sqlite:///data/jobsift.db"\n', encoding="utf-8")
    elsewhere = tmp_path / "cron-cwd"
    elsewhere.mkdir()
    assert load_config(cfg, env={}).database.url == f"sqlite:///{home.resolve() / 'data' / 'jobsift.db'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("JOBSIFT_DB", None)
    env.pop("JOBSIFT_CONFIG", None)
    made = subprocess.run(
        [sys.executable, "-m", "jobsift", "--config", str(cfg), "db", "upgrade"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    assert (home / "data" / "jobsift.db").is_file()
    assert list(elsewhere.iterdir()) == []
    # Absolute paths, ~ and the environment are left as they are.
    assert load_config(cfg, env={"JOBSIFT_DB": "sqlite:///rel.db"}).database.url == "sqlite:///rel.db"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path}/abs.db"\n', encoding="utf-8")
    assert load_config(cfg, env={}).database.url == f"sqlite:///{tmp_path}/abs.db"
