"""Config: TOML < env < flags; invalid config is one clear line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobsift.config import Config, config_from_dict, load_config
from jobsift.config.sections import iter_settings
from jobsift.errors import ConfigError


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = load_config(None, env={})
    assert cfg.database.url == "sqlite:///jobsift.db"
    assert cfg.sources == []
    assert cfg.fetch.max_redirects == 5


def test_precedence_file_then_env_then_flag(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    path.write_text(
        '[database]\nurl = "sqlite:///file.db"\n[fetch]\ntimeout_unused = 1\n'.replace(
            "timeout_unused = 1\n", "read_timeout = 3\n"
        )
    )
    cfg = load_config(path, env={})
    assert (cfg.database.url, cfg.fetch.read_timeout) == (f"sqlite:///{tmp_path.resolve() / 'file.db'}", 3.0)
    cfg = load_config(path, env={"JOBSIFT_DB": "sqlite:///env.db", "JOBSIFT_FETCH__READ_TIMEOUT": "7"})
    assert (cfg.database.url, cfg.fetch.read_timeout) == ("sqlite:///env.db", 7.0)
    cfg = load_config(path, db_url="sqlite:///flag.db", env={"JOBSIFT_DB": "sqlite:///env.db"})
    assert cfg.database.url == "sqlite:///flag.db"


def test_jobsift_config_env_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "other.toml"
    path.write_text("[serve]\nport = 9999\n")
    assert load_config(None, env={"JOBSIFT_CONFIG": str(path)}).serve.port == 9999


def test_sources_with_per_source_options() -> None:
    cfg = config_from_dict(
        {
            "sources": [
                {
                    "name": "a",
                    "format": "declarative",
                    "url": "https://x.test/",
                    "kind": "json",
                    "options": {"items": "$.jobs[*]"},
                }
            ]
        },
        env={},
    )
    assert cfg.sources[0].options == {"items": "$.jobs[*]", "kind": "json"}
    assert cfg.source("a").format == "declarative"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fetch": {"timeout": 3}}, "fetch.timeout: unknown setting"),
        ({"fetch": {"retries": "many"}}, "fetch.retries: expected an integer"),
        ({"bogus": {}}, "bogus: unknown section"),
        ({"sources": [{"name": "a", "url": "https://x"}]}, "sources[0].format: missing"),
        ({"sources": [{"name": "A B", "format": "rss", "url": "https://x"}]}, "sources[0].name"),
        (
            {
                "sources": [
                    {"name": "a", "format": "rss", "url": "https://u"},
                    {"name": "a", "format": "rss", "url": "https://u"},
                ]
            },
            "sources[1].name: 'a' is used twice",
        ),
        ({"smtp": {"security": "tls"}}, "smtp.security"),
        ({"digest": {"time": "7am"}}, "digest.time"),
        ({"digest": {"timezone": "Mars/Olympus"}}, "digest.timezone: unknown timezone"),
        ({"webhooks": [{"url": "ftp://x", "kind": "json"}]}, "webhooks[0].url"),
        ({"fetch": {"respect_robots": "perhaps"}}, "fetch.respect_robots: expected true or false"),
    ],
)
def test_invalid_config_names_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict(data, env={})
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_env_override_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="JOBSIFT_NOPE__X"):
        config_from_dict({}, env={"JOBSIFT_NOPE__X": "1"})


def test_unreadable_toml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[database\nurl=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, env={})


def test_missing_explicit_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="jobsift init"):
        load_config(tmp_path / "missing.toml", env={})


def test_every_setting_has_help() -> None:
    settings = iter_settings()
    assert len(settings) > 50
    assert all(help_ for _name, help_ in settings), [n for n, h in settings if not h]


def test_starter_config_is_valid_and_uses_real_public_feeds() -> None:
    from jobsift.cli.common import STARTER

    cfg = load_config(STARTER, env={})
    assert isinstance(cfg, Config)
    formats = {s.format for s in cfg.sources}
    assert {"remoteok", "weworkremotely", "remotive", "arbeitnow", "jobicy", "himalayas"} <= formats
    assert all(s.url.startswith("https://") for s in cfg.sources)
