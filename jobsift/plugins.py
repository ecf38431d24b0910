"""Registries found by a package scan (flags, output channels): every module of a package whose
name does not start with ``_``, imported, so that one that fails to import fails loudly."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType


def package_modules(package: str, path: list[str], what: str, error: type[Exception]) -> Iterator[ModuleType]:
    """Import each public module of ``package`` (found at ``path``); ``error("<what> module <name> does
    not import: ...")`` when one fails."""
    for info in pkgutil.iter_modules(path):
        if info.name.startswith("_"):
            continue
        try:
            yield importlib.import_module(f"{package}.{info.name}")
        except Exception as exc:
            raise error(f"{what} module {info.name} does not import: {type(exc).__name__}: {exc}") from exc
