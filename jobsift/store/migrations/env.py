"""Alembic environment: runs against the engine jobsift hands over (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from jobsift.store.schema import metadata

engine = context.config.attributes.get("engine")
if engine is None:  # pragma: no cover - only for `alembic` run by hand with -x url=...
    from jobsift.store.db import make_engine

    engine = make_engine(context.get_x_argument(as_dictionary=True)["url"])

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
