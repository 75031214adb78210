"""The web UI's pages on SQLite and PostgreSQL, through FastAPI's TestClient as a browser would use them: upload of
the reference case (numbers against its independently computed expected.json), bad uploads (every problem at its
place, nothing stored), workbooks, roles and CSRF, approval and new versions, tenants, language, sign-in and
sign-out, the downloads the assessment page links to, and the meters of the data page.

The pages are read by their data-testid attributes with a small tree built by the standard library's HTMLParser.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from milkprint.api.demo import sample_zip
from milkprint.api.security import can
from milkprint.errors import InputError, Problem
from milkprint.methods.item_names import item_name
from milkprint.pipeline import assess_bundle, check_bundle
from milkprint.report.names import process_name
from milkprint.service import assessments as svc
from milkprint.store.models import (
    Assessment,
    AssessmentVersion,
    AuditEntry,
    Meter,
    Plant,
    Product,
    ResultRecord,
    Upload,
)
from milkprint.workbook.template import write_template
from tests.bundles import CASES
from tests.dbs import db_url  # noqa: F401  # the fixture: one SQLite file and one PostgreSQL database
from tests.web import (
    PASSWORD,
    bundle_zip,
    csrf_of,
    post_login,
    sign_in,
    web_app,  # noqa: F401  # the app with two organisations and a user of every role
)

CASE = CASES / "plant-2024"
EXPECTED: dict[str, Any] = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
ZIP = "application/zip"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- reading a page -------------------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    """An element of a page: tag, attributes (entities decoded) and children (elements and text)."""

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node | str] = []

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Descendants with the tag and attributes (underscores in names stand for dashes: data_testid)."""
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag) and all(n.attrs.get(k) == v for k, v in wanted.items())
        ]

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag or '*'} {attrs}>, found {len(found)}"
        return found[0]

    def testid(self, name: str) -> Node:
        return self.one(data_testid=name)

    def text(self) -> str:
        parts: list[str] = []

        def walk(n: Node) -> None:
            for c in n.children:
                if isinstance(c, Node):
                    walk(c)
                else:
                    parts.append(c)

        walk(self)
        return " ".join("".join(parts).split())

    def cells(self) -> list[str]:
        return [td.text() for td in self.all("td")]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(r: httpx.Response, status: int = 200) -> Node:
    assert r.status_code == status, (r.status_code, r.text[:2000])
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    return parse(r.text)


def error_page(r: httpx.Response, status: int) -> str:
    """The HTML error page (never JSON, never a crash): its message."""
    doc = page(r, status)
    assert doc.one("h1").text().endswith(f"({status})")
    return doc.testid("error-message").text()


def shown_close(text: str, expected: float, digits: int) -> None:
    """A number shown with `digits` decimals (thousands separated) is `expected` to that rounding."""
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*(\.\d+)?", text), text
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    assert decimals == digits, (text, digits)
    assert abs(float(text.replace(",", "")) - expected) <= 0.5 * 10**-digits + 1e-9, (text, expected)


def headline(doc: Node) -> dict[str, str]:
    return {k: doc.testid(f"{k}-per-t").text() for k in ("carbon", "water", "blue", "green", "grey")}


# --- doing things as a user -----------------------------------------------------------------------------------------


def plant_id(app: Any, name: str) -> int:
    with app.state.factory() as s:
        pid = s.scalar(select(Plant.id).where(Plant.name == name))
    assert pid is not None
    return int(pid)


def upload(
    client: TestClient,
    data: bytes,
    *,
    name: str = "plant.zip",
    plant: int | str = "",
    new_plant: str = "",
    title: str = "2024 年度",
    csrf: str | None = None,
) -> httpx.Response:
    token = csrf if csrf is not None else csrf_of(client.get("/data").text)
    r: httpx.Response = client.post(
        "/data/upload",
        data={"csrf_token": token, "plant": str(plant), "new_plant": new_plant, "title": title},
        files={"file": (name, data, XLSX if name.endswith(".xlsx") else ZIP)},
        follow_redirects=False,
    )
    return r


def uploaded(client: TestClient, data: bytes, **kwargs: Any) -> int:
    """Upload that must succeed: 303 to the new assessment's page; returns its id."""
    r = upload(client, data, **kwargs)
    assert r.status_code == 303, r.text[:3000]
    found = re.fullmatch(r"/assessments/(\d+)\?uploaded=1", r.headers["location"])
    assert found, r.headers["location"]
    return int(found.group(1))


def counts(app: Any) -> dict[str, int]:
    """How many rows every table a page could write to has (to show that a refused request stored nothing)."""
    with app.state.factory() as s:
        return {
            m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Plant, Upload, Assessment, AssessmentVersion, ResultRecord, Meter, Product, AuditEntry)
        }


def audit_ids(app: Any) -> list[int]:
    with app.state.factory() as s:
        return [int(i) for i in s.scalars(select(AuditEntry.id).order_by(AuditEntry.id))]


def assessment_state(app: Any, aid: int) -> tuple[Any, ...]:
    with app.state.factory() as s:
        a = s.get(Assessment, aid)
        assert a is not None
        return (a.status, a.current_version, a.approved_version, a.approved_by, a.row_version, a.title)


def row_version(app: Any, aid: int) -> int:
    return int(assessment_state(app, aid)[4])


def edited_case(tmp_path: Path, factor: float) -> Path:
    """plant-2024 with the boiler's natural gas scaled (a real change of the result)."""
    folder = tmp_path / f"case-{factor}"
    shutil.copytree(CASE, folder)
    path = folder / "activities.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    hits = [r for r in rows[1:] if r[0] == "boiler" and r[1] == "energy.natural_gas"]
    assert len(hits) == 1
    hits[0][2] = repr(float(hits[0][2]) * factor)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return folder


# --- the reference case, uploaded -----------------------------------------------------------------------------------


def test_upload_of_the_reference_case_shows_its_numbers_everywhere(web_app: Any) -> None:  # noqa: F811
    engineer = sign_in(web_app, "甲乳业-engineer")
    pid = plant_id(web_app, "一厂")
    aid = uploaded(engineer, bundle_zip(CASE), plant=pid)
    doc = page(engineer.get(f"/assessments/{aid}?uploaded=1"))
    assert doc.testid("notice").text() == "数据已校验、保存并计算。"
    assert doc.testid("version").text() == "1" and doc.testid("status").text() == "草稿"

    # The headline numbers, to the page's rounding, against the independently computed expected.json.
    carbon, water = EXPECTED["carbon"], EXPECTED["water"]
    numbers = headline(doc)
    shown_close(numbers["carbon"], carbon["kgco2e_per_t"], 1)
    shown_close(numbers["water"], water["m3_per_t"], 2)
    shown_close(numbers["blue"], water["blue_m3_per_t"], 2)
    shown_close(numbers["green"], water["green_m3_per_t"], 2)  # its own name, also when 0
    shown_close(numbers["grey"], water["grey_m3_per_t"], 2)

    # Every process, per tonne and as a share of the total.
    production = EXPECTED["production_t"]
    rows = {tr.attrs["data-key"]: tr.cells() for tr in doc.testid("by-process").all("tr") if "data-key" in tr.attrs}
    assert set(rows) == {k for k, v in carbon["by_process"].items() if v > 0}
    for key, total in carbon["by_process"].items():
        label, per_t, share = rows[key][:3]
        assert label == process_name(key, "zh")
        shown_close(per_t, total / production, 1)
        shown_close(share.removesuffix(" %"), 100 * total / carbon["total_kgco2e"], 1)

    # The cut-off decisions: each excluded item with its share, and the kept one with its reason.
    cut = [tr.cells() for tr in doc.testid("cutoff").all("tr") if tr.all("td")]
    excluded = [c for c in cut if c[0] == "舍去"]
    assert len(excluded) == len(EXPECTED["cutoff"]["excluded"])
    for e in EXPECTED["cutoff"]["excluded"]:
        match = [c for c in excluded if c[1] == process_name(e["process"], "zh") and c[2] == item_name(e["item"], "zh")]
        assert len(match) == 1, (e, excluded)
        shown_close(match[0][4].removesuffix(" %"), 100 * e["share"], 3)
    kept = [c for c in cut if c[0] == "保留"]
    assert [(c[1], c[2]) for c in kept] == [
        (process_name(k["process"], "zh"), item_name(k["item"], "zh")) for k in EXPECTED["cutoff"]["kept"]
    ]
    assert all(c[5] for c in kept)  # with its reason

    # Each input shows the scope of the factor it applied (issue 14.4): the case's own factors do not say.
    scopes = {
        (tr.cells()[0], tr.cells()[1]): tr.one(data_testid="scope").text()
        for tr in doc.testid("inputs").all("tr")
        if tr.all("td")
    }
    assert scopes[(process_name("refrigeration", "zh"), item_name("refrigerant.R404A", "zh"))] == "直接排放"
    assert scopes[(process_name("drying", "zh"), item_name("energy.natural_gas", "zh"))] == "未说明"
    assert scopes[(process_name("cip", "zh"), item_name("water.fresh", "zh"))] == "—"

    # The findings are the quality check's, one row each, in its order and words.
    report = check_bundle(CASE, today=dt.date.today())
    findings = [tr.cells() for tr in doc.testid("findings").all("tr") if tr.all("td")]
    assert [f[2] for f in findings] == [f.to_dict("zh")["message"] for f in report.findings]
    assert findings, "the reference case has findings (missing data quality ratings at least)"

    # The interpretation: Monte Carlo around the shown result, and the scenarios.
    mc = {tr.one("th").text(): tr.cells() for tr in doc.testid("monte-carlo").all("tr") if tr.all("td")}
    assert set(mc) == {"kgCO2e/t", "m³/t"}
    assert mc["kgCO2e/t"][0] == numbers["carbon"] and mc["m³/t"][0] == numbers["water"]
    low, high = (float(x.replace(",", "")) for x in mc["kgCO2e/t"][2].split(" – "))
    assert low < carbon["kgco2e_per_t"] < high
    scenarios = [tr.cells() for tr in doc.testid("scenarios").all("tr") if tr.all("td")]
    assert scenarios and all(s[0] for s in scenarios)
    assert doc.one("section", id="interpretation").all(data_testid="hotspots")

    # The same page in English: English headings, the same numbers.
    en = page(engineer.get(f"/assessments/{aid}?lang=en"))
    assert en.one("html").attrs["lang"] == "en"
    headings = {h.text() for h in en.all("h2")}
    assert {"Carbon by process", "Cut-off decisions", "Data quality", "Interpretation", "Versions"} <= headings
    assert headline(en) == numbers
    assert not {h.text() for h in doc.all("h2")} & headings  # and the Chinese page has none of them

    # The dashboard of that plant, and the assessments list, agree with the assessment page.
    dash = page(engineer.get(f"/?plant={pid}"))
    assert headline(dash) == numbers
    assert {tr.attrs["data-key"] for tr in dash.testid("by-process").all("tr") if "data-key" in tr.attrs} == set(rows)
    assert f"/assessments/{aid}?version=1" in [a.attrs.get("href") for a in dash.testid("current").all("a")]
    listed = [tr.cells() for tr in page(engineer.get("/assessments")).testid("assessments").all("tr") if tr.all("td")]
    assert len(listed) == 1 and listed[0][5] == numbers["carbon"] and listed[0][6] == numbers["water"]

    # The downloads the page links to, followed as a browser would (same client, the hrefs as written).
    links = {a.text(): a.attrs["href"] for a in doc.one("section", id="downloads").all("a") if "download" in a.attrs}
    assert len(links) == 5, links
    got = {}
    for label, href in links.items():
        r = engineer.get(href)
        assert r.status_code == 200, (href, r.status_code, r.text[:500])
        assert r.headers["content-disposition"].startswith("attachment"), href
        got[label] = r
    assert got["评价报告 PDF"].content[:5] == b"%PDF-"
    with zipfile.ZipFile(BytesIO(got["评价报告 Word"].content)) as docx:
        assert "word/document.xml" in docx.namelist()
    svg = got["碳标签 SVG"].text
    assert "<svg" in svg and f"{carbon['kgco2e_per_t']:,.0f}" in svg
    assert got["碳标签 PNG"].content[:8] == b"\x89PNG\r\n\x1a\n"
    assert got["水足迹声明 PDF"].content[:5] == b"%PDF-"
    assert got["水足迹声明 PDF"].headers["content-type"] == "application/pdf"


# --- bad uploads ----------------------------------------------------------------------------------------------------


def broken_case(tmp_path: Path) -> Path:
    """plant-2024 with a word where activities.csv wants a number, and meters.csv without its required `kind`."""
    folder = tmp_path / "broken"
    shutil.copytree(CASE, folder)
    path = folder / "activities.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[3][rows[0].index("amount")] = "十二吨"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    path = folder / "meters.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    drop = rows[0].index("kind")
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([r[:drop] + r[drop + 1 :] for r in rows])
    return folder


def where(p: Problem) -> tuple[str, str, str]:
    """A problem's place as the problems table shows it: file, row (blank if none), column."""
    loc = p.location
    return (loc.file or "", "" if loc.row is None else str(loc.row), loc.column or "")


def problems_of(doc: Node) -> list[tuple[str, str, str, str]]:
    table = doc.testid("upload-problems")
    return [(c[0], c[1], c[2], c[3]) for c in (tr.cells() for tr in table.all("tr", data_testid="problem"))]


def test_bad_uploads_show_every_problem_and_store_nothing_and_a_workbook_works(
    web_app: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    engineer = sign_in(web_app, "甲乳业-engineer")
    token = csrf_of(engineer.get("/data").text)
    before = counts(web_app)
    broken = broken_case(tmp_path)
    with pytest.raises(InputError) as raised:  # what the bundle reader says of the same folder (as the CLI does)
        check_bundle(broken)
    wanted = {(*where(p), p.text.zh) for p in raised.value.problems}
    assert {w[0] for w in wanted} == {"activities.csv", "meters.csv"}

    r = upload(engineer, bundle_zip(broken), new_plant="新建二厂", title="坏数据", csrf=token)
    doc = page(r, 422)
    assert set(problems_of(doc)) == wanted and len(problems_of(doc)) == len(raised.value.problems)
    assert "数据未保存" in doc.testid("upload-problems").text()
    assert doc.one("input", name="new_plant").attrs["value"] == "新建二厂"  # what was typed stays in the form
    # English: the same places, the English words.
    r = engineer.post(
        "/data/upload?lang=en",
        data={"csrf_token": token, "plant": str(plant_id(web_app, "一厂")), "title": "bad"},
        files={"file": ("broken.zip", bundle_zip(broken), ZIP)},
        follow_redirects=False,
    )
    assert set(problems_of(page(r, 422))) == {(*where(p), p.text.en) for p in raised.value.problems}

    # Random bytes named x.zip: one clear message, naming the file.
    junk = bytes(range(256)) * 8
    with pytest.raises(InputError) as unreadable:
        svc.parse_upload("x.zip", junk)
    r = upload(engineer, junk, name="x.zip", plant=plant_id(web_app, "一厂"), csrf=token)
    [(file, _, _, message)] = problems_of(page(r, 422))
    assert file == "x.zip" and message == unreadable.value.problems[0].text.zh
    assert ".zip" in message and ".xlsx" in message
    # No file at all.
    r = upload(engineer, b"", name="empty.zip", plant=plant_id(web_app, "一厂"), csrf=token)
    [(_, _, column, message)] = problems_of(page(r, 422))
    assert column == "file" and ".zip" in message and ".xlsx" in message

    assert counts(web_app) == before  # no plant, upload, assessment, result, meter, product or audit row
    with web_app.state.factory() as s:
        assert s.scalar(select(Plant).where(Plant.name == "新建二厂")) is None

    # A filled workbook of the same case is accepted and gives the same result.
    workbook = tmp_path / "plant.xlsx"
    write_template(workbook, None, "zh", CASE)
    aid = uploaded(engineer, workbook.read_bytes(), name="plant.xlsx", new_plant="新建二厂", csrf=token)
    doc = page(engineer.get(f"/assessments/{aid}"))
    shown_close(headline(doc)["carbon"], EXPECTED["carbon"]["kgco2e_per_t"], 1)
    shown_close(headline(doc)["water"], EXPECTED["water"]["m3_per_t"], 2)
    assert plant_id(web_app, "新建二厂") > 0


# --- roles, CSRF, approval, versions --------------------------------------------------------------------------------


def post_all(client: TestClient, aid: int, pid: int, token: str, rv: int) -> dict[str, httpx.Response]:
    """Every state-changing form of the pages, posted with the given CSRF token."""
    data = bundle_zip(CASE)
    return {
        "upload": client.post(
            "/data/upload",
            data={"csrf_token": token, "plant": str(pid), "title": "x"},
            files={"file": ("plant.zip", data, ZIP)},
            follow_redirects=False,
        ),
        "approve": client.post(
            f"/assessments/{aid}/approve", data={"csrf_token": token, "row_version": str(rv)}, follow_redirects=False
        ),
        "versions": client.post(
            f"/assessments/{aid}/versions",
            data={"csrf_token": token, "row_version": str(rv), "note": "x"},
            files={"file": ("plant.zip", data, ZIP)},
            follow_redirects=False,
        ),
        "run": client.post(f"/assessments/{aid}/run", data={"csrf_token": token}, follow_redirects=False),
    }


def test_roles_csrf_approval_and_conflicts(web_app: Any) -> None:  # noqa: F811
    engineer = sign_in(web_app, "甲乳业-engineer")
    viewer = sign_in(web_app, "甲乳业-viewer")
    reviewer = sign_in(web_app, "甲乳业-reviewer")
    pid = plant_id(web_app, "一厂")
    aid = uploaded(engineer, bundle_zip(CASE), plant=pid)
    url = f"/assessments/{aid}"

    # The viewer sees the data and the result but no control that changes anything, and is refused if it posts.
    data_page = page(viewer.get("/data"))
    assert not data_page.all("form", action="/data/upload") and not data_page.all("input", type="file")
    doc = page(viewer.get(url))
    assert headline(doc)["carbon"]
    assert not doc.all(data_testid="approve") and not doc.all("form", action=f"{url}/versions")
    assert not doc.all("form", action=f"{url}/approve") and not doc.all("form", action=f"{url}/run")
    state, before = assessment_state(web_app, aid), counts(web_app)
    for what, r in post_all(viewer, aid, pid, csrf_of(viewer.get("/data").text), row_version(web_app, aid)).items():
        assert "无权" in error_page(r, 403), what
    assert counts(web_app) == before and assessment_state(web_app, aid) == state

    # The engineer may upload but not approve.
    doc = page(engineer.get(url))
    assert doc.all("form", action=f"{url}/versions") and not doc.all(data_testid="approve")
    r = engineer.post(
        f"{url}/approve",
        data={"csrf_token": csrf_of(engineer.get(url).text), "row_version": str(row_version(web_app, aid))},
        follow_redirects=False,
    )
    assert "无权" in error_page(r, 403)
    assert counts(web_app) == before and assessment_state(web_app, aid) == state

    # The reviewer: a form post without the session's CSRF token, or with another, is refused and changes nothing.
    doc = page(reviewer.get(url))
    assert doc.testid("approve").tag == "button"
    approve_form = doc.one("form", action=f"{url}/approve")
    rv = approve_form.one("input", name="row_version").attrs["value"]
    for token in ("", "not-the-token", csrf_of(engineer.get(url).text)):
        r = reviewer.post(f"{url}/approve", data={"csrf_token": token, "row_version": rv}, follow_redirects=False)
        assert "表单已过期" in error_page(r, 403), token
    for what, r in post_all(engineer, aid, pid, "forged", row_version(web_app, aid)).items():
        assert "表单已过期" in error_page(r, 403), what
    assert counts(web_app) == before and assessment_state(web_app, aid) == state

    # The reviewer approves with the page's form: the badge and the history say so.
    token = approve_form.one("input", name="csrf_token").attrs["value"]
    r = reviewer.post(f"{url}/approve", data={"csrf_token": token, "row_version": rv}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{url}?notice=approved"
    doc = page(reviewer.get(r.headers["location"]))
    assert doc.testid("status").text() == "已批准 · v1" and doc.testid("notice").text().startswith("已批准")
    approvals = doc.testid("history").all("tr", data_action="approve")
    assert len(approvals) == 1 and "甲乳业reviewer" in approvals[0].text()
    assert not doc.all(data_testid="approve")  # nothing left to approve
    status, current, approved, approved_by, _, _ = assessment_state(web_app, aid)
    assert (status, current, approved) == ("approved", 1, 1) and approved_by is not None

    # Approving again: with the old row version (a stale form) or the current one, a conflict page.
    for stale in (rv, str(row_version(web_app, aid))):
        r = reviewer.post(f"{url}/approve", data={"csrf_token": token, "row_version": stale}, follow_redirects=False)
        error_page(r, 409)
    assert assessment_state(web_app, aid)[:4] == (status, current, approved, approved_by)


def test_new_version_after_approval_keeps_the_approved_one(web_app: Any, tmp_path: Path) -> None:  # noqa: F811
    engineer = sign_in(web_app, "甲乳业-engineer")
    reviewer = sign_in(web_app, "甲乳业-reviewer")
    aid = uploaded(engineer, bundle_zip(CASE), plant=plant_id(web_app, "一厂"))
    url = f"/assessments/{aid}"
    form = page(reviewer.get(url)).one("form", action=f"{url}/approve")
    r = reviewer.post(
        f"{url}/approve",
        data={i.attrs["name"]: i.attrs["value"] for i in form.all("input", type="hidden")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    v1_numbers = headline(page(engineer.get(url)))

    changed = edited_case(tmp_path, 1.1)
    new = assess_bundle(changed)  # the changed numbers, as the core computes them
    form = page(engineer.get(url)).one("form", action=f"{url}/versions")
    fields = {i.attrs["name"]: i.attrs["value"] for i in form.all("input", type="hidden")}
    r = engineer.post(
        f"{url}/versions",
        data={**fields, "note": "更正锅炉天然气用量"},
        files={"file": ("plant-v2.zip", bundle_zip(changed), ZIP)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"{url}?notice=version", r.text[:2000]
    doc = page(engineer.get(r.headers["location"]))
    assert doc.testid("version").text() == "2" and doc.testid("status").text() == "草稿"
    v2_numbers = headline(doc)
    shown_close(v2_numbers["carbon"], new.kgco2e_per_t, 1)
    assert v2_numbers["carbon"] != v1_numbers["carbon"]
    versions = {tr.cells()[0]: tr.cells() for tr in doc.testid("versions").all("tr") if tr.all("td")}
    assert set(versions) == {"v1", "v2"}
    assert (
        versions["v2"][2] == "更正锅炉天然气用量"
        and "当前" in versions["v2"][-1]
        and "已批准" not in versions["v2"][-1]
    )
    assert "已批准" in versions["v1"][-1]
    # each version's result side by side, and the change against the one before
    shown_close(versions["v1"][3], EXPECTED["carbon"]["kgco2e_per_t"], 1)
    shown_close(versions["v2"][3], new.kgco2e_per_t, 1)
    change = 100 * (new.kgco2e_per_t - EXPECTED["carbon"]["kgco2e_per_t"]) / EXPECTED["carbon"]["kgco2e_per_t"]
    assert versions["v2"][4] == f"{change:+.1f} %" and versions["v1"][4] == "—"
    assert assessment_state(web_app, aid)[:3] == ("draft", 2, 1)

    # Version 1 is still there, approved, with its numbers.
    old = page(engineer.get(f"{url}?version=1"))
    assert old.testid("version").text() == "1" and old.testid("status").text() == "已批准 · v1"
    assert headline(old) == v1_numbers
    shown_close(headline(old)["carbon"], EXPECTED["carbon"]["kgco2e_per_t"], 1)
    assert "非当前版本" in old.one("main").text()
    links = [a.attrs["href"] for a in old.one("section", id="downloads").all("a") if "download" in a.attrs]
    assert links and all("version=1" in h for h in links)
    error_page(engineer.get(f"{url}?version=3"), 404)

    # The same form again (its row version is stale now): a conflict, and no third version.
    before = counts(web_app)
    r = engineer.post(
        f"{url}/versions",
        data={**fields, "note": "again"},
        files={"file": ("plant-v3.zip", bundle_zip(edited_case(tmp_path, 1.2)), ZIP)},
        follow_redirects=False,
    )
    error_page(r, 409)
    assert counts(web_app) == before and assessment_state(web_app, aid)[:3] == ("draft", 2, 1)


# --- tenants --------------------------------------------------------------------------------------------------------


def test_other_organisations_assessments_and_plants_never_show(web_app: Any) -> None:  # noqa: F811
    owner = sign_in(web_app, "甲乳业-engineer")
    pid = plant_id(web_app, "一厂")
    aid = uploaded(owner, bundle_zip(CASE), plant=pid, title="甲的秘密评价")
    carbon = headline(page(owner.get(f"/assessments/{aid}")))["carbon"]
    before, state, last_audit = counts(web_app), assessment_state(web_app, aid), audit_ids(web_app)[-1]
    needs = {"upload": "write", "approve": "approve", "versions": "write", "run": "write"}
    for role in ("admin", "engineer", "reviewer", "viewer"):
        other = sign_in(web_app, f"乙乳业-{role}")
        for path in (f"/assessments/{aid}", f"/assessments/{aid}?version=1"):
            message = error_page(other.get(path), 404)
            assert "甲" not in message and "一厂" not in message
        token = csrf_of(other.get("/data").text)
        for what, r in post_all(other, aid, pid, token, state[4]).items():
            if not can(role, needs[what]):
                error_page(r, 403)  # the role is refused before anything is looked up
            elif what == "upload":  # someone else's plant: the data page says it is not found, as for no plant
                told = page(r, 404).testid("upload-error").text()
                nowhere = upload(other, bundle_zip(CASE), plant=10**6, csrf=token)
                assert told == page(nowhere, 404).testid("upload-error").text().replace(str(10**6), str(pid))
            else:
                error_page(r, 404)
        for path in ("/", f"/?plant={pid}", "/data", f"/data?plant={pid}", "/assessments", f"/assessments?plant={pid}"):
            text = page(other.get(path)).one("main").text()
            assert "一厂" not in text and "甲的秘密评价" not in text and carbon not in text, (role, path)
    assert assessment_state(web_app, aid) == state
    after = counts(web_app)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}
    with web_app.state.factory() as s:  # only the sign-ins were recorded
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.id > last_audit)))
    assert actions == {"login"}


# --- language -------------------------------------------------------------------------------------------------------


EVIL_TARGETS = (
    "https://evil.example/",
    "//evil.example/x",
    "evil.example",
    "/\\evil.example",
    "///evil.example",
    "\t//evil.example",
)


def stays_here(location: str) -> bool:
    """Where a browser goes with this Location from a page of this site: a backslash counts as a slash (WHATWG URL)."""
    return urlsplit(urljoin("http://testserver/page", location.strip().replace("\\", "/"))).netloc == "testserver"


def test_language_cookie_parameter_and_toggle(web_app: Any) -> None:  # noqa: F811
    zh = sign_in(web_app, "甲乳业-engineer")
    en = sign_in(web_app, "甲乳业-engineer", lang="en")
    pages = {"/": "Dashboard", "/data": "Data", "/assessments": "Assessments"}
    chinese = {"/": "仪表板", "/data": "数据", "/assessments": "评价"}
    for path, heading in pages.items():
        for doc in (page(en.get(path)), page(zh.get(f"{path}?lang=en"))):
            assert doc.one("html").attrs["lang"] == "en"
            assert doc.one("h1").text().split(" · ")[0] == heading
        doc = page(zh.get(path))
        assert doc.one("html").attrs["lang"] == "zh-CN" and doc.one("h1").text().split(" · ")[0] == chinese[path]
    assert "Upload data" in page(en.get("/data")).one("main").text()

    # The toggle sets the cookie and goes back to the page, on this site only.
    r = zh.get("/lang/en?next=/data", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/data"
    assert "milkprint_lang=en" in r.headers["set-cookie"]
    assert page(zh.get("/data")).one("h1").text().startswith("Data")
    for evil in EVIL_TARGETS:
        r = zh.get(f"/lang/zh?next={quote(evil, safe='')}", follow_redirects=False)
        assert r.status_code == 303 and stays_here(r.headers["location"]), (evil, r.headers["location"])
    r = zh.get(f"/lang/zh?next={quote('https://evil.example', safe='')}", follow_redirects=False)
    assert r.headers["location"] == "/"
    assert page(zh.get("/data")).one("h1").text().startswith("数据")
    # The toggle link on a page points back at the same page.
    link = page(zh.get("/assessments?status=draft")).one("a", **{"class": "lang"}).attrs["href"]
    assert link == "/lang/en?next=" + quote("/assessments?status=draft", safe="")


# --- signing in and out ---------------------------------------------------------------------------------------------


def test_pages_need_a_session_and_sign_in_returns_to_them(web_app: Any) -> None:  # noqa: F811
    anon = TestClient(web_app)
    targets = [
        "/",
        "/?plant=1",
        "/data",
        "/data?plant=1",
        "/assessments",
        "/assessments?status=draft",
        "/assessments/1",
        "/assessments/1?version=1",
        "/factors",
        "/audit",
        "/data/template.xlsx",
    ]
    for target in targets:
        r = anon.get(target, follow_redirects=False)
        assert r.status_code == 303, (target, r.status_code)
        assert r.headers["location"] == f"/login?next={quote(target, safe='')}", target
    # The sign-in page carries the target in its form; signing in lands there.
    for target in ("/data?plant=1", "/assessments?status=draft", "/factors", "/audit", "/"):
        client = TestClient(web_app)
        r = client.get(f"/login?next={quote(target, safe='')}", follow_redirects=False)
        assert page(r).one("input", name="next").attrs["value"] == target
        r = post_login(client, "甲乳业-admin", PASSWORD, target)
        assert r.status_code == 303 and r.headers["location"] == target
        assert client.get(target).status_code == 200
    # A target on another site is never where sign-in goes.
    for evil in EVIL_TARGETS:
        r = post_login(TestClient(web_app), "甲乳业-viewer", PASSWORD, evil)
        assert r.status_code == 303 and stays_here(r.headers["location"]), (evil, r.headers["location"])
    # A wrong password: the sign-in page again, with a message, and no session.
    client = TestClient(web_app)
    r = post_login(client, "甲乳业-admin", "wrong", "/data")
    assert page(r, 401).testid("login-error").text()
    assert client.get("/data", follow_redirects=False).status_code == 303
    # Forms posted without a session go to the sign-in page too, and store nothing.
    before = counts(web_app)
    r = anon.post(
        "/data/upload",
        data={"csrf_token": "x", "plant": "1"},
        files={"file": ("p.zip", bundle_zip(CASE), ZIP)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert counts(web_app) == before


def test_sign_out_ends_the_session(web_app: Any) -> None:  # noqa: F811
    client = sign_in(web_app, "甲乳业-viewer")
    cookie = client.cookies.get("milkprint_session")
    assert cookie and client.get("/", follow_redirects=False).status_code == 200
    # Without the form's token the sign-out is refused (a cross-site form cannot sign anyone out).
    error_page(client.post("/logout", data={"csrf_token": "x"}, follow_redirects=False), 403)
    assert client.get("/", follow_redirects=False).status_code == 200
    r = client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=%2F"
    replay = TestClient(web_app, cookies={"milkprint_session": cookie})  # the old cookie opens nothing
    for path in ("/", "/data", "/assessments"):
        r = replay.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path


# --- meters on the data page ----------------------------------------------------------------------------------------


def test_data_page_lists_each_meter_with_its_latest_readings(web_app: Any) -> None:  # noqa: F811
    engineer = sign_in(web_app, "甲乳业-engineer")
    data = sample_zip()
    aid = uploaded(engineer, data, name="sample_plant.zip", new_plant="示例厂", title="示例")
    pid = plant_id(web_app, "示例厂")
    doc = page(engineer.get(f"/data?plant={pid}"))
    assert doc.one("h1").text() == "数据 · 示例厂"
    with zipfile.ZipFile(BytesIO(data)) as zf:
        meters = list(csv.DictReader(zf.read("meters.csv").decode("utf-8-sig").splitlines()))
        readings = list(csv.DictReader(zf.read("readings.csv").decode("utf-8-sig").splitlines()))
        assessment = zf.read("assessment.toml").decode("utf-8")
    start = dt.datetime.fromisoformat(re.search(r"start = (\S+)", assessment).group(1))  # type: ignore[union-attr]
    end = dt.datetime.fromisoformat(re.search(r"end = (\S+)", assessment).group(1)) + dt.timedelta(days=1)  # type: ignore[union-attr]
    rows = {tr.attrs["data-meter"]: tr for tr in doc.testid("meters").all("tr") if "data-meter" in tr.attrs}
    assert set(rows) == {m["meter_id"] for m in meters}
    for m in meters:
        mine = [
            (dt.datetime.fromisoformat(r["timestamp"]), r["timestamp"], r["value"])
            for r in readings
            if r["meter_id"] == m["meter_id"]
        ]
        newest = max(mine)
        cells = rows[m["meter_id"]].cells()
        assert cells[0].startswith(m["meter_id"])
        latest = cells[4]
        assert latest.startswith(f"{newest[1]} · {newest[2]} {m['unit']}"), (latest, newest)
        # Readings in the period, by the bundle's rules: interval (start, end], register [start, end].
        if m["kind"] == "interval":
            in_period = sum(1 for t, _, _ in mine if start < t <= end)
        else:
            in_period = sum(1 for t, _, _ in mine if start <= t <= end)
        assert int(cells[3].replace(",", "")) == in_period > 0
    source = doc.one("section", **{"aria-labelledby": "meters-h"}).all("a")
    assert f"/assessments/{aid}" in [a.attrs["href"] for a in source]
