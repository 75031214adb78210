"""The API's result is the result JSON contract (engine/contract.py): /docs describes it, and a result stored by an
older milkprint (without the keys added since) is served, with null for them, instead of failing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from milkprint.engine.contract import ResultJson
from milkprint.server import create_app
from milkprint.store.db import transaction
from milkprint.store.models import ResultRecord
from tests.bundles import CASES
from tests.dbs import db_url  # noqa: F401  # the fixture: one SQLite file and one PostgreSQL database
from tests.test_result_contract import later_paths, old_shaped
from tests.web import api_login, bundle_zip, web_app  # noqa: F401  # web_app: the fixture

API = "/api/v1"


def assessed(app: Any) -> tuple[TestClient, int, int]:
    """An engineer's client, an assessment of plant-2024 and its result id."""
    c = api_login(app, "甲乳业-engineer")
    plant = c.get(f"{API}/plants").json()["items"][0]
    r = c.post(
        f"{API}/assessments",
        data={"plant_id": str(plant["id"]), "title": "2024"},
        files={"file": ("plant.zip", bundle_zip(CASES / "plant-2024"), "application/zip")},
    )
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    res = c.post(f"{API}/assessments/{aid}/run")
    assert res.status_code == 200, res.text
    return c, aid, res.json()["id"]


def test_an_old_stored_result_is_served_with_nulls_for_the_later_keys(web_app: Any) -> None:  # noqa: F811
    c, aid, rid = assessed(web_app)
    with transaction(web_app.state.factory) as s:
        rec = s.scalars(select(ResultRecord).where(ResultRecord.id == rid)).one()
        current = json.loads(json.dumps(rec.result))
        rec.result = old_shaped(current)  # as milkprint stored it before the keys marked LATER existed
    for path in (f"{API}/results/{rid}", f"{API}/assessments/{aid}/result"):
        r = c.get(path)
        assert r.status_code == 200, r.text
        served = r.json()["result"]
        assert served["factor_scope"] is None and all(line["scope"] is None for line in served["lines"])
        assert old_shaped(served) == old_shaped(current)


def test_the_openapi_document_describes_the_result(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'api.db'}")
    try:
        spec = TestClient(app).get("/openapi.json").json()
    finally:
        app.state.engine.dispose()
    schemas = spec["components"]["schemas"]
    for path in ("/results/{result_id}", "/assessments/{assessment_id}/result", "/assessments/{assessment_id}/run"):
        method = "post" if path.endswith("/run") else "get"
        ok = spec["paths"][API + path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": "#/components/schemas/ResultOut"}
    assert schemas["ResultOut"]["properties"]["result"] == {"$ref": "#/components/schemas/ResultJson"}
    result = schemas["ResultJson"]
    assert list(result["properties"]) == list(ResultJson.model_fields)
    assert {"carbon", "water", "lines", "cutoff"} <= set(result["required"])
    assert {"kgco2e_per_t", "total_kgco2e", "by_process"} <= set(schemas["CarbonJson"]["properties"])
    assert result["properties"]["lines"]["items"] == {"$ref": "#/components/schemas/LineJson"}
    # a field added after the first stored release is optional (an old result has none), the others required
    later = {p.rpartition(".")[2] for p in later_paths() if p.startswith("lines.")}
    line = schemas["LineJson"]
    assert later and not later & set(line["required"]) and set(line["properties"]) - later == set(line["required"])
