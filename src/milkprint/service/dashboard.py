"""What the dashboard and the lists show of an organisation's results: which plant a page shows, which result is
"current", each assessment's newest result; and, for warming the views after a start, the newest plants' current
results across organisations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from milkprint.service.actor import Actor
from milkprint.service.errors import NotFoundError
from milkprint.service.plants import list_plants
from milkprint.service.runs import latest_result_id
from milkprint.service.versions import get_version, list_assessments
from milkprint.store.models import Assessment, AssessmentVersion, Plant, ResultRecord


@dataclass(frozen=True)
class Current:
    """The result the dashboard shows: the newest assessment of the plant (and product) whose current version, or
    else whose approved version, has a result."""

    assessment: Assessment
    version: AssessmentVersion
    result_id: int


def choose_plant(session: Session, actor: Actor, wanted: int | None) -> tuple[list[Plant], Plant | None]:
    """The organisation's plants and the one a page shows: the one asked for, else the first (another
    organisation's id is simply not among them)."""
    plants, _ = list_plants(session, actor=actor, limit=200)
    return plants, next((p for p in plants if p.id == wanted), plants[0] if plants else None)


def current_result(session: Session, actor: Actor, assessments: list[Assessment]) -> Current | None:
    for a in assessments:
        for number in dict.fromkeys([a.current_version, a.approved_version]):
            if number is None:
                continue
            try:
                rid = latest_result_id(session, actor=actor, assessment_id=a.id, version=number)
            except NotFoundError:
                continue
            v = get_version(session, actor=actor, assessment_id=a.id, version=number)
            return Current(a, v, rid)
    return None


def results_of(session: Session, actor: Actor, ids: list[int]) -> dict[int, ResultRecord]:
    """The newest result of each assessment's current version (lists and the dashboard's history)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Assessment.id, ResultRecord)
        .join(AssessmentVersion, AssessmentVersion.assessment_id == Assessment.id)
        .join(ResultRecord, ResultRecord.version_id == AssessmentVersion.id)
        .where(
            Assessment.org_id == actor.org_id,
            Assessment.id.in_(ids),
            AssessmentVersion.number == Assessment.current_version,
        )
        .order_by(ResultRecord.id)
    ).all()
    return {aid: rec for aid, rec in rows}


def newest_plants_current(session: Session, limit: int = 50) -> list[tuple[int, Current]]:
    """The current result of each of the newest plants (at most `limit`, any organisation), with the plant's
    organisation: what warming the views after a start computes. A system read: no person acts."""
    out: list[tuple[int, Current]] = []
    for plant in list(session.scalars(select(Plant).order_by(Plant.id.desc()).limit(limit))):
        actor = Actor(org_id=plant.org_id, user_id=None, client="")
        found, _ = list_assessments(session, actor=actor, plant_id=plant.id, limit=20)
        current = current_result(session, actor, found)
        if current is not None:
            out.append((plant.org_id, current))
    return out
