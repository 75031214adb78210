"""Helpers for web UI tests: an app with two organisations and a user of every role, and a signed-in client.

Import the fixture explicitly: `from tests.web import web_app  # noqa: F401` (with `from tests.dbs import db_url`).
"""

from __future__ import annotations

import atexit
import functools
import io
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from milkprint.api.security import hash_password
from milkprint.api.sessions import CSRF_HEADER
from milkprint.server import create_app
from milkprint.service import assessments as svc
from milkprint.service.actor import Actor
from milkprint.store.db import transaction
from tests import dbs

PASSWORD = "correct horse battery"
ORGS = ("甲乳业", "乙乳业")
ROLES = ("admin", "engineer", "reviewer", "viewer")


def bundle_zip(root: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(root.iterdir()):
            if p.is_file():
                zf.write(p, p.name)
    return buf.getvalue()


def seed_users(app: Any) -> None:
    """Users `甲乳业-admin` … `乙乳业-viewer` with PASSWORD, and one plant `一厂` in 甲乳业."""
    hashed = _password_hash()
    with transaction(app.state.factory) as s:
        for org_name in ORGS:
            org = svc.create_organisation(s, org_name)
            s.flush()
            for role in ROLES:
                svc.create_user(
                    s,
                    org_id=org.id,
                    username=f"{org_name}-{role}",
                    password_hash=hashed,
                    role=role,
                    display_name=f"{org_name}{role}",
                )
            if org_name == ORGS[0]:
                s.flush()
                svc.create_plant(s, actor=Actor(org.id, None, ""), name="一厂", province="内蒙古", grid="")


@functools.cache
def _password_hash() -> str:
    """PASSWORD's argon2 hash, made once per test process (each hash costs ~0.1 s; salts need not differ here)."""
    return hash_password(PASSWORD)


_SEEDED: dict[str, str] = {}  # per test process: "sqlite" -> a seeded database file, "postgresql" -> a template db


def _seed(url: str) -> None:
    app = create_app(url)  # migrates
    try:
        seed_users(app)
    finally:
        app.state.engine.dispose()


def _seeded_copy(db_url: str) -> None:
    """Fill the test's empty database with a copy of this process's migrated and seeded one (migrating and seeding
    costs ~1 s a test; the copy is the same rows, ids and hashes)."""
    if db_url.startswith("sqlite:///"):
        if "sqlite" not in _SEEDED:
            path = Path(tempfile.mkdtemp(prefix="milkprint-seeded-")) / "seeded.db"
            atexit.register(shutil.rmtree, path.parent, True)
            _seed(f"sqlite:///{path}")
            _SEEDED["sqlite"] = str(path)
        with closing(sqlite3.connect(_SEEDED["sqlite"])) as src, closing(sqlite3.connect(db_url[10:])) as dst:
            src.backup(dst)
        return
    if "postgresql" not in _SEEDED:
        _SEEDED["postgresql"] = dbs.new_template(_seed)
    dbs.replace_with_copy(db_url.rsplit("/", 1)[1], _SEEDED["postgresql"])


@pytest.fixture
def web_app(db_url: str) -> Iterator[Any]:
    _seeded_copy(db_url)
    app = create_app(db_url)  # on the copy: migrating is a no-op that checks the revision
    yield app
    app.state.engine.dispose()


def sign_in(app: Any, username: str, lang: str = "zh") -> TestClient:
    """A browser-like client signed in through the sign-in form (the session cookie is set)."""
    client = TestClient(app)
    if lang == "en":
        client.cookies.set("milkprint_lang", "en")
    r = post_login(client, username, PASSWORD)
    assert r.status_code == 303, r.text
    return client


def post_login(client: TestClient, username: str, password: str, next: str = "/", **kwargs: Any) -> Any:
    """Post the sign-in form as a browser does: first the form (its double-submit token, cookie and field), then
    the credentials."""
    form = client.get(f"/login?next={quote(next, safe='')}", follow_redirects=False).text
    found = re.search(r'name="login_token" value="([^"]+)"', form)
    assert found, "the sign-in form has no login token"
    data = {"username": username, "password": password, "next": next, "login_token": found.group(1)}
    return client.post("/login", data=data, follow_redirects=False, **kwargs)


def api_login(app: Any, username: str) -> TestClient:
    """A client of the REST API signed in as `username`: session cookie plus the CSRF header on every request."""
    client = TestClient(app)
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers[CSRF_HEADER] = r.json()["csrf_token"]
    return client


def csrf_of(html: str) -> str:
    """The CSRF token a page put in its forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no form with a CSRF token on the page"
    return found.group(1)
