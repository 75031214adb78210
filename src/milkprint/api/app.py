"""The REST API: FastAPI over the service layer; OpenAPI at /docs. `create_app(url)` builds one app per database.

Authentication: a session cookie (browsers; unsafe methods need the X-CSRF-Token header the login returned) or a
bearer API token (machines; no CSRF). Every query is scoped to the caller's organisation: another organisation's
ids answer 404, never data. Errors are JSON with the same messages as the CLI (Chinese by default; `?lang=en` or
Accept-Language: en).
"""

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path as PathLib
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from milkprint import __version__
from milkprint.api import schemas as S
from milkprint.api.accounts import (
    add_user,
    change_own_password,
    issue_token,
    reset_password,
    update_user,
    user_tokens,
    withdraw_token,
)
from milkprint.api.guard import BodyRefused, Guard, GuardSettings
from milkprint.api.security import (
    SESSION_LIFETIME,
    RateLimited,
    authenticate,
    can,
    create_session,
    end_session,
    same,
    session_user,
    token_digest,
    token_user,
    touch_due,
)
from milkprint.api.uploads import UPLOAD_OPENAPI, VERSION_OPENAPI, UploadTooLarge, read_upload_form
from milkprint.errors import InputError, Lang, MilkprintError, NotSupportedError, Text
from milkprint.service import assessments as svc
from milkprint.service import renders
from milkprint.service.errors import BusyError, ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError
from milkprint.store.audit import record
from milkprint.store.db import make_engine, migrate, session_factory
from milkprint.store.models import ApiToken, AuditEntry, LoginAttempt, User, WebSession, utcnow

log = logging.getLogger("milkprint.api")
COOKIE = "milkprint_session"
SECURE_COOKIE = "__Host-milkprint_session"  # behind TLS: Secure, host-only, path / (no subdomain can set it)
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_CACHE_S = 5.0  # a bearer token's user is looked up at most every 5 s per process (revocation is immediate)
TOKEN_CACHE_SIZE = 10_000
RESULT_CACHE_SIZE = 256  # serialised results kept in memory (each ~50 kB)
LATEST_TTL_S = 1.0  # an assessment's current result is re-read at most once a second per organisation and process
LATEST_SIZE = 10_000
MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases
MAX_UPLOAD = svc.MAX_UPLOAD
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
}


class Unauthorized(MilkprintError):
    """No valid session cookie or bearer token."""

    def __init__(self) -> None:
        super().__init__(
            Text("需要登录（会话 Cookie 或 Bearer 令牌）", "login required (session cookie or bearer token)")
        )


class CsrfFailed(MilkprintError):
    def __init__(self) -> None:
        super().__init__(
            Text(
                f"缺少或错误的 {CSRF_HEADER} 请求头（登录时返回的 csrf_token）",
                f"missing or wrong {CSRF_HEADER} header (the csrf_token the login returned)",
            )
        )


def session_cookie_name(secure: bool) -> str:
    """The session cookie's name: `__Host-` prefixed when the deployment is behind TLS (browsers then refuse it over
    plain HTTP and from subdomains)."""
    return SECURE_COOKIE if secure else COOKIE


@dataclass(frozen=True)
class Who:
    """The caller's account as plain values: safe to keep across requests (ORM rows expire on a rollback)."""

    id: int
    org_id: int
    username: str
    display_name: str
    role: str

    @classmethod
    def of(cls, user: User) -> "Who":
        return cls(user.id, user.org_id, user.username, user.display_name, user.role)


@dataclass(frozen=True)
class Caller:
    """Who is calling, how (session id or token id), and from where."""

    user: Who
    session_id: str | None
    token_id: int | None
    client: str

    @property
    def org(self) -> int:
        return self.user.org_id

    @property
    def who(self) -> str:
        """The person behind the call, for per-person limits (a user's tokens and sessions are one person)."""
        return f"user:{self.user.id}"


def lang_of(request: Request) -> Lang:
    asked = request.query_params.get("lang") or request.headers.get("accept-language", "")
    return "en" if asked.lower().startswith("en") else "zh"


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _error(
    request: Request, status: int, code: str, exc: MilkprintError, headers: dict[str, str] | None = None
) -> Response:
    web = getattr(request.app.state, "web", None)
    if web is not None and not request.url.path.startswith("/api/"):
        return web.error_page(request, status, exc)  # type: ignore[no-any-return]  # a page asked: a page answers
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


def create_app(
    database_url: str | None = None, *, secure_cookies: bool = False, guard: GuardSettings | None = None
) -> FastAPI:
    """The API on one database (migrated to the newest schema first). `secure_cookies`: the deployment is behind TLS
    (the session cookie becomes `__Host-…; Secure` and browsers are told to stay on HTTPS). `guard`: the body limits
    and deadlines (api/guard.py; the defaults unless a deployment or a test says otherwise)."""
    engine = make_engine(database_url)
    migrate(engine)
    factory = session_factory(engine)
    app = FastAPI(
        title="milkprint",
        version=__version__,
        description="乳粉碳水双足迹服务 / carbon and water footprint of milk powder, as a service",
        responses={400: {"model": S.ErrorBody}, 401: {"model": S.ErrorBody}, 422: {"model": S.ErrorBody}},
        docs_url=None,  # served below from the installed package's assets, never from a CDN
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.factory = factory
    app.state.session_cookie = session_cookie_name(secure_cookies)
    settings = replace(
        guard or GuardSettings(max_upload=MAX_UPLOAD), tls=secure_cookies, session_cookie=app.state.session_cookie
    )
    app.add_middleware(Guard, settings=settings)  # a pure ASGI middleware: it acts before any body is read
    _handlers(app)
    _docs(app)
    _routes(app, factory, secure_cookies)
    from milkprint.web.routes import mount

    mount(app, factory, secure_cookies)
    return app


HTTP_TEXTS = {
    404: Text("找不到该页面或接口", "no such page or endpoint"),
    405: Text("该接口不支持此请求方法", "this endpoint does not take this method"),
    400: Text("请求内容无法解析", "the request body could not be parsed"),
}
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}


def _handlers(app: FastAPI) -> None:
    mapping: list[tuple[type[MilkprintError], int, str]] = [
        (UploadTooLarge, 413, "too_large"),
        (InputError, 422, "invalid_input"),
        (NotSupportedError, 422, "not_supported"),
        (NotFoundError, 404, "not_found"),
        (ConflictError, 409, "conflict"),
        (ForbiddenError, 403, "forbidden"),
        (CsrfFailed, 403, "csrf"),
        (Unauthorized, 401, "unauthorized"),
        (LoginFailed, 401, "login_failed"),
    ]
    for kind, status, code in mapping:

        def handler(request: Request, exc: Exception, status: int = status, code: str = code) -> Response:
            assert isinstance(exc, MilkprintError)
            return _error(request, status, code, exc)

        app.add_exception_handler(kind, handler)

    def limited(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RateLimited)
        return _error(request, 429, "rate_limited", exc, {"Retry-After": str(exc.retry_after)})

    app.add_exception_handler(RateLimited, limited)

    def later(request: Request, exc: Exception) -> Response:
        """Too much at once (this caller: 429; the service: 503): come back after Retry-After seconds."""
        assert isinstance(exc, BusyError | TooManyRequestsError)
        status, code = (503, "busy") if isinstance(exc, BusyError) else (429, "too_many_requests")
        return _error(request, status, code, exc, {"Retry-After": str(exc.retry_after)})

    app.add_exception_handler(BusyError, later)
    app.add_exception_handler(TooManyRequestsError, later)

    def refused(request: Request, exc: Exception) -> Response:
        """A body refused while it was read (too large, too slow): the connection closes after the answer."""
        assert isinstance(exc, BodyRefused)
        return _error(request, exc.status_code, exc.code, MilkprintError(exc.text), {"Connection": "close"})

    app.add_exception_handler(BodyRefused, refused)

    def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        lang = lang_of(request)
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()))
            msg = str(err.get("msg", "invalid"))
            problems.append({"where": where, "message": msg, "message_zh": msg, "message_en": msg})
        text = Text("请求参数有误", "invalid request") if problems else Text("请求有误", "bad request")
        web = getattr(request.app.state, "web", None)
        if web is not None and not request.url.path.startswith("/api/"):
            return web.error_page(request, 422, MilkprintError(text))  # type: ignore[no-any-return]
        return JSONResponse({"error": "invalid_request", "message": text(lang), "problems": problems}, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid)

    def http_error(request: Request, exc: Exception) -> Response:
        """Unknown paths, wrong methods and unparsable bodies: a page for people; for the API the documented error
        shape ({"error", "message", "problems"}), as every other error has. A plain function: Starlette runs it in a
        worker thread, and the page looks up the session (database I/O must not run in the event loop)."""
        assert isinstance(exc, StarletteHTTPException)
        web = getattr(request.app.state, "web", None)
        if web is not None and not request.url.path.startswith("/api/"):
            text = Text("找不到该页面", "page not found") if exc.status_code == 404 else Text("请求有误", "bad request")
            return web.error_page(request, exc.status_code, MilkprintError(text))  # type: ignore[no-any-return]
        text = HTTP_TEXTS.get(exc.status_code, Text("请求有误", "bad request"))
        if exc.status_code < 400:
            return Response(status_code=exc.status_code, headers=exc.headers)
        code = HTTP_CODES.get(exc.status_code, "bad_request")
        return _error(request, exc.status_code, code, MilkprintError(text), dict(exc.headers or {}))

    app.add_exception_handler(StarletteHTTPException, http_error)

    def internal(request: Request, exc: Exception) -> Response:
        """A bug: logged with its traceback; the person sees a page (or JSON) that says so, never a traceback."""
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        text = Text(
            "服务器内部错误，已记录；请稍后重试或联系管理员",
            "internal server error (logged); retry later or tell your administrator",
        )
        web = getattr(request.app.state, "web", None)
        if web is not None and not request.url.path.startswith("/api/"):
            return web.error_page(request, 500, MilkprintError(text))  # type: ignore[no-any-return]
        return JSONResponse({"error": "internal", "message": text(lang_of(request)), "problems": []}, status_code=500)

    app.add_exception_handler(Exception, internal)

    def other(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, MilkprintError)
        return _error(request, 400, "error", exc)

    app.add_exception_handler(MilkprintError, other)


DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>milkprint API</title>
<link rel="stylesheet" href="/static-vendor/docs/swagger-ui.css"><link rel="icon" href="/static-vendor/docs/favicon.png">
</head><body><div id="swagger-ui" data-openapi="/openapi.json"></div>
<script src="/static-vendor/docs/swagger-ui-bundle.js"></script><script src="/static-vendor/docs/docs.js"></script>
</body></html>"""
DOCS_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
    "docs.js": "text/javascript",
}


def _docs(app: FastAPI) -> None:
    """/docs: Swagger UI from the installed fastapi-offline package (pinned by our lock, no CDN, works offline) and
    its start-up script from our package, so no third-party script runs on milkprint's origin."""
    import fastapi_offline

    vendor = PathLib(fastapi_offline.__file__).parent / "static"
    ours = PathLib(__file__).parent / "static"

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_HTML)

    @app.get("/static-vendor/docs/{name}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        kind = DOCS_ASSETS.get(name)
        if kind is None:
            return JSONResponse({"error": "not_found", "message": "no such file", "problems": []}, status_code=404)
        folder = ours if name == "docs.js" else vendor
        return FileResponse(folder / name, media_type=kind, headers={"Cache-Control": "public, max-age=86400"})


def _routes(app: FastAPI, factory: sessionmaker[Session], secure_cookies: bool) -> None:
    def db() -> Iterator[Session]:
        with factory() as session:
            yield session

    Db = Annotated[Session, Depends(db)]

    token_cache: dict[str, tuple[float, Who, int]] = {}  # digest -> (when, user, token), for TOKEN_CACHE_S
    app.state.token_cache = token_cache

    def cached_caller(request: Request) -> Caller | None:
        """The caller from the process's token cache alone (no I/O), or None when that is not enough to tell."""
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            return None
        hit = token_cache.get(token_digest(auth[7:].strip()))
        if hit is not None and time.monotonic() - hit[0] < TOKEN_CACHE_S:
            return Caller(hit[1], None, hit[2], _client(request))
        return None

    def caller(request: Request, s: Db) -> Caller:
        now = utcnow()
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            known = cached_caller(request)
            if known is not None:
                return known
            bearer = auth[7:].strip()
            digest = token_digest(bearer)
            found = token_user(s, bearer, now, touch=False)
            s.commit()
            if found is None:
                token_cache.pop(digest, None)
                raise Unauthorized()
            if len(token_cache) > TOKEN_CACHE_SIZE:
                token_cache.clear()
            who = Who.of(found[0])
            token_cache[digest] = (time.monotonic(), who, found[1].id)
            if touch_due(found[1], now):
                touch_token(app.state.engine, found[1].id, now)
            return Caller(who, None, found[1].id, _client(request))
        cookie = request.cookies.get(app.state.session_cookie)
        if cookie:
            web = session_user(s, cookie, now)
            s.commit()
            if web is not None:
                if request.method not in SAFE_METHODS and not same(
                    request.headers.get(CSRF_HEADER, ""), web[1].csrf_token
                ):
                    raise CsrfFailed()
                return Caller(Who.of(web[0]), web[1].id_hash, None, _client(request))
        raise Unauthorized()

    def need(action: str) -> Callable[..., Caller]:
        def dep(c: Annotated[Caller, Depends(caller)]) -> Caller:
            if not can(c.user.role, action):
                raise ForbiddenError(
                    Text(f"角色“{c.user.role}”无权执行此操作", f"the role '{c.user.role}' may not do this")
                )
            return c

        return dep

    Reader = Annotated[Caller, Depends(need("read"))]
    Writer = Annotated[Caller, Depends(need("write"))]
    Approver = Annotated[Caller, Depends(need("approve"))]
    Admin = Annotated[Caller, Depends(need("admin"))]
    Offset = Annotated[int, Query(ge=0, le=1_000_000)]
    Id = Annotated[int, Path(ge=1, le=MAX_ID)]
    QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
    Limit = Annotated[int, Query(ge=1, le=200)]

    v1 = "/api/v1"

    # --- authentication ---------------------------------------------------------------------------------------
    @app.post(f"{v1}/auth/login", response_model=S.LoginOut, tags=["auth"], responses={429: {"model": S.ErrorBody}})
    def login(body: S.LoginBody, request: Request, response: Response, s: Db) -> S.LoginOut:
        user, cookie, web = sign_in(s, body.username, body.password, _client(request))
        set_session_cookie(response, cookie, secure_cookies, request.url.scheme == "https")
        return S.LoginOut(user=S.Me.model_validate(user), csrf_token=web.csrf_token)

    @app.post(f"{v1}/auth/logout", status_code=204, tags=["auth"])
    def logout(request: Request, c: Reader, s: Db) -> Response:
        out = Response(status_code=204)
        sign_out(s, request, out, c.org, c.user.id, c.client)
        return out

    @app.get(f"{v1}/auth/me", response_model=S.Me, tags=["auth"])
    def me(c: Reader) -> S.Me:
        return S.Me.model_validate(c.user)

    # --- API tokens ---------------------------------------------------------------------------------------------
    @app.post(f"{v1}/tokens", response_model=S.TokenCreated, status_code=201, tags=["auth"])
    def new_token(body: S.TokenIn, c: Reader, s: Db) -> S.TokenCreated:
        with s.begin():
            plain, tok = issue_token(s, org_id=c.org, user_id=c.user.id, name=body.name, client=c.client)
        return S.TokenCreated(**S.TokenOut.model_validate(tok).model_dump(), token=plain)

    @app.get(f"{v1}/tokens", response_model=list[S.TokenOut], tags=["auth"])
    def tokens(c: Reader, s: Db) -> list[S.TokenOut]:
        with s.begin():
            rows = s.scalars(select(ApiToken).where(ApiToken.user_id == c.user.id).order_by(ApiToken.id))
            return [S.TokenOut.model_validate(t) for t in rows]

    @app.delete(f"{v1}/tokens/{{token_id}}", status_code=204, tags=["auth"])
    def revoke(token_id: Id, c: Reader, s: Db) -> Response:
        """One's own token; an admin's also any token of a member of the organisation."""
        with s.begin():
            withdraw_token(
                s,
                org_id=c.org,
                user_id=c.user.id,
                token_id=token_id,
                client=c.client,
                cache=token_cache,
                admin=can(c.user.role, "admin"),
            )
        return Response(status_code=204)

    # --- users (admin) ------------------------------------------------------------------------------------------
    @app.get(f"{v1}/users", response_model=list[S.UserOut], tags=["users"])
    def users(c: Admin, s: Db) -> list[S.UserOut]:
        with s.begin():
            rows = s.scalars(select(User).where(User.org_id == c.org).order_by(User.id))
            return [S.UserOut.model_validate(u) for u in rows]

    @app.post(f"{v1}/users", response_model=S.UserOut, status_code=201, tags=["users"])
    def new_user(body: S.UserIn, c: Admin, s: Db) -> S.UserOut:
        with s.begin():
            user = add_user(
                s,
                org_id=c.org,
                by_user_id=c.user.id,
                username=body.username,
                password=body.password,
                role=body.role,
                display_name=body.display_name,
                client=c.client,
            )
        return S.UserOut.model_validate(user)

    @app.patch(
        f"{v1}/users/{{user_id}}", response_model=S.UserOut, tags=["users"], responses={409: {"model": S.ErrorBody}}
    )
    def patch_user(user_id: Id, body: S.UserPatch, c: Admin, s: Db) -> S.UserOut:
        """Change a member's role, active flag or display name; deactivating or a new role signs them out at once."""
        with s.begin():
            user = update_user(
                s,
                org_id=c.org,
                by_user_id=c.user.id,
                user_id=user_id,
                client=c.client,
                cache=token_cache,
                **body.model_dump(exclude_none=True),
            )
        return S.UserOut.model_validate(user)

    @app.post(f"{v1}/users/{{user_id}}/password", status_code=204, tags=["users"])
    def reset_user_password(user_id: Id, body: S.PasswordReset, c: Admin, s: Db) -> Response:
        """Set a member's new password; they are signed out everywhere (their API tokens stay: revoke them apart)."""
        with s.begin():
            reset_password(
                s,
                org_id=c.org,
                by_user_id=c.user.id,
                user_id=user_id,
                password=body.password,
                client=c.client,
                cache=token_cache,
            )
        return Response(status_code=204)

    @app.get(f"{v1}/users/{{user_id}}/tokens", response_model=list[S.TokenOut], tags=["users"])
    def member_tokens(user_id: Id, c: Admin, s: Db) -> list[S.TokenOut]:
        with s.begin():
            return [S.TokenOut.model_validate(t) for t in user_tokens(s, org_id=c.org, user_id=user_id)]

    @app.delete(f"{v1}/users/{{user_id}}/tokens/{{token_id}}", status_code=204, tags=["users"])
    def revoke_member_token(user_id: Id, token_id: Id, c: Admin, s: Db) -> Response:
        with s.begin():
            withdraw_token(
                s,
                org_id=c.org,
                user_id=c.user.id,
                token_id=token_id,
                client=c.client,
                cache=token_cache,
                admin=True,
                owner_id=user_id,
            )
        return Response(status_code=204)

    @app.post(
        f"{v1}/auth/password", status_code=204, tags=["auth"], responses={429: {"model": S.ErrorBody}}
    )  # every user's own; kept with the users' routes
    def change_password(body: S.PasswordChange, c: Reader, s: Db) -> Response:
        """Change one's own password, giving the current one (a wrong one counts as a failed login); other browser
        sessions end, this one stays."""
        change_own_password(
            s,
            org_id=c.org,
            user_id=c.user.id,
            current=body.current_password,
            new=body.new_password,
            client=c.client,
            keep_session=c.session_id,
            cache=token_cache,
        )
        return Response(status_code=204)

    # --- plants, meters, products -------------------------------------------------------------------------------
    @app.get(f"{v1}/plants", response_model=S.Page[S.PlantOut], tags=["plants"])
    def plants(c: Reader, s: Db, offset: Offset = 0, limit: Limit = 50) -> S.Page[S.PlantOut]:
        with s.begin():
            rows, total = svc.list_plants(s, org_id=c.org, offset=offset, limit=limit)
        return S.Page(items=[S.PlantOut.model_validate(p) for p in rows], total=total, offset=offset, limit=limit)

    @app.post(f"{v1}/plants", response_model=S.PlantOut, status_code=201, tags=["plants"])
    def new_plant(body: S.PlantIn, c: Writer, s: Db) -> S.PlantOut:
        with s.begin():
            plant = svc.create_plant(s, org_id=c.org, user_id=c.user.id, client=c.client, **body.model_dump())
        return S.PlantOut.model_validate(plant)

    @app.get(f"{v1}/plants/{{plant_id}}", response_model=S.PlantOut, tags=["plants"])
    def plant(plant_id: Id, c: Reader, s: Db) -> S.PlantOut:
        with s.begin():
            return S.PlantOut.model_validate(svc.get_plant(s, org_id=c.org, plant_id=plant_id))

    @app.patch(f"{v1}/plants/{{plant_id}}", response_model=S.PlantOut, tags=["plants"])
    def patch_plant(plant_id: Id, body: S.PlantPatch, c: Writer, s: Db) -> S.PlantOut:
        with s.begin():
            changes = body.model_dump(exclude_none=True)
            p = svc.update_plant(s, org_id=c.org, user_id=c.user.id, plant_id=plant_id, client=c.client, **changes)
        return S.PlantOut.model_validate(p)

    @app.get(f"{v1}/plants/{{plant_id}}/meters", response_model=list[S.MeterOut], tags=["plants"])
    def meters(plant_id: Id, c: Reader, s: Db) -> list[S.MeterOut]:
        with s.begin():
            return [S.MeterOut.model_validate(m) for m in svc.list_meters(s, org_id=c.org, plant_id=plant_id)]

    @app.get(f"{v1}/products", response_model=list[S.ProductOut], tags=["plants"])
    def products(c: Reader, s: Db) -> list[S.ProductOut]:
        with s.begin():
            return [S.ProductOut.model_validate(p) for p in svc.list_products(s, org_id=c.org)]

    # --- assessments --------------------------------------------------------------------------------------------
    @app.get(f"{v1}/assessments", response_model=S.Page[S.AssessmentOut], tags=["assessments"])
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
                s, org_id=c.org, plant_id=plant_id, status=status, offset=offset, limit=limit
            )
            items = [S.AssessmentOut.model_validate(a) for a in rows]
        return S.Page(items=items, total=total, offset=offset, limit=limit)

    @app.post(
        f"{v1}/assessments",
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
                    org_id=c.org,
                    user_id=c.user.id,
                    plant_id=plant_id,
                    title=title,
                    filename=form.filename or "upload",
                    content_type=form.content_type,
                    data=form.data,
                    client=c.client,
                )
            return S.AssessmentOut.model_validate(a)

        return await run_in_threadpool(work)

    @app.get(f"{v1}/assessments/{{assessment_id}}", response_model=S.AssessmentOut, tags=["assessments"])
    def assessment(assessment_id: Id, c: Reader, s: Db) -> S.AssessmentOut:
        with s.begin():
            return S.AssessmentOut.model_validate(svc.get_assessment(s, org_id=c.org, assessment_id=assessment_id))

    @app.patch(
        f"{v1}/assessments/{{assessment_id}}",
        response_model=S.AssessmentOut,
        tags=["assessments"],
        responses={409: {"model": S.ErrorBody}},
    )
    def patch_assessment(assessment_id: Id, body: S.TitlePatch, c: Writer, s: Db) -> S.AssessmentOut:
        with s.begin():
            a = svc.update_title(
                s,
                org_id=c.org,
                user_id=c.user.id,
                assessment_id=assessment_id,
                title=body.title,
                expected_row_version=body.row_version,
                client=c.client,
            )
        return S.AssessmentOut.model_validate(a)

    @app.get(f"{v1}/assessments/{{assessment_id}}/versions", response_model=list[S.VersionOut], tags=["assessments"])
    def versions(assessment_id: Id, c: Reader, s: Db) -> list[S.VersionOut]:
        with s.begin():
            found = svc.list_versions(s, org_id=c.org, assessment_id=assessment_id)
            return [S.VersionOut.model_validate(v) for v in found]

    @app.post(
        f"{v1}/assessments/{{assessment_id}}/versions",
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
                    org_id=c.org,
                    user_id=c.user.id,
                    assessment_id=assessment_id,
                    expected_row_version=row_version,
                    filename=form.filename or "upload",
                    content_type=form.content_type,
                    data=form.data,
                    note=note,
                    client=c.client,
                )
            return S.VersionOut.model_validate(v)

        return await run_in_threadpool(work)

    @app.post(f"{v1}/assessments/{{assessment_id}}/run", response_model=S.ResultOut, tags=["assessments"])
    def run(assessment_id: Id, c: Writer, s: Db, version: QueryId = None) -> S.ResultOut:
        with s.begin():
            r = svc.run_assessment(
                s, org_id=c.org, user_id=c.user.id, assessment_id=assessment_id, version=version, client=c.client
            )
        return S.ResultOut.model_validate(r)

    # (organisation, result id) -> JSON: results are immutable, and a cached document is only ever handed to the
    # organisation that owns it (the key says whose it is; another organisation's id is a miss, then a 404).
    results: OrderedDict[tuple[int, int], bytes] = OrderedDict()
    results_lock = threading.Lock()

    def result_json(s: Session, org: int, result_id: int) -> bytes:
        key = (org, result_id)
        with results_lock:
            cached = results.get(key)
        if cached is None:
            rec = svc.get_result(s, org_id=org, result_id=result_id)  # 404 unless the organisation owns it
            cached = S.ResultOut.model_validate(rec).model_dump_json().encode("utf-8")
            with results_lock:
                results[key] = cached
                while len(results) > RESULT_CACHE_SIZE:
                    results.popitem(last=False)
        return cached

    app.state.result_cache = results
    # (organisation, assessment id) -> (when, JSON of its current result), for LATEST_TTL_S: a dashboard's poll with
    # a cached token is answered in the event loop without any I/O; everything else goes to a worker thread.
    latest: dict[tuple[int, int], tuple[float, bytes]] = {}

    @app.get(f"{v1}/assessments/{{assessment_id}}/result", response_model=S.ResultOut, tags=["assessments"])
    async def result(assessment_id: Id, request: Request) -> Response:
        """The hot path (dashboards poll it). The database work (token lookup, the ids-only query of the current
        result, the JSON) runs in a worker thread, so a query waiting for a lock never stops the event loop; a poll
        repeated within LATEST_TTL_S by a cached token is answered from memory, in the loop, with no I/O at all."""
        known = cached_caller(request)
        if known is not None and can(known.user.role, "read"):
            key, now = (known.org, assessment_id), time.monotonic()
            hit = latest.get(key)
            if hit is not None:
                if now - hit[0] < LATEST_TTL_S:
                    return Response(hit[1], media_type="application/json")
                latest[key] = (now, hit[1])  # this request refreshes it; the others keep the last answer meanwhile

        def work() -> bytes:
            with factory() as s:
                c = need("read")(caller(request, s))
                with s.begin():
                    rid = svc.latest_result_id(s, org_id=c.org, assessment_id=assessment_id)
                    body = result_json(s, c.org, rid)
            if len(latest) > LATEST_SIZE:
                latest.clear()
            latest[(c.org, assessment_id)] = (time.monotonic(), body)
            return body

        return Response(await run_in_threadpool(work), media_type="application/json")

    @app.get(f"{v1}/results/{{result_id}}", response_model=S.ResultOut, tags=["assessments"])
    def result_by_id(result_id: Id, c: Reader, s: Db) -> Response:
        with s.begin():
            return Response(result_json(s, c.org, result_id), media_type="application/json")

    @app.get(f"{v1}/assessments/{{assessment_id}}/check", tags=["assessments"])
    def check(assessment_id: Id, request: Request, c: Reader, s: Db, version: QueryId = None) -> dict[str, Any]:
        with s.begin():
            return svc.check_findings(
                s, org_id=c.org, assessment_id=assessment_id, version=version, lang=lang_of(request)
            )

    @app.get(
        f"{v1}/assessments/{{assessment_id}}/report",
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
        with s.begin():
            j = renders.job(
                s,
                org_id=c.org,
                assessment_id=assessment_id,
                kind="report",
                fmt=format,
                lang=lang_of(request),
                version=version,
                interpretation=interpretation,
            )
        return _download(renders.RENDERER.get(j, c.who), format, f"report-{assessment_id}")

    @app.get(
        f"{v1}/assessments/{{assessment_id}}/declaration",
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
        with s.begin():
            j = renders.job(
                s,
                org_id=c.org,
                assessment_id=assessment_id,
                kind="declaration",
                fmt=format,
                lang=lang_of(request),
                version=version,
            )
        return _download(renders.RENDERER.get(j, c.who), format, f"water-declaration-{assessment_id}")

    @app.get(
        f"{v1}/assessments/{{assessment_id}}/label",
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
        with s.begin():
            j = renders.job(
                s,
                org_id=c.org,
                assessment_id=assessment_id,
                kind="label",
                fmt=format,
                lang=lang_of(request),
                version=version,
            )
        data = renders.RENDERER.get(j, c.who)
        if download:
            return _download(data, format, f"label-{assessment_id}")
        return Response(data, media_type=MEDIA[format])

    @app.post(
        f"{v1}/assessments/{{assessment_id}}/approve",
        response_model=S.AssessmentOut,
        tags=["assessments"],
        responses={409: {"model": S.ErrorBody}},
    )
    def approve(assessment_id: Id, body: S.Approve, c: Approver, s: Db) -> S.AssessmentOut:
        with s.begin():
            a = svc.approve(
                s,
                org_id=c.org,
                user_id=c.user.id,
                assessment_id=assessment_id,
                expected_row_version=body.row_version,
                client=c.client,
            )
        return S.AssessmentOut.model_validate(a)

    # --- audit (admin) ------------------------------------------------------------------------------------------
    @app.get(f"{v1}/audit", response_model=S.Page[S.AuditOut], tags=["audit"])
    def audit(c: Admin, s: Db, entity: str | None = None, offset: Offset = 0, limit: Limit = 50) -> S.Page[S.AuditOut]:
        q = select(AuditEntry).where(AuditEntry.org_id == c.org)
        if entity:
            q = q.where(AuditEntry.entity == entity)
        with s.begin():
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            rows = s.scalars(q.order_by(AuditEntry.id.desc()).offset(offset).limit(limit))
            items = [S.AuditOut.model_validate(r) for r in rows]
        return S.Page(items=items, total=total, offset=offset, limit=limit)

    @app.get("/healthz", tags=["meta"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__, "time": dt.datetime.now(dt.UTC).isoformat()}


def sign_in(s: Session, username: str, password: str, client: str) -> tuple[User, str, WebSession]:
    """Check a password (rate-limited) and start a browser session: the user, the cookie plaintext and the session
    row with its CSRF token; LoginFailed or RateLimited otherwise. The API's login and the sign-in page share it."""
    now = utcnow()
    with s.begin():
        user = authenticate(s, username, password, client, now)
    if user is None:
        raise LoginFailed()
    with s.begin():
        _prune(s, now)
        cookie, web = create_session(s, user.id, now)
        record(s, org_id=user.org_id, user_id=user.id, action="login", entity="user", entity_id=user.id, client=client)
    return user, cookie, web


def set_session_cookie(response: Response, cookie: str, secure: bool, https: bool = False) -> None:
    """The session cookie: HttpOnly, SameSite=Lax; `__Host-…; Secure` when the deployment is behind TLS (`secure`),
    and Secure at least whenever this request came over HTTPS."""
    response.set_cookie(
        session_cookie_name(secure),
        cookie,
        httponly=True,
        samesite="lax",
        secure=secure or https,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
    )


def sign_out(s: Session, request: Request, response: Response, org_id: int, user_id: int, client: str) -> None:
    """End the browser session of the request's cookie (audited) and clear the cookie."""
    name = request.app.state.session_cookie
    with s.begin():
        cookie = request.cookies.get(name)
        if cookie:
            end_session(s, cookie)
        record(s, org_id=org_id, user_id=user_id, action="logout", entity="user", entity_id=user_id, client=client)
    response.delete_cookie(name, path="/", secure=name == SECURE_COOKIE, httponly=True, samesite="lax")


def _download(data: bytes, fmt: str, stem: str) -> Response:
    """A file the browser saves under its own name rather than showing."""
    return Response(
        data, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'}
    )


TOUCH_LOCK_WAIT_MS = 200  # how long recording a token's use may wait for the write lock before it is skipped
SQLITE_BUSY_MS = 30_000  # store/db.py's busy_timeout, restored on the connection afterwards


def touch_token(engine: Engine, token_id: int, now: dt.datetime) -> bool:
    """Record a token's use in its own short transaction, waiting at most TOUCH_LOCK_WAIT_MS for the write lock; if
    the database is busy, skip it (the next use tries again): last_used_at is a hint for people, never worth making
    a read wait behind another request's long write. True when written."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {TOUCH_LOCK_WAIT_MS}")
            conn.commit()
        try:
            if not sqlite:
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{TOUCH_LOCK_WAIT_MS}ms'")
            conn.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
            conn.commit()
            return True
        except DBAPIError:
            conn.rollback()
            log.info("token %s: last use not recorded (database busy)", token_id)
            return False
        finally:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")
                conn.commit()


KEEP_LOGIN_ATTEMPTS = dt.timedelta(days=1)  # far longer than any rate-limit window


def _prune(s: Session, now: dt.datetime) -> None:
    """Expired sessions and old login attempts go at each login, so the tables stay small without a cron job."""
    s.execute(delete(WebSession).where(WebSession.expires_at < now))
    s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_LOGIN_ATTEMPTS))


class LoginFailed(MilkprintError):
    """Wrong username or password (the same answer for both: usernames are not revealed)."""

    def __init__(self) -> None:
        super().__init__(Text("用户名或密码错误", "wrong username or password"))
