"""The result JSON and its contract (engine/contract.py) cannot drift apart: every case's JSON validates, closed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel
from pydantic_core import to_json

from milkprint.engine.contract import ContractError, Later, ResultJson, StoredResultJson, result_document
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


# --- one document for every door; the stored variant the API serves ------------------------------------------------


def later_paths(model: type[BaseModel] = ResultJson, prefix: str = "") -> set[str]:
    """The fields marked LATER (added after the first release that stored results), as dotted paths."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if any(isinstance(m, Later) for m in info.metadata):
            found.add(path)
        for inner in _models_in(info.annotation):
            found |= later_paths(inner, path + ".")
    return found


def _models_in(annotation: Any) -> set[type[BaseModel]]:
    """The contract models an annotation holds at any depth (`list[FarmJson] | None` holds FarmJson), so the
    fields of list items (lines[], farms[]) are walked like those of a nested object."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {annotation}
    return {m for arg in get_args(annotation) for m in _models_in(arg)}


def old_shaped(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` as milkprint stored it before the LATER keys existed: a copy without them."""
    old = copy.deepcopy(doc)
    for path in sorted(later_paths(), key=lambda p: -p.count(".")):  # a farm's keys before the farms themselves
        *parents, key = path.split(".")
        nodes: list[Any] = [old]
        for part in parents:
            nodes = [n[part] for n in nodes]
            nodes = [x for n in nodes for x in (n if isinstance(n, list) else [n]) if x is not None]
        for node in nodes:
            node.pop(key)
    return old


def test_the_later_fields_are_those_added_since_the_first_stored_release() -> None:
    """The first release that stored results (bf3b4c2) rendered everything but these; a key added to the renderer
    later is marked LATER in engine/contract.py and added here."""
    assert later_paths() == {
        "water.green_by_process",
        "water.blue_green_by_process",
        "lines.scope",
        "factor_scope",
        # the dairy label (issue 16, spec/dairy-label.md): null in a gate-to-gate result
        "carbon.kgco2e_per_unit",
        "carbon.by_stage",
        "functional_unit",
        "raw_milk",
        "farms",
        # the farm allocation and the farm page (issue 16): keys of each farm, absent from an older label result
        "farms.allocation",
        "farms.inputs_kgco2e",
        "farms.inputs_by_group",
    }


def test_result_document_is_the_rendered_dict_checked() -> None:
    result = assess_bundle(CASES / "tiny")
    assert result_document(result, "en") == result.to_dict("en")


def test_result_document_refuses_a_document_off_its_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    result = assess_bundle(CASES / "tiny")
    drifted = {**result.to_dict(), "surprise": 1}
    monkeypatch.setattr(type(result), "to_dict", lambda self, lang="zh": drifted)
    with pytest.raises(ContractError) as raised:
        result_document(result)
    assert not isinstance(raised.value, ValueError)  # a bug of milkprint, not the user's bad input


@pytest.mark.parametrize("bundle", [*(case_param(p) for p in sorted(CASES.iterdir()) if p.is_dir()), SAMPLE])
def test_a_current_result_dumps_to_the_same_bytes_through_the_stored_variant(bundle: Path) -> None:
    """The API's `result` was a plain dict: typing it changes no byte of a current result (same keys, same order)."""
    stored = json.loads(json.dumps(assess_bundle(bundle).to_dict(), allow_nan=False))  # as the database gives it
    assert StoredResultJson.model_validate(stored).model_dump_json() == to_json(stored).decode("utf-8")


def test_an_old_stored_result_validates_with_nulls_for_the_later_fields() -> None:
    doc = json.loads(json.dumps(assess_bundle(SAMPLE).to_dict()))
    old = old_shaped(doc)
    assert "factor_scope" not in old and "scope" not in old["lines"][0]
    with pytest.raises(ValueError):
        ResultJson.model_validate(old)  # what this version renders must have them
    served = json.loads(StoredResultJson.model_validate(old).model_dump_json())
    assert served["factor_scope"] is None and served["water"]["green_by_process"] is None
    assert all(line["scope"] is None for line in served["lines"])
    assert old_shaped(served) == old  # everything else as stored


def test_a_stored_key_this_version_no_longer_renders_is_ignored() -> None:
    doc = json.loads(json.dumps(assess_bundle(CASES / "tiny").to_dict()))
    doc["lines"][0]["retired"] = 1
    served = json.loads(StoredResultJson.model_validate(doc).model_dump_json())
    assert "retired" not in served["lines"][0]


def test_the_stored_variant_is_the_contract_with_the_later_fields_optional() -> None:
    strict, stored = ResultJson.model_json_schema(), StoredResultJson.model_json_schema()
    assert stored["title"] == "ResultJson" and set(stored["$defs"]) == set(strict["$defs"])
    assert set(stored["properties"]) == set(strict["properties"])
    assert set(strict["required"]) - set(stored["required"]) == {"factor_scope"}
    assert "scope" in strict["$defs"]["LineJson"]["required"] and "scope" not in stored["$defs"]["LineJson"]["required"]
    assert stored["$defs"]["LineJson"]["properties"]["scope"]["description"].startswith("life_cycle")


def test_the_clis_json_validates_against_the_contract(cli: Any, tmp_path: Path) -> None:
    """`assess --json` prints, and `--out` writes, the one document (`milkprint demo` writes it too: test_cli.py)."""
    target = tmp_path / "result.json"
    code, out, err = cli("assess", CASES / "plant-2024", "--json", "--out", target, "--lang", "en")
    assert code == 0, err
    printed = ResultJson.model_validate(json.loads(out))
    assert ResultJson.model_validate_json(target.read_text(encoding="utf-8")) == printed


def test_an_old_stored_label_result_validates_with_nulls_for_the_farms_later_keys() -> None:
    """A label result stored before the farm page (issue 16) has farms without allocation and the inputs' split."""
    doc = json.loads(json.dumps(assess_bundle(CASES / "label-tiny").to_dict()))
    old = copy.deepcopy(doc)
    for farm in old["farms"]:
        for key in ("allocation", "inputs_kgco2e", "inputs_by_group"):
            farm.pop(key)
    served = json.loads(StoredResultJson.model_validate(old).model_dump_json())
    assert served["farms"] and all(f["allocation"] is None and f["inputs_kgco2e"] is None for f in served["farms"])
    assert all(f["inputs_by_group"] is None for f in served["farms"])
    assert old_shaped(doc) == old_shaped(served)  # everything else as stored
