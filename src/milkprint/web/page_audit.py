"""The audit log page (administrators only): who did what, when, to which row, from where, with the change.

Filters are a GET form, so a filtered view can be bookmarked or sent to a colleague. A filter value the page cannot
use (a malformed date, an unknown user, a negative offset) is named in a notice and ignored, never a traceback.
Days are China's (Asia/Shanghai): the plants keep Beijing time, and an auditor asking for 3 March means their 3 March.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import QueryParams

from milkprint.errors import Text
from milkprint.service.audit_log import (
    MAX_OFFSET,
    AuditChoices,
    AuditFilter,
    AuditRow,
    changed_keys,
    china,
    choices,
    day_bounds,
    search,
)
from milkprint.web.core import Web

PAGE_SIZE = 50
TZ = china()
TZ_NOTE = Text("北京时间（Asia/Shanghai，UTC+8）", "China Standard Time (Asia/Shanghai, UTC+8)")
SYSTEM = Text("系统", "system")
VALUE_CHARS = 80  # a changed value longer than this is cut in the compact diff (the full JSON is below it)

# Every action and entity string the code writes (store/audit.py's callers: service/assessments.py, api/app.py);
# one not listed here is shown as stored.
ACTION_NAMES: dict[str, Text] = {
    "login": Text("登录", "sign in"),
    "logout": Text("退出", "sign out"),
    "create": Text("创建", "create"),
    "update": Text("修改", "update"),
    "delete": Text("删除", "delete"),
    "approve": Text("批准", "approve"),
    "revoke": Text("撤销", "revoke"),
    "run": Text("计算", "run"),
    "upload": Text("上传", "upload"),
    "new_version": Text("新版本", "new version"),
    "reset_password": Text("重置密码", "reset password"),
    "change_password": Text("修改密码", "change password"),
}
ENTITY_NAMES: dict[str, Text] = {
    "organisation": Text("组织", "organisation"),
    "user": Text("用户", "user"),
    "api_token": Text("API 令牌", "API token"),
    "plant": Text("工厂", "plant"),
    "product": Text("产品", "product"),
    "meter": Text("计量表", "meter"),
    "upload": Text("上传文件", "upload"),
    "assessment": Text("评价", "assessment"),
    "assessment_version": Text("评价版本", "assessment version"),
    "result": Text("结果", "result"),
}
SUMMARY_KEYS = ("name", "title", "username", "filename", "meter_id", "number", "version_number", "spec")


@dataclass(frozen=True)
class Change:
    key: str
    before: str
    after: str


@dataclass(frozen=True)
class Line:
    """One entry as the table shows it."""

    id: int
    when: str
    user_id: int | None
    display_name: str
    username: str
    action: str
    action_name: Text | str
    entity: str
    entity_name: Text | str
    entity_id: str
    link: str
    client: str
    changes: list[Change]
    summary: list[tuple[str, str]]
    before_json: str
    after_json: str


@dataclass
class Asked:
    """The filter form as asked (raw strings, to fill the form again), what of it applies, and what was refused."""

    values: dict[str, str]
    filters: AuditFilter
    offset: int
    problems: list[Text]


def shown(value: Any) -> str:
    """A JSON value in a few characters: strings as they are, the rest as JSON; cut with an ellipsis."""
    if value is None:
        return "—"
    if value == "":
        return '""'  # an emptied field must not look like nothing happened
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def local_time(at: dt.datetime) -> str:
    return at.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")


def link_of(row: AuditRow) -> str:
    """Where the entry's object can be seen: an assessment's page (a version's assessment)."""
    if row.entity == "assessment" and row.entity_id.isascii() and row.entity_id.isdigit():
        return f"/assessments/{row.entity_id}"
    if row.entity == "assessment_version":
        owner = (row.after or row.before or {}).get("assessment_id")
        if isinstance(owner, int):
            return f"/assessments/{owner}"
    return ""


def line_of(row: AuditRow) -> Line:
    snap = row.after or row.before or {}
    both = row.before is not None and row.after is not None
    return Line(
        id=row.id,
        when=local_time(row.at),
        user_id=row.user_id,
        display_name=row.display_name,
        username=row.username,
        action=row.action,
        action_name=ACTION_NAMES.get(row.action, row.action),
        entity=row.entity,
        entity_name=ENTITY_NAMES.get(row.entity, row.entity),
        entity_id=row.entity_id,
        link=link_of(row),
        client=row.client,
        changes=[Change(k, shown(a), shown(b)) for k, a, b in changed_keys(row.before, row.after)] if both else [],
        summary=[] if both else [(k, shown(snap[k])) for k in SUMMARY_KEYS if snap.get(k) not in (None, "")],
        before_json=json.dumps(row.before, ensure_ascii=False, indent=2) if row.before is not None else "",
        after_json=json.dumps(row.after, ensure_ascii=False, indent=2) if row.after is not None else "",
    )


def _date(raw: str, zh: str, en: str, problems: list[Text]) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(
            Text(
                f"{zh}“{raw}”不是有效日期（应为 年-月-日），已忽略",
                f"the {en} '{raw}' is not a date (YYYY-MM-DD): ignored",
            )
        )
        return None


def asked(params: QueryParams, menu: AuditChoices) -> Asked:
    """Read the filter form; every value that cannot apply is reported and left out."""

    def get(name: str, limit: int) -> str:
        return (params.get(name) or "").strip()[:limit]

    values = {
        "action": get("action", 50),
        "entity": get("entity", 50),
        "user": get("user", 20),
        "entity_id": get("entity_id", 50),
        "date_from": get("date_from", 30),
        "date_to": get("date_to", 30),
        "q": get("q", 200),
    }
    problems: list[Text] = []
    user_id: int | None = None
    system = values["user"] == "system"
    if values["user"] and not system:
        known = {str(u[0]) for u in menu.users}
        if values["user"] in known:
            user_id = int(values["user"])
        else:
            problems.append(
                Text(
                    f"本组织没有编号为“{values['user']}”的用户，已忽略用户筛选",
                    f"no user '{values['user']}' in your organisation: the user filter is ignored",
                )
            )
            values["user"] = ""
    first = _date(values["date_from"], "起始日期", "start date", problems)
    last = _date(values["date_to"], "结束日期", "end date", problems)
    start = end = None
    try:
        start, end = day_bounds(first, last, TZ)
    except OverflowError:
        problems.append(Text("日期超出范围，已忽略日期筛选", "the dates are out of range: the date filter is ignored"))
        first = last = None
    if first is None:
        values["date_from"] = ""
    if last is None:
        values["date_to"] = ""
    if first is not None and last is not None and first > last:
        problems.append(
            Text("起始日期晚于结束日期：没有符合的条目", "the start date is after the end date: nothing matches")
        )
    raw_offset = (params.get("offset") or "").strip()
    offset = 0
    if raw_offset:
        if raw_offset.isascii() and raw_offset.isdigit() and int(raw_offset) <= MAX_OFFSET:
            offset = int(raw_offset)
        else:
            problems.append(
                Text(
                    f"偏移量“{raw_offset[:20]}”无效（应为不小于 0 的整数），已从第一条开始显示",
                    f"the offset '{raw_offset[:20]}' is not a whole number ≥ 0: showing from the first entry",
                )
            )
    filters = AuditFilter(
        action=values["action"] or None,
        entity=values["entity"] or None,
        user_id=user_id,
        system=system,
        entity_id=values["entity_id"] or None,
        start=start,
        end=end,
        text=values["q"] or None,
    )
    return Asked(values, filters, offset, problems)


def register(app: FastAPI, web: Web) -> None:
    """Adds GET /audit."""

    @app.get("/audit", include_in_schema=False)
    def audit_page(request: Request) -> HTMLResponse:
        with web.factory() as s:
            viewer = web.need(request, s, "admin")
            with s.begin():
                menu = choices(s, actor=viewer.actor)
                form = asked(request.query_params, menu)
                rows, total = search(s, actor=viewer.actor, filters=form.filters, offset=form.offset, limit=PAGE_SIZE)
        kept = {k: v for k, v in form.values.items() if v}
        if request.query_params.get("lang"):
            kept["lang"] = request.query_params["lang"][:5]

        def at(offset: int) -> str:
            return "/audit?" + urlencode({**kept, **({"offset": str(offset)} if offset else {})})

        offset = form.offset
        return web.page(
            request,
            "audit.html.j2",
            viewer,
            form=form.values,
            problems=form.problems,
            menu=menu,
            lines=[line_of(r) for r in rows],
            total=total,
            first=offset + 1 if rows else 0,
            last=offset + len(rows),
            prev_url=at(max(offset - PAGE_SIZE, 0)) if offset > 0 else "",
            next_url=at(offset + PAGE_SIZE) if offset + PAGE_SIZE < total else "",
            first_url=at(0) if offset > 0 and not rows else "",
            filtered=bool(kept.keys() - {"lang"}),
            action_names=ACTION_NAMES,
            entity_names=ENTITY_NAMES,
            system=SYSTEM,
            tz_note=TZ_NOTE,
        )
