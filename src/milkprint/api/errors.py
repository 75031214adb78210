"""Errors as HTTP answers: the one choke point where every exception a request raises becomes a response.

- A `MilkprintError` answers with the status and code its class declares (errors.py `http_answer`: the nearest class
  in its hierarchy that sets them), plus Retry-After when the error says when to come back.
- Foreign exceptions are translated here: FastAPI's request validation (422 invalid_request), Starlette's HTTP
  errors (unknown path 404, wrong method 405, unparsable body 400; a body refused while read by the guard, 413/408
  with Connection: close), and anything else (a bug: 500 internal, logged with its traceback).

The API answers in its documented shape, {"error", "message", "problems"} (schemas.ErrorBody), in the language of
the request (`lang_of`). Outside /api/ the app that mounts the web pages passes a `page` renderer: a person then
gets an HTML page (or, for SignInNeeded, the sign-in page); this module knows nothing of the pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from milkprint.api.guard import BodyRefused
from milkprint.errors import InputError, Lang, MilkprintError, Text, http_answer
from milkprint.i18n import choose_lang

log = logging.getLogger("milkprint.api")
API_PREFIX = "/api/"

PageRenderer = Callable[[Request, int, MilkprintError], Response]
"""Renders an error for a person: the request, the HTTP status and the error (web/core.py `Web.error_page`)."""

HTTP_TEXTS = {
    404: Text("找不到该页面或接口", "no such page or endpoint"),
    405: Text("该接口不支持此请求方法", "this endpoint does not take this method"),
    400: Text("请求内容无法解析", "the request body could not be parsed"),
}
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}  # Starlette's statuses, named


def lang_of(request: Request) -> Lang:
    """The language of an API request: `?lang=`, else Accept-Language; Chinese by default (i18n.choose_lang)."""
    return choose_lang(query=request.query_params.get("lang"), header=request.headers.get("accept-language"))


def error_json(
    request: Request,
    status: int,
    code: str,
    exc: MilkprintError,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The documented error shape: {"error": code, "message": …, "problems": [{where, message, message_zh, …}]}."""
    lang = lang_of(request)
    problems = []
    if isinstance(exc, InputError):
        problems = [
            {
                "where": p.location.describe(lang),
                "message": p.text(lang),
                "message_zh": p.text.zh,
                "message_en": p.text.en,
            }
            for p in exc.problems
        ]
    body = {"error": code, "message": exc.message(lang), "problems": problems}
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI, page: PageRenderer | None = None) -> None:
    """Register the handlers on `app`. With `page`, a request outside /api/ gets its error as a page."""

    def for_person(request: Request) -> bool:
        return page is not None and not request.url.path.startswith(API_PREFIX)

    def answer(
        request: Request, status: int, code: str, exc: MilkprintError, headers: dict[str, str] | None = None
    ) -> Response:
        if page is not None and for_person(request):
            return page(request, status, exc)  # a page asked: a page answers
        return error_json(request, status, code, exc, headers)

    def milkprint_error(request: Request, exc: Exception) -> Response:
        """Every MilkprintError: its class's status and code (walking the class hierarchy)."""
        assert isinstance(exc, MilkprintError)
        status, code, _ = http_answer(type(exc))
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return answer(request, status, code, exc, headers)

    app.add_exception_handler(MilkprintError, milkprint_error)

    def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        lang = lang_of(request)
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()))
            msg = str(err.get("msg", "invalid"))
            problems.append({"where": where, "message": msg, "message_zh": msg, "message_en": msg})
        text = Text("请求参数有误", "invalid request") if problems else Text("请求有误", "bad request")
        if page is not None and for_person(request):
            return page(request, 422, MilkprintError(text))
        return JSONResponse({"error": "invalid_request", "message": text(lang), "problems": problems}, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid)

    def http_error(request: Request, exc: Exception) -> Response:
        """Unknown paths, wrong methods, unparsable bodies and bodies refused while read: a page for people; for the
        API the documented error shape, as every other error has. A plain function: Starlette runs it in a worker
        thread, and the page looks up the session (database I/O must not run in the event loop)."""
        assert isinstance(exc, StarletteHTTPException)
        if isinstance(exc, BodyRefused):  # too large, too slow: the connection closes after the answer
            return answer(request, exc.status_code, exc.code, MilkprintError(exc.text), {"Connection": "close"})
        if page is not None and for_person(request):
            text = Text("找不到该页面", "page not found") if exc.status_code == 404 else Text("请求有误", "bad request")
            return page(request, exc.status_code, MilkprintError(text))
        text = HTTP_TEXTS.get(exc.status_code, Text("请求有误", "bad request"))
        if exc.status_code < 400:
            return Response(status_code=exc.status_code, headers=exc.headers)
        code = HTTP_CODES.get(exc.status_code, "bad_request")
        return error_json(request, exc.status_code, code, MilkprintError(text), dict(exc.headers or {}))

    app.add_exception_handler(StarletteHTTPException, http_error)

    def internal(request: Request, exc: Exception) -> Response:
        """A bug: logged with its traceback; the person sees a page (or JSON) that says so, never a traceback."""
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        text = Text(
            "服务器内部错误，已记录；请稍后重试或联系管理员",
            "internal server error (logged); retry later or tell your administrator",
        )
        if page is not None and for_person(request):
            return page(request, 500, MilkprintError(text))
        return JSONResponse({"error": "internal", "message": text(lang_of(request)), "problems": []}, status_code=500)

    app.add_exception_handler(Exception, internal)
