"""Source formats, registered by name: ``@register("rss")``. Every module of this package is scanned
(a new format is one new module); third parties use the entry-point group ``jobsift.sources``.

A format is a pure function ``parse(body, headers, *, source, options) -> ParseResult``: no I/O.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol

from jobsift.crawler.sources.common import FETCH_OPTIONS
from jobsift.errors import ConfigError
from jobsift.model import ParseResult


def builtin_modules() -> list[str]:
    """Every module of this package, found by scanning it: there is no list of formats to keep by hand.

    Modules of shared code (``common``, ``jsonutil``) register nothing and are imported all the same.
    """
    return sorted(m.name for m in pkgutil.iter_modules(__path__))


class ParseFn(Protocol):
    def __call__(
        self, body: bytes, headers: Mapping[str, str], *, source: str, options: Mapping[str, Any]
    ) -> ParseResult: ...


#: A format's own fetch, ``async (fetcher, source config) -> FetchResult``, for APIs that need more
#: than one GET (OAuth tokens, GraphQL paging). Most formats have none: the crawler GETs ``url``.
FetchFn = Callable[[Any, Any], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class SourceFormat:
    name: str
    parse: ParseFn
    description: str = ""
    options: Mapping[str, str] = field(default_factory=dict)  # option name -> help
    full_listing: bool = True  # the feed lists every open job, so a missing one is gone
    example_url: str = ""
    fetch: FetchFn | None = None

    def check_options(self, options: Mapping[str, Any], where: str) -> None:
        """Refuse keys that are neither this format's options nor fetch options (valid for all)."""
        for key in options:
            if key not in self.options and key not in FETCH_OPTIONS:
                known = ", ".join(sorted({*self.options, *FETCH_OPTIONS}))
                raise ConfigError(f"{where}.{key}: unknown option for format {self.name!r} (known: {known})")

    def parser_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """The options the parser gets: its own, without the fetch options."""
        return {k: v for k, v in options.items() if k not in FETCH_OPTIONS}


_REGISTRY: dict[str, SourceFormat] = {}
_loaded = False


def register(
    name: str,
    *,
    description: str = "",
    options: Mapping[str, str] | None = None,
    full_listing: bool = True,
    example_url: str = "",
    fetch: FetchFn | None = None,
) -> Callable[[ParseFn], ParseFn]:
    """Register ``fn`` as the parser of format ``name``."""

    def deco(fn: ParseFn) -> ParseFn:
        _REGISTRY[name] = SourceFormat(name, fn, description, dict(options or {}), full_listing, example_url, fetch)
        return fn

    return deco


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    # Built-ins go through the same door as plug-ins; a module that fails to import fails loudly.
    for mod in builtin_modules():
        importlib.import_module(f"jobsift.crawler.sources.{mod}")
    for ep in entry_points(group="jobsift.sources"):
        ep.load()


def get_format(name: str) -> SourceFormat:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ConfigError(f"unknown format {name!r} (known: {known})") from None


def all_formats() -> dict[str, SourceFormat]:
    _load()
    return dict(sorted(_REGISTRY.items()))
