"""Approving an assessment (an approver's act, tag `assessments`): its version and result become the approved ones."""

from fastapi import APIRouter

from milkprint.api import schemas as S
from milkprint.api.deps import V1, Approver, Db, Id
from milkprint.service import assessments as svc

router = APIRouter(prefix=V1)


@router.post(
    "/assessments/{assessment_id}/approve",
    response_model=S.AssessmentOut,
    tags=["assessments"],
    responses={409: {"model": S.ErrorBody}},
)
def approve(assessment_id: Id, body: S.Approve, c: Approver, s: Db) -> S.AssessmentOut:
    with s.begin():
        a = svc.approve(
            s,
            actor=c.actor,
            assessment_id=assessment_id,
            expected_row_version=body.row_version,
        )
    return S.AssessmentOut.model_validate(a)
