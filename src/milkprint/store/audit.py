"""The audit trail: every change is a row (who, when, what, the row before and after), in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from milkprint.store.models import AuditEntry, Base

SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "id_hash", "csrf_token", "data", "bundle_zip"})


def snapshot(row: Base) -> dict[str, Any]:
    """The row's columns as JSON-safe values; secrets and blobs are left out (a blob by its size)."""
    out: dict[str, Any] = {}
    for attr in inspect(row).mapper.column_attrs:
        key = attr.key
        value = getattr(row, key)
        if key in SECRET_COLUMNS:
            if isinstance(value, bytes):
                out[f"{key}_bytes"] = len(value)
            continue
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = f"<{len(value)} bytes>"
        out[key] = value
    return out


def record(
    session: Session,
    *,
    org_id: int | None,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: object = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    client: str = "",
) -> AuditEntry:
    """Add an audit row to the session (committed with the change it describes, or not at all)."""
    entry = AuditEntry(
        org_id=org_id,
        user_id=user_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=before,
        after=after,
        client=client,
    )
    session.add(entry)
    return entry


def record_changed(
    session: Session,
    row: Base,
    entity: str,
    before: dict[str, Any],
    *,
    org_id: int | None,
    user_id: int | None,
    client: str = "",
    action: str = "update",
) -> AuditEntry:
    """Audit a change of a row the session holds: its snapshot `before` the change and as it is now."""
    return record(
        session,
        org_id=org_id,
        user_id=user_id,
        action=action,
        entity=entity,
        entity_id=getattr(row, "id", ""),
        before=before,
        after=snapshot(row),
        client=client,
    )


def record_created(
    session: Session, row: Base, entity: str, *, org_id: int | None, user_id: int | None, client: str = ""
) -> AuditEntry:
    """Audit the creation of a row the session holds (flushed first, so the entry names its id)."""
    session.flush()
    return record(
        session,
        org_id=org_id,
        user_id=user_id,
        action="create",
        entity=entity,
        entity_id=getattr(row, "id", ""),
        after=snapshot(row),
        client=client,
    )
