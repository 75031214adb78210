"""The API's dependencies, defined once: the database session, the caller (bearer token or session cookie + CSRF),
the role checks, the path and query types, and the process's caches (token → user, result JSON, an assessment's
current result). Everything per app lives on `request.app.state` (set by `api.app.register`), never in closures.

Authentication: a session cookie (browsers; unsafe methods need the X-CSRF-Token header the login returned) or a
bearer API token (machines; no CSRF); a bearer token's user is looked up at most every TOKEN_CACHE_S per process.
"""

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Response
from sqlalchemy import Engine, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from milkprint.api import schemas as S
from milkprint.api.security import can, same, session_user, token_digest, token_user, touch_due
from milkprint.api.sessions import CSRF_HEADER, CsrfFailed, Unauthorized
from milkprint.errors import Text
from milkprint.service import assessments as svc
from milkprint.service.actor import Actor
from milkprint.service.errors import ForbiddenError
from milkprint.store.models import MAX_ID, ApiToken, User, utcnow

log = logging.getLogger("milkprint.api")
V1 = "/api/v1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_CACHE_S = 5.0  # a bearer token's user is looked up at most every 5 s per process (revocation is immediate)
TOKEN_CACHE_SIZE = 10_000
RESULT_CACHE_SIZE = 256  # serialised results kept in memory (each ~50 kB)
LATEST_TTL_S = 1.0  # an assessment's current result is re-read at most once a second per organisation and process
LATEST_SIZE = 10_000
MAX_UPLOAD = svc.MAX_UPLOAD
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
}


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
    def actor(self) -> Actor:
        """The caller as the service takes it: their organisation, themselves, and their address."""
        return Actor(org_id=self.user.org_id, user_id=self.user.id, client=self.client)

    @property
    def who(self) -> str:
        """The person behind the call, for per-person limits (a user's tokens and sessions are one person)."""
        return f"user:{self.user.id}"


TokenCache = dict[str, tuple[float, Who, int]]  # digest -> (when, user, token), for TOKEN_CACHE_S


@dataclass
class ResultCache:
    """`results`: (organisation, result id) -> JSON. Results are immutable, and a cached document is only ever handed
    to the organisation that owns it (the key says whose it is; another organisation's id is a miss, then a 404).
    `latest`: (organisation, assessment id) -> (when, JSON of its current result), for LATEST_TTL_S: a dashboard's
    poll with a cached token is answered in the event loop without any I/O."""

    results: OrderedDict[tuple[int, int], bytes] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    latest: dict[tuple[int, int], tuple[float, bytes]] = field(default_factory=dict)

    def result_json(self, s: Session, actor: Actor, result_id: int) -> bytes:
        key = (actor.org_id, result_id)
        with self.lock:
            cached = self.results.get(key)
        if cached is None:
            rec = svc.get_result(s, actor=actor, result_id=result_id)  # 404 unless the organisation owns it
            cached = S.ResultOut.model_validate(rec).model_dump_json().encode("utf-8")
            with self.lock:
                self.results[key] = cached
                while len(self.results) > RESULT_CACHE_SIZE:
                    self.results.popitem(last=False)
        return cached

    def fresh(self, org: int, assessment_id: int) -> bytes | None:
        """The current result's JSON if read within LATEST_TTL_S; an older entry is stamped now (this request
        refreshes it, the others keep the last answer meanwhile) and None returned."""
        key, now = (org, assessment_id), time.monotonic()
        hit = self.latest.get(key)
        if hit is not None:
            if now - hit[0] < LATEST_TTL_S:
                return hit[1]
            self.latest[key] = (now, hit[1])
        return None

    def remember(self, org: int, assessment_id: int, body: bytes) -> None:
        if len(self.latest) > LATEST_SIZE:
            self.latest.clear()
        self.latest[(org, assessment_id)] = (time.monotonic(), body)


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def db(request: Request) -> Iterator[Session]:
    with request.app.state.factory() as session:
        yield session


Db = Annotated[Session, Depends(db)]


def token_cache_of(request: Request) -> TokenCache:
    cache: TokenCache = request.app.state.token_cache
    return cache


def result_cache_of(request: Request) -> ResultCache:
    cache: ResultCache = request.app.state.result_cache
    return cache


Tokens = Annotated[TokenCache, Depends(token_cache_of)]
Results = Annotated[ResultCache, Depends(result_cache_of)]


def cached_caller(request: Request) -> Caller | None:
    """The caller from the process's token cache alone (no I/O), or None when that is not enough to tell."""
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer "):
        return None
    hit = token_cache_of(request).get(token_digest(auth[7:].strip()))
    if hit is not None and time.monotonic() - hit[0] < TOKEN_CACHE_S:
        return Caller(hit[1], None, hit[2], client_of(request))
    return None


def _bearer_caller(request: Request, s: Session, bearer: str, now: dt.datetime) -> Caller:
    token_cache = token_cache_of(request)
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
        touch_token(request.app.state.engine, found[1].id, now)
    return Caller(who, None, found[1].id, client_of(request))


def caller(request: Request, s: Db) -> Caller:
    now = utcnow()
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        known = cached_caller(request)
        if known is not None:
            return known
        return _bearer_caller(request, s, auth[7:].strip(), now)
    cookie = request.cookies.get(request.app.state.session_cookie)
    if cookie:
        web = session_user(s, cookie, now)
        s.commit()
        if web is not None:
            if request.method not in SAFE_METHODS and not same(request.headers.get(CSRF_HEADER, ""), web[1].csrf_token):
                raise CsrfFailed()
            return Caller(Who.of(web[0]), web[1].id_hash, None, client_of(request))
    raise Unauthorized()


def need(action: str) -> Callable[..., Caller]:
    def dep(c: Annotated[Caller, Depends(caller)]) -> Caller:
        if not can(c.user.role, action):
            raise ForbiddenError(
                Text(f"角色“{c.user.role}”无权执行此操作", f"the role '{c.user.role}' may not do this")
            )
        return c

    return dep


may_read = need("read")
Reader = Annotated[Caller, Depends(may_read)]
Writer = Annotated[Caller, Depends(need("write"))]
Approver = Annotated[Caller, Depends(need("approve"))]
Admin = Annotated[Caller, Depends(need("admin"))]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=200)]


def download(data: bytes, fmt: str, stem: str) -> Response:
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
