"""The label method through the service's API: a label bundle uploads, runs and is served with the figures of its
independently computed expected.json (acceptance of issue 16: the CLI, the API and a zip give one result)."""

from __future__ import annotations

import json
from typing import Any

from tests.bundles import CASES
from tests.dbs import db_url  # noqa: F401  # the fixture: one SQLite file and one PostgreSQL database
from tests.test_reference_cases import mismatches
from tests.web import api_login, bundle_zip, web_app  # noqa: F401  # web_app: the fixture

API = "/api/v1"
CASE = CASES / "label-tiny"


def test_a_label_bundle_runs_through_the_api(web_app: Any) -> None:  # noqa: F811
    c = api_login(web_app, "甲乳业-engineer")
    plant = c.get(f"{API}/plants").json()["items"][0]
    r = c.post(
        f"{API}/assessments",
        data={"plant_id": str(plant["id"]), "title": "900 g 全脂乳粉"},
        files={"file": ("label.zip", bundle_zip(CASE), "application/zip")},
    )
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    run = c.post(f"{API}/assessments/{aid}/run")
    assert run.status_code == 200, run.text
    served = c.get(f"{API}/assessments/{aid}/result")
    assert served.status_code == 200, served.text
    expected = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
    result = served.json()["result"]
    assert mismatches(expected, result) == []
    assert result["carbon"]["kgco2e_per_unit"] > 0 and result["functional_unit"]["package"] == "罐"
