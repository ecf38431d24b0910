"""A freelancer's commands: init (sources for the kind of work wanted), auth, mark."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from jobsift.cli.common import Context, common_options, pass_ctx

if TYPE_CHECKING:
    from jobsift.config import SourceConfig


def register(main: click.Group) -> None:
    main.add_command(init)
    main.add_command(auth)
    main.add_command(mark)


@click.command(
    epilog="Examples:\n\n\b\n    jobsift init                  # asks on a terminal\n"
    "    jobsift init --marketplaces --skills python,django\n"
    "    jobsift init --both --keywords scraper --path ~/jobs/jobsift.toml"
)
@click.option(
    "--path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("jobsift.toml"),
    show_default=True,
    help="Where to write the starter config.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option(
    "--marketplaces",
    "kind",
    flag_value="marketplaces",
    help="Freelance marketplaces: Freelancer.com, Upwork (with your API key).",
)
@click.option("--boards", "kind", flag_value="boards", help="Remote job boards (salaried roles).")
@click.option("--both", "kind", flag_value="both", help="Marketplaces and remote boards.")
@click.option("--skills", default=None, help="Your skills, comma-separated: filter the marketplaces.")
@click.option("--keywords", default=None, help="Keywords, comma-separated: keep postings mentioning one.")
@click.option("--ask", is_flag=True, help="Ask the questions even when stdin is not a terminal.")
def init(path: Path, force: bool, kind: str | None, skills: str | None, keywords: str | None, ask: bool) -> None:
    """Write a commented starter jobsift.toml with the sources for the work you want.

    On a terminal, without --marketplaces/--boards/--both, it asks which kinds of work and which
    skills; in scripts the flags answer (default: remote boards, as before).
    """
    from jobsift.setup.starter import KINDS, build_starter, split_words

    if path.exists() and not force:
        raise click.UsageError(f"{path} exists; use --force to overwrite")
    interactive = kind is None and (ask or sys.stdin.isatty())
    if interactive:
        kind = click.prompt(
            "Which kinds of work? marketplaces (freelance gigs), boards (remote jobs) or both",
            type=click.Choice(KINDS),
            default="both",
        )
        if skills is None:
            skills = click.prompt("Your skills, comma-separated (empty: all)", default="", show_default=False)
        if keywords is None:
            keywords = click.prompt(
                "Keywords a job must mention, comma-separated (empty: none)", default="", show_default=False
            )
    kind = kind or "boards"
    skill_list, keyword_list = split_words(skills), split_words(keywords)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_starter(kind, skill_list, keyword_list), encoding="utf-8")
    what = {
        "marketplaces": "marketplace sources",
        "boards": "remote-board sources",
        "both": "marketplace and remote-board sources",
    }[kind]
    extra = f", skills {', '.join(skill_list)}" if skill_list else ""
    click.echo(f"wrote {path}: {what}{extra}; edit it, then run 'jobsift crawl'")
    if kind != "boards":
        click.echo("Upwork is off until you add your API key and run 'jobsift auth upwork' (see the file).")


@click.group()
def auth() -> None:
    """Authorise jobsift with an API that needs your consent (Upwork)."""


@auth.command(
    "upwork",
    epilog="Examples:\n\n\b\n    jobsift auth upwork              # opens Upwork's consent page\n"
    "    jobsift auth upwork --no-browser --source upwork\n    jobsift auth upwork --status",
)
@click.option(
    "--source", "source_name", default=None, help="The upwork-graphql source whose key to use (default: the only one)."
)
@click.option("--no-browser", is_flag=True, help="Print the URL instead of opening a browser.")
@click.option(
    "--timeout",
    type=click.FloatRange(1, 3600),
    default=300.0,
    show_default=True,
    help="Seconds to wait for Upwork's redirect.",
)
@click.option("--status", "show_status", is_flag=True, help="Say whether jobsift is authorised, and until when.")
@click.option("--revoke", is_flag=True, help="Revoke the grant (where the server offers it) and delete the tokens.")
@common_options
@pass_ctx
def auth_upwork(
    ctx: Context, source_name: str | None, no_browser: bool, timeout: float, show_status: bool, revoke: bool
) -> None:
    """Run Upwork's OAuth2 flow for your own API key; the tokens go to a file only you can read (0600)."""
    from jobsift.crawler import upwork_auth

    src = _upwork_source(ctx, source_name)
    key = upwork_auth.UpworkKey.from_options(src.name, src.options)
    if show_status:
        click.echo(upwork_auth.status(key))
        return
    if revoke:
        revoked = upwork_auth.revoke(key)
        click.echo(("revoked the grant and " if revoked else "") + f"deleted {key.token_file}")
        return

    def open_url(url: str) -> None:
        click.echo("Open this address to let jobsift read Upwork jobs with your key:")
        click.echo(url)
        sys.stdout.flush()
        if not no_browser:
            import webbrowser

            webbrowser.open(url)
        click.echo(f"waiting for Upwork's redirect to {key.redirect_uri} ...", err=True)

    token = upwork_auth.authorize(key, open_url=open_url, timeout=timeout)
    hours = float(token.get("expires_in") or 0) / 3600
    click.echo(
        f"authorised: tokens stored in {key.token_file} (mode 0600); the access token lasts "
        f"{hours:.0f} h and is refreshed automatically. Now set enabled = true on source {src.name!r}."
    )


def _upwork_source(ctx: Context, name: str | None) -> SourceConfig:
    cfg = ctx.config
    if name:
        src = cfg.source(name)
        if src.format != "upwork-graphql":
            raise click.UsageError(f"source {name!r} has format {src.format!r}, not upwork-graphql")
        return src
    found = [s for s in cfg.sources if s.format == "upwork-graphql"]
    if not found:
        raise click.UsageError(
            "no upwork-graphql source in the config: run 'jobsift init --marketplaces' or add one (see docs/sources.md)"
        )
    if len(found) > 1:
        raise click.UsageError(f"several Upwork sources ({', '.join(s.name for s in found)}): pick one with --source")
    return found[0]


@click.command(
    epilog="Examples:\n\n\b\n    jobsift mark 42 save\n    jobsift mark 42 applied --connects 16 --boosted\n"
    "    jobsift mark 42 replied\n    jobsift mark 42 hired\n    jobsift mark 57 hide\n"
    "    jobsift mark 57 ghost --note 'never answered, reposted weekly'"
)
@click.argument("job_id", type=int)
@click.argument(
    "action",
    type=click.Choice(
        [
            "save",
            "unsave",
            "hide",
            "unhide",
            "applied",
            "viewed",
            "replied",
            "interviewed",
            "hired",
            "no_reply",
            "ghost",
            "scam",
            "ok",
        ]
    ),
)
@click.option("--connects", type=click.IntRange(0, 10_000), default=None, help="With applied: connects (bids) spent.")
@click.option("--boosted/--not-boosted", default=None, help="With applied: whether the proposal was boosted.")
@click.option("--note", default=None, help="Free text kept with the application or label.")
@common_options
@pass_ctx
def mark(ctx: Context, job_id: int, action: str, connects: int | None, boosted: bool | None, note: str | None) -> None:
    """Save, hide, mark applied (connects, boost), record what came of it, or give a verdict.

    Results (viewed, replied, interviewed, hired, no_reply) go to the applications table for the
    connects ledger and the ghost model; verdicts (ghost, scam, ok) are labels, as 'jobsift label'.
    """
    from datetime import UTC, datetime

    from jobsift.store import workflow

    if (connects is not None or boosted is not None) and action != "applied":
        raise click.UsageError("--connects and --boosted go with 'applied'")
    with ctx.engine.begin() as conn:
        done = workflow.mark(conn, job_id, action, datetime.now(UTC), connects=connects, boosted=boosted, note=note)
    click.echo(f"job {job_id}: {done}")
