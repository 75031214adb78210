"""Assessments and their versions: list, create from an upload, read, retitle, new version, run (tag `assessments`).
Uploads are read only after the caller is known to be an engineer or admin."""

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from milkprint.api import schemas as S
from milkprint.api.deps import MAX_UPLOAD, V1, Db, Id, Limit, Offset, QueryId, Reader, Writer
from milkprint.api.uploads import UPLOAD_OPENAPI, VERSION_OPENAPI, read_upload_form
from milkprint.service import assessments as svc
from milkprint.store.models import MAX_ID

router = APIRouter(prefix=V1)


@router.get("/assessments", response_model=S.Page[S.AssessmentOut], tags=["assessments"])
def assessments(
    c: Reader,
    s: Db,
    plant_id: QueryId = None,
    status: Literal["draft", "approved"] | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> S.Page[S.AssessmentOut]:
    with s.begin():
        rows, total = svc.list_assessments(
            s, actor=c.actor, plant_id=plant_id, status=status, offset=offset, limit=limit
        )
        items = [S.AssessmentOut.model_validate(a) for a in rows]
    return S.Page(items=items, total=total, offset=offset, limit=limit)


@router.post(
    "/assessments",
    response_model=S.AssessmentOut,
    status_code=201,
    tags=["assessments"],
    openapi_extra=UPLOAD_OPENAPI,
    responses={413: {"model": S.ErrorBody}},
)
async def new_assessment(request: Request, c: Writer, s: Db) -> S.AssessmentOut:
    """A new assessment from a bundle .zip or a filled workbook .xlsx (multipart: file, plant_id, title); the
    form is read only after the caller is known to be an engineer or admin."""
    form = await read_upload_form(request, fields=("plant_id", "title"), max_upload=MAX_UPLOAD)

    def work() -> S.AssessmentOut:
        plant_id = form.integer("plant_id", low=1, high=MAX_ID)
        title = form.text("title", max_length=200, required=True)
        with s.begin():
            a = svc.create_assessment(
                s,
                actor=c.actor,
                plant_id=plant_id,
                title=title,
                filename=form.filename or "upload",
                content_type=form.content_type,
                data=form.data,
            )
        return S.AssessmentOut.model_validate(a)

    return await run_in_threadpool(work)


@router.get("/assessments/{assessment_id}", response_model=S.AssessmentOut, tags=["assessments"])
def assessment(assessment_id: Id, c: Reader, s: Db) -> S.AssessmentOut:
    with s.begin():
        return S.AssessmentOut.model_validate(svc.get_assessment(s, actor=c.actor, assessment_id=assessment_id))


@router.patch(
    "/assessments/{assessment_id}",
    response_model=S.AssessmentOut,
    tags=["assessments"],
    responses={409: {"model": S.ErrorBody}},
)
def patch_assessment(assessment_id: Id, body: S.TitlePatch, c: Writer, s: Db) -> S.AssessmentOut:
    with s.begin():
        a = svc.update_title(
            s,
            actor=c.actor,
            assessment_id=assessment_id,
            title=body.title,
            expected_row_version=body.row_version,
        )
    return S.AssessmentOut.model_validate(a)


@router.get("/assessments/{assessment_id}/versions", response_model=list[S.VersionOut], tags=["assessments"])
def versions(assessment_id: Id, c: Reader, s: Db) -> list[S.VersionOut]:
    with s.begin():
        found = svc.list_versions(s, actor=c.actor, assessment_id=assessment_id)
        return [S.VersionOut.model_validate(v) for v in found]


@router.post(
    "/assessments/{assessment_id}/versions",
    response_model=S.VersionOut,
    status_code=201,
    tags=["assessments"],
    openapi_extra=VERSION_OPENAPI,
    responses={409: {"model": S.ErrorBody}, 413: {"model": S.ErrorBody}},
)
async def new_version(assessment_id: Id, request: Request, c: Writer, s: Db) -> S.VersionOut:
    """A new version of an assessment (multipart: file, row_version, note), read after the caller is known."""
    form = await read_upload_form(request, fields=("row_version", "note"), max_upload=MAX_UPLOAD)

    def work() -> S.VersionOut:
        row_version = form.integer("row_version", low=0, high=MAX_ID)
        note = form.text("note", max_length=2000)
        with s.begin():
            v = svc.add_version(
                s,
                actor=c.actor,
                assessment_id=assessment_id,
                expected_row_version=row_version,
                filename=form.filename or "upload",
                content_type=form.content_type,
                data=form.data,
                note=note,
            )
        return S.VersionOut.model_validate(v)

    return await run_in_threadpool(work)


@router.post("/assessments/{assessment_id}/run", response_model=S.ResultOut, tags=["assessments"])
def run(assessment_id: Id, c: Writer, s: Db, version: QueryId = None) -> S.ResultOut:
    with s.begin():
        r = svc.run_assessment(s, actor=c.actor, assessment_id=assessment_id, version=version)
    return S.ResultOut.model_validate(r)
