"""The database: a SQLite file by default, PostgreSQL by URL (MILKPRINT_DATABASE_URL); schema by Alembic.

SQLite runs with foreign keys on, WAL and synchronous=FULL, so a killed server loses no committed transaction.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ENV_URL = "MILKPRINT_DATABASE_URL"


def default_url() -> str:
    """MILKPRINT_DATABASE_URL, else a SQLite file in MILKPRINT_HOME (default ~/.milkprint)."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    home = Path(os.environ.get("MILKPRINT_HOME", Path.home() / ".milkprint"))
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'milkprint.db'}"


def normalise(url: str) -> str:
    """postgresql:// means psycopg 3 (the driver we install), not psycopg2."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str | None = None) -> Engine:
    """An engine for the URL (default: default_url()), with SQLite's durability settings."""
    full = normalise(url or default_url())
    if full.startswith("sqlite"):
        engine = create_engine(full, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA busy_timeout = 30000")
            cur.close()

        return engine
    return create_engine(full, pool_pre_ping=True, pool_size=10, max_overflow=20)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("milkprint.store") / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits whole at the end, or rolls back whole on any error."""
    with factory() as session, session.begin():
        yield session
