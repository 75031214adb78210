"""The REST API: FastAPI over the service layer; OpenAPI at /docs. `register` mounts it on the app that
milkprint/server.py builds (one app per database, with the web pages beside it).

    app.py  ──> routers/<resource>.py   one APIRouter per resource, included here in the OpenAPI document's order
            ──> deps.py                 the shared dependencies: database session, caller, role checks, caches

Authentication: a session cookie (browsers; unsafe methods need the X-CSRF-Token header the login returned) or a
bearer API token (machines; no CSRF). Every query is scoped to the caller's organisation: another organisation's
ids answer 404, never data. Errors are JSON with the same messages as the CLI (Chinese by default; `?lang=en` or
Accept-Language: en).
"""

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from milkprint.api.deps import ResultCache, TokenCache
from milkprint.api.routers import approvals, assessments, audit, auth, docs, meta, outputs, plants, results, users

ROUTERS = (docs, auth, users, plants, assessments, results, outputs, approvals, audit, meta)


def register(app: FastAPI, factory: sessionmaker[Session], secure_cookies: bool) -> None:
    """Mount the API on `app` (built by milkprint/server.py): /docs and its assets, and the routes under /api/v1.
    `secure_cookies`: the deployment is behind TLS (the session cookie is `__Host-…; Secure`). The dependencies
    (api/deps.py) read the database, the cookie setting and the caches from `app.state`."""
    app.state.factory = factory
    app.state.secure_cookies = secure_cookies
    token_cache: TokenCache = {}
    app.state.token_cache = token_cache
    app.state.result_cache = ResultCache()
    for module in ROUTERS:
        app.include_router(module.router)
