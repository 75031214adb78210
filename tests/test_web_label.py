"""The dairy label on the web pages (issue 16, point 5): an uploaded label-tiny shows its per-package figure, the
four life-cycle stages and the farms with their coverage; a farm has its own page; the dashboard shows the
per-package figure instead of water; and, in a real browser, uploading the zip through the form shows the figure.

SQLite only (the API test, tests/test_label_api.py, runs the bundle on both databases)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import LAPTOP, LiveServer
from tests.bundles import CASES
from tests.test_web_browser import sign_in as browser_sign_in
from tests.web import api_login, bundle_zip, sign_in, web_app  # noqa: F401  # web_app: the fixture

CASE = CASES / "label-tiny"
EXPECTED = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """One SQLite database (the module's pages need no second database kind)."""
    yield f"sqlite:///{tmp_path / 'milkprint.db'}"


def _uploaded(app: Any) -> int:
    c = api_login(app, "甲乳业-engineer")
    plant = c.get("/api/v1/plants").json()["items"][0]
    r = c.post(
        "/api/v1/assessments",
        data={"plant_id": str(plant["id"]), "title": "900 g 全脂乳粉"},
        files={"file": ("label.zip", bundle_zip(CASE), "application/zip")},
    )
    assert r.status_code == 201, r.text
    aid = int(r.json()["id"])
    assert c.post(f"/api/v1/assessments/{aid}/run").status_code == 200
    return aid


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_label_assessment_farm_and_dashboard_pages(web_app: Any) -> None:  # noqa: F811
    aid = _uploaded(web_app)
    w = sign_in(web_app, "甲乳业-engineer")
    page = w.get(f"/assessments/{aid}")
    assert page.status_code == 200
    text = _text(page.text)
    per_unit = f"{EXPECTED['carbon']['kgco2e_per_unit']:.2f}"
    assert per_unit == "8.61"
    assert f"每罐 (900 g)：{per_unit} kgCO2e" in text
    assert "kpi-water" not in page.text and "水足迹声明" not in page.text  # the label has no water footprint
    for stage in ("原材料获取", "生产", "分销存储", "生命末期"):
        assert stage in text, stage
    for key in EXPECTED["carbon"]["by_stage"]:
        assert f'data-key="{key}"' in page.text, key
    assert 'data-testid="chart-stages"' in page.text
    for farm in EXPECTED["farms"]:
        assert farm["farm"] in text
        assert f"{farm['kgco2e_per_kg_fpcm']:.3f}" in text
    assert "87.5 %" in text
    assert "/farms/1?version=1" in page.text

    en = _text(sign_in(web_app, "甲乳业-engineer", lang="en").get(f"/assessments/{aid}").text)
    assert f"per can (900 g): {per_unit} kgCO2e" in en and "End of life" in en

    farm = w.get(f"/assessments/{aid}/farms/1")
    assert farm.status_code == 200
    ft = _text(farm.text)
    a = EXPECTED["farms"][0]
    assert "牧场A" in ft and f"{a['kgco2e_per_kg_fpcm']:.3f}" in ft and f"{a['af_milk']:.3f}" in ft
    assert f"{a['ch4_enteric_kg'] / 1000:,.2f}" in ft and f"{a['ch4_manure_kg'] / 1000:,.2f}" in ft
    assert f"{a['n2o_kg'] / 1000:,.2f}" in ft
    assert f"{a['ch4_enteric_kg'] * 27.0 / 1000:,.1f}" in ft  # enteric CH4 in tCO2e with AR6's biogenic CH4 GWP
    assert "E_farm" in ft
    assert "没有牧群数据" in _text(w.get(f"/assessments/{aid}/farms/3").text)
    assert w.get(f"/assessments/{aid}/farms/4").status_code == 404

    dash = _text(w.get("/").text)
    assert f"每罐 (900 g)：{per_unit} kgCO2e" in dash and "乳制品碳标签" in dash
    assert "水足迹构成" not in dash


@pytest.mark.slow
def test_label_upload_in_a_browser_shows_the_per_package_figure(
    web_app: Any,  # noqa: F811
    browser: Browser,
    tmp_path: Path,
) -> None:
    upload = tmp_path / "label-tiny.zip"
    upload.write_bytes(bundle_zip(CASE))
    with LiveServer(web_app) as server:
        ctx = browser.new_context(viewport={"width": LAPTOP["width"], "height": LAPTOP["height"]})
        page = browser_sign_in(ctx, server.url, "甲乳业-engineer")
        page.get_by_role("link", name="数据", exact=True).click()
        page.get_by_label("文件（.zip 或 .xlsx）").set_input_files(str(upload))
        page.get_by_label("评价名称").fill("900 g 全脂乳粉 碳标签")
        page.get_by_role("button", name="上传并计算").click()
        page.wait_for_url(re.compile(r"/assessments/\d+\?uploaded=1"))
        expect(page.get_by_test_id("carbon-per-unit")).to_have_text("8.61")
        expect(page.get_by_test_id("unit-headline")).to_contain_text("每罐 (900 g)")
        expect(page.get_by_test_id("farm-coverage")).to_have_text("87.5 %")
        page.wait_for_function("document.querySelector('[data-testid=chart-stages] .main-svg') !== null")
        page.get_by_test_id("farms").get_by_role("link", name="牧场A", exact=True).click()
        expect(page.get_by_test_id("farm-name")).to_have_text("牧场A")
        ctx.close()
