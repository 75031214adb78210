"""Results: an assessment's current result (the dashboards' hot path), a result by id, and the checks (tag
`assessments`). Result JSON is cached per process (deps.ResultCache): results are immutable."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from milkprint.api import schemas as S
from milkprint.api.deps import V1, Db, Id, QueryId, Reader, Results, cached_caller, caller, may_read, result_cache_of
from milkprint.api.errors import lang_of
from milkprint.api.security import can
from milkprint.service import assessments as svc

router = APIRouter(prefix=V1)


@router.get("/assessments/{assessment_id}/result", response_model=S.ResultOut, tags=["assessments"])
async def result(assessment_id: Id, request: Request) -> Response:
    """The hot path (dashboards poll it). The database work (token lookup, the ids-only query of the current
    result, the JSON) runs in a worker thread, so a query waiting for a lock never stops the event loop; a poll
    repeated within LATEST_TTL_S by a cached token is answered from memory, in the loop, with no I/O at all."""
    cache = result_cache_of(request)
    known = cached_caller(request)
    if known is not None and can(known.user.role, "read"):
        body = cache.fresh(known.org, assessment_id)
        if body is not None:
            return Response(body, media_type="application/json")

    def work() -> bytes:
        with request.app.state.factory() as s:
            c = may_read(caller(request, s))
            with s.begin():
                rid = svc.latest_result_id(s, actor=c.actor, assessment_id=assessment_id)
                body = cache.result_json(s, c.actor, rid)
        cache.remember(c.org, assessment_id, body)
        return body

    return Response(await run_in_threadpool(work), media_type="application/json")


@router.get("/results/{result_id}", response_model=S.ResultOut, tags=["assessments"])
def result_by_id(result_id: Id, c: Reader, s: Db, cache: Results) -> Response:
    with s.begin():
        return Response(cache.result_json(s, c.actor, result_id), media_type="application/json")


@router.get("/assessments/{assessment_id}/check", tags=["assessments"])
def check(assessment_id: Id, request: Request, c: Reader, s: Db, version: QueryId = None) -> dict[str, Any]:
    with s.begin():
        return svc.check_findings(s, actor=c.actor, assessment_id=assessment_id, version=version, lang=lang_of(request))
