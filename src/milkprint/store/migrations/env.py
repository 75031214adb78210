"""Alembic environment: run migrations on the connection db.migrate hands over (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from milkprint.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line: URL from MILKPRINT_DATABASE_URL
    from milkprint.store.db import make_engine

    engine = make_engine()
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
