"""The listing filters shared by ``jobs``, ``feed`` and ``export``, named as on the web page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from jobsift.config import FiltersConfig


class FlagOption(click.Option):
    """An option naming a flag: ``{codes}`` in its help is the registry's codes, filled in when the
    help is shown (running a listing imports no flag module)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from jobsift.scoring.flags import flag_codes

        template, self.help = self.help or "", (self.help or "").replace("{codes}", ", ".join(flag_codes()))
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = template


def filter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The listing filters, named as on the web page (repeatable or comma-separated)."""
    options = [
        click.option("--keyword", "-k", multiple=True, help="Only jobs mentioning one of these words."),
        click.option("--exclude-keyword", multiple=True, help="Hide jobs mentioning any of these words."),
        click.option("--skill", multiple=True, help="Only jobs asking for one of these skills."),
        click.option("--source", multiple=True, help="Only these sources."),
        click.option("--country", multiple=True, help="Only these countries (job or client)."),
        click.option("--exclude-flag", multiple=True, cls=FlagOption, help="Hide jobs with this flag ({codes})."),
        click.option("--flag", multiple=True, help="Only jobs with this flag."),
        click.option("--min-quality", type=float, help="Only jobs scoring at least this (0-100)."),
        click.option("--min-budget", type=float, help="Only budgets at or above this many USD."),
        click.option("--since", help="Only jobs posted or first seen within this age (2d, 12h) or since an ISO date."),
        click.option("--order", type=click.Choice(["newest", "quality"]), default="newest", show_default=True),
        click.option(
            "--no-config-filters",
            is_flag=True,
            help="Ignore [filters] in jobsift.toml (by default these flags add to or replace them).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def params_from(kw: dict[str, Any], limit: int | None, config: FiltersConfig) -> Any:
    """The ``JobFilter`` of a listing command: its flags over ``config`` (the ``[filters]`` section).

    Every reader (``jobs``, ``feed``, ``export``) passes its config here, so the configured
    filters apply everywhere; see ``FilterParams.over_config`` for how flags combine with them.
    """
    from jobsift.publish.params import cli_params

    p = cli_params(
        keyword=kw.pop("keyword"),
        exclude_keyword=kw.pop("exclude_keyword"),
        skill=kw.pop("skill"),
        source=kw.pop("source"),
        country=kw.pop("country"),
        exclude_flag=kw.pop("exclude_flag"),
        flag=kw.pop("flag"),
        min_quality=kw.pop("min_quality"),
        min_budget=kw.pop("min_budget"),
        since=kw.pop("since"),
        order=kw.pop("order"),
        limit=limit,
    )
    if not kw.pop("no_config_filters"):
        p = p.over_config(config)
    f = p.to_filter()
    for name, why in p.invalid.items():
        if name in ("hide", "flag"):  # a flag name that is not known: said, then left out
            click.echo(f"warning: {'--exclude-flag' if name == 'hide' else '--flag'}: {why} (ignored)", err=True)
            continue
        raise click.BadParameter(why, param_hint=CLI_NAMES.get(name, f"--{name.replace('_', '-')}"))
    return f


CLI_NAMES = {"age": "--since", "min_quality": "--min-quality", "min_budget": "--min-budget"}
