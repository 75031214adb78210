"""The one place the ASGI app is built: `create_app(url)` makes one app per database, with both web doors on it.

    server ──> api/app.py      the REST API under /api/v1, /docs
           ──> web/routes.py   the pages, sign-in/out, static assets
           ──> api/errors.py   one set of error handlers: JSON for /api/, the web's error page for everything else
    both doors ──> api/sessions.py, api/security.py, api/accounts.py, api/uploads.py (shared, import no door)

The middleware (api/guard.py: body limits and deadlines) wraps the whole app. How `milkprint serve` runs it under
uvicorn is api/server.py.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import FastAPI

from milkprint import __version__
from milkprint.api import app as api
from milkprint.api import errors
from milkprint.api import schemas as S
from milkprint.api.guard import Guard, GuardSettings
from milkprint.api.sessions import session_cookie_name
from milkprint.service.assessments import MAX_UPLOAD
from milkprint.store.db import make_engine, migrate, session_factory
from milkprint.web import routes as web


def create_app(
    database_url: str | None = None, *, secure_cookies: bool = False, guard: GuardSettings | None = None
) -> FastAPI:
    """The API and the pages on one database (migrated to the newest schema first). `secure_cookies`: the deployment
    is behind TLS (the session cookie becomes `__Host-…; Secure` and browsers are told to stay on HTTPS). `guard`:
    the body limits and deadlines (api/guard.py; the defaults unless a deployment or a test says otherwise)."""
    engine = make_engine(database_url)
    migrate(engine)
    factory = session_factory(engine)
    app = FastAPI(
        title="milkprint",
        version=__version__,
        description="乳粉碳水双足迹服务 / carbon and water footprint of milk powder, as a service",
        responses={400: {"model": S.ErrorBody}, 401: {"model": S.ErrorBody}, 422: {"model": S.ErrorBody}},
        docs_url=None,  # served by the API from the installed package's assets, never from a CDN
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.factory = factory
    app.state.session_cookie = session_cookie_name(secure_cookies)
    settings = replace(
        guard or GuardSettings(max_upload=MAX_UPLOAD), tls=secure_cookies, session_cookie=app.state.session_cookie
    )
    app.add_middleware(Guard, settings=settings)  # a pure ASGI middleware: it acts before any body is read
    api.register(app, factory, secure_cookies)
    pages = web.mount(app, factory, secure_cookies)
    errors.install(app, page=pages.error_page)
    return app
