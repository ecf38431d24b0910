"""Loading: ``jobsift.toml``, then ``JOBSIFT_<SECTION>__<KEY>`` environment overrides (``JOBSIFT_DB``
and ``JOBSIFT_CONFIG`` are short forms for the database URL and the config path), then CLI flags."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from jobsift.config.coerce import build_section
from jobsift.config.sections import DEFAULT_CONFIG_PATH, LIST_SECTIONS, SECTIONS, Config, SourceConfig
from jobsift.config.validate import ChannelChecks, KnownFlags, validate
from jobsift.config_checks import check_db_url, resolve_sqlite_path
from jobsift.errors import ConfigError


def _env_overrides(env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, value in env.items():
        if not name.startswith("JOBSIFT_") or "__" not in name:
            continue
        section, _, key = name[len("JOBSIFT_") :].lower().partition("__")
        if section not in SECTIONS:
            raise ConfigError(f"{name}: unknown section {section!r}")
        out.setdefault(section, {})[key] = value
    return out


def config_from_dict(
    data: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    *,
    folder: Path | None = None,
    known_flags: KnownFlags | None = None,
    channels: ChannelChecks | None = None,
) -> Config:
    """Build and validate a Config from parsed TOML plus environment overrides.

    ``folder``: the config file's folder, against which a relative SQLite path is resolved.
    """
    env = os.environ if env is None else env
    for key in data:
        if key not in SECTIONS and key not in LIST_SECTIONS:
            raise ConfigError(f"{key}: unknown section")
    overrides = _env_overrides(env)
    kwargs: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{name}: expected a table")
        merged = {**table, **overrides.get(name, {})}
        try:
            kwargs[name] = build_section(cls, merged, f"{name}.")
        except ConfigError as exc:
            key = str(exc).split(":", 1)[0].removeprefix(f"{name}.")
            if key in overrides.get(name, {}):  # say where the value came from
                raise ConfigError(f"JOBSIFT_{name.upper()}__{key.upper()}: {exc}") from None
            raise
    for name, cls in LIST_SECTIONS.items():
        items = data.get(name, [])
        if not isinstance(items, list):
            raise ConfigError(f"{name}: expected [[{name}]] tables")
        extra = "options" if cls is SourceConfig else None
        kwargs[name] = [build_section(cls, item, f"{name}[{i}].", extra_to=extra) for i, item in enumerate(items)]
    if env.get("JOBSIFT_DB"):
        kwargs["database"] = replace(kwargs["database"], url=env["JOBSIFT_DB"])
    elif folder is not None and "url" not in overrides.get("database", {}):
        # A relative SQLite path in a config file means beside that file, wherever jobsift runs from.
        kwargs["database"] = replace(kwargs["database"], url=resolve_sqlite_path(kwargs["database"].url, folder))
    cfg = Config(**kwargs)
    try:
        validate(cfg, known_flags, channels)
    except ConfigError as exc:
        if str(exc).startswith("database.url") and env.get("JOBSIFT_DB"):
            raise ConfigError(f"JOBSIFT_DB: {exc}") from None
        raise
    return cfg


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    db_url: str | None = None,
    env: Mapping[str, str] | None = None,
    known_flags: KnownFlags | None = None,
    channels: ChannelChecks | None = None,
) -> Config:
    """Load ``path`` (or ``$JOBSIFT_CONFIG``, or ./jobsift.toml if present) with overrides.

    ``known_flags``: the flag codes ``filters.exclude_flags`` may name (the CLI passes the flag registry's
    ``flag_codes``); ``channels``: each webhook kind's check (the CLI passes the channel registry's
    ``checks``). Functions are called only when the config names a flag or a webhook.
    """
    env = os.environ if env is None else env
    explicit = path or env.get("JOBSIFT_CONFIG")
    cfg_path = Path(explicit) if explicit else DEFAULT_CONFIG_PATH
    data: dict[str, Any] = {}
    if cfg_path.exists():
        try:
            data = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{cfg_path}: not valid TOML ({exc})") from None
        except OSError as exc:
            raise ConfigError(f"{cfg_path}: cannot read ({exc.strerror})") from None
    elif explicit:
        raise ConfigError(f"{cfg_path}: config file not found (run 'jobsift init' to write one)")
    cfg = config_from_dict(
        data, env, folder=cfg_path.parent if cfg_path.exists() else None, known_flags=known_flags, channels=channels
    )
    cfg = replace(cfg, path=str(cfg_path) if cfg_path.exists() else None)
    if db_url:
        check_db_url(db_url, key="--db")
    return cfg.with_db(db_url)
