"""Database maintenance: ``db upgrade`` and ``db analyst-role``."""

from __future__ import annotations

import click

from jobsift.cli.common import Context, common_options, pass_ctx


@click.group()
def db() -> None:
    """Database maintenance: migrations and the like."""


@db.command("upgrade", epilog="Example:\n\n    jobsift db upgrade --db postgresql+psycopg://jobsift@localhost/jobsift")
@common_options
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Run pending schema migrations (Alembic)."""
    from jobsift.store.db import current_revision, make_engine, upgrade
    from jobsift.store.repo import count_needs_scoring

    engine = make_engine(ctx.config.database.url)
    try:
        before = current_revision(engine)
        after = upgrade(engine)
        pending = count_needs_scoring(engine) if before != after else 0
    finally:
        engine.dispose()
    click.echo(f"database at revision {after}" + ("" if before == after else f" (was {before or 'empty'})"))
    if pending:
        click.echo(
            f"{pending} postings need scoring (the scoring changed): the next crawl rescores them, "
            "or run 'jobsift score --all' now"
        )


@db.command(
    "analyst-role", epilog="Example:\n\n    jobsift db analyst-role --db postgresql+psycopg://jobsift@localhost/jobsift"
)
@click.option("--role", default="jobsift_analyst", show_default=True, help="Name of the read-only role.")
@click.option(
    "--password-env",
    default=None,
    metavar="VAR",
    help="Let the role log in, with the password in this environment variable.",
)
@common_options
@pass_ctx
def db_analyst_role(ctx: Context, role: str, password_env: str | None) -> None:
    """PostgreSQL: create the read-only role that `jobsift query` runs analyst SQL as (see docs/analysts.md)."""
    import os

    from sqlalchemy.exc import DBAPIError

    from jobsift.publish.sql_guard import create_analyst_role

    if not ctx.config.database.url.startswith("postgresql"):
        raise click.UsageError("analyst-role is for PostgreSQL stores (SQLite is opened read-only by the OS)")
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise click.UsageError(f"--password-env {password_env}: that environment variable is empty")
    try:
        with ctx.engine.begin() as conn:
            done = create_analyst_role(conn, role, password=password)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--role") from None
    except DBAPIError as exc:
        first = str(exc.orig).splitlines()[0] if str(exc.orig) else type(exc.orig).__name__
        raise click.ClickException(f"cannot create role {role}: {first}") from None
    for line in done:
        click.echo(line)


def register(main: click.Group) -> None:
    main.add_command(db)
