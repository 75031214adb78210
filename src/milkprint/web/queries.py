"""The queries several pages share: which plant a page shows, which result is "current", each assessment's newest
result."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from milkprint.service import assessments as svc
from milkprint.service.errors import NotFoundError
from milkprint.store.models import Assessment, AssessmentVersion, Plant, ResultRecord


@dataclass(frozen=True)
class Current:
    """The result the dashboard shows: the newest assessment of the plant (and product) whose current version, or
    else whose approved version, has a result."""

    assessment: Assessment
    version: AssessmentVersion
    result_id: int


def choose_plant(s: Session, org_id: int, wanted: int | None) -> tuple[list[Plant], Plant | None]:
    """The organisation's plants and the one a page shows: the one asked for, else the first (another
    organisation's id is simply not among them)."""
    plants, _ = svc.list_plants(s, org_id=org_id, limit=200)
    return plants, next((p for p in plants if p.id == wanted), plants[0] if plants else None)


def current_result(s: Session, org_id: int, assessments: list[Assessment]) -> Current | None:
    for a in assessments:
        for number in dict.fromkeys([a.current_version, a.approved_version]):
            if number is None:
                continue
            try:
                rid = svc.latest_result_id(s, org_id=org_id, assessment_id=a.id, version=number)
            except NotFoundError:
                continue
            v = svc.get_version(s, org_id=org_id, assessment_id=a.id, version=number)
            return Current(a, v, rid)
    return None


def results_of(s: Session, org_id: int, ids: list[int]) -> dict[int, ResultRecord]:
    """The newest result of each assessment's current version (lists and the dashboard's history)."""
    if not ids:
        return {}
    rows = s.execute(
        select(Assessment.id, ResultRecord)
        .join(AssessmentVersion, AssessmentVersion.assessment_id == Assessment.id)
        .join(ResultRecord, ResultRecord.version_id == AssessmentVersion.id)
        .where(
            Assessment.org_id == org_id, Assessment.id.in_(ids), AssessmentVersion.number == Assessment.current_version
        )
        .order_by(ResultRecord.id)
    ).all()
    return {aid: rec for aid, rec in rows}
