"""The service's shared rules, beneath every aggregate module (organisations, plants, uploads, versions, runs).

Every service function takes the caller's `Session` and adds to its transaction; the caller commits, so what one
call does lands whole or not at all (inputs are validated before anything is added, and on any error the caller
rolls back). Every query is scoped by the organisation of the `Actor` (service.actor) the door passes: another
organisation's row is reported exactly like an absent one (`owned`). Pending changes are written with `flush`, so a concurrent change shows as a ConflictError, never as an
overwrite. Also here: paging (`page`, at most MAX_PAGE rows), auditing as the actor (`add_created`, `audit_created`,
`audit_changed`, `audit`), the check of a
short text field (`text_field`) and of an output format (`format_of`).
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from milkprint.errors import InputError, Location, Text
from milkprint.service.actor import Actor
from milkprint.service.errors import ConflictError, not_found
from milkprint.store.audit import record, record_changed, record_created
from milkprint.store.models import Assessment, AuditEntry, Base, Plant, ResultRecord

MAX_PAGE = 500  # rows per page at most

T = TypeVar("T", bound=Base)
Owned = TypeVar("Owned", Plant, Assessment, ResultRecord)
F = TypeVar("F", bound=str)

ReportFormat = Literal["pdf", "docx", "html"]
LabelFormat = Literal["svg", "png"]
REPORT_FORMATS: tuple[ReportFormat, ...] = ("pdf", "docx", "html")
LABEL_FORMATS: tuple[LabelFormat, ...] = ("svg", "png")


def format_of(fmt: str, allowed: tuple[F, ...]) -> F:
    """The format asked for, if it is one of `allowed` (InputError naming the column `format` otherwise)."""
    for f in allowed:
        if fmt == f:
            return f
    raise InputError.at(
        Location(column="format"),
        f"不支持的格式“{fmt}”，应为：{'、'.join(allowed)}",
        f"unsupported format '{fmt}'; expected one of {', '.join(allowed)}",
    )


def text_field(value: str, column: str, zh: str, limit: int, empty: bool = False) -> str:
    """The value stripped, if it fits `limit` characters (and is not empty unless `empty`); InputError otherwise."""
    clean = value.strip()
    if (not clean and not empty) or len(clean) > limit:
        raise InputError.at(
            Location(column=column),
            f"{zh}{'' if empty else '不能为空，且'}不超过 {limit} 个字符",
            f"the {column} must {'' if empty else 'not be empty and must '}have at most {limit} characters",
        )
    return clean


def page(session: Session, query: Select[T], offset: int, limit: int) -> tuple[list[T], int]:
    """One page of the query's rows and how many rows it has in all (InputError for an invalid page)."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InputError.at(
            Location(column="offset" if offset < 0 else "limit"),
            f"分页参数无效：offset ≥ 0，1 ≤ limit ≤ {MAX_PAGE}",
            f"invalid page: offset >= 0 and 1 <= limit <= {MAX_PAGE}",
        )
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.offset(offset).limit(limit))), total


def owned(session: Session, model: type[Owned], key: int, org_id: int, zh: str, en: str) -> Owned:
    """The row of `model` with this id in this organisation; another organisation's row is simply not found."""
    row = session.scalar(select(model).where(model.id == key, model.org_id == org_id))
    if row is None:
        raise not_found(zh, en, key)
    return row


def add_created(session: Session, row: Base, entity: str, actor: Actor) -> None:
    """Add a new row, flush it for its id, and audit its creation by the actor (same transaction)."""
    session.add(row)
    flush(session)
    audit_created(session, row, entity, actor)


def audit_created(session: Session, row: Base, entity: str, actor: Actor) -> AuditEntry:
    """The audit row of a new (flushed) row, made by the actor."""
    return record_created(session, row, entity, org_id=actor.org_id, user_id=actor.user_id, client=actor.client)


def audit_changed(
    session: Session, row: Base, entity: str, before: dict[str, Any], actor: Actor, action: str = "update"
) -> AuditEntry:
    """The audit row of a change the actor made to `row` (`before`: its snapshot before the change)."""
    return record_changed(
        session, row, entity, before, org_id=actor.org_id, user_id=actor.user_id, client=actor.client, action=action
    )


def audit(
    session: Session,
    actor: Actor,
    *,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """An audit row of something else the actor did (a deletion, a result, a revocation)."""
    return record(
        session,
        org_id=actor.org_id,
        user_id=actor.user_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        client=actor.client,
    )


def flush(session: Session) -> None:
    """Write pending changes now, so a concurrent change shows as a ConflictError (never as an overwrite)."""
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(
            Text(
                "该评价刚被他人修改：请重新读取后再试（本次未做任何修改）",
                "the assessment was just changed by someone else: reload it and try again (nothing was changed)",
            )
        ) from None
    except IntegrityError as exc:
        if not unique_violation(exc):
            raise
        raise ConflictError(
            Text(
                "同时有另一项修改写入了相同的记录：请重试（本次未做任何修改）",
                "another change wrote the same record at the same time: try again (nothing was changed)",
            )
        ) from None


def unique_violation(exc: IntegrityError) -> bool:
    """Whether the database refused the write for a unique constraint (PostgreSQL's 23505, SQLite's message)."""
    code = getattr(exc.orig, "sqlstate", None)
    if code is not None:
        return bool(code == "23505")
    return "UNIQUE constraint failed" in str(exc.orig)
