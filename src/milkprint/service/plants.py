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
from milkprint.service.actor import Actor
from milkprint.service.common import add_created, audit, audit_changed, audit_created, flush, owned, page, text_field
from milkprint.service.errors import ConflictError
from milkprint.store.audit import snapshot
from milkprint.store.models import Meter, Plant, Product

if TYPE_CHECKING:
    from milkprint.bundle.models import Meter as BundleMeter


def create_plant(session: Session, *, actor: Actor, name: str, province: str = "", grid: str = "") -> Plant:
    clean = text_field(name, "name", "名称", 200)
    _plant_name_free(session, actor.org_id, clean, None)
    plant = Plant(
        org_id=actor.org_id,
        name=clean,
        province=text_field(province, "province", "省份", 50, empty=True),
        grid=text_field(grid, "grid", "电网区域", 50, empty=True),
    )
    add_created(session, plant, "plant", actor)
    return plant


def update_plant(
    session: Session,
    *,
    actor: Actor,
    plant_id: int,
    name: str | None = None,
    province: str | None = None,
    grid: str | None = None,
) -> Plant:
    """Change the fields given (None leaves a field as it is); an unchanged plant writes nothing."""
    plant = get_plant(session, actor=actor, plant_id=plant_id)
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
        _plant_name_free(session, actor.org_id, changes["name"], plant.id)
    before = snapshot(plant)
    for key, value in changes.items():
        setattr(plant, key, value)
    flush(session)
    audit_changed(session, plant, "plant", before, actor)
    return plant


def get_plant(session: Session, *, actor: Actor, plant_id: int) -> Plant:
    return owned(session, Plant, plant_id, actor.org_id, "工厂", "plant")


def list_plants(session: Session, *, actor: Actor, offset: int = 0, limit: int = 50) -> tuple[list[Plant], int]:
    """A page of the organisation's plants (by id) and how many there are in all."""
    return page(session, select(Plant).where(Plant.org_id == actor.org_id).order_by(Plant.id), offset, limit)


def list_products(session: Session, *, actor: Actor) -> list[Product]:
    query = select(Product).where(Product.org_id == actor.org_id).order_by(Product.name, Product.spec)
    return list(session.scalars(query))


def products_by_id(session: Session, *, actor: Actor, product_ids: Sequence[int]) -> list[Product]:
    """The organisation's products among these ids, by id (another organisation's id is simply not among them)."""
    if not product_ids:
        return []
    query = select(Product).where(Product.org_id == actor.org_id, Product.id.in_(list(product_ids)))
    return list(session.scalars(query.order_by(Product.id)))


def list_meters(session: Session, *, actor: Actor, plant_id: int) -> list[Meter]:
    """The plant's meters as its latest bundle with a meters.csv registered them."""
    get_plant(session, actor=actor, plant_id=plant_id)
    query = select(Meter).where(Meter.org_id == actor.org_id, Meter.plant_id == plant_id).order_by(Meter.meter_id)
    return list(session.scalars(query))


def product_of(session: Session, actor: Actor, name: str, spec: str) -> Product:
    """The organisation's product of the bundle's [product] name and spec, created on first sight."""
    org_id = actor.org_id
    product = session.scalar(
        select(Product).where(Product.org_id == org_id, Product.name == name, Product.spec == spec)
    )
    if product is not None:
        return product
    product = Product(org_id=org_id, name=name, spec=spec)
    add_created(session, product, "product", actor)
    return product


def refresh_meters(session: Session, actor: Actor, plant_id: int, meters: Sequence[BundleMeter]) -> None:
    """Make the plant's meter rows those of the bundle's meters.csv; a bundle without meters leaves them alone
    (it was filled from totals, not from the plant's meters)."""
    if not meters:
        return
    org_id = actor.org_id
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
        audit_created(session, row, "meter", actor)
    for before, row in updated:
        audit_changed(session, row, "meter", before, actor)
    for before, _ in removed:
        audit(session, actor, action="delete", entity="meter", entity_id=before["id"], before=before)


def _plant_name_free(session: Session, org_id: int, name: str, plant_id: int | None) -> None:
    query = select(Plant.id).where(Plant.org_id == org_id, Plant.name == name)
    if plant_id is not None:
        query = query.where(Plant.id != plant_id)
    if session.scalar(query) is not None:
        raise ConflictError(Text(f"工厂“{name}”已存在", f"a plant named '{name}' exists already"))
