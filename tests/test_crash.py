"""Crash safety of the service: `kill -9` the real server during a big upload, restart it, find nothing half-written.

The issue's promise is that an upload lands whole or not at all and a killed server loses no committed data. So
the test runs `milkprint serve` as a subprocess (SQLite file and PostgreSQL), commits a few assessments, then kills
the server while a bundle of ~3 million readings is being sent, validated and committed, and after each kill reads
the database directly: the committed rows are byte-identical, the killed upload is absent or complete, no row is
orphaned, SQLite's integrity check passes, and the restarted server answers as before.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import httpx
import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from milkprint.store.db import make_engine
from milkprint.store.models import (
    Assessment,
    AssessmentVersion,
    AuditEntry,
    Meter,
    ResultRecord,
    Upload,
)
from tests.bundles import CASES, REPO
from tests.dbs import (
    PG_ADMIN,
    db_url,  # noqa: F401  # the fixture: one SQLite file and one fresh PostgreSQL database
)

pytestmark = pytest.mark.slow

MILKPRINT = REPO / ".venv" / "bin" / "milkprint"
API = "/api/v1"
STEPS = 368 * 2880  # 30-second readings from 2024-12-31 to 2026-01-02 for each of the sample plant's 3 meters
CHUNK = 256 * 1024
EXPECTED_KG = json.loads((CASES / "plant-2024" / "expected.json").read_text(encoding="utf-8"))["carbon"]["kgco2e_per_t"]


# --- the big bundle --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BigBundle:
    data: bytes
    sha256: str
    meters: frozenset[str]  # meter ids of its meters.csv


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> BigBundle:
    """The sample plant with ~3.2 million 30-second readings (validation takes seconds), zipped like a user would."""
    root = tmp_path_factory.mktemp("big") / "bundle"
    with resources.as_file(resources.files("milkprint.samples") / "sample_plant") as sample:
        shutil.copytree(sample, root, ignore=shutil.ignore_patterns(".*", "__*"))
    readings = root / "readings.csv"
    readings.unlink()
    # Interval meter: small positive values; cumulative meters: increasing registers (E-DRY-01 rolls over once).
    with duckdb.connect() as con:
        con.execute(
            f"""
            COPY (
              SELECT strftime(TIMESTAMP '2024-12-31 00:00:00' + to_seconds(i * 30), '%Y-%m-%dT%H:%M:%S') AS timestamp,
                     m.meter_id,
                     CAST(CASE m.k WHEN 0 THEN 0.2 + (i * 7919 % 1000) / 2000.0
                                   WHEN 1 THEN (912443.51 + i * 0.05) % 1000000
                                   ELSE (1200.0 + i * 0.002) % 100000 END AS DECIMAL(18, 3)) AS value
              FROM range({STEPS}) r(i), (VALUES (0, 'E-EVAP-01'), (1, 'E-DRY-01'), (2, 'W-PRE-01')) m(k, meter_id)
              ORDER BY i, m.k
            ) TO '{readings}' (HEADER, DELIMITER ',')
            """
        )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for path in sorted(root.iterdir()):
            zf.write(path, path.name)
    data = buf.getvalue()
    meters = {line.split(",")[0] for line in (root / "meters.csv").read_text(encoding="utf-8").splitlines()[1:] if line}
    return BigBundle(data, hashlib.sha256(data).hexdigest(), frozenset(meters))


def small_zip(root: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(root.iterdir()):
            if path.is_file() and path.name != "expected.json":
                zf.write(path, path.name)
    return buf.getvalue()


# --- the server as a subprocess --------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    def output(self) -> str:
        return re.sub(r"\x1b\[[0-9;]*m", "", self.log.read_text(encoding="utf-8", errors="replace"))


def start(url: str, log: Path, *, demo: bool = False) -> Server:
    """`milkprint serve` on a free port, once /healthz answers (a fresh port each time: no TIME_WAIT surprises)."""
    port = free_port()
    cmd = [str(MILKPRINT), "serve", "--port", str(port), "--database", url, *(["--demo"] if demo else [])]
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "MILKPRINT_DATABASE_URL"}}
    # The server's temporary files (multipart spool, unpacked bundles) go beside the log: a killed server cannot
    # remove them, and pytest clears tmp_path.
    spool = log.parent / "server-tmp"
    spool.mkdir(exist_ok=True)
    env.update({"COLUMNS": "200", "NO_COLOR": "1", "TMPDIR": str(spool)})
    with log.open("ab") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
    server = Server(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.base}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    kill(server)
    pytest.fail(f"the server did not answer /healthz within 60 s:\n{server.output()}")


def kill(server: Server) -> None:
    """SIGKILL: no shutdown handler, no flush, no rollback from the server's side."""
    if server.proc.poll() is None:
        server.proc.kill()
    server.proc.wait(timeout=30)


# --- an upload that can be paused and timed --------------------------------------------------------------------------
class BigUpload:
    """One multipart upload in a thread, streamed in chunks with a Content-Length; events mark when the middle and
    the end of the body have been handed to the socket, and the sender can wait in the middle."""

    def __init__(self, base: str, token: str, plant_id: int, title: str, data: bytes, *, pause: bool = False) -> None:
        boundary = uuid.uuid4().hex
        self.head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="plant_id"\r\n\r\n{plant_id}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n{title}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.zip"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(self.head) + len(data) + len(self.tail)),
        }
        self.url = f"{base}{API}/assessments"
        self.data = data
        self.pause = pause
        self.half_sent = threading.Event()
        self.all_sent = threading.Event()
        self.release = threading.Event()
        self.sent_at = 0.0
        self.done_at = 0.0
        self.status: int | None = None
        self.body: Any = None
        self.error = ""
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _chunks(self) -> Iterator[bytes]:
        yield self.head
        half = len(self.data) // 2
        for i in range(0, len(self.data), CHUNK):
            if i >= half and not self.half_sent.is_set():
                self.half_sent.set()
                if self.pause:
                    self.release.wait(60)
            yield self.data[i : i + CHUNK]
        yield self.tail
        self.sent_at = time.monotonic()  # the generator resumes only once httpx has written the tail
        self.all_sent.set()

    def _run(self) -> None:
        try:
            r = httpx.post(self.url, content=self._chunks(), headers=self.headers, timeout=120)
            self.done_at = time.monotonic()
            self.status = r.status_code
            self.body = r.json()
        except (httpx.HTTPError, OSError, ValueError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.half_sent.set()
            self.all_sent.set()

    def start(self) -> BigUpload:
        self.thread.start()
        return self

    def join(self) -> None:
        self.thread.join(120)
        assert not self.thread.is_alive(), "the upload thread hung"


# --- the database, read directly -------------------------------------------------------------------------------------
State = dict[str, dict[Any, tuple[Any, ...]]]
_ZIP_OK: dict[str, bool] = {}  # digest -> the blob is a whole zip (each distinct blob is tested once)


def digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def whole_zip(blob: bytes, sha: str) -> bool:
    if sha not in _ZIP_OK:
        try:
            with zipfile.ZipFile(io.BytesIO(blob)) as zf:
                _ZIP_OK[sha] = bool(zf.namelist()) and zf.testzip() is None
        except zipfile.BadZipFile:
            _ZIP_OK[sha] = False
    return _ZIP_OK[sha]


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def read_state(url: str) -> State:
    """Every row that an upload or a run writes, with blobs as digests (and whether each bundle is a whole zip)."""
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            state: State = {"assessments": {}, "versions": {}, "uploads": {}, "results": {}, "meters": {}, "audit": {}}
            for a in s.scalars(select(Assessment)):
                state["assessments"][a.id] = (a.org_id, a.plant_id, a.title, a.status, a.current_version, a.row_version)
            for v in s.scalars(select(AssessmentVersion)):
                sha = digest(v.bundle_zip)
                state["versions"][v.id] = (
                    v.org_id,
                    v.assessment_id,
                    v.number,
                    v.upload_id,
                    sha,
                    whole_zip(v.bundle_zip, sha),
                )
                s.expunge(v)  # let the blob go
            for u in s.scalars(select(Upload)):
                state["uploads"][u.id] = (u.org_id, u.sha256, u.size, digest(u.data), len(u.data))
                s.expunge(u)
            for r in s.scalars(select(ResultRecord)):
                state["results"][r.id] = (
                    r.org_id,
                    r.version_id,
                    r.kgco2e_per_t,
                    r.m3_per_t,
                    r.library_digest,
                    canonical(r.result),
                    canonical(r.factors),
                )
            for m in s.scalars(select(Meter)):
                state["meters"][m.id] = (m.org_id, m.plant_id, m.meter_id, m.process, m.item, m.unit, m.kind)
            for e in s.scalars(select(AuditEntry)):
                state["audit"][e.id] = (
                    e.org_id,
                    e.action,
                    e.entity,
                    e.entity_id,
                    canonical(e.before),
                    canonical(e.after),
                )
        return state
    finally:
        engine.dispose()


def assert_consistent(state: State) -> None:
    """No half-written assessment and no orphan: versions 1..n, each with its upload and a whole bundle zip."""
    assessments, versions, uploads = state["assessments"], state["versions"], state["uploads"]
    numbers: dict[int, set[int]] = {aid: set() for aid in assessments}
    used_uploads: set[int] = set()
    for vid, (org, aid, number, upload_id, _sha, whole) in versions.items():
        assert aid in assessments, f"version {vid} of a missing assessment {aid}"
        assert upload_id in uploads, f"version {vid} without its upload {upload_id}"
        assert org == assessments[aid][0] == uploads[upload_id][0], f"version {vid}: organisations differ"
        assert whole, f"version {vid}: the stored bundle is not a whole zip"
        numbers[aid].add(number)
        used_uploads.add(upload_id)
    for aid, (_org, _plant, _title, _status, current, _row) in assessments.items():
        assert numbers[aid] == set(range(1, current + 1)), f"assessment {aid}: versions {numbers[aid]} of {current}"
    for uid, (_org, sha, size, real_sha, real_size) in uploads.items():
        assert (sha, size) == (real_sha, real_size), f"upload {uid}: stored digest or size does not match its data"
    assert set(uploads) == used_uploads, f"uploads without a version: {set(uploads) - used_uploads}"
    for rid, (org, vid, *_rest) in state["results"].items():
        assert vid in versions and versions[vid][0] == org, f"result {rid} of a missing version {vid}"
    created = {int(e[3]) for e in state["audit"].values() if e[1:3] == ("create", "assessment")}
    assert created == set(assessments), f"audit 'create' entries {created} vs assessments {set(assessments)}"


def sqlite_integrity(url: str) -> None:
    """SQLite's own checks on the file the killed server left (WAL recovery happens on open)."""
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()


# --- the API's view of what was committed ----------------------------------------------------------------------------
def login_token(base: str, password: str) -> str:
    with httpx.Client(base_url=base, timeout=30) as c:
        r = c.post(f"{API}/auth/login", json={"username": "demo", "password": password})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        r = c.post(f"{API}/tokens", json={"name": "crash test"})
        assert r.status_code == 201, r.text
        token: str = r.json()["token"]
        return token


def client(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"})


def api_view(c: httpx.Client, aid: int) -> dict[str, Any]:
    """What a user sees of an assessment: the row, its versions, its latest result (or the error if none)."""
    a = c.get(f"{API}/assessments/{aid}")
    assert a.status_code == 200, a.text
    v = c.get(f"{API}/assessments/{aid}/versions")
    assert v.status_code == 200, v.text
    r = c.get(f"{API}/assessments/{aid}/result")
    assert r.status_code in (200, 404), r.text
    return {"assessment": a.json(), "versions": v.json(), "result": (r.status_code, r.json())}


def upload_small(c: httpx.Client, plant_id: int, title: str) -> int:
    data = small_zip(CASES / "plant-2024")
    r = c.post(
        f"{API}/assessments",
        data={"plant_id": str(plant_id), "title": title},
        files={"file": ("plant-2024.zip", data, "application/zip")},
    )
    assert r.status_code == 201, r.text
    aid: int = r.json()["id"]
    run = c.post(f"{API}/assessments/{aid}/run")
    assert run.status_code == 200, run.text
    return aid


# --- when the server's transaction writes, seen from outside ----------------------------------------------------------
class WriteProbe:
    """Whether the server has begun writing the upload's transaction: on SQLite the WAL file changes (reads leave it
    alone, and nothing else writes while the upload is validated), on PostgreSQL the server's backend has a
    transaction id (assigned at its first INSERT)."""

    def __init__(self, url: str) -> None:
        self.wal: Path | None = None
        self.pg: psycopg.Connection[tuple[Any, ...]] | None = None
        if url.startswith("sqlite"):
            self.wal = Path(url.removeprefix("sqlite:///") + "-wal")
        else:
            self.pg = psycopg.connect(PG_ADMIN, autocommit=True)
            self.name = url.rsplit("/", 1)[1]
        self.baseline: tuple[int, int] | None = None

    def _wal(self) -> tuple[int, int] | None:
        assert self.wal is not None
        try:
            st = self.wal.stat()
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def arm(self) -> None:
        """Call while the server is idle, before the upload starts."""
        if self.wal is not None:
            self.baseline = self._wal()

    def writing(self) -> bool:
        if self.wal is not None:
            return self._wal() != self.baseline
        assert self.pg is not None
        row = self.pg.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
            "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
            (self.name,),
        ).fetchone()
        return bool(row and row[0])

    def wait(self, up: BigUpload) -> float:
        """Poll until the transaction writes (or the upload ends); returns when, on the monotonic clock."""
        while up.thread.is_alive() and not self.writing():
            time.sleep(0.001)
        return time.monotonic()

    def close(self) -> None:
        if self.pg is not None:
            self.pg.close()


# --- the test --------------------------------------------------------------------------------------------------------
# Where to kill (seconds are scaled from the calibration upload): in the middle of the body; halfway through the
# validation; as soon as the transaction writes; a share of the way from its first write to the answer (the commit
# is near the end); right after the answer (201: it must survive).
KILLS: list[tuple[str, float]] = [
    ("body", 0.0),
    ("validation", 0.5),
    ("writes", 0.0),
    ("writes", 0.6),
    ("writes", 0.95),
    ("answer", 0.0),
]


def phase(up: BigUpload, probe: WriteProbe) -> str:
    """Where the upload was when the server died (asked just before the kill)."""
    if not up.all_sent.is_set():
        return "receiving"
    if up.status is not None:
        return "answered"
    return "writing" if probe.writing() else "validating"


def test_kill_9_during_uploads_leaves_nothing_half_written(
    db_url: str,  # noqa: F811
    big: BigBundle,
    tmp_path: Path,
) -> None:
    database = db_url
    log = tmp_path / "server.log"
    probe = WriteProbe(database)
    server = start(database, log, demo=True)
    try:
        found = re.search(r"password:\s*(\S+)", server.output())
        assert found, server.output()
        token = login_token(server.base, found.group(1))
        with client(server.base, token) as c:
            # Committed before any kill: the demo assessment with its result, one uploaded and run through the API.
            plant = c.post(f"{API}/plants", json={"name": "崩溃测试一厂", "province": "内蒙古", "grid": "蒙西"})
            assert plant.status_code == 201, plant.text
            small_id = upload_small(c, plant.json()["id"], "plant-2024 before the kills")
            r = c.post(f"{API}/plants", json={"name": "崩溃测试大厂", "province": "内蒙古", "grid": "蒙西"})
            assert r.status_code == 201, r.text
            big_plant: int = r.json()["id"]
            # A big upload left to finish: it commits, and it times the validation and the writes.
            probe.arm()
            calib = BigUpload(server.base, token, big_plant, "big, left to finish", big.data).start()
            assert calib.all_sent.wait(60)
            first_write = probe.wait(calib)
            calib.join()
            assert calib.status == 201, (calib.error, calib.body)
            validating = first_write - calib.sent_at
            writing = calib.done_at - first_write
            assert validating > 0.5, f"the big upload validated in {validating:.2f} s: make it bigger"
            committed = {a["id"]: api_view(c, a["id"]) for a in c.get(f"{API}/assessments").json()["items"]}
        assert len(committed) == 3 and calib.body["id"] in committed and small_id in committed
        assert [committed[aid]["result"][0] for aid in sorted(committed)] == [200, 200, 404]  # demo, small, big
        assert committed[small_id]["result"][1]["kgco2e_per_t"] == pytest.approx(EXPECTED_KG, rel=1e-12)
        registered = read_state(database)["meters"].values()
        assert {m[2] for m in registered if m[1] == big_plant} == big.meters

        outcomes: list[tuple[str, str, int | None]] = []
        for k, (plan, share) in enumerate(KILLS):
            before = read_state(database)
            assert_consistent(before)
            with client(server.base, token) as c:  # the token's last use is written now, not during the upload
                assert c.get(f"{API}/auth/me").status_code == 200
            title = f"crash {k}: {plan} {share}"
            probe.arm()
            up = BigUpload(server.base, token, big_plant, title, big.data, pause=plan == "body").start()
            if plan == "body":
                assert up.half_sent.wait(60)
            elif plan == "validation":
                assert up.all_sent.wait(60)
                time.sleep(share * validating)
            elif plan == "writes":
                assert up.all_sent.wait(60)
                probe.wait(up)
                time.sleep(share * writing)
            else:
                up.thread.join(120)
            where = phase(up, probe)
            kill(server)
            up.release.set()
            up.join()

            if database.startswith("sqlite"):
                sqlite_integrity(database)
            after = read_state(database)
            assert_consistent(after)
            # Nothing committed before the kill changed or went missing.
            for table, rows in before.items():
                for key, row in rows.items():
                    assert after[table].get(key) == row, f"{table} {key} changed across the kill"
            # The killed upload: absent, or complete with exactly the bytes sent.
            new = [aid for aid, row in after["assessments"].items() if aid not in before["assessments"]]
            assert all(after["assessments"][aid][2] == title for aid in new) and len(new) <= 1, new
            if up.status is not None:
                assert up.status == 201 and new == [up.body["id"]], (up.status, up.body, new)
            if where == "receiving":
                assert not new, "an upload whose body never arrived was stored"
            if new:
                versions = [v for v in after["versions"].values() if v[1] == new[0]]
                assert len(versions) == 1 and after["uploads"][versions[0][3]][1] == big.sha256
                assert after["assessments"][new[0]][1] == big_plant
            # Its audit rows came with it, or not at all; the same meters and product added no other row.
            expected: set[tuple[str, str, str]] = set()
            for aid in new:
                vid, version = next((vid, v) for vid, v in after["versions"].items() if v[1] == aid)
                expected |= {("create", "assessment", str(aid)), ("create", "assessment_version", str(vid))}
                expected.add(("create", "upload", str(version[3])))
            added_audit = [e[1:4] for key, e in after["audit"].items() if key not in before["audit"]]
            assert sorted(added_audit) == sorted(expected)
            for table in ("meters", "results"):
                assert after[table] == before[table]
            outcomes.append((where, "landed" if new else "absent", up.status))

            server = start(database, log)
            with client(server.base, token) as c:
                for aid, view in committed.items():
                    assert api_view(c, aid) == view, f"assessment {aid} reads differently after the restart"
                if new:
                    committed[new[0]] = api_view(c, new[0])

        # The kills hit each stage at least once (otherwise the test proved less than it claims).
        wheres = {w for w, _, _ in outcomes}
        assert {"receiving", "validating", "writing", "answered"} <= wheres, outcomes
        with client(server.base, token) as c:
            aid = upload_small(c, committed[small_id]["assessment"]["plant_id"], "plant-2024 after the kills")
            after_kills = c.get(f"{API}/assessments/{aid}/result").json()
            assert after_kills["kgco2e_per_t"] == pytest.approx(EXPECTED_KG, rel=1e-12)
        print(f"\nvalidation {validating:.2f} s, writes to answer {writing:.2f} s; kills: {outcomes}")
    finally:
        kill(server)
        probe.close()
