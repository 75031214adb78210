"""The service's outer wall: a pure ASGI middleware in front of the API and the pages, acting before any body is read.

What it does to every HTTP request, in this order:

1. Unsafe methods (POST, PUT, PATCH, DELETE) from another site are refused (403): a present `Origin` header must
   name this host. Browsers send it on every cross-site POST, so this stops login CSRF and cross-site form posts
   even where a form has no token (the sign-in form has its own double-submit token as well).
2. An unsafe request that carries no credential at all (no `Authorization` header, no session cookie) is refused
   before its body is read: 401 for the API, a redirect to the sign-in page for pages. Only the two sign-in doors
   take anonymous bodies, and those are small.
3. A body larger than the route takes is refused by its `Content-Length` (413, nothing read), and, for chunked or
   lying clients, by a running count as it is read (413 as soon as the count passes the limit). Uploads take
   MAX_UPLOAD plus the multipart envelope; every other route MAX_BODY.
4. A body must keep arriving: a client that sends nothing for BODY_IDLE_TIMEOUT seconds, or, after BODY_GRACE
   seconds, less than BODY_MIN_RATE bytes per second on average, gets 408 (slow-body clients hold a worker and a
   file; slow headers are cut by the server protocol in api/server.py).
5. Every response gets the security headers (CSP without inline scripts, no framing, nosniff, same-origin referrer;
   HSTS when the deployment says it is behind TLS), unless a route set its own.

Routes that take uploads authenticate before they parse the form (api/app.py, web/page_data.py), so only a
signed-in engineer's body is ever spooled, and only up to the limit.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.exceptions import HTTPException as StarletteHTTPException

from milkprint.errors import Text
from milkprint.i18n import choose_lang

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MIB = 1024 * 1024
MAX_BODY = 1 * MIB  # JSON and form posts other than uploads: the largest legitimate one is a few kB
MULTIPART_ENVELOPE = 1 * MIB  # boundaries, part headers and the small form fields beside the file
BODY_IDLE_TIMEOUT = 30.0  # seconds without a byte of body: the client is gone or stalling on purpose
BODY_GRACE = 30.0  # seconds before the average-rate check starts (TCP slow start, a slow plant uplink)
BODY_MIN_RATE = 16 * 1024  # bytes/s on average after the grace: 200 MiB at this rate takes 3.6 hours
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SIGN_IN_PATHS = frozenset({"/api/v1/auth/login", "/login"})
UPLOAD_PATHS = re.compile(r"^(?:/api/v1/assessments(?:/\d+/versions)?|/data/upload|/assessments/\d+/versions)$")

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",  # no inline script anywhere: the pages load app.js, /docs loads docs.js
        "style-src 'self' 'unsafe-inline'",  # plotly.js and a few templates style elements inline
        "img-src 'self' data: blob:",  # plotly's image export, inline SVG icons
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000"


class BodyRefused(StarletteHTTPException):
    """A request body refused while it is read (too large, too slow): an HTTPException so that FastAPI's own body
    parsing passes it on unchanged; the app's handler renders it in the product's error shape."""

    def __init__(self, status: int, code: str, text: Text) -> None:
        super().__init__(status, detail=text.en, headers={"Connection": "close"})
        self.code = code
        self.text = text


def too_large(limit: int) -> BodyRefused:
    mib = limit // MIB
    size = f"{mib} MiB" if mib else f"{limit // 1024} KiB"
    return BodyRefused(413, "too_large", Text(f"请求内容超过 {size}", f"the request body exceeds {size}"))


def too_slow() -> BodyRefused:
    return BodyRefused(
        408,
        "too_slow",
        Text(
            "请求内容传输过慢或中断，已放弃；请重新上传",
            "the request body arrived too slowly or stalled; send it again",
        ),
    )


@dataclass(frozen=True)
class GuardSettings:
    """The wall's limits; a deployment behind TLS sets `tls` so that browsers are told to stay on HTTPS."""

    max_upload: int
    max_body: int = MAX_BODY
    idle_timeout: float = BODY_IDLE_TIMEOUT
    grace: float = BODY_GRACE
    min_rate: float = BODY_MIN_RATE
    tls: bool = False
    session_cookie: str = "milkprint_session"

    def limit_for(self, method: str, path: str) -> int:
        if method == "POST" and UPLOAD_PATHS.match(path):
            return self.max_upload + MULTIPART_ENVELOPE
        return self.max_body


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _foreign_origin(scope: Scope) -> bool:
    """True when the request says it comes from a page of another host (or from an opaque origin)."""
    origin = _header(scope, b"origin")
    if origin is None:
        return False
    host = _header(scope, b"host") or ""
    if origin == "null" or not host:
        return True
    return urlsplit(origin).netloc.lower() != host.lower()


def _has_credentials(scope: Scope, cookie_name: str) -> bool:
    if _header(scope, b"authorization"):
        return True
    cookies = _header(scope, b"cookie") or ""
    return any(part.strip().startswith(cookie_name + "=") for part in cookies.split(";"))


def _lang(scope: Scope) -> str:
    query = bytes(scope.get("query_string", b"")).decode("latin-1")  # not parsed: any "lang=en" in it asks for English
    return choose_lang(query="en" if "lang=en" in query else None, header=_header(scope, b"accept-language"))


class Guard:
    """The middleware (see the module docstring)."""

    def __init__(self, app: ASGIApp, settings: GuardSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._headed(send)
        method, path = scope["method"], scope["path"]
        limit = self.settings.limit_for(method, path)
        if method not in SAFE_METHODS:
            refusal = self._refusal(scope, path, limit)
            if refusal is not None:
                await refusal(send)
                return
        await self.app(scope, self._metered(receive, limit), send)

    def _refusal(self, scope: Scope, path: str, limit: int) -> Callable[[Send], Awaitable[None]] | None:
        """A response that ends the request before its body is read, or None to let it through."""
        if _foreign_origin(scope):
            text = Text("拒绝来自其他网站的提交", "a submission from another site was refused")
            return lambda send: _reply(send, scope, 403, "foreign_origin", text)
        if path not in SIGN_IN_PATHS and not _has_credentials(scope, self.settings.session_cookie):
            if not path.startswith("/api/"):
                return lambda send: _redirect(send, "/login?next=" + quote(path, safe=""))
            text = Text("需要登录（会话 Cookie 或 Bearer 令牌）", "login required (session cookie or bearer token)")
            return lambda send: _reply(send, scope, 401, "unauthorized", text)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isascii() and declared.strip().isdigit() and int(declared) > limit:
            refused = too_large(limit)
            return lambda send: _reply(send, scope, 413, refused.code, refused.text)
        return None

    def _metered(self, receive: Receive, limit: int) -> Receive:
        """`receive` with a running byte count and the idle and average-rate deadlines, while the body lasts."""
        settings = self.settings
        start = time.monotonic()
        seen = 0
        done = False

        async def metered() -> Message:
            nonlocal seen, done
            if done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout=settings.idle_timeout)
            except TimeoutError:
                raise too_slow() from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                done = not message.get("more_body", False)
                if seen > limit:
                    raise too_large(limit)
                elapsed = time.monotonic() - start
                if not done and elapsed > settings.grace and seen < settings.min_rate * elapsed:
                    raise too_slow()
            else:
                done = True
            return message

        return metered

    def _headed(self, send: Send) -> Send:
        """`send` that adds the security headers a route did not set itself."""
        tls = self.settings.tls

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {bytes(k).lower() for k, _ in headers}
                wanted = [
                    (b"content-security-policy", CSP),
                    (b"x-frame-options", "DENY"),
                    (b"x-content-type-options", "nosniff"),
                    (b"referrer-policy", "same-origin"),
                    (b"cross-origin-opener-policy", "same-origin"),
                ]
                if tls:
                    wanted.append((b"strict-transport-security", HSTS))
                headers += [(k, v.encode("latin-1")) for k, v in wanted if k not in present]
                message["headers"] = headers
            await send(message)

        return headed


async def _reply(send: Send, scope: Scope, status: int, code: str, text: Text) -> None:
    """A refusal in the product's error shape (JSON for the API, a short bilingual page for people)."""
    if scope["path"].startswith("/api/"):
        body = json.dumps(
            {"error": code, "message": text("en" if _lang(scope) == "en" else "zh"), "problems": []},
            ensure_ascii=False,
        ).encode("utf-8")
        kind = b"application/json"
    else:
        page = f'<!doctype html><html lang="zh"><meta charset="utf-8"><title>{status}</title><p>{text.zh}</p><p>{text.en}</p><p><a href="/">milkprint</a></p></html>'
        body, kind = page.encode("utf-8"), b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),  # the body was not read: the connection cannot carry another request
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, target: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", target.encode()), (b"content-length", b"0"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": b""})
