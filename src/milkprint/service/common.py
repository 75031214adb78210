"""The service's shared rules, beneath every aggregate module (organisations, plants, uploads, versions, runs).

Every service function takes the caller's `Session` and adds to its transaction; the caller commits, so what one
call does lands whole or not at all (inputs are validated before anything is added, and on any error the caller
rolls back). Every query is scoped by `org_id`: another organisation's row is reported exactly like an absent one
(`owned`). Pending changes are written with `flush`, so a concurrent change shows as a ConflictError, never as an
overwrite. Also here: paging (`page`, at most MAX_PAGE rows), auditing a new row (`add_created`), the check of a
short text field (`text_field`) and of an output format (`format_of`).
"""

from __future__ import annotations

from typing import Literal, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from milkprint.errors import InputError, Location, Text
from milkprint.service.errors import ConflictError, not_found
from milkprint.store.audit import record_created
from milkprint.store.models import Assessment, Base, Plant, ResultRecord

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


def add_created(session: Session, row: Base, entity: str, *, org_id: int, user_id: int | None, client: str) -> None:
    """Add a new row, flush it for its id, and audit its creation (same transaction)."""
    session.add(row)
    flush(session)
    record_created(session, row, entity, org_id=org_id, user_id=user_id, client=client)


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
