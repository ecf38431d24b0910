"""The Jinja2 environment every HTML and email output renders through (autoescape on for HTML)."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from jobsift.publish import present


@functools.cache
def environment() -> Environment:
    """HTML templates are autoescaped; ``.txt`` templates (plain-text email) are not HTML."""
    env = Environment(
        loader=PackageLoader("jobsift.publish", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "xml"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        budget_text=present.budget_text,
        age_text=present.age_text,
        flag_label=present.flag_label,
        quality_text=present.quality_text,
        quality_band=present.quality_band,
        flagged_reasons=present.flagged_reasons,
        flag_class=present.flag_class,
        flag_colour=present.flag_colour,
        badge_colour=present.badge_colour,
        ghost_words=present.ghost_words,
        ghost_basis_line=present.ghost_basis_line,
        basis_notes=present.basis_notes,
        client_lines=present.client_lines,
        snippet=present.snippet,
        num=present.num,
        safe_url=present.safe_url,
        one_line=present.one_line,
        reason_figures=present.reason_figures,
    )
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


@functools.cache
def stylesheet() -> str:
    """The page's CSS (inlined into emails and the report, served at /static/style.css)."""
    from jobsift.scoring.flags import chip_css

    css = resources.files("jobsift.publish").joinpath("static/style.css").read_text(encoding="utf-8")
    return css + "/* flag colours, from the flag registry (jobsift/scoring/flags/) */\n" + chip_css()
