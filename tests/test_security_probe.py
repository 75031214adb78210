"""The outside probe's categories (../shared/research/security-review.md), run in CI against the real service.

Tenant isolation after every cache is warm, bodies refused before they are read, slow clients cut off, the event
loop never blocked by the database, security headers, login CSRF, proxies, Secure cookies, and expensive renders
cached and limited. Uploads bombs and malformed inputs: tests/test_upload_limits.py (the parser) and the HTTP
cases here. Servers run in-process on a free port with `milkprint serve`'s own configuration (api/server.py).
"""

from __future__ import annotations

import io
import re
import socket
import sqlite3
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import select

from milkprint.api.demo import sample_zip
from milkprint.api.guard import GuardSettings
from milkprint.api.security import create_api_token
from milkprint.api.server import ServeOptions, uvicorn_config
from milkprint.api.sessions import CSRF_HEADER
from milkprint.server import create_app
from milkprint.service.errors import BusyError, TooManyRequestsError
from milkprint.service.renders import Renderer, RenderJob
from milkprint.store.db import transaction
from milkprint.store.models import LoginAttempt, User, utcnow
from tests.dbs import db_url  # noqa: F401  # SQLite and PostgreSQL
from tests.web import PASSWORD, api_login, csrf_of, post_login, seed_users, sign_in, web_app  # noqa: F401

API = "/api/v1"
ZIP = "application/zip"
SECURITY_HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")


def bearer(app: Any, username: str) -> dict[str, str]:
    """An Authorization header with a fresh API token of `username`."""
    with transaction(app.state.factory) as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        plain, _ = create_api_token(s, user.id, "probe", utcnow())
    return {"Authorization": f"Bearer {plain}"}


def assessed(app: Any, username: str = "甲乳业-engineer") -> dict[str, int]:
    """An uploaded and assessed sample plant of the user's organisation: its plant, assessment and result ids."""
    c = api_login(app, username)
    plants = c.get(f"{API}/plants").json()["items"]
    r = c.post(
        f"{API}/assessments",
        data={"plant_id": str(plants[0]["id"]), "title": "样例"},
        files={"file": ("sample.zip", sample_zip(), ZIP)},
    )
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    res = c.post(f"{API}/assessments/{aid}/run")
    assert res.status_code == 200, res.text
    return {"plant_id": plants[0]["id"], "assessment_id": aid, "result_id": res.json()["id"], "version": 1}


# --- tenant isolation after warm caches (F1) ----------------------------------------------------------------------

SAFE_QUERIES = {"format": None, "version": None, "download": None, "interpretation": None}


def id_endpoints(app: Any) -> list[tuple[str, str]]:
    """Every operation of the OpenAPI document that takes an id in its path (method, path template)."""
    spec = TestClient(app).get("/openapi.json").json()
    return [
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if "{" in path
        for method in operations
    ]


def fill(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


def test_no_id_endpoint_serves_another_organisation_after_its_caches_are_warm(web_app: Any) -> None:  # noqa: F811
    ids = assessed(web_app)
    owner = bearer(web_app, "甲乳业-viewer")
    client = TestClient(web_app)
    # The owner warms every cache: the result fast path, the result by id, renders, page views.
    for path in (
        f"{API}/assessments/{ids['assessment_id']}/result",
        f"{API}/results/{ids['result_id']}",
        f"{API}/assessments/{ids['assessment_id']}/report?format=html",
        f"{API}/assessments/{ids['assessment_id']}/declaration?format=html",
        f"{API}/assessments/{ids['assessment_id']}/label",
        f"{API}/assessments/{ids['assessment_id']}/check",
    ):
        assert client.get(path, headers=owner).status_code == 200, path
    pages = sign_in(web_app, "甲乳业-viewer")
    for path in ("/", f"/assessments/{ids['assessment_id']}", f"/data?plant={ids['plant_id']}"):
        assert pages.get(path).status_code == 200, path
    # Every id-taking operation, read and write, by every role of the other organisation: 404 (or 403 by role).
    endpoints = id_endpoints(web_app)
    assert len(endpoints) >= 12, endpoints
    for role in ("admin", "engineer", "viewer"):
        other = bearer(web_app, f"乙乳业-{role}")
        for method, template in endpoints:
            path = fill(template, {**ids, "token_id": 1, "user_id": 1})
            r = client.request(method, path, headers=other, json={"row_version": 0, "title": "x", "name": "x"})
            assert r.status_code in (403, 404, 405, 422), (role, method, path, r.status_code)
            assert "样例" not in r.text and "kgco2e" not in r.text, (role, method, path)
    # The pages of the other organisation show none of it either.
    intruder = sign_in(web_app, "乙乳业-admin")
    assert intruder.get(f"/assessments/{ids['assessment_id']}").status_code == 404
    for path in ("/", f"/?plant={ids['plant_id']}", f"/data?plant={ids['plant_id']}", "/assessments"):
        r = intruder.get(path)
        assert r.status_code == 200 and "样例" not in r.text and "一厂" not in r.text, path


# --- bodies refused before they are read (F3), slow clients (F14), headers of a real server (F11) -------------------


@contextmanager
def serving(app: Any, **options: Any) -> Iterator[str]:
    """The app behind `milkprint serve`'s uvicorn configuration, on a free port, for the block."""
    # The bound socket is handed to uvicorn, so no other test process can take the port in between.
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn_config(app, ServeOptions(port=port, **options)))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.02)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def raw(base: str, head: str, body: bytes = b"", wait: float = 5.0) -> tuple[int, bytes, float]:
    """Send a request's head (and optionally the start of its body) on a raw socket, never the rest: the status and
    answer the server gives, and how long it took."""
    host, port = base.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode("latin-1") + b"\r\n" + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, data, time.monotonic() - started


def test_bodies_are_refused_before_they_are_read(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'wall.db'}")
    seed_users(app)
    engineer = bearer(app, "甲乳业-engineer")["Authorization"]
    two_gib = 2 * 1024**3
    with serving(app) as base:
        cases = [
            # anonymous multipart upload of 2 GiB (API, then the page): refused at once, nothing spooled
            (f"POST {API}/assessments HTTP/1.1\nHost: x\nContent-Type: multipart/form-data; boundary=b\n"
             f"Content-Length: {two_gib}\n", 401),
            (f"POST /data/upload HTTP/1.1\nHost: x\nContent-Type: multipart/form-data; boundary=b\n"
             f"Content-Length: {two_gib}\n", 303),
            # anonymous 400 MiB JSON bodies
            (f"POST {API}/plants HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: {400 << 20}\n", 401),
            (f"POST {API}/auth/login HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: {400 << 20}\n",
             413),
            # an engineer's 2 GiB upload: 413 by its Content-Length, not after 2 GiB
            (f"POST {API}/assessments HTTP/1.1\nHost: x\nAuthorization: {engineer}\n"
             f"Content-Type: multipart/form-data; boundary=b\nContent-Length: {two_gib}\n", 413),
            # an engineer's 2 MiB JSON to a route that takes a few kB
            (f"POST {API}/plants HTTP/1.1\nHost: x\nAuthorization: {engineer}\nContent-Type: application/json\n"
             f"Content-Length: {2 << 20}\n", 413),
        ]
        for head, expected in cases:
            status, answer, took = raw(base, head)
            assert status == expected, (head.splitlines()[0], answer[:300])
            assert took < 2.0, (head.splitlines()[0], took)
        # A chunked body with no length is counted as it arrives: refused once past the limit.
        with httpx.Client(base_url=base, timeout=30) as c:

            def chunks() -> Iterator[bytes]:
                for _ in range(64):
                    yield b" " * 65536  # 4 MiB in all, the limit is 1 MiB

            r = c.post(f"{API}/plants", content=chunks(), headers={"Authorization": engineer,
                                                                   "Content-Type": "application/json"})
            assert r.status_code == 413 and r.json()["error"] == "too_large", r.text


def test_slow_headers_and_slow_bodies_are_cut_off(tmp_path: Path) -> None:
    settings = GuardSettings(max_upload=1 << 20, idle_timeout=1.0, grace=1.0, min_rate=1024)
    app = create_app(f"sqlite:///{tmp_path / 'slow.db'}", guard=settings)
    seed_users(app)
    engineer = bearer(app, "甲乳业-engineer")["Authorization"]
    with serving(app, header_timeout=1.0) as base:
        host, port = base.removeprefix("http://").split(":")
        # slowloris: a request line and one header, then nothing: the connection is closed after the timeout
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            assert sock.recv(1024) == b""  # closed by the server
            assert 0.8 < time.monotonic() - started < 5
        # a body that stops arriving: 408
        head = (f"POST {API}/plants HTTP/1.1\nHost: x\nAuthorization: {engineer}\nContent-Type: application/json\n"
                f"Content-Length: 1000\n")
        status, _, took = raw(base, head, body=b'{"name":', wait=10)
        assert status == 408 and 0.8 < took < 5
        # and the service still answers everyone else
        assert httpx.get(f"{base}/healthz").status_code == 200


def test_real_server_headers_proxy_and_version(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'hdr.db'}")
    seed_users(app)
    with serving(app) as base:
        for path in ("/login", "/healthz", f"{API}/auth/me", "/static/app.js", "/docs", "/nowhere"):
            r = httpx.get(base + path)
            missing = [h for h in SECURITY_HEADERS if h not in r.headers]
            assert not missing, (path, missing)
            assert "server" not in r.headers, path  # no "server: uvicorn"
        assert "frame-ancestors 'none'" in httpx.get(base + "/login").headers["content-security-policy"]
        # X-Forwarded-For from a client is not believed (no proxy is configured): the limit and audit see the peer
        for n in range(3):
            httpx.post(f"{base}{API}/auth/login", json={"username": "nobody", "password": "x" * 12},
                       headers={"X-Forwarded-For": f"10.3.3.{n}"})
    with transaction(app.state.factory) as s:
        clients = set(s.scalars(select(LoginAttempt.client)))
    assert clients == {"127.0.0.1"}
    # With the proxy configured, its X-Forwarded-For is.
    with serving(app, forwarded_allow_ips="127.0.0.1") as base:
        httpx.post(f"{base}{API}/auth/login", json={"username": "nobody", "password": "x" * 12},
                   headers={"X-Forwarded-For": "10.9.9.9"})
    with transaction(app.state.factory) as s:
        assert "10.9.9.9" in set(s.scalars(select(LoginAttempt.client)))


def test_docs_come_from_this_server(web_app: Any) -> None:  # noqa: F811
    client = TestClient(web_app)
    html = client.get("/docs").text
    assert "cdn" not in html and "https://" not in html and "<script>" not in html.replace(" ", "")
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        r = client.get(src)
        assert r.status_code == 200 and len(r.content) > 100, src
    assert client.get("/redoc").status_code == 404


# --- the event loop is never blocked by the database (F5) ---------------------------------------------------------


def test_a_locked_database_does_not_freeze_the_service(tmp_path: Path) -> None:
    db = tmp_path / "locked.db"
    app = create_app(f"sqlite:///{db}")
    seed_users(app)
    ids = assessed(app)
    fresh = bearer(app, "甲乳业-viewer")  # never used: its first use is due a last_used_at write
    with serving(app) as base:
        holder = sqlite3.connect(db, isolation_level=None, timeout=1)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock for seconds
        try:
            timings: dict[str, float] = {}

            def timed(name: str, url: str, headers: dict[str, str] | None = None) -> None:
                started = time.monotonic()
                r = httpx.get(url, headers=headers, timeout=30)
                timings[name] = time.monotonic() - started
                timings[name + "_status"] = r.status_code

            poll = threading.Thread(
                target=timed, args=("result", f"{base}{API}/assessments/{ids['assessment_id']}/result", fresh)
            )
            poll.start()
            time.sleep(0.1)
            timed("healthz", f"{base}/healthz")
            poll.join()
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    assert timings["healthz_status"] == 200 and timings["healthz"] < 0.5, timings
    assert timings["result_status"] == 200 and timings["result"] < 2.0, timings  # the use is recorded later


# --- sign-in: CSRF, origin, Secure cookies (F10, F17) --------------------------------------------------------------


def test_sign_in_form_needs_its_token_and_this_site(web_app: Any) -> None:  # noqa: F811
    client = TestClient(web_app)
    # posted without the form (another site's form cannot know the token): refused, no session
    r = client.post("/login", data={"username": "甲乳业-admin", "password": PASSWORD, "next": "/"}, follow_redirects=False)
    assert r.status_code == 403 and "login_token" in r.text
    assert client.get("/", follow_redirects=False).status_code == 303
    # a token from the form, but posted from another origin: refused before anything is read
    r = post_login(client, "甲乳业-admin", PASSWORD, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    # the same from this site: signed in
    assert post_login(client, "甲乳业-admin", PASSWORD, headers={"Origin": "http://testserver"}).status_code == 303
    # cross-site posts with a valid session and CSRF header are refused as well
    api = api_login(web_app, "甲乳业-engineer")
    r = api.post(f"{API}/plants", json={"name": "二厂"}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and r.json()["error"] == "foreign_origin"
    assert api.post(f"{API}/plants", json={"name": "二厂"}).status_code == 201


def test_secure_cookies_behind_tls(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'tls.db'}", secure_cookies=True)
    seed_users(app)
    client = TestClient(app, base_url="https://testserver")
    r = client.post(f"{API}/auth/login", json={"username": "甲乳业-viewer", "password": PASSWORD})
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-milkprint_session=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "strict-transport-security" in r.headers
    client.headers[CSRF_HEADER] = r.json()["csrf_token"]
    assert client.get(f"{API}/auth/me").json()["username"] == "甲乳业-viewer"
    # the plain cookie name opens nothing on a TLS deployment (it could be set over HTTP or by a subdomain)
    plain = TestClient(app, base_url="https://testserver", cookies={"milkprint_session": cookie.split(";")[0].split("=", 1)[1]})
    assert plain.get(f"{API}/auth/me").status_code == 401


# --- expensive renders: cached, limited (F18) ---------------------------------------------------------------------


def test_reports_are_rendered_once_and_served_from_memory(web_app: Any) -> None:  # noqa: F811
    ids = assessed(web_app)
    client = TestClient(web_app)
    viewer = bearer(web_app, "甲乳业-viewer")
    from milkprint.service.renders import RENDERER

    url = f"{API}/assessments/{ids['assessment_id']}/report?format=html"
    first = client.get(url, headers=viewer)
    before = RENDERER.rendered
    started = time.monotonic()
    again = client.get(url, headers=viewer)
    assert again.status_code == 200 and again.content == first.content
    assert RENDERER.rendered == before and time.monotonic() - started < 1.0
    # another language is another document
    assert client.get(url + "&lang=en", headers=viewer).content != first.content


def _job(key: str) -> RenderJob:
    import datetime as dt

    return RenderJob(1, (key,), "label", "svg", "zh", False, dt.date(2026, 1, 1), "b.zip", b"")


def test_renders_are_limited_per_person_and_per_process() -> None:
    renderer = Renderer(slots=1, wait_s=0.2)
    started, release = threading.Event(), threading.Event()

    def slow(job: RenderJob) -> bytes:
        started.set()
        release.wait(5)
        return b"<svg/>"

    results: list[object] = []
    first = threading.Thread(target=lambda: results.append(renderer.get(_job("a"), "user:1", slow)))
    first.start()
    assert started.wait(5)
    with pytest.raises(TooManyRequestsError) as mine:  # the same person asks for another while one renders
        renderer.get(_job("b"), "user:1", slow)
    assert mine.value.retry_after > 0
    with pytest.raises(BusyError):  # someone else: the only slot is taken for longer than the wait
        renderer.get(_job("c"), "user:2", slow)
    release.set()
    first.join()
    assert results == [b"<svg/>"]
    assert renderer.get(_job("a"), "user:2", slow) == b"<svg/>" and renderer.rendered == 1  # from memory


# --- web door: malformed ids in forms (F12) -------------------------------------------------------------------------


@pytest.mark.parametrize("plant", ["²", "99999999999999999999", "-1", "１"])
def test_upload_form_with_a_malformed_plant_is_a_clear_422(web_app: Any, plant: str) -> None:  # noqa: F811
    client = sign_in(web_app, "甲乳业-engineer")
    token = csrf_of(client.get("/data").text)
    r = client.post(
        "/data/upload",
        data={"csrf_token": token, "plant": plant},
        files={"file": ("sample.zip", sample_zip(), ZIP)},
    )
    assert r.status_code == 422 and "请选择工厂" in r.text


# --- uploads through both doors: bombs and malformed input answer 4xx with a message (F2, F4, F12, F13) -----------

SAMPLE = Path(__file__).resolve().parent.parent / "src" / "milkprint" / "samples" / "sample_plant"


def sample_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(SAMPLE.iterdir()) if p.is_file() and not p.name.startswith("_")}


def zipped(files: dict[str, bytes], extra: list[tuple[zipfile.ZipInfo, bytes]] = ()) -> bytes:  # type: ignore[assignment]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        for info, data in extra:
            zf.writestr(info, data)
    return buf.getvalue()


def with_toml(edit: str, old: str = "main_product_t = 12000.0") -> bytes:
    files = sample_files()
    text = files["assessment.toml"].decode("utf-8")
    assert old in text
    files["assessment.toml"] = text.replace(old, edit, 1).encode("utf-8")
    return zipped(files)


def symlinked() -> bytes:
    link = zipfile.ZipInfo("dirlink")
    link.external_attr = (0o120777 << 16)  # a symlink member pointing at /tmp
    return zipped(sample_files(), [(link, b"/tmp")])


def bad_readings() -> bytes:
    files = sample_files()
    data = bytearray(files["readings.csv"])
    data[100] = 0xFF  # not UTF-8
    files["readings.csv"] = bytes(data)
    return zipped(files)


def bomb() -> bytes:
    """The sample plant plus one member of 1 GiB of zeros (about 1 MB packed)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sample_files().items():
            zf.writestr(name, data)
        with zf.open(zipfile.ZipInfo("pad.bin"), "w", force_zip64=True) as member:
            block = b"\0" * (16 << 20)
            for _ in range(64):
                member.write(block)
    return buf.getvalue()


def entity_workbook(tmp_path: Path) -> bytes:
    """The sample plant's workbook with an undefined entity where the product name was (U18)."""
    from milkprint.workbook.template import write_template

    source = tmp_path / "plant.xlsx"
    write_template(source, None, "zh", SAMPLE)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        done = False
        for info in src.infolist():
            data = src.read(info)
            for spelled in ("全脂乳粉".encode(), "".join(f"&#{ord(c)};" for c in "全脂乳粉").encode()):
                if not done and info.filename.startswith("xl/worksheets/") and spelled in data:
                    data, done = data.replace(spelled, b"&xxe;", 1), True
            dst.writestr(info, data)
    assert done
    return out.getvalue()


MALFORMED: dict[str, Callable[[Path], tuple[str, bytes]]] = {
    "symlink member (U4)": lambda _: ("link.zip", symlinked()),
    "x and x/y (U5)": lambda _: ("xy.zip", zipped({**sample_files(), "x": b"1", "x/y": b"2"})),
    "TOML 5 000 deep (U28)": lambda _: (
        "deep.zip", with_toml("main_product_t = 12000.0\n[extra]\ndeep = " + "[" * 5000 + "]" * 5000)
    ),
    "main_product_t = inf (U29)": lambda _: ("inf.zip", with_toml("main_product_t = inf")),
    "main_product_t = 1e-320 (U30)": lambda _: ("tiny.zip", with_toml("main_product_t = 1e-320")),
    "readings not UTF-8 (U16)": lambda _: ("readings.zip", bad_readings()),
    "undefined entity in a workbook (U18)": lambda tmp: ("entity.xlsx", entity_workbook(tmp)),
    "1 GiB zip bomb (U6)": lambda _: ("bomb.zip", bomb()),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_uploads_are_refused_with_a_message_and_store_nothing(
    web_app: Any, case: str, tmp_path: Path  # noqa: F811
) -> None:
    name, data = MALFORMED[case](tmp_path)
    api = TestClient(web_app)
    engineer = bearer(web_app, "甲乳业-engineer")
    plant = api.get(f"{API}/plants", headers=engineer).json()["items"][0]["id"]
    started = time.monotonic()
    r = api.post(
        f"{API}/assessments",
        headers=engineer,
        data={"plant_id": str(plant), "title": case},
        files={"file": (name, data, ZIP)},
    )
    took = time.monotonic() - started
    assert r.status_code in (413, 422), (case, r.status_code, r.text[:300])
    body = r.json()
    assert body["message"] and body["error"] in ("invalid_input", "too_large"), body
    assert took < 20, (case, took)
    assert api.get(f"{API}/assessments", headers=engineer).json()["total"] == 0  # nothing stored
    # The page door: the same problem shown in place (422), never a 500.
    pages = sign_in(web_app, "甲乳业-engineer")
    token = csrf_of(pages.get("/data").text)
    page = pages.post(
        "/data/upload", data={"csrf_token": token, "plant": str(plant)}, files={"file": (name, data, ZIP)}
    )
    assert page.status_code in (413, 422), (case, page.status_code)
    assert api.get(f"{API}/assessments", headers=engineer).json()["total"] == 0


def test_odd_numbers_and_unknown_paths_answer_4xx_in_the_error_shape(web_app: Any) -> None:  # noqa: F811
    """Non-ASCII digits in ids, offsets and lengths (int() takes '²' for a digit and then fails), unknown API paths
    and wrong methods: a 4xx with a message, never a 500 or FastAPI's bare {"detail"}."""
    api = api_login(web_app, "甲乳业-admin")
    for path in (f"{API}/assessments/１", f"{API}/results/99999999999999999999", f"{API}/nowhere", f"{API}/users/1"):
        r = api.get(path) if not path.endswith("/users/1") else api.put(path, json={})
        assert 400 <= r.status_code < 500, (path, r.status_code)
        assert set(r.json()) == {"error", "message", "problems"} and r.json()["message"], (path, r.text)
    pages = sign_in(web_app, "甲乳业-admin")
    for path in ("/audit?offset=²", "/factors?offset=²", "/assessments/²", "/data?plant=²"):
        r = pages.get(path)
        assert r.status_code in (200, 404, 422), (path, r.status_code)
    with serving(web_app) as base:  # a Content-Length of a non-ASCII digit, as raw bytes on the wire
        head = f"POST {API}/auth/login HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: ²\n"
        status, _, _ = raw(base, head)
    assert 400 <= status < 500, status
