"""Usernames are unique by their normalised key (NFKC, stripped, case-folded), which login also looks up.

Existing rows are backfilled. Names that the old rule let in side by side but that share a key (`demo` and `DEMO`,
or `ＤＥＭＯ`) cannot all keep it: the oldest account (lowest id) keeps the key, each later one gets `key#id` and
signs in by typing that (an administrator can see it in the user list and should rename or deactivate it).

The normalisation is copied here, not imported, so this migration means the same thing however the code changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEY_LENGTH = 100


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).strip().casefold())


def _fit(key: str, suffix: str = "") -> str:
    return key[: KEY_LENGTH - len(suffix)] + suffix


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:  # ADD COLUMN: no table rebuild on SQLite
        batch_op.add_column(
            sa.Column("username_key", sa.String(length=KEY_LENGTH), server_default=sa.text("''"), nullable=False)
        )
    users = sa.table(
        "users",
        sa.column("id", sa.Integer()),
        sa.column("username", sa.String()),
        sa.column("username_key", sa.String()),
    )
    conn = op.get_bind()
    taken: set[str] = set()
    for user_id, username in conn.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id)).all():
        key = _fit(_key(username))
        if key in taken:
            key = _fit(key, f"#{user_id}")
        taken.add(key)
        conn.execute(users.update().where(users.c.id == user_id).values(username_key=key))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_username_key"), ["username_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_username_key"))
        batch_op.drop_column("username_key")
