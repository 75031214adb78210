"""An organisation's plants, its products and each plant's meters.

Plants are created and edited by people; a product is created on first sight of its name and spec in an upload
(`product_of`), and a plant's meter rows follow the meters.csv of its latest bundle that has one (`refresh_meters`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from milkprint.errors import Text
from milkprint.service.common import add_created, flush, owned, page, text_field
from milkprint.service.errors import ConflictError
from milkprint.store.audit import record, record_changed, record_created, snapshot
from milkprint.store.models import Meter, Plant, Product

if TYPE_CHECKING:
    from milkprint.bundle.models import Meter as BundleMeter


def create_plant(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    name: str,
    province: str = "",
    grid: str = "",
    client: str = "",
) -> Plant:
    clean = text_field(name, "name", "名称", 200)
    _plant_name_free(session, org_id, clean, None)
    plant = Plant(
        org_id=org_id,
        name=clean,
        province=text_field(province, "province", "省份", 50, empty=True),
        grid=text_field(grid, "grid", "电网区域", 50, empty=True),
    )
    add_created(session, plant, "plant", org_id=org_id, user_id=user_id, client=client)
    return plant


def update_plant(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    plant_id: int,
    name: str | None = None,
    province: str | None = None,
    grid: str | None = None,
    client: str = "",
) -> Plant:
    """Change the fields given (None leaves a field as it is); an unchanged plant writes nothing."""
    plant = get_plant(session, org_id=org_id, plant_id=plant_id)
    changes: dict[str, str] = {}
    if name is not None:
        changes["name"] = text_field(name, "name", "名称", 200)
    if province is not None:
        changes["province"] = text_field(province, "province", "省份", 50, empty=True)
    if grid is not None:
        changes["grid"] = text_field(grid, "grid", "电网区域", 50, empty=True)
    changes = {k: v for k, v in changes.items() if getattr(plant, k) != v}
    if not changes:
        return plant
    if "name" in changes:
        _plant_name_free(session, org_id, changes["name"], plant.id)
    before = snapshot(plant)
    for key, value in changes.items():
        setattr(plant, key, value)
    flush(session)
    record_changed(session, plant, "plant", before, org_id=org_id, user_id=user_id, client=client)
    return plant


def get_plant(session: Session, *, org_id: int, plant_id: int) -> Plant:
    return owned(session, Plant, plant_id, org_id, "工厂", "plant")


def list_plants(session: Session, *, org_id: int, offset: int = 0, limit: int = 50) -> tuple[list[Plant], int]:
    """A page of the organisation's plants (by id) and how many there are in all."""
    return page(session, select(Plant).where(Plant.org_id == org_id).order_by(Plant.id), offset, limit)


def list_products(session: Session, *, org_id: int) -> list[Product]:
    return list(session.scalars(select(Product).where(Product.org_id == org_id).order_by(Product.name, Product.spec)))


def list_meters(session: Session, *, org_id: int, plant_id: int) -> list[Meter]:
    """The plant's meters as its latest bundle with a meters.csv registered them."""
    get_plant(session, org_id=org_id, plant_id=plant_id)
    query = select(Meter).where(Meter.org_id == org_id, Meter.plant_id == plant_id).order_by(Meter.meter_id)
    return list(session.scalars(query))


def product_of(session: Session, org_id: int, user_id: int | None, name: str, spec: str, client: str) -> Product:
    """The organisation's product of the bundle's [product] name and spec, created on first sight."""
    product = session.scalar(
        select(Product).where(Product.org_id == org_id, Product.name == name, Product.spec == spec)
    )
    if product is not None:
        return product
    product = Product(org_id=org_id, name=name, spec=spec)
    add_created(session, product, "product", org_id=org_id, user_id=user_id, client=client)
    return product


def refresh_meters(
    session: Session, org_id: int, user_id: int | None, plant_id: int, meters: Sequence[BundleMeter], client: str
) -> None:
    """Make the plant's meter rows those of the bundle's meters.csv; a bundle without meters leaves them alone
    (it was filled from totals, not from the plant's meters)."""
    if not meters:
        return
    existing = {
        m.meter_id: m for m in session.scalars(select(Meter).where(Meter.org_id == org_id, Meter.plant_id == plant_id))
    }
    created: list[Meter] = []
    updated: list[tuple[dict[str, Any], Meter]] = []
    for bm in meters:
        values = {
            "process": str(bm.process),
            "item": str(bm.item),
            "unit": str(bm.unit),
            "kind": str(bm.kind),
            "name": bm.name,
        }
        row = existing.pop(bm.meter_id, None)
        if row is None:
            row = Meter(org_id=org_id, plant_id=plant_id, meter_id=bm.meter_id, **values)
            session.add(row)
            created.append(row)
        elif any(getattr(row, k) != v for k, v in values.items()):
            before = snapshot(row)
            for k, v in values.items():
                setattr(row, k, v)
            updated.append((before, row))
    removed = [(snapshot(row), row) for row in existing.values()]
    for _, row in removed:
        session.delete(row)
    flush(session)
    for row in created:
        record_created(session, row, "meter", org_id=org_id, user_id=user_id, client=client)
    for before, row in updated:
        record_changed(session, row, "meter", before, org_id=org_id, user_id=user_id, client=client)
    for before, _ in removed:
        record(
            session,
            org_id=org_id,
            user_id=user_id,
            action="delete",
            entity="meter",
            entity_id=before["id"],
            before=before,
            client=client,
        )


def _plant_name_free(session: Session, org_id: int, name: str, plant_id: int | None) -> None:
    query = select(Plant.id).where(Plant.org_id == org_id, Plant.name == name)
    if plant_id is not None:
        query = query.where(Plant.id != plant_id)
    if session.scalar(query) is not None:
        raise ConflictError(Text(f"工厂“{name}”已存在", f"a plant named '{name}' exists already"))
