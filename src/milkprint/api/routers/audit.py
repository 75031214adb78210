"""The organisation's audit trail, newest first (admin, tag `audit`)."""

from fastapi import APIRouter
from sqlalchemy import func, select

from milkprint.api import schemas as S
from milkprint.api.deps import V1, Admin, Db, Limit, Offset
from milkprint.store.models import AuditEntry

router = APIRouter(prefix=V1)


@router.get("/audit", response_model=S.Page[S.AuditOut], tags=["audit"])
def audit(c: Admin, s: Db, entity: str | None = None, offset: Offset = 0, limit: Limit = 50) -> S.Page[S.AuditOut]:
    q = select(AuditEntry).where(AuditEntry.org_id == c.org)
    if entity:
        q = q.where(AuditEntry.entity == entity)
    with s.begin():
        total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
        rows = s.scalars(q.order_by(AuditEntry.id.desc()).offset(offset).limit(limit))
        items = [S.AuditOut.model_validate(r) for r in rows]
    return S.Page(items=items, total=total, offset=offset, limit=limit)
