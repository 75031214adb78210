"""Real databases for store and service tests: a SQLite file and a fresh PostgreSQL database, each test its own.

Import the fixtures explicitly where needed: `from tests.dbs import db_url, store  # noqa: F401`.
PostgreSQL is the machine's server (trust auth); MILKPRINT_TEST_PG overrides its admin URL. Every test database is
dropped afterwards, also when the test fails.
"""

from __future__ import annotations

import atexit
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from milkprint.store.db import make_engine, migrate, session_factory

PG_ADMIN = os.environ.get("MILKPRINT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_SERVER = PG_ADMIN.rsplit("/", 1)[0].split("://", 1)[1]  # postgres@127.0.0.1:5432
KINDS = ("sqlite", "postgresql")

Store = tuple[Engine, sessionmaker[Session]]


def pg_url(name: str) -> str:
    return f"postgresql+psycopg://{PG_SERVER}/{name}"


def _admin(statement: sql.Composable) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(statement)


def _drop(name: str) -> None:
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def pg_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of `template` if given) for the block; dropped afterwards."""
    name = f"milkprint_test_{secrets.token_hex(6)}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        create = sql.SQL("{} TEMPLATE {}").format(create, sql.Identifier(template))
    _admin(create)
    try:
        yield name
    finally:
        _drop(name)


_template: list[str] = []


def migrated_template() -> str:
    """A PostgreSQL database migrated once per test process; `store` copies it (faster than migrating each time).

    Each process (each pytest-xdist worker) makes its own, under a random name, and copies it only between its own
    tests: PostgreSQL refuses `CREATE DATABASE … TEMPLATE t` while anyone else is connected to `t`, so a template
    shared by workers would fail at random. Dropped when the session ends (`drop_template`, from conftest.py; atexit
    as a fallback).
    """
    if not _template:
        name = f"milkprint_test_tpl_{secrets.token_hex(6)}"
        _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        atexit.register(_drop, name)
        engine = make_engine(pg_url(name))
        try:
            migrate(engine)
        finally:
            engine.dispose()
        _template.append(name)
    return _template[0]


def replace_with_copy(name: str, template: str) -> None:
    """Make the database `name` (from `pg_database`, nobody connected) a fresh copy of `template` under the same name."""
    _drop(name)
    _admin(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))


def new_template(build: Callable[[str], None]) -> str:
    """A PostgreSQL database of this process filled by `build(url)`, for `replace_with_copy`; dropped with the others
    at the end of the session (`drop_template`). The caller keeps the name (one per purpose and process)."""
    name = f"milkprint_test_tpl_{secrets.token_hex(6)}"
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    atexit.register(_drop, name)
    _others.append(name)
    build(pg_url(name))
    return name


_others: list[str] = []


def drop_template() -> None:
    """Drop this process's template database, if it made one."""
    while _template:
        _drop(_template.pop())
    while _others:
        _drop(_others.pop())


@pytest.fixture(params=KINDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each kind (no schema yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'milkprint.db'}"
        return
    with pg_database() as name:
        yield pg_url(name)


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An engine on a migrated database of each kind, and its session factory."""
    if request.param == "sqlite":
        yield from _opened(f"sqlite:///{tmp_path / 'milkprint.db'}")
        return
    with pg_database(migrated_template()) as name:
        yield from _opened(pg_url(name))


def _opened(url: str) -> Iterator[Store]:
    engine = make_engine(url)
    try:
        migrate(engine)  # on a copy of the migrated template: a no-op that checks the revision
        yield engine, session_factory(engine)
    finally:
        engine.dispose()
