"""The REST API on SQLite and PostgreSQL: login, CSRF, tokens, roles, tenants, versions, locks, audit, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from milkprint.api.security import hash_password
from milkprint.server import create_app
from milkprint.service import assessments as svc
from milkprint.store.db import transaction
from tests.bundles import CASES
from tests.dbs import db_url  # noqa: F401  # the fixture: one SQLite file and one PostgreSQL database
from tests.web import api_login as login
from tests.web import bundle_zip

CASE = CASES / "plant-2024"
EXPECTED = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
PASSWORD = "correct horse battery"
API = "/api/v1"


@pytest.fixture
def app(db_url: str) -> Iterator[Any]:  # noqa: F811
    api = create_app(db_url)
    with transaction(api.state.factory) as s:
        for org_name in ("甲乳业", "乙乳业"):
            org = svc.create_organisation(s, org_name)
            s.flush()
            for role in ("admin", "engineer", "reviewer", "viewer"):
                svc.create_user(
                    s, org_id=org.id, username=f"{org_name}-{role}", password_hash=hash_password(PASSWORD), role=role
                )
    yield api
    api.state.engine.dispose()


def upload(client: TestClient, plant_id: int, data: bytes, name: str = "plant.zip", title: str = "2024 年度") -> Any:
    return client.post(
        f"{API}/assessments",
        data={"plant_id": str(plant_id), "title": title},
        files={"file": (name, data, "application/zip")},
    )


def test_login_cookie_csrf_and_bearer_tokens(app: Any) -> None:
    anon = TestClient(app)
    assert anon.get(f"{API}/auth/me").status_code == 401
    bad = anon.post(f"{API}/auth/login", json={"username": "甲乳业-admin", "password": "wrong"})
    assert (
        bad.status_code == 401 and bad.json()["error"] == "login_failed" and "用户名或密码错误" in bad.json()["message"]
    )
    c = login(app, "甲乳业-engineer")
    assert c.get(f"{API}/auth/me").json()["role"] == "engineer"
    # An unsafe request with the cookie but without the CSRF header is refused.
    no_csrf = TestClient(app, cookies=c.cookies)
    r = no_csrf.post(f"{API}/plants", json={"name": "一厂"})
    assert r.status_code == 403 and r.json()["error"] == "csrf"
    assert c.post(f"{API}/plants", json={"name": "一厂"}).status_code == 201
    # A bearer token: no cookie, no CSRF; shown once; revocable.
    made = c.post(f"{API}/tokens", json={"name": "SCADA 网关"}).json()
    token = made["token"]
    machine = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert machine.post(f"{API}/plants", json={"name": "二厂"}).status_code == 201
    assert all("token" not in t for t in c.get(f"{API}/tokens").json())
    assert c.delete(f"{API}/tokens/{made['id']}").status_code == 204
    assert machine.get(f"{API}/plants").status_code == 401
    assert c.post(f"{API}/auth/logout").status_code == 204
    assert c.get(f"{API}/auth/me").status_code == 401


def test_upload_run_result_check_report_label(app: Any) -> None:
    c = login(app, "甲乳业-engineer")
    plant = c.post(f"{API}/plants", json={"name": "示例乳粉厂", "province": "内蒙古", "grid": "蒙西"}).json()
    r = upload(c, plant["id"], bundle_zip(CASE))
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["status"] == "draft" and a["current_version"] == 1
    res = c.post(f"{API}/assessments/{a['id']}/run").json()
    assert res["kgco2e_per_t"] == pytest.approx(EXPECTED["carbon"]["kgco2e_per_t"], rel=1e-12)
    assert res["result"]["carbon"]["kgco2e_per_t"] == pytest.approx(res["kgco2e_per_t"])
    assert res["factors"] and all(f.get("source") for f in res["factors"])
    assert c.get(f"{API}/assessments/{a['id']}/result").json()["id"] == res["id"]
    assert c.get(f"{API}/results/{res['id']}").json()["m3_per_t"] == pytest.approx(EXPECTED["water"]["m3_per_t"])
    findings = c.get(f"{API}/assessments/{a['id']}/check").json()
    assert "verdict" in findings and findings["findings"]
    pdf = c.get(f"{API}/assessments/{a['id']}/report", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    svg = c.get(f"{API}/assessments/{a['id']}/label").text
    assert f"{EXPECTED['carbon']['kgco2e_per_t']:,.0f}" in svg
    meters = c.get(f"{API}/plants/{plant['id']}/meters").json()
    assert {m["meter_id"] for m in meters} == {
        line.split(",")[0] for line in (CASE / "meters.csv").read_text(encoding="utf-8").splitlines()[1:] if line
    }
    listed = c.get(f"{API}/assessments", params={"plant_id": plant["id"], "status": "draft", "limit": 1}).json()
    assert listed["total"] == 1 and len(listed["items"]) == 1


def test_bad_upload_gives_the_clis_messages_and_stores_nothing(app: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(CASE, broken)
    text = (broken / "activities.csv").read_text(encoding="utf-8").splitlines()
    cells = text[1].split(",")
    cells[2] = "abc"  # the amount of the first row
    text[1] = ",".join(cells)
    (broken / "activities.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    c = login(app, "甲乳业-engineer")
    plant = c.post(f"{API}/plants", json={"name": "一厂"}).json()
    r = upload(c, plant["id"], bundle_zip(broken))
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "invalid_input"
    cli = subprocess.run(
        [str(Path(".venv/bin/milkprint").resolve()), "assess", str(broken)], capture_output=True, text=True
    )
    assert cli.returncode == 2
    for p in body["problems"]:
        assert f"{p['where']}：{p['message_zh']}" in cli.stderr  # the same place and words as the CLI
    assert c.get(f"{API}/assessments").json()["total"] == 0  # nothing stored
    en = c.post(
        f"{API}/assessments?lang=en",
        data={"plant_id": str(plant["id"]), "title": "x"},
        files={"file": ("plant.zip", bundle_zip(broken), "application/zip")},
    )
    assert "expected a number" in en.json()["problems"][0]["message"]


def test_roles(app: Any) -> None:
    admin, engineer = login(app, "甲乳业-admin"), login(app, "甲乳业-engineer")
    reviewer, viewer = login(app, "甲乳业-reviewer"), login(app, "甲乳业-viewer")
    assert viewer.post(f"{API}/plants", json={"name": "x"}).status_code == 403
    assert reviewer.post(f"{API}/plants", json={"name": "x"}).status_code == 403
    plant = engineer.post(f"{API}/plants", json={"name": "一厂"}).json()
    a = upload(engineer, plant["id"], bundle_zip(CASE)).json()
    assert upload(viewer, plant["id"], bundle_zip(CASE)).status_code == 403
    assert viewer.post(f"{API}/assessments/{a['id']}/run").status_code == 403
    engineer.post(f"{API}/assessments/{a['id']}/run")
    assert viewer.get(f"{API}/assessments/{a['id']}/result").status_code == 200
    assert (
        engineer.post(f"{API}/assessments/{a['id']}/approve", json={"row_version": a["row_version"]}).status_code == 403
    )
    fresh = reviewer.get(f"{API}/assessments/{a['id']}").json()
    assert (
        reviewer.post(f"{API}/assessments/{a['id']}/approve", json={"row_version": fresh["row_version"]}).status_code
        == 200
    )
    for c in (engineer, reviewer, viewer):
        assert c.get(f"{API}/users").status_code == 403
        assert c.get(f"{API}/audit").status_code == 403
    assert admin.get(f"{API}/users").status_code == 200
    made = admin.post(f"{API}/users", json={"username": "新同事", "password": "a long passphrase", "role": "viewer"})
    assert made.status_code == 201
    weak = admin.post(f"{API}/users", json={"username": "弱", "password": "123", "role": "viewer"})
    assert weak.status_code == 422


def test_versions_locks_and_concurrent_edits(app: Any) -> None:
    engineer, reviewer = login(app, "甲乳业-engineer"), login(app, "甲乳业-reviewer")
    plant = engineer.post(f"{API}/plants", json={"name": "一厂"}).json()
    a = upload(engineer, plant["id"], bundle_zip(CASE)).json()
    # Two editors hold row_version 1: the first wins, the second is told, not overwritten.
    first = engineer.patch(f"{API}/assessments/{a['id']}", json={"title": "甲", "row_version": a["row_version"]})
    assert first.status_code == 200
    second = engineer.patch(f"{API}/assessments/{a['id']}", json={"title": "乙", "row_version": a["row_version"]})
    assert second.status_code == 409
    assert engineer.get(f"{API}/assessments/{a['id']}").json()["title"] == "甲"
    engineer.post(f"{API}/assessments/{a['id']}/run")
    now = engineer.get(f"{API}/assessments/{a['id']}").json()
    approved = reviewer.post(f"{API}/assessments/{a['id']}/approve", json={"row_version": now["row_version"]}).json()
    assert approved["status"] == "approved" and approved["approved_version"] == 1
    locked = engineer.patch(
        f"{API}/assessments/{a['id']}", json={"title": "丙", "row_version": approved["row_version"]}
    )
    assert locked.status_code == 409
    v2 = engineer.post(
        f"{API}/assessments/{a['id']}/versions",
        data={"row_version": str(approved["row_version"]), "note": "更正电表读数"},
        files={"file": ("plant.zip", bundle_zip(CASE), "application/zip")},
    )
    assert v2.status_code == 201 and v2.json()["number"] == 2
    after = engineer.get(f"{API}/assessments/{a['id']}").json()
    assert after["current_version"] == 2 and after["approved_version"] == 1 and after["status"] == "draft"
    assert [v["number"] for v in engineer.get(f"{API}/assessments/{a['id']}/versions").json()] == [1, 2]


def test_audit_log_has_who_when_what_before_and_after(app: Any) -> None:
    admin = login(app, "甲乳业-admin")
    plant = admin.post(f"{API}/plants", json={"name": "一厂"}).json()
    admin.patch(f"{API}/plants/{plant['id']}", json={"province": "内蒙古"})
    entries = admin.get(f"{API}/audit", params={"entity": "plant"}).json()["items"]
    update = next(e for e in entries if e["action"] == "update")
    assert update["before"]["province"] == "" and update["after"]["province"] == "内蒙古"
    assert update["user_id"] == admin.get(f"{API}/auth/me").json()["id"] and update["at"]
    assert any(e["action"] == "create" for e in entries)


def test_login_is_rate_limited(app: Any) -> None:
    anon = TestClient(app)
    codes = [
        anon.post(f"{API}/auth/login", json={"username": "乙乳业-viewer", "password": "nope"}).status_code
        for _ in range(8)
    ]
    assert codes[0] == 401 and codes[-1] == 429
    r = anon.post(f"{API}/auth/login", json={"username": "乙乳业-viewer", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0  # even the right password waits, from there
    owner = TestClient(app, client=("198.51.100.7", 50000))  # another address is not locked out (F8)
    assert owner.post(f"{API}/auth/login", json={"username": "乙乳业-viewer", "password": PASSWORD}).status_code == 200


def test_other_organisations_ids_give_404_on_every_endpoint(app: Any) -> None:
    owner = login(app, "甲乳业-admin")
    plant = owner.post(f"{API}/plants", json={"name": "一厂"}).json()
    a = upload(owner, plant["id"], bundle_zip(CASE)).json()
    res = owner.post(f"{API}/assessments/{a['id']}/run").json()
    token = owner.post(f"{API}/tokens", json={"name": "t"}).json()
    other = login(app, "乙乳业-admin")
    aid, pid = a["id"], plant["id"]
    calls = [
        ("get", f"/plants/{pid}", None),
        ("patch", f"/plants/{pid}", {"json": {"name": "x"}}),
        ("get", f"/plants/{pid}/meters", None),
        ("get", f"/assessments/{aid}", None),
        ("patch", f"/assessments/{aid}", {"json": {"title": "x", "row_version": a["row_version"]}}),
        ("get", f"/assessments/{aid}/versions", None),
        (
            "post",
            f"/assessments/{aid}/versions",
            {"data": {"row_version": "1"}, "files": {"file": ("p.zip", bundle_zip(CASE), "application/zip")}},
        ),
        ("post", f"/assessments/{aid}/run", None),
        ("get", f"/assessments/{aid}/result", None),
        ("get", f"/results/{res['id']}", None),
        ("get", f"/assessments/{aid}/check", None),
        ("get", f"/assessments/{aid}/report", None),
        ("get", f"/assessments/{aid}/label", None),
        ("post", f"/assessments/{aid}/approve", {"json": {"row_version": a["row_version"]}}),
        ("delete", f"/tokens/{token['id']}", None),
    ]
    for method, path, kwargs in calls:
        r = getattr(other, method)(API + path, **(kwargs or {}))
        assert r.status_code == 404, (method, path, r.status_code, r.text)
        assert "一厂" not in r.text and str(EXPECTED["carbon"]["kgco2e_per_t"])[:6] not in r.text
    assert upload(other, pid, bundle_zip(CASE)).status_code == 404  # someone else's plant
    assert other.get(f"{API}/assessments").json()["total"] == 0
    assert other.get(f"{API}/plants").json()["total"] == 0
    assert all(
        e["entity_id"] != str(aid) or e["entity"] != "assessment" for e in other.get(f"{API}/audit").json()["items"]
    )


def test_login_prunes_expired_sessions_and_old_attempts(app: Any) -> None:
    import datetime as dt

    from sqlalchemy import func, select

    from milkprint.store.models import LoginAttempt, User, WebSession

    now = dt.datetime.now(dt.UTC)
    with transaction(app.state.factory) as s:
        uid = s.scalar(select(User.id).where(User.username == "甲乳业-viewer"))
        assert uid is not None
        s.add(
            WebSession(
                id_hash="0" * 64,
                user_id=uid,
                csrf_token="x",
                created_at=now - dt.timedelta(days=3),
                expires_at=now - dt.timedelta(days=2),
            )
        )
        s.add(LoginAttempt(username="甲乳业-viewer", client="1.2.3.4", success=False, at=now - dt.timedelta(days=2)))
    login(app, "甲乳业-viewer")
    with transaction(app.state.factory) as s:
        assert s.scalar(select(func.count()).select_from(WebSession).where(WebSession.id_hash == "0" * 64)) == 0
        assert s.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.client == "1.2.3.4")) == 0
        assert s.scalar(select(func.count()).select_from(WebSession)) == 1  # the new session stays
