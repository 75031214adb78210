"""Acceptance of the web UI in a real browser (Debian's Chromium through Playwright), on SQLite and PostgreSQL:
sign in, upload the reference case plant-2024, read its result on the page against expected.json, download the
report, approve as a reviewer, see the audit entries; a viewer sees no upload or approve controls and is refused
when it posts anyway; keyboard and tablet use. Screenshots of every page land in out/screenshots/."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser import LAPTOP, TABLET, LiveServer, shot
from tests.bundles import CASES
from tests.dbs import db_url  # noqa: F401  # the fixture: one SQLite file and one PostgreSQL database
from tests.web import PASSWORD, bundle_zip, web_app  # noqa: F401  # web_app: the fixture

pytestmark = pytest.mark.slow  # ~20 s a test: collected first (tests/conftest.py)

CASE = CASES / "plant-2024"
EXPECTED = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))


def number(text: str) -> float:
    return float(text.replace(",", "").strip())


def sign_in(context: BrowserContext, base: str, username: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return page


def kind(db: str) -> str:
    return "postgresql" if db.startswith("postgresql") else "sqlite"


def test_upload_result_report_approve_audit_and_roles(
    web_app: Any,  # noqa: F811
    db_url: str,  # noqa: F811
    browser: Browser,
    tmp_path: Path,
) -> None:
    db = kind(db_url)
    upload_file = tmp_path / "plant-2024.zip"
    upload_file.write_bytes(bundle_zip(CASE))
    with LiveServer(web_app) as server:
        base = server.url

        # --- an engineer signs in; organisation and role are shown --------------------------------------------
        ctx = browser.new_context(viewport=LAPTOP, accept_downloads=True)
        blocked: list[str] = []  # the pages must work under their own Content-Security-Policy (no inline script)
        ctx.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        login = ctx.new_page()
        login.goto(f"{base}/assessments")
        expect(login).to_have_url(re.compile(r"/login\?next="))
        shot(login, f"{db}-01-login")
        login.close()
        page = sign_in(ctx, base, "甲乳业-engineer")
        expect(page.get_by_test_id("org")).to_have_text("甲乳业")
        expect(page.get_by_test_id("role")).to_have_text("工程师")

        # --- upload plant-2024; the page shows expected.json's numbers -----------------------------------------
        page.get_by_role("link", name="数据", exact=True).click()
        page.get_by_label("文件（.zip 或 .xlsx）").set_input_files(str(upload_file))
        page.get_by_label("评价名称").fill("一厂 2024 年度")
        page.get_by_role("button", name="上传并计算").click()
        page.wait_for_url(re.compile(r"/assessments/\d+\?uploaded=1"))
        expect(page.get_by_test_id("notice")).to_be_visible()
        assessment_url = page.url.split("?")[0]
        carbon = EXPECTED["carbon"]["kgco2e_per_t"]
        water = EXPECTED["water"]
        assert number(page.get_by_test_id("carbon-per-t").inner_text()) == round(carbon, 1)
        assert number(page.get_by_test_id("water-per-t").inner_text()) == round(water["m3_per_t"], 2)
        assert number(page.get_by_test_id("blue-per-t").inner_text()) == round(water["blue_m3_per_t"], 2)
        assert number(page.get_by_test_id("grey-per-t").inner_text()) == round(water["grey_m3_per_t"], 2)
        for process, kg in EXPECTED["carbon"]["by_process"].items():
            if kg > 0:
                row = page.get_by_test_id("by-process").locator(f"tr[data-key='{process}'] td").nth(1)
                assert number(row.inner_text()) == round(kg / EXPECTED["production_t"], 1), process
        page.wait_for_function("document.querySelector('[data-testid=chart-process] .main-svg') !== null")
        shot(page, f"{db}-03-assessment")

        # --- download the report -------------------------------------------------------------------------------
        with page.expect_download() as info:
            page.get_by_test_id("download-report").click()
        report = tmp_path / "report.pdf"
        info.value.save_as(report)
        assert report.read_bytes().startswith(b"%PDF")
        text = subprocess.run(["pdftotext", str(report), "-"], capture_output=True, text=True, check=True).stdout
        assert f"{carbon:,.1f}" in text or f"{carbon:.1f}" in text
        expect(page.get_by_test_id("approve")).to_have_count(0)  # an engineer does not approve

        # --- the dashboard shows the same result ---------------------------------------------------------------
        page.get_by_role("link", name="仪表板").click()
        assert number(page.get_by_test_id("carbon-per-t").inner_text()) == round(carbon, 1)
        page.wait_for_function("document.querySelector('[data-testid=chart-group] .main-svg') !== null")
        shot(page, f"{db}-02-dashboard")
        page.goto(f"{base}/data")
        shot(page, f"{db}-04-data")
        page.goto(f"{base}/assessments")
        shot(page, f"{db}-05-assessments")
        page.goto(f"{base}/factors")
        shot(page, f"{db}-06-factors")
        page.goto(f"{base}/docs")  # Swagger UI from the installed package, under the same CSP
        page.wait_for_selector(".swagger-ui .information-container .title")
        shot(page, f"{db}-06-docs")
        page.goto(f"{base}/")
        page.get_by_role("button", name="退出").click()
        page.wait_for_url(re.compile(r"/login"))
        assert not blocked, blocked
        ctx.close()

        # --- a reviewer approves; the history shows it -----------------------------------------------------------
        ctx = browser.new_context(viewport=LAPTOP)
        page = sign_in(ctx, base, "甲乳业-reviewer")
        page.goto(assessment_url)
        expect(page.get_by_test_id("status")).to_have_text(re.compile("草稿"))
        page.once("dialog", lambda d: d.accept())
        page.get_by_test_id("approve").click()
        page.wait_for_url(re.compile(r"notice=approved"))
        expect(page.get_by_test_id("status")).to_have_text(re.compile("已批准"))
        expect(page.get_by_test_id("history").locator("tr[data-action='approve']")).to_have_count(1)
        expect(page.get_by_test_id("history").locator("tr[data-action='approve']")).to_contain_text("甲乳业reviewer")
        expect(page.get_by_test_id("approve")).to_have_count(0)
        ctx.close()

        # --- the administrator sees the audit entries ------------------------------------------------------------
        ctx = browser.new_context(viewport=LAPTOP)
        page = sign_in(ctx, base, "甲乳业-admin")
        page.goto(f"{base}/audit")
        log = page.locator("main")
        expect(log).to_contain_text("批准")
        expect(log).to_contain_text("甲乳业reviewer")
        expect(log).to_contain_text("甲乳业engineer")
        shot(page, f"{db}-07-audit")
        ctx.close()

        # --- a viewer sees no upload or approve controls, and is refused when it posts anyway -----------------
        ctx = browser.new_context(viewport=LAPTOP)
        page = sign_in(ctx, base, "甲乳业-viewer")
        page.goto(f"{base}/data")
        expect(page.locator("form[action='/data/upload']")).to_have_count(0)
        expect(page.locator("input[type=file]")).to_have_count(0)
        page.goto(assessment_url)
        expect(page.get_by_test_id("approve")).to_have_count(0)
        expect(page.locator("form[action$='/versions']")).to_have_count(0)
        csrf = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
        refused = page.request.post(
            f"{base}/data/upload",
            multipart={
                "csrf_token": csrf,
                "plant": "1",
                "title": "viewer",
                "file": {"name": "x.zip", "mimeType": "application/zip", "buffer": upload_file.read_bytes()},
            },
        )
        assert refused.status == 403
        assert "无权" in refused.text()
        refused = page.request.post(
            f"{assessment_url}/approve", form={"csrf_token": csrf, "row_version": "1"}, max_redirects=0
        )
        assert refused.status == 403
        page.goto(f"{base}/assessments")
        expect(page.get_by_test_id("assessments").locator("tbody tr")).to_have_count(1)  # nothing was added
        page.goto(f"{base}/audit")
        expect(page.get_by_test_id("error-message")).to_be_visible()
        shot(page, f"{db}-08-forbidden")
        ctx.close()


def test_keyboard_tablet_and_english(
    web_app: Any,  # noqa: F811
    browser: Browser,
    db_url: str,  # noqa: F811
) -> None:
    db = kind(db_url)
    with LiveServer(web_app) as server:
        base = server.url
        ctx = browser.new_context(viewport=TABLET, has_touch=True)
        page = ctx.new_page()
        # keyboard only: sign in, skip to content, reach the navigation
        page.goto(f"{base}/login")
        expect(page.get_by_label("用户名")).to_be_focused()  # autofocus: the username field has the focus
        page.keyboard.type("甲乳业-admin")
        page.keyboard.press("Tab")
        expect(page.get_by_label("密码")).to_be_focused()
        page.keyboard.type(PASSWORD)
        expect(page.get_by_label("用户名")).to_have_value("甲乳业-admin")
        expect(page.get_by_label("密码")).to_have_value(PASSWORD)
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("login-error")).to_have_count(0)
        page.wait_for_url(f"{base}/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
        page.goto(f"{base}/")  # from the top of a page, Tab walks the skip link, the brand, then the navigation
        for _ in range(8):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.getAttribute('href')") == "/data":
                break
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/data")
        # a tablet: nothing wider than the screen
        for path in ("/", "/data", "/assessments", "/factors", "/audit", "/account"):
            page.goto(f"{base}{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (path, overflow)
        shot(page, f"{db}-10-tablet-account")
        page.goto(f"{base}/data")
        shot(page, f"{db}-09-tablet-data")
        # English on the toggle, and it stays
        page.get_by_role("link", name="English").click()
        expect(page.locator("h1")).to_contain_text("Data")
        page.goto(f"{base}/")
        expect(page.locator("h1")).to_contain_text("Dashboard")
        expect(page.get_by_test_id("role")).to_have_text("administrator")
        ctx.close()
