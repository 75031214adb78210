"""The organisation's audit trail, newest first (admin, tag `audit`)."""

from fastapi import APIRouter

from milkprint.api import schemas as S
from milkprint.api.deps import V1, Admin, Db, Limit, Offset
from milkprint.service import audit_log

router = APIRouter(prefix=V1)


@router.get("/audit", response_model=S.Page[S.AuditOut], tags=["audit"])
def audit(c: Admin, s: Db, entity: str | None = None, offset: Offset = 0, limit: Limit = 50) -> S.Page[S.AuditOut]:
    with s.begin():
        rows, total = audit_log.entries(s, actor=c.actor, entity=entity, offset=offset, limit=limit)
        items = [S.AuditOut.model_validate(r) for r in rows]
    return S.Page(items=items, total=total, offset=offset, limit=limit)
