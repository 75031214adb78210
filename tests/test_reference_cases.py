"""Acceptance: every reference case in ../shared/cases matches its independently computed expected.json."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from milkprint.pipeline import assess_bundle
from tests.bundles import CASES, case_param

CASE_DIRS = sorted(p.parent for p in CASES.glob("*/expected.json"))
CASE_PARAMS = [case_param(p) for p in CASE_DIRS]


def mismatches(expected: Any, got: Any, path: str = "") -> list[str]:
    """Every key of the expected contract, compared to 1e-6 relative (lists in order)."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object"]
        out = []
        for key, value in expected.items():
            if key not in got:
                out.append(f"{path}{key}: missing")
            else:
                out.extend(mismatches(value, got[key], f"{path}{key}."))
        return out
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return [f"{path}: expected {len(expected)} entries, got {got!r}"]
        key = (lambda e: (e.get("process"), e.get("item"))) if expected and isinstance(expected[0], dict) else None
        if key is not None:
            expected, got = sorted(expected, key=key), sorted(got, key=key)
        return [
            m for i, (e, g) in enumerate(zip(expected, got, strict=True)) for m in mismatches(e, g, f"{path}[{i}].")
        ]
    if isinstance(expected, bool) or not isinstance(expected, (int, float)):
        return [] if expected == got else [f"{path}: expected {expected!r}, got {got!r}"]
    if not isinstance(got, (int, float)) or not math.isclose(expected, got, rel_tol=1e-6, abs_tol=1e-9):
        return [f"{path}: expected {expected!r}, got {got!r}"]
    return []


def test_there_are_reference_cases() -> None:
    assert len(CASE_DIRS) >= 2, f"no reference cases found under {CASES}"


@pytest.mark.parametrize("case", CASE_PARAMS, ids=lambda p: p.name)
def test_case_matches_expected(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    got = assess_bundle(case).to_dict()
    assert mismatches(expected, got) == []
    # The contract's own invariants.
    carbon = got["carbon"]
    assert math.isclose(sum(carbon["by_group"].values()), carbon["total_kgco2e"], rel_tol=1e-12)
    assert math.isclose(sum(carbon["by_process"].values()), carbon["total_kgco2e"], rel_tol=1e-12)
    assert math.isclose(carbon["kgco2e_per_t"], carbon["total_kgco2e"] / got["production_t"], rel_tol=1e-15)
    w = got["water"]
    assert math.isclose(w["m3_per_t"], w["blue_m3_per_t"] + w["green_m3_per_t"] + w["grey_m3_per_t"], rel_tol=1e-12)


@pytest.mark.parametrize("case", CASE_PARAMS, ids=lambda p: p.name)
def test_case_through_cli_json_and_zip(case: Path, cli, tmp_path: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    code, out, err = cli("assess", case, "--json")
    assert code == 0, err
    assert mismatches(expected, json.loads(out)) == []
    archive = Path(shutil.make_archive(str(tmp_path / case.name), "zip", root_dir=case.parent, base_dir=case.name))
    code, out, err = cli("assess", archive, "--json")
    assert code == 0, err
    assert mismatches(expected, json.loads(out)) == []


def test_result_is_reproducible_bit_for_bit() -> None:
    case = CASES / "plant-2024"
    first = json.dumps(assess_bundle(case).to_dict(), sort_keys=True)
    second = json.dumps(assess_bundle(case).to_dict(), sort_keys=True)
    assert first == second


def test_every_line_traces_to_its_factors() -> None:
    got = assess_bundle(CASES / "plant-2024").to_dict()
    for line in got["lines"]:
        if line["item"].startswith(("water.",)):
            continue
        assert line["factors"], line
        for f in line["factors"]:
            assert f["id"] and f["source"] and f["unit"] and f["gwp"] is not None
        counted = 0.0 if line["excluded"] else line["kgco2e_before_allocation"] * line["allocation_share"]
        assert math.isclose(line["kgco2e"], counted, rel_tol=1e-12, abs_tol=1e-9)
    assert got["factor_library"]["version"]
