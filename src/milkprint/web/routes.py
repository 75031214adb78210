"""Mounts the web UI on the app (milkprint/server.py builds it): static files, plotly.js from the plotly package, sign-in/out, the language
toggle, and each page's routes (one module per page)."""

from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from milkprint.api.security import RateLimited, same
from milkprint.api.sessions import LoginFailed, set_session_cookie, sign_in, sign_out
from milkprint.errors import Text
from milkprint.i18n import DEFAULT_LANG, LANG_COOKIE, parse_lang
from milkprint.web.core import Web, page_lang, safe_next
from milkprint.web.views import Views

ONE_YEAR = 365 * 24 * 3600
LOGIN_COOKIE = "milkprint_login"  # the sign-in form's double-submit token


def plotly_js() -> Path:
    """plotly.min.js as the plotly package ships it: served by us, so the pages work with no internet."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def mount(app: FastAPI, factory: sessionmaker[Session], secure_cookies: bool) -> Web:
    """The pages' routes on `app`; returns the pages' `Web`, whose `error_page` the app's error handlers use."""
    from milkprint.web import (
        page_account,
        page_assessments,
        page_audit,
        page_dashboard,
        page_data,
        page_factors,
        page_farms,
    )

    web = Web(factory)
    app.state.views = Views()
    static = resources.files("milkprint.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/static-vendor/plotly.min.js", include_in_schema=False)
    def plotly_asset() -> FileResponse:
        import plotly

        return FileResponse(
            plotly_js(),
            media_type="text/javascript",
            headers={
                "Cache-Control": f"public, max-age={ONE_YEAR}, immutable",
                "ETag": f'"plotly-{plotly.__version__}"',
            },
        )

    def login_form(
        request: Request, next: str, *, status: int = 200, message: str = "", username: str = ""
    ) -> Response:
        """The sign-in form with a fresh double-submit token: the same random value in a hidden field and in a
        cookie only this site can set, so another site cannot sign a browser into an attacker's account."""
        token = secrets.token_urlsafe(32)
        out = web.page(
            request,
            "login.html.j2",
            None,
            status=status,
            next=safe_next(next),
            message=message,
            username=username,
            login_token=token,
        )
        out.set_cookie(
            LOGIN_COOKIE,
            token,
            max_age=3600,
            path="/login",
            httponly=True,
            samesite="strict",
            secure=secure_cookies or request.url.scheme == "https",
        )
        return out

    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> Response:
        with factory() as s:
            if web.viewer(request, s) is not None:
                return RedirectResponse(safe_next(next), status_code=303)
        return login_form(request, next)

    @app.post("/login", include_in_schema=False)
    def login_post(
        request: Request,
        username: Annotated[str, Form(max_length=100)] = "",
        password: Annotated[str, Form(max_length=1000)] = "",
        next: Annotated[str, Form(max_length=2000)] = "/",
        login_token: Annotated[str, Form(max_length=100)] = "",
    ) -> Response:
        lang = page_lang(request)
        if not login_token or not same(login_token, request.cookies.get(LOGIN_COOKIE, "")):
            text = Text(
                "登录表单已过期或来自其他网站，请重新登录",
                "the sign-in form expired or came from another site: sign in again",
            )
            return login_form(request, next, status=403, message=text(lang), username=username)
        client = request.client.host if request.client else ""
        with factory() as s:
            try:
                _, cookie, _ = sign_in(s, username, password, client)
            except (LoginFailed, RateLimited) as exc:
                return login_form(request, next, status=exc.status, message=exc.message(lang), username=username)
        out = RedirectResponse(safe_next(next), status_code=303)
        set_session_cookie(out, cookie, secure_cookies, request.url.scheme == "https")
        out.delete_cookie(LOGIN_COOKIE, path="/login")
        return out

    @app.post("/logout", include_in_schema=False)
    def logout_post(request: Request, csrf_token: Annotated[str, Form(max_length=100)] = "") -> Response:
        out = RedirectResponse("/login", status_code=303)
        with factory() as s:
            v = web.viewer(request, s)
            if v is None:
                return out
            web.posted(request, s, csrf_token, "read")
            sign_out(s, request, out, v.org_id, v.id, v.client)
        return out

    @app.get("/lang/{code}", include_in_schema=False)
    def toggle_lang(code: str, next: str = "/") -> Response:
        out = RedirectResponse(safe_next(next), status_code=303)
        out.set_cookie(LANG_COOKIE, parse_lang(code) or DEFAULT_LANG, max_age=ONE_YEAR, samesite="lax", path="/")
        return out

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> HTMLResponse:
        return HTMLResponse("", status_code=204)

    for module in (page_dashboard, page_data, page_assessments, page_farms, page_factors, page_audit, page_account):
        module.register(app, web)
    return web


def warm(app: FastAPI, limit: int = 50) -> int:
    """Compute the views of each plant's current result (newest plants first, at most `limit`), so the first visitor
    after a start does not wait for them (nor for the pipeline's imports); `milkprint serve` runs it in a thread.
    Returns how many were computed."""
    from milkprint.service.dashboard import newest_plants_current

    done = 0
    with app.state.factory() as s, s.begin():
        for org_id, current in newest_plants_current(s, limit):
            version = current.version
            app.state.views.get(org_id, version.id, lambda v=version: v.bundle_zip)
            done += 1
    return done
