"""The account page: API tokens issued (shown once), used and revoked at once; administrators add users."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from milkprint.store.models import ApiToken, AuditEntry, User
from tests.dbs import db_url  # noqa: F401  # the fixture: one SQLite file and one PostgreSQL database
from tests.web import PASSWORD, csrf_of, sign_in, web_app  # noqa: F401  # web_app: the fixture


def count(app: Any, model: Any) -> int:
    with app.state.factory() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_tokens_are_shown_once_work_and_stop_working_when_revoked(web_app: Any) -> None:  # noqa: F811
    engineer = sign_in(web_app, "甲乳业-engineer")
    page = engineer.get("/account")
    assert page.status_code == 200 and "甲乳业-engineer" in page.text and 'href="/account"' in page.text
    assert 'data-testid="users"' not in page.text  # only administrators manage users
    csrf = csrf_of(page.text)
    made = engineer.post("/account/tokens", data={"csrf_token": csrf, "name": "锅炉房网关"})
    assert made.status_code == 201
    token = re.search(r'data-testid="token-value">(mpt_[^<]+)<', made.text)
    assert token, made.text[:2000]
    plain = token.group(1)
    assert plain not in engineer.get("/account").text  # shown once
    machine = TestClient(web_app)
    me = machine.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {plain}"})
    assert me.status_code == 200 and me.json()["username"] == "甲乳业-engineer"

    with web_app.state.factory() as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.name == "锅炉房网关"))
    other = sign_in(web_app, "甲乳业-viewer")  # someone else's token: not found, and it keeps working
    r = other.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(other.get("/account").text)})
    assert r.status_code == 404
    assert machine.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    assert engineer.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": "wrong"}).status_code == 403
    r = engineer.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert machine.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401  # at once
    assert "已撤销" in engineer.get("/account").text
    with web_app.state.factory() as s:
        actions = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "api_token").order_by(AuditEntry.id))
        )
    assert actions == ["create", "revoke"]
    bad = engineer.post("/account/tokens", data={"csrf_token": csrf, "name": "   "})
    assert bad.status_code == 422 and 'data-testid="problem"' in bad.text


def test_administrators_add_users_who_can_then_sign_in(web_app: Any) -> None:  # noqa: F811
    admin = sign_in(web_app, "甲乳业-admin", lang="en")
    page = admin.get("/account")
    assert 'data-testid="users"' in page.text and "Users of the organisation" in page.text
    csrf = csrf_of(page.text)
    users = count(web_app, User)
    weak = admin.post(
        "/account/users", data={"csrf_token": csrf, "username": "新人", "role": "viewer", "password": "123"}
    )
    assert weak.status_code == 422 and "password" in weak.text and count(web_app, User) == users
    taken = admin.post(
        "/account/users", data={"csrf_token": csrf, "username": "乙乳业-viewer", "role": "viewer", "password": PASSWORD}
    )
    assert taken.status_code == 409 and "cannot be used" in taken.text and count(web_app, User) == users
    assert 'data-testid="account-error">this username cannot be used; choose another<' in taken.text  # F16: no hint
    odd = admin.post(
        "/account/users", data={"csrf_token": csrf, "username": "x", "role": "owner", "password": PASSWORD}
    )
    assert odd.status_code == 422 and count(web_app, User) == users
    added = admin.post(
        "/account/users",
        data={
            "csrf_token": csrf,
            "username": "化验员",
            "display_name": "化验室",
            "role": "reviewer",
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303 and count(web_app, User) == users + 1
    listed = admin.get("/account").text
    assert 'data-user="化验员"' in listed and "reviewer" in listed
    newcomer = sign_in(web_app, "化验员")
    who = newcomer.get("/").text
    assert "化验室" in who and "审核员" in who and "甲乳业" in who
    engineer = sign_in(web_app, "甲乳业-engineer")
    refused = engineer.post(
        "/account/users",
        data={
            "csrf_token": csrf_of(engineer.get("/account").text),
            "username": "y",
            "role": "admin",
            "password": PASSWORD,
        },
    )
    assert refused.status_code == 403 and count(web_app, User) == users + 1
    with web_app.state.factory() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.action == "create")).all()
    assert [e.after["username"] for e in entry if e.after] == ["化验员"]
