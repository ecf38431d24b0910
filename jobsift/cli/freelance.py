"""A freelancer's commands: init (sources for the kind of work wanted), auth, mark."""

from __future__ import annotations

import sys
from pathlib import Path

import click


def register(main: click.Group) -> None:
    main.add_command(init)


@click.command(epilog="Examples:\n\n\b\n    jobsift init                  # asks on a terminal\n"
               "    jobsift init --marketplaces --skills python,django\n"
               "    jobsift init --both --keywords scraper --path ~/jobs/jobsift.toml")
@click.option("--path", type=click.Path(dir_okay=False, path_type=Path), default=Path("jobsift.toml"),
              show_default=True, help="Where to write the starter config.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--marketplaces", "kind", flag_value="marketplaces",
              help="Freelance marketplaces: Freelancer.com, Upwork (with your API key).")
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
        kind = click.prompt("Which kinds of work? marketplaces (freelance gigs), boards (remote jobs) or both",
                            type=click.Choice(KINDS), default="both")
        if skills is None:
            skills = click.prompt("Your skills, comma-separated (empty: all)", default="", show_default=False)
        if keywords is None:
            keywords = click.prompt("Keywords a job must mention, comma-separated (empty: none)", default="",
                                    show_default=False)
    kind = kind or "boards"
    skill_list, keyword_list = split_words(skills), split_words(keywords)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_starter(kind, skill_list, keyword_list), encoding="utf-8")
    what = {"marketplaces": "marketplace sources", "boards": "remote-board sources",
            "both": "marketplace and remote-board sources"}[kind]
    extra = f", skills {', '.join(skill_list)}" if skill_list else ""
    click.echo(f"wrote {path}: {what}{extra}; edit it, then run 'jobsift crawl'")
    if kind != "boards":
        click.echo("Upwork is off until you add your API key and run 'jobsift auth upwork' (see the file).")
