"""Downloads rendered from a result: the Annex A report, the water footprint declaration, the label (tag
`assessments`). Rendered once per content (service/renders.py), a few at a time, one at a time per person."""

from typing import Literal

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from milkprint.api.deps import MEDIA, V1, Caller, Db, Id, QueryId, Reader
from milkprint.api.deps import download as as_download
from milkprint.api.errors import lang_of
from milkprint.service import renders

router = APIRouter(prefix=V1)


def _render(
    s: Session,
    c: Caller,
    request: Request,
    assessment_id: int,
    kind: renders.Kind,
    fmt: str,
    version: int | None,
    interpretation: bool = False,
) -> bytes:
    """The bytes of one output of a version (its job read in a short transaction, rendered outside it)."""
    with s.begin():
        j = renders.job(
            s,
            actor=c.actor,
            assessment_id=assessment_id,
            kind=kind,
            fmt=fmt,
            lang=lang_of(request),
            version=version,
            interpretation=interpretation,
        )
    return renders.RENDERER.get(j, c.who)


@router.get(
    "/assessments/{assessment_id}/report",
    tags=["assessments"],
    response_class=Response,
    responses={200: {"content": {MEDIA["pdf"]: {}, MEDIA["docx"]: {}, MEDIA["html"]: {}}}},
)
def report(
    assessment_id: Id,
    request: Request,
    c: Reader,
    s: Db,
    format: Literal["pdf", "docx", "html"] = "pdf",
    interpretation: bool = False,
    version: QueryId = None,
) -> Response:
    """The Annex A report; `interpretation=true` adds the Monte Carlo, allocation and scenario analysis. Rendered
    once per content (later downloads come from memory), a few at a time (503 when all slots are busy), one at
    a time per person (429)."""
    data = _render(s, c, request, assessment_id, "report", format, version, interpretation=interpretation)
    return as_download(data, format, f"report-{assessment_id}")


@router.get(
    "/assessments/{assessment_id}/declaration",
    tags=["assessments"],
    response_class=Response,
    responses={200: {"content": {MEDIA["pdf"]: {}, MEDIA["docx"]: {}, MEDIA["html"]: {}}}},
)
def declaration(
    assessment_id: Id,
    request: Request,
    c: Reader,
    s: Db,
    format: Literal["pdf", "docx", "html"] = "pdf",
    version: QueryId = None,
) -> Response:
    """The water footprint declaration: blue and grey water stated apart."""
    data = _render(s, c, request, assessment_id, "declaration", format, version)
    return as_download(data, format, f"water-declaration-{assessment_id}")


@router.get(
    "/assessments/{assessment_id}/label",
    tags=["assessments"],
    response_class=Response,
    responses={200: {"content": {MEDIA["svg"]: {}, MEDIA["png"]: {}}}},
)
def label(
    assessment_id: Id,
    request: Request,
    c: Reader,
    s: Db,
    format: Literal["svg", "png"] = "svg",
    version: QueryId = None,
    download: bool = False,
) -> Response:
    data = _render(s, c, request, assessment_id, "label", format, version)
    if download:
        return as_download(data, format, f"label-{assessment_id}")
    return Response(data, media_type=MEDIA[format])
