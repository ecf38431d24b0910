"""Typed values from TOML tables and environment strings: one section at a time, unknown keys and
wrong types refused with the dotted name of the setting."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from jobsift.config_checks import check_range
from jobsift.errors import ConfigError


def _coerce(value: Any, hint: Any, key: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _coerce(value, args[0], key)
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return value.lower() in ("1", "true", "yes", "on")
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if hint is int:
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected an integer, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected an integer, got {value!r}") from None
    if hint is float:
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected a number, got {value!r}") from None
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected text, got {value!r}")
        return value
    if origin is list:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {value!r}")
        (item,) = typing.get_args(hint)
        return [_coerce(v, item, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a table, got {value!r}")
        return dict(value)
    return value


def build_section(cls: type, data: Mapping[str, Any], prefix: str, *, extra_to: str | None = None) -> Any:
    """Build one dataclass from a table, refusing unknown keys and wrong types."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names or key == extra_to:
            if extra_to is None:
                raise ConfigError(f"{prefix}{key}: unknown setting")
            extra[key] = value
            continue
        kwargs[key] = _coerce(value, hints[key], f"{prefix}{key}")
        check_range(f"{prefix}{key}", kwargs[key])
    if extra_to is not None:
        options = dict(data.get(extra_to) or {}) if isinstance(data.get(extra_to), dict) else {}
        if extra_to in data and not isinstance(data[extra_to], dict):
            raise ConfigError(f"{prefix}{extra_to}: expected a table")
        options.update({k: v for k, v in extra.items() if k != extra_to})
        kwargs[extra_to] = options
    return cls(**kwargs)
