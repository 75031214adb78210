"""Reading the audit trail: one organisation's entries, filtered and paged, newest first, with who made each.

Every query is scoped to the actor's organisation (`org_id` is indexed); a page is one count and one bounded select, so
the cost does not grow with the pages before it beyond the database's offset scan. Times are stored in UTC; the
caller turns local days into UTC bounds (`day_bounds`) because the plants' days are China's days, not UTC's.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from milkprint.service.actor import Actor
from milkprint.service.common import page
from milkprint.store.models import Assessment, AssessmentVersion, AuditEntry, ResultRecord, User

MAX_LIMIT = 500
MAX_OFFSET = 10**12  # far beyond any log, and well inside a 64-bit OFFSET


def china() -> dt.tzinfo:
    """Asia/Shanghai; China has kept UTC+8 without daylight saving since 1991, so a fixed offset is the fallback
    where the system has no time zone database."""
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:
        return dt.timezone(dt.timedelta(hours=8), "CST")


@dataclass(frozen=True)
class AuditFilter:
    """What to keep; None (or empty) means no condition. `system` keeps only entries with no user."""

    action: str | None = None
    entity: str | None = None
    user_id: int | None = None
    system: bool = False
    entity_id: str | None = None
    start: dt.datetime | None = None  # inclusive, timezone-aware
    end: dt.datetime | None = None  # exclusive, timezone-aware
    text: str | None = None  # a substring of the before or after JSON


@dataclass(frozen=True)
class AuditRow:
    """An entry as plain values, with its user's names (empty when the entry has no user)."""

    id: int
    at: dt.datetime  # timezone-aware, UTC
    user_id: int | None
    username: str
    display_name: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    client: str


@dataclass(frozen=True)
class AuditChoices:
    """What the filters can offer: the actions and entities present in the log, and the organisation's users."""

    actions: list[str]
    entities: list[str]
    users: list[tuple[int, str, str]]  # id, username, display name


def day_bounds(
    first: dt.date | None, last: dt.date | None, tz: dt.tzinfo
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """UTC bounds [start, end) covering the local days `first` … `last` (both inclusive); OverflowError at the
    calendar's ends (year 1, year 9999)."""
    start = end = None
    if first is not None:
        start = dt.datetime.combine(first, dt.time(), tz).astimezone(dt.UTC)
    if last is not None:
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
    return start, end


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive UTC back, PostgreSQL aware: both become aware UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _conditions(org_id: int, f: AuditFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [AuditEntry.org_id == org_id]
    if f.action:
        where.append(AuditEntry.action == f.action)
    if f.entity:
        where.append(AuditEntry.entity == f.entity)
    if f.system:
        where.append(AuditEntry.user_id.is_(None))
    elif f.user_id is not None:
        where.append(AuditEntry.user_id == f.user_id)
    if f.entity_id:
        where.append(AuditEntry.entity_id == f.entity_id)
    # Aware UTC bounds: PostgreSQL compares instants; SQLite stores the UTC wall time, which is what it binds.
    if f.start is not None:
        where.append(AuditEntry.at >= f.start.astimezone(dt.UTC))
    if f.end is not None:
        where.append(AuditEntry.at < f.end.astimezone(dt.UTC))
    if f.text:
        # JSON is stored with non-ASCII characters escaped (\uXXXX), so a Chinese word is looked for in both forms.
        needles = {f.text, json.dumps(f.text)[1:-1]}
        columns = (cast(AuditEntry.before, String), cast(AuditEntry.after, String))
        where.append(or_(*(c.icontains(n, autoescape=True) for c in columns for n in needles)))
    return where


def search(
    session: Session, *, actor: Actor, filters: AuditFilter, offset: int = 0, limit: int = 50
) -> tuple[list[AuditRow], int]:
    """A page of the organisation's entries matching `filters`, newest first, and how many match in all."""
    offset = min(max(offset, 0), MAX_OFFSET)
    limit = min(max(limit, 1), MAX_LIMIT)
    where = _conditions(actor.org_id, filters)
    total = session.scalar(select(func.count(AuditEntry.id)).where(*where)) or 0
    query = (
        select(AuditEntry, User.username, User.display_name)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = [
        AuditRow(
            id=e.id,
            at=_utc(e.at),
            user_id=e.user_id,
            username=username or "",
            display_name=display or "",
            action=e.action,
            entity=e.entity,
            entity_id=e.entity_id,
            before=e.before,
            after=e.after,
            client=e.client,
        )
        for e, username, display in session.execute(query)
    ]
    return rows, total


def entries(
    session: Session, *, actor: Actor, entity: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[AuditEntry], int]:
    """A page of the organisation's entries (of one kind of entity, when given), by id newest first, and how many
    there are in all (the REST API's list)."""
    query = select(AuditEntry).where(AuditEntry.org_id == actor.org_id)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    return page(session, query.order_by(AuditEntry.id.desc()), offset, limit)


def about_assessment(
    session: Session, *, actor: Actor, assessment: Assessment, versions: list[AssessmentVersion], limit: int = 100
) -> list[tuple[AuditEntry, str]]:
    """The entries about an assessment, its versions, their uploads and results, newest first (at most `limit`),
    each with the name of who made it (display name, else username; empty for none)."""
    org_id = actor.org_id
    version_ids = [str(v.id) for v in versions]
    upload_ids = [str(v.upload_id) for v in versions]
    result_ids = [
        str(r)
        for r in session.scalars(
            select(ResultRecord.id).where(
                ResultRecord.org_id == org_id, ResultRecord.version_id.in_([v.id for v in versions])
            )
        )
    ]
    about = or_(
        and_(AuditEntry.entity == "assessment", AuditEntry.entity_id == str(assessment.id)),
        and_(AuditEntry.entity == "assessment_version", AuditEntry.entity_id.in_(version_ids or ["-"])),
        and_(AuditEntry.entity == "upload", AuditEntry.entity_id.in_(upload_ids or ["-"])),
        and_(AuditEntry.entity == "result", AuditEntry.entity_id.in_(result_ids or ["-"])),
    )
    rows = session.execute(
        select(AuditEntry, User.display_name, User.username)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.org_id == org_id, about)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    ).all()
    return [(e, name or username or "") for e, name, username in rows]


def choices(session: Session, *, actor: Actor) -> AuditChoices:
    """The filter menus: distinct actions and entities of the organisation's log, and its users by name."""
    org_id = actor.org_id
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.org_id == org_id).distinct().order_by(AuditEntry.action)
    )
    entities = session.scalars(
        select(AuditEntry.entity).where(AuditEntry.org_id == org_id).distinct().order_by(AuditEntry.entity)
    )
    users = session.execute(
        select(User.id, User.username, User.display_name).where(User.org_id == org_id).order_by(User.username)
    )
    return AuditChoices(list(actions), list(entities), [(i, u, d) for i, u, d in users])


def changed_keys(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """The keys whose values differ between two snapshots, in the after snapshot's order (then the removed ones)."""
    old, new = before or {}, after or {}
    keys = list(new) + [k for k in old if k not in new]
    missing = object()
    out: list[tuple[str, Any, Any]] = []
    for k in keys:
        a, b = old.get(k, missing), new.get(k, missing)
        if a != b:
            out.append((k, None if a is missing else a, None if b is missing else b))
    return out
