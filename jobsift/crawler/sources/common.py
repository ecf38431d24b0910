"""Options every format accepts: they steer fetching and enrichment, not parsing."""

from __future__ import annotations

from collections.abc import Mapping

FETCH_OPTIONS: dict[str, str] = {
    "wait_for": "With browser = true: CSS selector to wait for before the rendered page is read",
    "render_timeout": "With browser = true: seconds to wait for the page to render",
    "detail": "Detail-page enrichment of missing client fields: { selectors = {...}, browser, max_per_run }",
}


def format_options(own: Mapping[str, str] | None = None) -> dict[str, str]:
    """The fetch options plus a format's own, for ``@register(options=...)``."""
    return {**FETCH_OPTIONS, **(own or {})}
