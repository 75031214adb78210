"""Signing in and out of a browser session, and who may call: what both doors (the API and the web pages) share.

A browser session is one cookie (HttpOnly, SameSite=Lax; `__Host-…; Secure` behind TLS) and a CSRF token the API
takes in a header and the pages in a hidden form field. `sign_in` checks a password (rate-limited) and starts a
session; `sign_out` ends it. Both are audited. The errors here are the caller's: no valid session or token
(Unauthorized), a missing or wrong CSRF header (CsrfFailed), a wrong username or password (LoginFailed).
"""

from __future__ import annotations

import datetime as dt

from fastapi import Request, Response
from sqlalchemy import delete
from sqlalchemy.orm import Session

from milkprint.api.security import SESSION_LIFETIME, authenticate, create_session, end_session
from milkprint.errors import MilkprintError, Text
from milkprint.store.audit import record
from milkprint.store.models import LoginAttempt, User, WebSession, utcnow

COOKIE = "milkprint_session"
SECURE_COOKIE = "__Host-milkprint_session"  # behind TLS: Secure, host-only, path / (no subdomain can set it)
CSRF_HEADER = "X-CSRF-Token"


class Unauthorized(MilkprintError):
    """No valid session cookie or bearer token."""

    status = 401
    code = "unauthorized"

    def __init__(self) -> None:
        super().__init__(
            Text("需要登录（会话 Cookie 或 Bearer 令牌）", "login required (session cookie or bearer token)")
        )


class CsrfFailed(MilkprintError):
    """An unsafe method with a session cookie but without the session's CSRF token in the header."""

    status = 403
    code = "csrf"

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


KEEP_LOGIN_ATTEMPTS = dt.timedelta(days=1)  # far longer than any rate-limit window


def _prune(s: Session, now: dt.datetime) -> None:
    """Expired sessions and old login attempts go at each login, so the tables stay small without a cron job."""
    s.execute(delete(WebSession).where(WebSession.expires_at < now))
    s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_LOGIN_ATTEMPTS))


class LoginFailed(MilkprintError):
    """Wrong username or password (the same answer for both: usernames are not revealed)."""

    status = 401
    code = "login_failed"

    def __init__(self) -> None:
        super().__init__(Text("用户名或密码错误", "wrong username or password"))
