"""Answering an incident (F6), usernames (F16) and the login policy at the doors (F7, F8), on SQLite and PostgreSQL.

An administrator lists and revokes a member's tokens, deactivates and reactivates an account, changes a role and
sets a new password, through the REST API and the account page; everyone changes their own password. Each change
is audited and takes effect at once: sessions end and the process's token cache forgets the user. The operator's
`milkprint org create` / `org list` run as the real CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select, text

from milkprint.api.security import authenticate, hash_password
from milkprint.api.sessions import CSRF_HEADER
from milkprint.store.db import make_engine, migrate, session_factory
from milkprint.store.models import ApiToken, AuditEntry, LoginAttempt, User, WebSession, utcnow
from tests.conftest import CLI
from tests.dbs import db_url  # noqa: F401  # the fixture: one SQLite file and one PostgreSQL database
from tests.web import PASSWORD, api_login, csrf_of, sign_in, web_app  # noqa: F401  # web_app: the fixture

API = "/api/v1"
NEW_PASSWORD = "silo-tower-dawn-7"  # passes the policy


def user_id(app: Any, username: str) -> int:
    with app.state.factory() as s:
        found = s.scalar(select(User.id).where(User.username == username))
        assert found is not None
        return found


def bearer(app: Any, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def login_as(app: Any, username: str, password: str, client: tuple[str, int] = ("testclient", 50000)) -> Any:
    return TestClient(app, client=client).post(f"{API}/auth/login", json={"username": username, "password": password})


def audit(app: Any, entity: str, action: str) -> list[AuditEntry]:
    with app.state.factory() as s:
        query = select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.action == action)
        return list(s.scalars(query.order_by(AuditEntry.id)))


def sessions_of(app: Any, uid: int) -> int:
    with app.state.factory() as s:
        return int(s.scalar(select(func.count()).select_from(WebSession).where(WebSession.user_id == uid)) or 0)


def failed_logins(app: Any) -> list[str]:
    with app.state.factory() as s:
        query = select(LoginAttempt.username).where(LoginAttempt.success.is_(False)).order_by(LoginAttempt.id)
        return list(s.scalars(query))


def cached_users(app: Any) -> set[int]:
    return {who.id for _, who, _ in app.state.token_cache.values()}


# --- F6 through the API ----------------------------------------------------------------------------------------


def test_admin_lists_and_revokes_a_members_tokens(web_app: Any) -> None:  # noqa: F811
    engineer = api_login(web_app, "甲乳业-engineer")
    eng = user_id(web_app, "甲乳业-engineer")
    leaked = engineer.post(f"{API}/tokens", json={"name": "leaked"}).json()
    other = engineer.post(f"{API}/tokens", json={"name": "gateway"}).json()
    machine, gateway = bearer(web_app, leaked["token"]), bearer(web_app, other["token"])
    assert machine.get(f"{API}/auth/me").status_code == 200  # now in the token cache
    assert gateway.get(f"{API}/auth/me").status_code == 200

    admin = api_login(web_app, "甲乳业-admin")
    listed = admin.get(f"{API}/users/{eng}/tokens")
    assert listed.status_code == 200 and [t["name"] for t in listed.json()] == ["leaked", "gateway"]
    assert all("token" not in t for t in listed.json())  # the plaintext is never shown again

    # Another organisation's admin, and members without the admin role, reach nothing.
    stranger = api_login(web_app, "乙乳业-admin")
    assert stranger.get(f"{API}/users/{eng}/tokens").status_code == 404
    assert stranger.delete(f"{API}/users/{eng}/tokens/{leaked['id']}").status_code == 404
    assert stranger.delete(f"{API}/tokens/{leaked['id']}").status_code == 404
    viewer = api_login(web_app, "甲乳业-viewer")
    assert viewer.get(f"{API}/users/{eng}/tokens").status_code == 403
    assert viewer.delete(f"{API}/tokens/{leaked['id']}").status_code == 404  # not the viewer's token
    viewer_id = user_id(web_app, "甲乳业-viewer")
    assert admin.delete(f"{API}/users/{viewer_id}/tokens/{leaked['id']}").status_code == 404  # not the viewer's
    assert machine.get(f"{API}/auth/me").status_code == 200

    # The probe's call (A18): the admin revokes the engineer's token; it stops working at once, cache or not.
    assert admin.delete(f"{API}/tokens/{leaked['id']}").status_code == 204
    assert machine.get(f"{API}/auth/me").status_code == 401
    assert admin.delete(f"{API}/users/{eng}/tokens/{other['id']}").status_code == 204
    assert gateway.get(f"{API}/auth/me").status_code == 401
    assert admin.delete(f"{API}/users/{eng}/tokens/{other['id']}").status_code == 404  # revoked already
    assert all(t["revoked_at"] for t in admin.get(f"{API}/users/{eng}/tokens").json())

    admin_id = user_id(web_app, "甲乳业-admin")
    revoked = audit(web_app, "api_token", "revoke")
    assert [(e.entity_id, e.user_id) for e in revoked] == [(str(leaked["id"]), admin_id), (str(other["id"]), admin_id)]
    assert all(e.after and e.after["user_id"] == eng and e.after["revoked_at"] for e in revoked)


def test_deactivation_and_role_change_take_effect_at_once(web_app: Any) -> None:  # noqa: F811
    engineer = api_login(web_app, "甲乳业-engineer")
    eng = user_id(web_app, "甲乳业-engineer")
    token = engineer.post(f"{API}/tokens", json={"name": "ci"}).json()["token"]
    machine = bearer(web_app, token)
    assert machine.post(f"{API}/plants", json={"name": "二厂"}).status_code == 201  # the engineer may write
    assert eng in cached_users(web_app)
    admin = api_login(web_app, "甲乳业-admin")

    # A new role: the cached engineer is forgotten, the sessions end, the token now has the viewer's rights.
    r = admin.patch(f"{API}/users/{eng}", json={"role": "viewer"})
    assert r.status_code == 200 and r.json()["role"] == "viewer" and r.json()["active"] is True
    assert eng not in cached_users(web_app)
    assert sessions_of(web_app, eng) == 0 and engineer.get(f"{API}/auth/me").status_code == 401
    assert machine.post(f"{API}/plants", json={"name": "三厂"}).status_code == 403
    assert machine.get(f"{API}/auth/me").json()["role"] == "viewer"

    # Deactivated: the token, the sessions and the password all stop at once.
    again = api_login(web_app, "甲乳业-engineer")
    r = admin.patch(f"{API}/users/{eng}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert machine.get(f"{API}/auth/me").status_code == 401
    assert again.get(f"{API}/auth/me").status_code == 401 and sessions_of(web_app, eng) == 0
    assert login_as(web_app, "甲乳业-engineer", PASSWORD).status_code == 401

    # Reactivated: the same password and token work again; the display name changes without signing anyone out.
    r = admin.patch(f"{API}/users/{eng}", json={"active": True, "role": "engineer", "display_name": " 一号工程师 "})
    assert r.status_code == 200 and r.json()["display_name"] == "一号工程师"
    assert login_as(web_app, "甲乳业-engineer", PASSWORD).status_code == 200
    assert machine.post(f"{API}/plants", json={"name": "四厂"}).status_code == 201
    before = sessions_of(web_app, eng)
    assert admin.patch(f"{API}/users/{eng}", json={"display_name": "工程师"}).status_code == 200
    assert sessions_of(web_app, eng) == before

    # Refusals: an unknown role, a control character, another organisation's user, a non-admin caller.
    assert admin.patch(f"{API}/users/{eng}", json={"role": "owner"}).status_code == 422
    assert admin.patch(f"{API}/users/{eng}", json={"display_name": "a\u0000b"}).status_code == 422
    assert admin.patch(f"{API}/users/{user_id(web_app, '乙乳业-viewer')}", json={"active": False}).status_code == 404
    assert api_login(web_app, "甲乳业-reviewer").patch(f"{API}/users/{eng}", json={"role": "admin"}).status_code == 403

    updates = audit(web_app, "user", "update")
    assert [(e.before["role"], e.after["role"], e.before["active"], e.after["active"]) for e in updates[:3]] == [
        ("engineer", "viewer", True, True),
        ("viewer", "viewer", True, False),
        ("viewer", "engineer", False, True),
    ]
    assert all(e.user_id == user_id(web_app, "甲乳业-admin") and e.entity_id == str(eng) for e in updates)
    assert all("password_hash" not in (e.after or {}) for e in updates)


def test_an_organisation_keeps_an_active_admin(web_app: Any) -> None:  # noqa: F811
    admin = api_login(web_app, "甲乳业-admin")
    me = user_id(web_app, "甲乳业-admin")
    alone = admin.patch(f"{API}/users/{me}", json={"active": False})
    assert alone.status_code == 409 and "管理员" in alone.json()["message"]
    demote = admin.patch(f"{API}/users/{me}?lang=en", json={"role": "engineer"})
    assert demote.status_code == 409 and "administrator" in demote.json()["message"]
    assert admin.get(f"{API}/auth/me").status_code == 200  # nothing changed, still signed in
    reviewer = user_id(web_app, "甲乳业-reviewer")
    assert admin.patch(f"{API}/users/{reviewer}", json={"role": "admin"}).status_code == 200
    assert admin.patch(f"{API}/users/{me}", json={"role": "engineer"}).status_code == 200  # now there is another
    successor = api_login(web_app, "甲乳业-reviewer")
    assert successor.patch(f"{API}/users/{reviewer}", json={"active": False}).status_code == 409
    assert successor.patch(f"{API}/users/{reviewer}", json={"role": "viewer"}).status_code == 409


def test_passwords_reset_by_an_admin_and_changed_by_their_owner(web_app: Any) -> None:  # noqa: F811
    admin = api_login(web_app, "甲乳业-admin")
    viewer_id = user_id(web_app, "甲乳业-viewer")
    viewer = api_login(web_app, "甲乳业-viewer")
    weak = admin.post(f"{API}/users/{viewer_id}/password?lang=en", json={"password": "password12"})
    assert weak.status_code == 422 and "common" in weak.json()["problems"][0]["message"]
    own = admin.post(f"{API}/users/{user_id(web_app, '甲乳业-admin')}/password", json={"password": NEW_PASSWORD})
    assert own.status_code == 422  # one's own password is changed with the current one
    other_org = user_id(web_app, "乙乳业-viewer")
    assert admin.post(f"{API}/users/{other_org}/password", json={"password": NEW_PASSWORD}).status_code == 404
    assert viewer.post(f"{API}/users/{viewer_id}/password", json={"password": NEW_PASSWORD}).status_code == 403

    assert admin.post(f"{API}/users/{viewer_id}/password", json={"password": NEW_PASSWORD}).status_code == 204
    assert viewer.get(f"{API}/auth/me").status_code == 401  # signed out everywhere
    assert login_as(web_app, "甲乳业-viewer", PASSWORD).status_code == 401
    assert login_as(web_app, "甲乳业-viewer", NEW_PASSWORD).status_code == 200

    # The owner changes it back: the current one is asked for, and a wrong one counts as a failed login.
    first = TestClient(web_app)
    r = first.post(f"{API}/auth/login", json={"username": "甲乳业-viewer", "password": NEW_PASSWORD})
    first.headers[CSRF_HEADER] = r.json()["csrf_token"]
    second = TestClient(web_app)
    assert second.post(f"{API}/auth/login", json={"username": "甲乳业-viewer", "password": NEW_PASSWORD}).is_success
    failures = failed_logins(web_app)
    wrong = first.post(f"{API}/auth/password", json={"current_password": "not it", "new_password": PASSWORD})
    assert wrong.status_code == 422 and wrong.json()["problems"][0]["where"].endswith("current_password")
    assert failed_logins(web_app) == [*failures, "甲乳业-viewer"]
    same = first.post(f"{API}/auth/password", json={"current_password": NEW_PASSWORD, "new_password": NEW_PASSWORD})
    assert same.status_code == 422
    bad = first.post(f"{API}/auth/password", json={"current_password": NEW_PASSWORD, "new_password": "qwertyuiop"})
    assert bad.status_code == 422
    no_csrf = TestClient(web_app, cookies=first.cookies)
    r = no_csrf.post(f"{API}/auth/password", json={"current_password": NEW_PASSWORD, "new_password": PASSWORD})
    assert r.status_code == 403
    ok = first.post(f"{API}/auth/password", json={"current_password": NEW_PASSWORD, "new_password": PASSWORD})
    assert ok.status_code == 204
    assert first.get(f"{API}/auth/me").status_code == 200  # this session stays
    assert second.get(f"{API}/auth/me").status_code == 401  # the other one ended
    assert login_as(web_app, "甲乳业-viewer", PASSWORD).status_code == 200

    [reset] = audit(web_app, "user", "reset_password")
    assert reset.entity_id == str(viewer_id) and reset.user_id == user_id(web_app, "甲乳业-admin")
    [changed] = audit(web_app, "user", "change_password")
    assert changed.user_id == viewer_id


def test_own_password_change_is_rate_limited_like_a_login(web_app: Any) -> None:  # noqa: F811
    viewer = api_login(web_app, "甲乳业-viewer")
    codes = [
        viewer.post(f"{API}/auth/password", json={"current_password": "guess", "new_password": NEW_PASSWORD})
        for _ in range(6)
    ]
    assert [c.status_code for c in codes] == [422] * 5 + [429]
    assert int(codes[-1].headers["Retry-After"]) > 0


# --- F8 and F16 at the doors -----------------------------------------------------------------------------------


def test_an_attacker_cannot_lock_the_owner_out(web_app: Any) -> None:  # noqa: F811
    attacker = ("203.0.113.9", 40000)
    codes = [login_as(web_app, "甲乳业-admin", "wrong password", attacker).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    assert login_as(web_app, "甲乳业-admin", PASSWORD, attacker).status_code == 429  # that client waits
    assert login_as(web_app, "甲乳业-admin", PASSWORD, ("198.51.100.4", 40000)).status_code == 200  # the owner not


def test_usernames_are_normalised_unique_and_found_however_typed(web_app: Any) -> None:  # noqa: F811
    admin = api_login(web_app, "甲乳业-admin")

    def add(username: str, lang: str = "zh") -> Any:
        body = {"username": username, "password": NEW_PASSWORD, "role": "viewer"}
        return admin.post(f"{API}/users?lang={lang}", json=body)

    spaced = add("  spaced  ")
    assert spaced.status_code == 201 and spaced.json()["username"] == "spaced"
    assert login_as(web_app, "  spaced  ", NEW_PASSWORD).status_code == 200  # typed as it was created
    made = add("Dairy-Ops")
    assert made.status_code == 201
    for look_alike in ("dairy-ops", "ＤＡＩＲＹ-ＯＰＳ", " DAIRY-OPS "):
        r = add(look_alike)
        assert r.status_code == 409 and r.json()["message"] == "该用户名不可用，请换一个"
    for typed in ("DAIRY-OPS", "ｄａｉｒｙ-ｏｐｓ", "dairy-ops "):
        r = login_as(web_app, typed, NEW_PASSWORD)
        assert r.status_code == 200 and r.json()["user"]["username"] == "Dairy-Ops"
    elsewhere = add("乙乳业-viewer", "en")  # a name of another organisation: nothing says so (Z15)
    assert elsewhere.status_code == 409
    assert elsewhere.json()["message"] == "this username cannot be used; choose another"
    for refused in ("a\u200bdemo", "de\u0000mo", "<script>alert(1)</script>", "x" * 101, "two words"):
        r = add(refused)
        assert r.status_code == 422 and r.json()["problems"][0]["where"].endswith("username"), refused
    assert login_as(web_app, "de\u0000mo", NEW_PASSWORD).status_code == 401  # no 500, even on PostgreSQL
    with web_app.state.factory() as s:
        keys = set(s.scalars(select(LoginAttempt.username)))
        stored = {u.username: u.username_key for u in s.scalars(select(User))}
    assert {"spaced", "dairy-ops", "de\ufffdmo"} <= keys  # attempts are counted under the normalised name
    assert stored["Dairy-Ops"] == "dairy-ops" and stored["spaced"] == "spaced"


def test_the_migration_gives_existing_users_their_keys(db_url: str) -> None:  # noqa: F811
    """Look-alike names from before the rule: the oldest keeps the key, the others get `key#id` and still log in."""
    engine = make_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("milkprint.store") / "migrations"))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0003")
        hashed = hash_password(PASSWORD)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO organisations (id, name, created_at) VALUES (1, 'o', :t)"), {"t": utcnow()})
            for uid, name in [(1, "demo"), (2, "DEMO"), (3, "Ｄｅｍｏ"), (4, "Alice")]:
                conn.execute(
                    text(
                        "INSERT INTO users (id, org_id, username, display_name, password_hash, role, active, "
                        "created_at) VALUES (:id, 1, :name, '', :h, 'viewer', true, :t)"
                    ),
                    {"id": uid, "name": name, "h": hashed, "t": utcnow()},
                )
        migrate(engine)
        with engine.connect() as conn:
            keys = dict(conn.execute(text("SELECT username, username_key FROM users")).all())
        assert keys == {"demo": "demo", "DEMO": "demo#2", "Ｄｅｍｏ": "demo#3", "Alice": "alice"}
        assert any(
            ix["unique"] and ix["column_names"] == ["username_key"] for ix in inspect(engine).get_indexes("users")
        )
        with session_factory(engine)() as s:
            found = authenticate(s, "DEMO", PASSWORD, "10.0.0.1", utcnow())
            assert found is not None and found.id == 1
            second = authenticate(s, "demo#2", PASSWORD, "10.0.0.1", utcnow())
            assert second is not None and second.id == 2
    finally:
        engine.dispose()


# --- F6 through the account page --------------------------------------------------------------------------------


def test_admin_answers_an_incident_on_the_account_page(web_app: Any) -> None:  # noqa: F811
    engineer = sign_in(web_app, "甲乳业-engineer")
    made = engineer.post("/account/tokens", data={"csrf_token": csrf_of(engineer.get("/account").text), "name": "网关"})
    assert made.status_code == 201
    plain = made.text.split('data-testid="token-value">')[1].split("<")[0]
    machine = bearer(web_app, plain)
    assert machine.get(f"{API}/auth/me").status_code == 200
    eng = user_id(web_app, "甲乳业-engineer")
    with web_app.state.factory() as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.name == "网关"))

    admin = sign_in(web_app, "甲乳业-admin", lang="en")
    page = admin.get("/account").text
    csrf = csrf_of(page)
    row = page.split(f'data-user-id="{eng}"')[1].split("</tr>\n")[0]
    for testid in ("role-form", "active-form", "reset-form", "user-tokens"):
        assert f'data-testid="{testid}"' in row
    assert "网关" in page and f"/account/users/{eng}/tokens/{token_id}/revoke" in page
    assert 'data-testid="own-password"' in page
    assert page.count('name="csrf_token"') == page.count('<form method="post"') > 10  # every form carries the token

    # Every admin form refuses a wrong CSRF token and a non-admin.
    forms = [
        (f"/account/users/{eng}/role", {"role": "viewer"}),
        (f"/account/users/{eng}/active", {"active": "0"}),
        (f"/account/users/{eng}/password", {"password": NEW_PASSWORD}),
        (f"/account/users/{eng}/tokens/{token_id}/revoke", {}),
    ]
    viewer = sign_in(web_app, "甲乳业-viewer")
    viewer_csrf = csrf_of(viewer.get("/account").text)
    for action, data in forms:
        assert admin.post(action, data={**data, "csrf_token": "wrong"}).status_code == 403, action
        assert viewer.post(action, data={**data, "csrf_token": viewer_csrf}).status_code == 403, action
    assert machine.get(f"{API}/auth/me").status_code == 200  # nothing happened

    def post(action: str, **data: str) -> Any:
        return admin.post(action, data={**data, "csrf_token": csrf}, follow_redirects=False)

    r = post(f"/account/users/{eng}/tokens/{token_id}/revoke")
    assert r.status_code == 303 and machine.get(f"{API}/auth/me").status_code == 401
    r = post(f"/account/users/{eng}/role", role="reviewer")
    assert r.status_code == 303 and r.headers["location"] == "/account?notice=role"
    assert engineer.get("/account", follow_redirects=False).status_code == 303  # signed out: to the sign-in page
    r = post(f"/account/users/{eng}/active", active="0")
    assert r.status_code == 303 and login_as(web_app, "甲乳业-engineer", PASSWORD).status_code == 401
    assert "Deactivate" not in admin.get("/account").text.split(f'data-user-id="{eng}"')[1].split("</tr>")[0]
    r = post(f"/account/users/{eng}/active", active="1")
    assert r.status_code == 303 and login_as(web_app, "甲乳业-engineer", PASSWORD).status_code == 200
    weak = post(f"/account/users/{eng}/password", password="pw3pw3pw3pw3")
    assert weak.status_code == 422 and "different characters" in weak.text
    r = post(f"/account/users/{eng}/password", password=NEW_PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/account?notice=reset"
    assert login_as(web_app, "甲乳业-engineer", NEW_PASSWORD).status_code == 200
    me = user_id(web_app, "甲乳业-admin")
    alone = post(f"/account/users/{me}/active", active="0")
    assert alone.status_code == 409 and "active administrator" in alone.text
    assert post(f"/account/users/{10**12}/role", role="viewer").status_code == 404
    stranger = user_id(web_app, "乙乳业-engineer")
    assert post(f"/account/users/{stranger}/active", active="0").status_code == 404

    with web_app.state.factory() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.user_id == me).order_by(AuditEntry.id)))
    assert [a for a in actions if a != "login"] == ["revoke", "update", "update", "update", "reset_password"]


def test_everyone_changes_their_own_password_on_the_account_page(web_app: Any) -> None:  # noqa: F811
    reviewer = sign_in(web_app, "甲乳业-reviewer", lang="en")
    elsewhere = sign_in(web_app, "甲乳业-reviewer")
    csrf = csrf_of(reviewer.get("/account").text)

    def change(current: str, new: str, token: str = csrf) -> Any:
        data = {"csrf_token": token, "current_password": current, "new_password": new}
        return reviewer.post("/account/password", data=data, follow_redirects=False)

    assert change(PASSWORD, NEW_PASSWORD, "wrong").status_code == 403
    wrong = change("not my password", NEW_PASSWORD)
    assert wrong.status_code == 422 and "current password is wrong" in wrong.text
    weak = change(PASSWORD, "aaaaaaaaaa")
    assert weak.status_code == 422 and "different characters" in weak.text
    done = change(PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/account?notice=password"
    assert reviewer.get("/account").status_code == 200  # still signed in here
    assert elsewhere.get("/account", follow_redirects=False).status_code == 303  # not in the other browser
    assert login_as(web_app, "甲乳业-reviewer", NEW_PASSWORD).status_code == 200


# --- the operator's CLI -----------------------------------------------------------------------------------------


def run_cli(*args: str, stdin: str = "") -> tuple[int, str, str]:
    """The real CLI in a subprocess, with text on its standard input (the `cli` fixture sends none)."""
    exe = [str(CLI)] if CLI.exists() else [sys.executable, "-m", "milkprint.cli"]
    proc = subprocess.run([*exe, *args], input=stdin, capture_output=True, text=True, env=dict(os.environ), timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_org_create_and_list(cli: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    code, out, err = cli("org", "create", "甲乳业", "--admin", "boss", "--database", url)
    assert code == 0, err
    password = out.strip().splitlines()[-1].rsplit(" ", 1)[-1]
    printed = [line for line in out.splitlines() if "密码" in line]
    assert len(printed) == 1 and password in printed[0] and len(password) >= 20
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            boss = authenticate(s, "BOSS", password, "10.0.0.1", utcnow())
            assert boss is not None and boss.role == "admin"
            entries = s.scalars(select(AuditEntry.entity).where(AuditEntry.action == "create")).all()
            assert sorted(entries) == ["organisation", "user"]
    finally:
        engine.dispose()

    code, _, err = cli("org", "create", "甲乳业", "--admin", "boss2", "--database", url)
    assert code == 2 and "已存在" in err and "Traceback" not in err
    code, _, err = cli("org", "create", "  ", "--admin", "boss3", "--database", url)
    assert code == 2 and "名称" in err and "Traceback" not in err
    code, _, err = cli("org", "create", "乙乳业", "--admin", "Boss", "--database", url, lang="en")
    assert code == 2 and "cannot be used" in err  # the name is taken (in any organisation)
    code, _, err = run_cli(
        "org", "create", "乙乳业", "--admin", "<b>", "--password-stdin", "--database", url, stdin="password12\n"
    )
    assert code == 2 and "不能含" in err and "常见" in err  # every problem at once
    code, out, err = run_cli(
        "org",
        "create",
        "乙乳业",
        "--admin",
        "乙-admin",
        "--password-stdin",
        "--database",
        url,
        stdin=NEW_PASSWORD + "\n",
    )
    assert code == 0, err
    assert NEW_PASSWORD not in out and "密码" not in out  # a password the operator typed is not echoed

    code, out, err = cli("org", "list", "--database", url, "--json")
    assert code == 0, err
    assert [(o["name"], o["users"], o["active_admins"]) for o in json.loads(out)] == [
        ("甲乳业", 1, 1),
        ("乙乳业", 1, 1),
    ]
    code, out, _ = cli("org", "list", "--database", url)
    assert code == 0 and "甲乳业" in out and "乙乳业" in out
