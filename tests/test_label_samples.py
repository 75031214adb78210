"""The built-in dairy-label samples: a 250 ml box of UHT milk and a 900 g can of whole milk powder from the same
farms (scripts/make_label_samples.py). They assess with the built-in library only, their per-package figures sit
in published ranges, the checked-in files are what the generator writes, and `milkprint demo --method
dairy-carbon-label` shows both.

Plausibility ranges (research/dairy-label-data.md §4):
- raw milk 1.0–1.4 kgCO2e/kg FPCM for an Inner Mongolia confined herd (the doc's calibration rule of thumb);
- UHT milk 250 ml: 0.2–1.0 kgCO2e per box. China's average milk ≈ 420 g CO2e per 250 ml cup (AgResearch, 李胜利),
  the USA cradle to grave 2.05 (1.77–2.4) kgCO2e/kg consumed (Thoma et al. 2013) ≈ 0.53 per 0.2575 kg box;
- whole milk powder 900 g: 5–20 kgCO2e per can. Modelled WMP ≈ 9–15 kgCO2e/kg (8.1–13.5 per can), infant formula
  consumed in China 14 ± 2 kgCO2e/kg (PMC6472111), Nestlé's "零碳奶粉" 14.2 kg per can.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest

from milkprint.engine.result import Result
from milkprint.pipeline import assess_bundle
from milkprint.samples import LABEL_SAMPLES

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = resources.files("milkprint.samples")
Cli = Callable[..., tuple[int, str, str]]  # the conftest fixture: (exit code, stdout, stderr)
STAGES = ("raw_material", "production", "distribution", "end_of_life")
# sample: (package, net mass kg, per-package range kgCO2e)
EXPECTED = {
    "label_uht_milk": ("盒", 0.2575, (0.2, 1.0)),
    "label_milk_powder": ("罐", 0.9, (5.0, 20.0)),
}


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    out = {}
    for name in LABEL_SAMPLES:
        with resources.as_file(SAMPLES / name) as folder:
            out[name] = assess_bundle(folder)
    return out


def test_both_samples_exist_without_a_factor_file() -> None:
    assert set(LABEL_SAMPLES) == set(EXPECTED)
    for name in LABEL_SAMPLES:
        with resources.as_file(SAMPLES / name) as folder:
            files = {p.name for p in folder.iterdir()}
        assert {"assessment.toml", "activities.csv", "farms.csv", "herd.csv", "manure.csv"} <= files
        assert {"farm_inputs.csv", "packaging.csv"} <= files
        assert "factors.csv" not in files  # the built-in library only


@pytest.mark.parametrize("name", LABEL_SAMPLES)
def test_sample_assesses_to_a_plausible_package(results: dict[str, Result], name: str) -> None:
    result = results[name]
    package, mass, (low, high) = EXPECTED[name]
    assert result.method == "dairy-carbon-label" and result.label is not None
    assert result.label.package == package and result.label.net_mass_kg == pytest.approx(mass)
    assert result.kgco2e_per_unit is not None and low < result.kgco2e_per_unit < high
    stages = result.label.by_stage
    assert set(stages) == set(STAGES) and all(stages[s] > 0 for s in STAGES)
    assert sum(stages.values()) == pytest.approx(result.total_kgco2e, rel=1e-9)
    assert stages["raw_material"] > 0.6 * result.total_kgco2e  # the farms dominate a dairy footprint
    assert 1.0 < result.label.kgco2e_per_kg_fpcm < 1.4
    assert 0.5 <= result.label.coverage < 1  # one farm without data, the rest with
    assert not result.warnings


def test_same_farms_give_the_same_farm_footprints(results: dict[str, Result]) -> None:
    """Both plants buy from the same farms: each farm's own footprint is the same at both, and the mix of
    herd, declared and no-data farms is there."""
    uht, powder = (results[n].label for n in LABEL_SAMPLES)
    assert uht is not None and powder is not None
    by_farm = {f.farm: f for f in powder.farms}
    assert [f.farm for f in uht.farms] == list(by_farm)
    assert {f.data for f in uht.farms} == {"herd", "declared", "none"}
    for farm in uht.farms:
        if farm.data != "none":  # a no-data farm takes the mean of the plant's own mix (F11)
            assert farm.kgco2e_per_kg_fpcm == pytest.approx(by_farm[farm.farm].kgco2e_per_kg_fpcm, rel=1e-12)
        if farm.data == "herd":
            assert 0.8 < farm.af_milk < 1 and farm.ch4_enteric_kg > 0 and farm.n2o_kg > 0


def test_hazardous_row_is_kept_and_the_cut_off_still_works(results: dict[str, Result]) -> None:
    """The CIP caustic is flagged exclude and hazardous: kept (label rules 5.3); the UHT plant's stretch wrap goes."""
    for name in LABEL_SAMPLES:
        naoh = [d for d in results[name].decisions if d.item == "material.naoh"]
        assert naoh and not naoh[0].excluded, name
    wrap = [d for d in results["label_uht_milk"].decisions if d.item == "material.ldpe"]
    assert wrap and wrap[0].excluded and wrap[0].share < 0.01


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_label_samples", ROOT / "scripts" / "make_label_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checked_in_samples_are_what_the_generator_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gen = _generator()
    monkeypatch.setattr(gen, "SAMPLES", tmp_path)
    for name in LABEL_SAMPLES:
        written = gen.write_sample(name)
        with resources.as_file(SAMPLES / name) as folder:
            shipped = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        assert {p.name: p.read_bytes() for p in written.iterdir()} == shipped, name


def test_demo_label_method_prints_both_and_writes_their_results(cli: Cli, tmp_path: Path) -> None:
    code, out, err = cli("demo", "--method", "dairy-carbon-label", "--out-dir", tmp_path)
    assert code == 0, err
    assert "纯牛奶 250 ml/盒" in out and "全脂乳粉 900 g/罐" in out and "kgCO₂e/包装" in out
    for name in LABEL_SAMPLES:
        data = json.loads((tmp_path / name / "result.json").read_text(encoding="utf-8"))
        low, high = EXPECTED[name][2]
        assert data["method"] == "dairy-carbon-label" and low < data["carbon"]["kgco2e_per_unit"] < high
        assert f"{data['carbon']['kgco2e_per_unit']:.3f}" in out
    assert not (tmp_path / "report.pdf").exists()  # the gate-to-gate demo's files are not written


def test_demo_label_json_and_english(cli: Cli, tmp_path: Path) -> None:
    code, out, err = cli("demo", "--method", "dairy-carbon-label", "--out-dir", tmp_path, "--json")
    assert code == 0, err
    assert set(json.loads(out)) == set(LABEL_SAMPLES)
    code, out, _ = cli("demo", "--method", "dairy-carbon-label", "--out-dir", tmp_path, "--lang", "en")
    assert code == 0 and "carbon per package" in out and "kgCO₂e/package" in out


def test_demo_unknown_method_exits_2_without_traceback(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("demo", "--method", "no-such-method", "--out-dir", tmp_path)
    assert code == 2 and "Traceback" not in err and "no-such-method" in err
