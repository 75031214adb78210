"""Every shipped lever on every shared case and on the same plants with meters on the rows the levers touch.

A scenario changes the assessed inventory, after the meters are aggregated: a lever never makes a valid bundle fail
(issue 14, point 10: the condensate-reuse lever stopped `interpret` and `report` on a plant whose CIP fresh water is
metered, because its water.reused share was checked as if the user had typed it beside the meter). A lever that
cannot apply says so, with the reason, and the other levers still run.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from milkprint.bundle.models import ActivityRow
from milkprint.bundle.reader import read_bundle
from milkprint.engine.assess import Inputs
from milkprint.factors.library import default_library
from milkprint.interpret.scenarios import Add, ScenarioResult, levers, parse_scenarios, run_scenarios
from milkprint.pipeline import assess_inputs, report_inputs
from milkprint.readings.aggregate import meter_totals
from tests.bundles import CASES, REPO, case_param

SAMPLE = REPO / "src" / "milkprint" / "samples" / "sample_plant"
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "assessment.toml").exists()) if CASES.exists() else []
PLANTS = [*(case_param(p) for p in CASE_DIRS), SAMPLE]
PLANT_IDS = [*(p.name for p in CASE_DIRS), "sample_plant"]
METER_HEADER = ["meter_id", "process", "item", "unit", "kind", "register_max", "accuracy_pct", "calibrated_on"]


def inputs_of(root: Path) -> Inputs:
    """What the core gets of a bundle on disk: its rows and its meters' totals (as the doors build it)."""
    bundle = read_bundle(root)
    a = bundle.assessment
    totals = (
        meter_totals(bundle.readings, bundle.meters, a.period, a.plant.timezone)
        if bundle.readings is not None and bundle.meters
        else []
    )
    return assess_inputs(bundle, totals, default_library())


def touched_by(row: ActivityRow) -> list[str]:
    """The ids of the shipped levers that change this row."""
    return [s.id for s in levers() if any(not isinstance(c, Add) and c.matches(row) for c in s.changes)]


def variants(src: Path, tmp: Path) -> tuple[Path, Path, dict[str, int]]:
    """The plant twice, with the same inventory: (typed) every row a lever touches in activities.csv, as a user
    without meters enters it, and (metered) the same rows read by meters (one interval reading each, mid-period).
    Moved rows lose their allocate and exclude flags in both (meters.csv has neither). Also: per lever, how many of
    its rows are metered."""
    typed, metered = tmp / "typed", tmp / "metered"
    shutil.copytree(src, typed)
    shutil.copytree(src, metered)
    bundle = read_bundle(src)
    with (src / "activities.csv").open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        raw = list(reader)
    assert len(raw) == len(bundle.activities)
    a = bundle.assessment
    middle = a.period.start + (a.period.end - a.period.start) / 2
    stamp = dt.datetime.combine(middle, dt.time(12)).isoformat()
    keep: list[dict[str, str]] = []
    typed_rows: list[dict[str, str]] = []
    meters: list[dict[str, str]] = []
    readings: list[list[Any]] = []
    count: dict[str, int] = {}
    for row, parsed in zip(raw, bundle.activities, strict=True):
        ids = touched_by(parsed)
        if not ids:
            keep.append(row)
            typed_rows.append(row)
            continue
        for lever_id in ids:
            count[lever_id] = count.get(lever_id, 0) + 1
        typed_rows.append({**row, "allocate": "", "exclude": ""} if "allocate" in row else row)
        meter_id = f"LV-{len(meters) + 1:02d}"
        meters.append(
            {
                "meter_id": meter_id,
                "process": parsed.process,
                "item": parsed.item,
                "unit": parsed.unit,
                "kind": "interval",
                "accuracy_pct": "1.0",
                "calibrated_on": a.period.start.isoformat(),
            }
        )
        readings.append([stamp, meter_id, repr(parsed.amount)])
    for root, rows in ((typed, typed_rows), (metered, keep)):
        with (root / "activities.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, header, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    registry = metered / "meters.csv"
    if registry.exists():
        with registry.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            m_header = list(reader.fieldnames or [])
            old = list(reader)
    else:
        m_header, old = METER_HEADER, []
    with registry.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, m_header, lineterminator="\n", restval="")
        w.writeheader()
        w.writerows([*old, *meters])
    values = metered / "readings.csv"
    existing = (
        values.read_text(encoding="utf-8-sig").rstrip("\n") + "\n" if values.exists() else "timestamp,meter_id,value\n"
    )
    values.write_text(existing + "".join(",".join(r) + "\n" for r in readings), encoding="utf-8")
    return typed, metered, count


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def assert_said(res: ScenarioResult) -> None:
    """An applicable lever touched rows and has figures; one that is not says why, in both languages."""
    d_zh, d_en = res.to_dict("zh"), res.to_dict("en")
    if res.applicable:
        assert res.rows and not res.problems and d_en["not_applicable_reason"] is None
        assert math.isfinite(d_en["carbon"]["saving_kgco2e_per_t"]) and math.isfinite(d_en["water"]["saving_m3_per_t"])
    else:
        assert d_zh["not_applicable_reason"] and d_en["not_applicable_reason"], res.scenario.id
        assert d_en["carbon"]["saving_kgco2e_per_t"] is None


@pytest.mark.parametrize("plant", PLANTS, ids=PLANT_IDS)
def test_every_lever_runs_on_every_shared_case(plant: Path) -> None:
    inputs = inputs_of(plant)
    base = inputs.assess()
    found = run_scenarios(inputs, levers())
    assert [r.scenario.id for r in found] == [s.id for s in levers()]
    for res in found:
        assert close(res.base.kgco2e_per_t, base.kgco2e_per_t)
        assert not res.problems, [p.en for p in res.problems]  # a valid bundle: every lever can be assessed
        assert_said(res)
    assert any(r.applicable for r in found)


@pytest.mark.parametrize("plant", PLANTS, ids=PLANT_IDS)
def test_meters_on_the_levers_rows_change_nothing(plant: Path, tmp_path: Path) -> None:
    """The same inventory typed or metered: every lever gives the same result, none fails (the old code stopped on
    the metered variants of plant-2024 and the sample plant: their CIP water.reused row beside a metered fresh water)."""
    typed, metered, _ = variants(plant, tmp_path)
    a, b = inputs_of(typed), inputs_of(metered)
    assert b.metered and close(a.assess().kgco2e_per_t, b.assess().kgco2e_per_t)
    assert close(a.assess().m3_per_t, b.assess().m3_per_t)
    for ra, rb in zip(run_scenarios(a, levers()), run_scenarios(b, levers()), strict=True):
        assert_said(rb)
        assert rb.applicable == ra.applicable, rb.scenario.id
        assert not rb.problems, [p.en for p in rb.problems]
        assert len(rb.rows) == len(ra.rows), rb.scenario.id
        assert close(rb.new.kgco2e_per_t, ra.new.kgco2e_per_t), rb.scenario.id
        assert close(rb.new.m3_per_t, ra.new.m3_per_t), rb.scenario.id
        assert close(rb.new.reused_m3, ra.new.reused_m3), rb.scenario.id


def test_every_lever_is_tried_on_metered_rows(tmp_path: Path) -> None:
    """Across the shared cases and the sample plant, every shipped lever changes a metered row somewhere."""
    covered: dict[str, int] = {}
    for i, plant in enumerate([*CASE_DIRS, SAMPLE]):
        if not isinstance(case_param(plant), Path):
            continue  # a method not yet supported, skipped as tests/bundles.py case_param does
        _, _, count = variants(plant, tmp_path / str(i))
        for k, v in count.items():
            covered[k] = covered.get(k, 0) + v
    assert {s.id for s in levers()} <= {k for k, v in covered.items() if v > 0}, covered


def test_the_report_of_a_plant_with_metered_cip_water_runs_every_lever(tmp_path: Path) -> None:
    """The issue's plant: meters.csv `cip,water.fresh` and a typed cip water.reused row. `milkprint report` (and
    `interpret`, the same scenarios) used to stop with 'cip / water.reused 已由表计 … 重复计算'."""
    _, metered, _ = variants(SAMPLE, tmp_path)
    bundle = read_bundle(metered)
    assert any(m.process == "cip" and m.item == "water.fresh" for m in bundle.meters)
    assert any(r.process == "cip" and r.item == "water.reused" for r in bundle.activities)
    inp = report_inputs(metered, today=dt.date(2026, 3, 1), iterations=50)
    assert inp.interpretation is not None
    scen = {s["id"]: s for s in inp.interpretation.to_dict("en")["scenarios"]}
    reuse = scen["condensate_reuse"]
    assert reuse["applicable"] and reuse["water"]["saving_m3_per_t"] > 0
    blue = inp.result.blue_m3 / inp.result.production_t
    assert close(reuse["water"]["saving_m3_per_t"], 0.1 * blue)  # 10 % of every process's fresh water


def test_a_lever_whose_changes_cannot_be_assessed_is_not_applicable_with_the_reason(tmp_path: Path) -> None:
    """The tiny case forbids a factor from another region: its own factors pass, the library's national wind factor
    that green_electricity_30 brings in does not. The lever says so; the others run."""
    root = tmp_path / "tiny"
    shutil.copytree(CASES / "tiny", root)
    with (root / "assessment.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[factors]\nallow_region_fallback = false\n")
    inputs = inputs_of(root)
    inputs.assess()  # the bundle itself is valid
    found = {r.scenario.id: r for r in run_scenarios(inputs, levers())}
    green = found["green_electricity_30"]
    assert not green.applicable and green.problems and green.rows
    assert green.new is green.base  # nothing computed from an inventory that could not be assessed
    d_zh, d_en = green.to_dict("zh"), green.to_dict("en")
    assert "energy.electricity_wind" in d_zh["not_applicable_reason"] and "无法核算" in d_zh["not_applicable_reason"]
    assert (
        "energy.electricity_wind" in d_en["not_applicable_reason"]
        and "cannot be assessed" in d_en["not_applicable_reason"]
    )
    assert d_en["carbon"]["saving_kgco2e_per_t"] is None and d_en["warnings"]
    assert found["r404a_to_r717"].applicable and found["condensate_reuse"].applicable


def test_a_users_scenario_adding_a_row_beside_a_meter_is_assessed(tmp_path: Path) -> None:
    """An added row for a metered process and item is part of the changed inventory, not a second entry of the user's
    data: it adds up with the meter's total."""
    _, metered, _ = variants(SAMPLE, tmp_path)
    inputs = inputs_of(metered)
    assert any(r.process == "cip" and r.item == "water.fresh" for r in inputs.metered)
    (s,) = parse_scenarios(
        {
            "scenario": [
                {
                    "id": "more_cip_water",
                    "zh": "CIP 多用水",
                    "en": "more CIP water",
                    "changes": [{"kind": "add", "process": "cip", "item": "water.fresh", "amount": 1000, "unit": "m3"}],
                }
            ]
        },
        "t.toml",
    )
    (res,) = run_scenarios(inputs, [s])
    assert res.applicable
    assert close(res.new.blue_m3 - res.base.blue_m3, 1000 * res.base.main_share)
