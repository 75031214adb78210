"""Plants, their meters, and the organisation's products (tag `plants`)."""

from fastapi import APIRouter

from milkprint.api import schemas as S
from milkprint.api.deps import V1, Db, Id, Limit, Offset, Reader, Writer
from milkprint.service import assessments as svc

router = APIRouter(prefix=V1)


@router.get("/plants", response_model=S.Page[S.PlantOut], tags=["plants"])
def plants(c: Reader, s: Db, offset: Offset = 0, limit: Limit = 50) -> S.Page[S.PlantOut]:
    with s.begin():
        rows, total = svc.list_plants(s, actor=c.actor, offset=offset, limit=limit)
    return S.Page(items=[S.PlantOut.model_validate(p) for p in rows], total=total, offset=offset, limit=limit)


@router.post("/plants", response_model=S.PlantOut, status_code=201, tags=["plants"])
def new_plant(body: S.PlantIn, c: Writer, s: Db) -> S.PlantOut:
    with s.begin():
        plant = svc.create_plant(s, actor=c.actor, **body.model_dump())
    return S.PlantOut.model_validate(plant)


@router.get("/plants/{plant_id}", response_model=S.PlantOut, tags=["plants"])
def plant(plant_id: Id, c: Reader, s: Db) -> S.PlantOut:
    with s.begin():
        return S.PlantOut.model_validate(svc.get_plant(s, actor=c.actor, plant_id=plant_id))


@router.patch("/plants/{plant_id}", response_model=S.PlantOut, tags=["plants"])
def patch_plant(plant_id: Id, body: S.PlantPatch, c: Writer, s: Db) -> S.PlantOut:
    with s.begin():
        changes = body.model_dump(exclude_none=True)
        p = svc.update_plant(s, actor=c.actor, plant_id=plant_id, **changes)
    return S.PlantOut.model_validate(p)


@router.get("/plants/{plant_id}/meters", response_model=list[S.MeterOut], tags=["plants"])
def meters(plant_id: Id, c: Reader, s: Db) -> list[S.MeterOut]:
    with s.begin():
        return [S.MeterOut.model_validate(m) for m in svc.list_meters(s, actor=c.actor, plant_id=plant_id)]


@router.get("/products", response_model=list[S.ProductOut], tags=["plants"])
def products(c: Reader, s: Db) -> list[S.ProductOut]:
    with s.begin():
        return [S.ProductOut.model_validate(p) for p in svc.list_products(s, actor=c.actor)]
