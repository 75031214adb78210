"""The audit log page on SQLite and PostgreSQL: real actions (sign-in, plants, upload, run, approve) show with the
right who and what; every filter narrows as the stored rows say it should; other organisations never show; only
administrators get in; English labels; malformed filter values give a readable page."""

from __future__ import annotations

import datetime as dt
import html as html_text
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from milkprint.service import assessments as svc
from milkprint.service.actor import Actor
from milkprint.store.db import transaction
from milkprint.store.models import AuditEntry, Organisation, Plant, User
from tests.bundles import CASES
from tests.dbs import db_url  # noqa: F401  # the fixture: one SQLite file and one PostgreSQL database
from tests.web import (
    api_login,
    bundle_zip,
    sign_in,
    web_app,  # noqa: F401  # the app with two organisations and a user of every role
)

API = "/api/v1"
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- reading the page ---------------------------------------------------------------------------------------------


class _Rows(HTMLParser):
    """The table's rows: their data-* attributes, cell texts and links."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self._row: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr" and a.get("data-testid") == "audit-row":
            self._row = {"attrs": a, "cells": [], "links": []}
        elif self._row is not None and tag == "td":
            self._row["cells"].append("")
        elif self._row is not None and tag == "a":
            self._row["links"].append(a.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._row["cells"]:
            self._row["cells"][-1] += data


def rows_of(html: str) -> list[dict[str, Any]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def ids_of(html: str) -> list[int]:
    return [int(r["attrs"]["data-id"]) for r in rows_of(html)]


def total_of(html: str) -> int:
    head = html.split('data-testid="audit-count" data-total="', 1)[1]
    return int(head.split('"', 1)[0])


def text(cell: str) -> str:
    return " ".join(cell.split())


# --- the stored rows, as the expectations' source -------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    id: int
    at: dt.datetime
    user_id: int | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    client: str


def stored(app: Any, org_name: str) -> list[Stored]:
    """The organisation's audit rows, newest first (time, then id), read straight from the table."""
    with transaction(app.state.factory) as s:
        org_id = s.scalar(select(Organisation.id).where(Organisation.name == org_name))
        out = [
            Stored(
                e.id,
                e.at if e.at.tzinfo else e.at.replace(tzinfo=dt.UTC),
                e.user_id,
                e.action,
                e.entity,
                e.entity_id,
                e.before,
                e.after,
                e.client,
            )
            for e in s.scalars(select(AuditEntry).where(AuditEntry.org_id == org_id))
        ]
    return sorted(out, key=lambda e: (e.at, e.id), reverse=True)


def user_id(app: Any, username: str) -> int:
    with transaction(app.state.factory) as s:
        found = s.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


@dataclass(frozen=True)
class Story:
    admin: TestClient  # signed in to the pages
    plant_id: int  # 二厂, made by the engineer, its province changed by the admin
    assessment_id: int  # uploaded and run by the engineer, approved by the reviewer
    other_plant_id: int  # 乙乳业's plant


@pytest.fixture
def story(web_app: Any) -> Story:  # noqa: F811
    admin = sign_in(web_app, "甲乳业-admin")
    engineer = api_login(web_app, "甲乳业-engineer")
    plant = engineer.post(f"{API}/plants", json={"name": "二厂", "province": "", "grid": "华北"})
    assert plant.status_code == 201, plant.text
    pid = plant.json()["id"]
    up = engineer.post(
        f"{API}/assessments",
        data={"plant_id": str(pid), "title": "2024 年度"},
        files={"file": ("plant.zip", bundle_zip(CASES / "plant-2024"), "application/zip")},
    )
    assert up.status_code == 201, up.text
    aid = up.json()["id"]
    assert engineer.post(f"{API}/assessments/{aid}/run").status_code in (200, 201)
    reviewer = api_login(web_app, "甲乳业-reviewer")
    row_version = reviewer.get(f"{API}/assessments/{aid}").json()["row_version"]
    approved = reviewer.post(f"{API}/assessments/{aid}/approve", json={"row_version": row_version})
    assert approved.status_code == 200, approved.text
    admin_api = api_login(web_app, "甲乳业-admin")
    assert admin_api.patch(f"{API}/plants/{pid}", json={"province": "河北"}).status_code == 200
    other = api_login(web_app, "乙乳业-admin")
    other_plant = other.post(f"{API}/plants", json={"name": "乙一厂", "province": "黑龙江"})
    assert other_plant.status_code == 201
    return Story(admin, pid, aid, other_plant.json()["id"])


# --- tests ----------------------------------------------------------------------------------------------------------


def test_admin_sees_real_actions_with_who_and_what(web_app: Any, story: Story) -> None:  # noqa: F811
    r = story.admin.get("/audit")
    assert r.status_code == 200
    html = r.text
    assert 'href="/audit" aria-current="page"' in html
    expected = stored(web_app, "甲乳业")
    assert total_of(html) == len(expected)
    assert ids_of(html) == [e.id for e in expected[:50]]  # newest first, one page
    rows = {int(r["attrs"]["data-id"]): r for r in rows_of(html)}
    engineer, reviewer, admin = (user_id(web_app, f"甲乳业-{role}") for role in ("engineer", "reviewer", "admin"))

    def one(**match: Any) -> tuple[Stored, dict[str, Any]]:
        found = [e for e in expected if all(getattr(e, k) == v for k, v in match.items())]
        assert len(found) == 1, (match, found)
        assert found[0].id in rows, "the entry is not on the first page"
        return found[0], rows[found[0].id]

    # Each row: time (Beijing), who, action, object, client, change.
    e, row = one(action="approve")
    cells = [text(c) for c in row["cells"]]
    assert cells[0] == e.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    assert "甲乳业reviewer" in cells[1] and "甲乳业-reviewer" in cells[1] and e.user_id == reviewer
    assert cells[2] == "批准" and cells[3].startswith(f"评价 #{story.assessment_id}")
    assert f"/assessments/{story.assessment_id}" in row["links"]
    assert cells[4] == "testclient" == e.client
    assert "status: draft → approved" in cells[5]  # the compact diff of the changed keys

    logins = [e for e in expected if e.action == "login" and e.user_id == admin]
    assert len(logins) == 2  # the sign-in form and the API's login
    for e in logins:
        cells = [text(c) for c in rows[e.id]["cells"]]
        assert cells[1:3] == ["甲乳业admin 甲乳业-admin", "登录"] and cells[3] == f"用户 #{admin} 历史"
        assert f"/audit?entity=user&entity_id={admin}" in [h.replace("&amp;", "&") for h in rows[e.id]["links"]]

    e, row = one(action="update", entity="plant")
    cells = [text(c) for c in row["cells"]]
    assert e.user_id == admin and cells[2] == "修改" and cells[3].startswith(f"工厂 #{story.plant_id}")
    assert 'province: "" → 河北' in cells[5]
    assert "grid" not in cells[5].split("完整内容")[0]  # unchanged keys are not in the compact diff
    assert '"province": "河北"' in cells[5]  # the full after-JSON, in the <details>

    e, row = one(action="create", entity="result")
    assert e.user_id == engineer and text(row["cells"][2]) == "创建" and text(row["cells"][3]).startswith("结果")
    e, row = one(action="create", entity="assessment")
    assert e.entity_id == str(story.assessment_id) and "2024 年度" in text(row["cells"][5])
    one(action="create", entity="upload", user_id=engineer)
    one(action="create", entity="plant", entity_id=str(story.plant_id), user_id=engineer)

    # Set-up work done with no user (the organisation, plant 一厂) is the system's.
    for e in (x for x in expected if x.user_id is None):
        if e.id in rows:
            assert rows[e.id]["attrs"]["data-user"] == "system" and text(rows[e.id]["cells"][1]) == "系统"
    assert any(e.user_id is None and e.entity == "organisation" for e in expected)


def test_other_organisations_entries_never_show(web_app: Any, story: Story) -> None:  # noqa: F811
    mine = {e.id for e in stored(web_app, "甲乳业")}
    theirs = {e.id for e in stored(web_app, "乙乳业")}
    assert theirs and not mine & theirs
    everything = story.admin.get("/audit").text
    assert set(ids_of(everything)) <= mine and "乙一厂" not in everything and "黑龙江" not in everything
    # Not by id, not by their user, not by their content.
    by_id = story.admin.get("/audit", params={"entity": "plant", "entity_id": str(story.other_plant_id)}).text
    assert ids_of(by_id) == [] and total_of(by_id) == 0
    their_admin = user_id(web_app, "乙乳业-admin")
    by_user = story.admin.get("/audit", params={"user": str(their_admin)}).text
    assert "没有编号为" in by_user and set(ids_of(by_user)) <= mine  # refused, not applied across organisations
    assert f'value="{their_admin}"' not in by_user  # and not offered in the menu
    assert total_of(story.admin.get("/audit", params={"q": "黑龙江"}).text) == 0
    # And their administrator sees only theirs.
    other_admin = sign_in(web_app, "乙乳业-admin")
    seen = set(ids_of(other_admin.get("/audit").text))
    assert seen and seen <= {e.id for e in stored(web_app, "乙乳业")}


def test_filters_narrow_as_the_rows_say(web_app: Any, story: Story) -> None:  # noqa: F811
    rows = stored(web_app, "甲乳业")

    def check(params: dict[str, str], keep: Any) -> list[int]:
        want = [e.id for e in rows if keep(e)]
        html = story.admin.get("/audit", params=params).text
        assert total_of(html) == len(want), params
        assert ids_of(html) == want[:50], params
        assert 'data-testid="filter-problems"' not in html and 'data-testid="clear-filters"' in html
        return want

    actions = {e.action for e in rows}
    assert {"login", "create", "update", "approve"} <= actions
    for action in actions:
        assert check({"action": action}, lambda e, a=action: e.action == a)
    for entity in {e.entity for e in rows}:
        assert check({"entity": entity}, lambda e, x=entity: e.entity == x)
    for username in ("甲乳业-admin", "甲乳业-engineer", "甲乳业-reviewer"):
        uid = user_id(web_app, username)
        assert check({"user": str(uid)}, lambda e, u=uid: e.user_id == u)
    assert check({"user": "system"}, lambda e: e.user_id is None)
    assert check({"user": str(user_id(web_app, "甲乳业-viewer"))}, lambda e: False) == []
    aid = str(story.assessment_id)
    history = check(
        {"entity": "assessment", "entity_id": aid}, lambda e: e.entity == "assessment" and e.entity_id == aid
    )
    assert {e.action for e in rows if e.id in history} == {"create", "approve"}
    check({"action": "update", "entity": "plant"}, lambda e: e.action == "update" and e.entity == "plant")

    def contains(e: Stored, word: str) -> bool:
        return any(word.lower() in json.dumps(x, ensure_ascii=False).lower() for x in (e.before, e.after) if x)

    assert check({"q": "河北"}, lambda e: contains(e, "河北"))
    assert check({"q": "内蒙古"}, lambda e: contains(e, "内蒙古"))
    assert check({"q": "DRAFT"}, lambda e: contains(e, "draft"))  # case does not matter

    # The menus offer what the log holds, translated.
    page = story.admin.get("/audit").text
    assert '<option value="approve" >批准</option>' in page and '<option value="meter" >计量表</option>' in page
    assert ">甲乳业engineer (甲乳业-engineer)</option>" in page


def test_dates_are_days_in_china(web_app: Any, story: Story) -> None:  # noqa: F811
    """Two entries an hour apart in UTC fall on different days in Beijing: the filter follows Beijing's days."""
    with transaction(web_app.state.factory) as s:
        org_id = s.scalar(select(Organisation.id).where(Organisation.name == "甲乳业"))
        org_row = s.scalar(select(AuditEntry).where(AuditEntry.org_id == org_id, AuditEntry.entity == "organisation"))
        plant_one = s.scalar(select(Plant.id).where(Plant.org_id == org_id, Plant.name == "一厂"))
        plant_row = s.scalar(
            select(AuditEntry).where(AuditEntry.entity == "plant", AuditEntry.entity_id == str(plant_one))
        )
        assert org_row is not None and plant_row is not None
        org_row.at = dt.datetime(2024, 3, 1, 15, 30, tzinfo=dt.UTC)  # 2024-03-01 23:30 in Beijing
        plant_row.at = dt.datetime(2024, 3, 1, 16, 30, tzinfo=dt.UTC)  # 2024-03-02 00:30 in Beijing
        ids = (org_row.id, plant_row.id)

    def shown(**params: str) -> list[int]:
        html = story.admin.get("/audit", params=params).text
        assert 'data-testid="filter-problems"' not in html
        return ids_of(html)

    assert shown(date_from="2024-03-01", date_to="2024-03-01") == [ids[0]]
    assert shown(date_from="2024-03-02", date_to="2024-03-02") == [ids[1]]
    assert shown(date_from="2024-03-01", date_to="2024-03-02") == [ids[1], ids[0]]  # newest first
    assert shown(date_to="2024-03-01") == [ids[0]]
    rows = stored(web_app, "甲乳业")
    today = dt.datetime.now(SHANGHAI).date()
    since = shown(date_from="2024-03-02")
    assert since == [e.id for e in rows if e.at >= dt.datetime(2024, 3, 1, 16, tzinfo=dt.UTC)][:50]
    assert ids[0] not in since and ids[1] in since
    on_today = [e.id for e in rows if e.at.astimezone(SHANGHAI).date() == today]
    assert on_today and shown(date_from=today.isoformat(), date_to=today.isoformat()) == on_today[:50]
    cells = rows_of(story.admin.get("/audit", params={"date_from": "2024-03-02", "date_to": "2024-03-02"}).text)
    assert text(cells[0]["cells"][0]) == "2024-03-02 00:30:00"
    assert "北京时间" in story.admin.get("/audit").text


def test_pages_of_fifty_keep_the_filters(web_app: Any, story: Story) -> None:  # noqa: F811
    with transaction(web_app.state.factory) as s:
        admin = s.scalar(select(User).where(User.username == "甲乳业-admin"))
        assert admin is not None
        for i in range(60):
            svc.update_plant(
                s,
                actor=Actor(admin.org_id, admin.id, "10.0.0.7"),
                plant_id=story.plant_id,
                province=f"省{i}",
            )
    rows = [e for e in stored(web_app, "甲乳业") if e.action == "update"]
    assert len(rows) == 61
    first = story.admin.get("/audit", params={"action": "update"}).text
    assert ids_of(first) == [e.id for e in rows[:50]] and total_of(first) == 61
    assert 'data-testid="prev"' not in first
    next_href = first.split('data-testid="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(next_href).query)
    assert query == {"action": ["update"], "offset": ["50"]}
    second = story.admin.get(next_href).text
    assert ids_of(second) == [e.id for e in rows[50:]] and 'data-testid="next"' not in second
    assert 'data-testid="prev"' in second and "第 51–61 条" in second
    assert "10.0.0.7" in second or "10.0.0.7" in first
    assert "province: 省58 → 省59" in text(rows_of(first)[0]["cells"][5])
    everything = stored(web_app, "甲乳业")
    assert total_of(story.admin.get("/audit").text) == len(everything) > 50
    past = story.admin.get("/audit", params={"offset": "5000"}).text
    assert ids_of(past) == [] and "此页没有条目" in past and "回到第一页" in past


def test_only_administrators(web_app: Any) -> None:  # noqa: F811
    for role in ("engineer", "reviewer", "viewer"):
        r = sign_in(web_app, f"甲乳业-{role}").get("/audit")
        assert r.status_code == 403 and "无权操作" in r.text and 'data-testid="audit-table"' not in r.text
        assert 'href="/audit"' not in r.text  # not in their navigation either
    anon = TestClient(web_app).get("/audit?action=login", follow_redirects=False)
    assert anon.status_code == 303 and anon.headers["location"] == "/login?next=%2Faudit%3Faction%3Dlogin"


def test_english_labels(web_app: Any) -> None:  # noqa: F811
    client = sign_in(web_app, "甲乳业-admin", lang="en")
    html = client.get("/audit").text
    rows = rows_of(html)
    assert "<h1>Audit log</h1>" in html and f"{len(stored(web_app, '甲乳业'))} entries" in html
    assert "China Standard Time (Asia/Shanghai, UTC+8)" in html and "Time (UTC+8)" in html
    by_action = {r["attrs"]["data-action"]: [text(c) for c in r["cells"]] for r in rows}
    assert by_action["login"][2] == "sign in" and by_action["login"][3].startswith("user #")
    system_rows = [[text(c) for c in r["cells"]] for r in rows if r["attrs"]["data-user"] == "system"]
    assert system_rows and all(c[1] == "system" for c in system_rows)
    assert any(c[2] == "create" and c[3].startswith("organisation") for c in system_rows)
    assert "登录" not in html and "审计日志" not in html
    bad = html_text.unescape(client.get("/audit", params={"date_from": "garbage"}).text)
    assert "the start date 'garbage' is not a date (YYYY-MM-DD): ignored" in bad


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"date_from": "garbage"}, "起始日期“garbage”不是有效日期"),
        ({"date_to": "2024-02-30"}, "结束日期“2024-02-30”不是有效日期"),
        ({"date_from": "0001-01-01"}, "日期超出范围"),
        ({"date_to": "9999-12-31"}, "日期超出范围"),
        ({"offset": "-5"}, "偏移量“-5”无效"),
        ({"offset": "abc"}, "偏移量“abc”无效"),
        ({"offset": "9" * 40}, "无效"),
        ({"user": "abc"}, "没有编号为“abc”的用户"),
        ({"user": "99999"}, "没有编号为“99999”的用户"),
    ],
)
def test_bad_filter_values_give_a_clear_page(web_app: Any, params: dict[str, str], says: str) -> None:  # noqa: F811
    admin = sign_in(web_app, "甲乳业-admin")
    everything = stored(web_app, "甲乳业")
    r = admin.get("/audit", params=params)
    assert r.status_code == 200 and "Traceback" not in r.text
    assert 'data-testid="filter-problems"' in r.text and says in r.text
    assert ids_of(r.text) == [e.id for e in everything][:50]  # the bad filter is left out, the rest is shown


def test_filters_that_match_nothing_say_so(web_app: Any) -> None:  # noqa: F811
    admin = sign_in(web_app, "甲乳业-admin")
    backwards = admin.get("/audit", params={"date_from": "2024-05-02", "date_to": "2024-05-01"}).text
    assert "起始日期晚于结束日期" in backwards and ids_of(backwards) == []
    unknown = admin.get("/audit", params={"action": "teleport", "entity_id": "x" * 80, "q": "%_\\"}).text
    assert ids_of(unknown) == [] and "没有符合筛选条件的条目" in unknown and "清除筛选" in unknown
    assert '<option value="teleport" selected>teleport</option>' in unknown  # what was asked stays visible
