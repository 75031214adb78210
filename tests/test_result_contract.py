"""The result JSON and its contract (engine/contract.py) cannot drift apart: every case's JSON validates, closed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from milkprint.engine.contract import ResultJson
from milkprint.pipeline import assess_bundle
from tests.bundles import CASES, REPO, case_param

SAMPLE = REPO / "src" / "milkprint" / "samples" / "sample_plant"


@pytest.mark.parametrize("bundle", [*(case_param(p) for p in sorted(CASES.iterdir()) if p.is_dir()), SAMPLE])
def test_every_result_validates_against_the_contract(bundle: Path) -> None:
    data = assess_bundle(bundle).to_dict()
    model = ResultJson.model_validate(data)
    assert json.loads(model.model_dump_json()) == json.loads(json.dumps(data))  # nothing lost, nothing added


def test_an_unknown_key_is_refused() -> None:
    data = assess_bundle(CASES / "tiny").to_dict()
    data["carbon"]["surprise"] = 1.0
    with pytest.raises(ValueError):
        ResultJson.model_validate(data)


def test_the_schema_names_the_contract_keys() -> None:
    schema = ResultJson.model_json_schema()
    assert {"method", "gwp", "production_t", "allocation", "carbon", "water", "cutoff"} <= set(schema["properties"])
    carbon = schema["$defs"]["CarbonJson"]["properties"]
    assert {"kgco2e_per_t", "total_kgco2e", "by_group", "by_process"} <= set(carbon)
