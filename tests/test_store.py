"""The Alembic migrations build exactly the models' schema on SQLite and PostgreSQL, and re-running them is a no-op."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select

from milkprint.store.db import make_engine, migrate, session_factory
from milkprint.store.models import Base, Organisation
from tests.dbs import db_url  # noqa: F401


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:  # noqa: F811  # the fixture imported from tests.dbs
    """An engine on an empty database (no schema)."""
    e = make_engine(db_url)
    try:
        yield e
    finally:
        e.dispose()


def differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(ctx, Base.metadata))


def head() -> str | None:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("milkprint.store") / "migrations"))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_migrations_build_the_models_schema(engine: Engine) -> None:
    assert inspect(engine).get_table_names() == []
    migrate(engine)
    assert differences(engine) == []
    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head()


def test_migrate_twice_is_a_no_op(engine: Engine) -> None:
    migrate(engine)
    with session_factory(engine).begin() as s:
        s.add(Organisation(name="甲"))
    migrate(engine)
    other = make_engine(engine.url.render_as_string(hide_password=False))  # as a second server process would
    try:
        migrate(other)
    finally:
        other.dispose()
    assert differences(engine) == []
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head()
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Organisation)) == 1
