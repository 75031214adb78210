"""`milkprint interpret` and pipeline.interpret_bundle on the reference plant and the built-in sample plant."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from milkprint.errors import InputError
from milkprint.interpret.scenarios import levers
from milkprint.pipeline import assess_bundle, interpret_bundle
from tests.bundles import CASES, REPO

SAMPLE = REPO / "src" / "milkprint" / "samples" / "sample_plant"
PLANT = CASES / "plant-2024"
ITERATIONS = 2000
KEYS = {"kgco2e_per_t", "m3_per_t", "contribution", "allocation", "scenarios", "monte_carlo", "sensitivity"}


def _json(cli: Any, *args: str | Path) -> dict[str, Any]:
    code, stdout, stderr = cli(*args)
    assert code == 0, stderr
    data: dict[str, Any] = json.loads(stdout)
    return data


@pytest.mark.parametrize("bundle", [PLANT, SAMPLE], ids=["plant-2024", "sample"])
def test_json_matches_assess(cli: Any, bundle: Path) -> None:
    got = _json(cli, "interpret", bundle, "--iterations", str(ITERATIONS), "--seed", "1", "--json")
    assessed = _json(cli, "assess", bundle, "--json")
    assert set(got) == KEYS
    mc = got["monte_carlo"]
    assert mc["iterations"] == ITERATIONS and mc["seed"] == 1
    assert mc["carbon_kgco2e_per_t"]["deterministic"] == assessed["carbon"]["kgco2e_per_t"]
    assert mc["water_m3_per_t"]["deterministic"] == assessed["water"]["m3_per_t"]
    for key in ("mean", "median", "sd", "p2_5", "p97_5", "convergence"):
        assert key in mc["carbon_kgco2e_per_t"]
    alloc = got["allocation"]
    assert alloc["chosen"] == assessed["allocation"]["method"]
    chosen = [m for m in alloc["methods"] if m["chosen"]]
    assert len(chosen) == 1 and chosen[0]["kgco2e_per_t"] == pytest.approx(assessed["carbon"]["kgco2e_per_t"])
    assert [s["id"] for s in got["scenarios"]] == [s.id for s in levers()]
    for s in got["scenarios"]:
        assert s["carbon"]["base_kgco2e_per_t"] == pytest.approx(assessed["carbon"]["kgco2e_per_t"])
    assert got["contribution"]["carbon"]["kgco2e_per_t"] == pytest.approx(assessed["carbon"]["kgco2e_per_t"])
    assert got["contribution"]["hotspots"]


def test_allocation_chosen_is_the_expected_one() -> None:
    expected = json.loads((PLANT / "expected.json").read_text("utf-8"))
    got = interpret_bundle(PLANT, iterations=ITERATIONS).to_dict("en")
    assert got["allocation"]["chosen"] == expected["allocation"]["method"]
    chosen = next(m for m in got["allocation"]["methods"] if m["chosen"])
    assert chosen["main_share"] == pytest.approx(expected["allocation"]["main_share"], rel=1e-9)


def test_same_seed_same_json_other_seed_other_figures() -> None:
    a = interpret_bundle(SAMPLE, iterations=ITERATIONS, seed=7).to_dict("zh")
    b = interpret_bundle(SAMPLE, iterations=ITERATIONS, seed=7).to_dict("zh")
    c = interpret_bundle(SAMPLE, iterations=ITERATIONS, seed=8).to_dict("zh")
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)
    for key in ("mean", "sd", "p2_5", "p97_5"):
        assert a["monte_carlo"]["carbon_kgco2e_per_t"][key] != c["monte_carlo"]["carbon_kgco2e_per_t"][key]
    assert a["sensitivity"]["tornado"] == c["sensitivity"]["tornado"]  # no randomness in the tornado
    assert a["sensitivity"]["sobol"] != c["sensitivity"]["sobol"]
    seeded = ("monte_carlo", "sensitivity")
    assert {k: v for k, v in a.items() if k not in seeded} == {k: v for k, v in c.items() if k not in seeded}


def test_progress_reaches_the_end_of_each_stage() -> None:
    seen: dict[str, list[tuple[int, int]]] = {}
    interpret_bundle(
        SAMPLE,
        iterations=ITERATIONS,
        on_progress=lambda stage, done, total: seen.setdefault(stage, []).append((done, total)),
    )
    assert set(seen) == {"monte_carlo", "sobol"}
    assert seen["monte_carlo"][-1] == (ITERATIONS, ITERATIONS)
    for steps in seen.values():
        assert [d for d, _ in steps] == sorted(d for d, _ in steps) and steps[-1][0] == steps[-1][1]


def test_sensitivity_is_the_models(cli: Any) -> None:
    got = _json(cli, "interpret", SAMPLE, "--iterations", str(ITERATIONS), "--seed", "3", "--json")
    sens = got["sensitivity"]
    assert set(sens) == {"tornado", "sobol"} and sens["sobol"]["seed"] == 3
    bars = sens["tornado"]["carbon_kgco2e_per_t"]["bars"]
    assert sens["tornado"]["carbon_kgco2e_per_t"]["deterministic"] == pytest.approx(got["kgco2e_per_t"])
    assert bars and [b["swing"] for b in bars] == sorted((b["swing"] for b in bars), reverse=True)
    # the model is linear in each parameter: the largest swing is at most 2·step of the whole footprint
    assert bars[0]["swing"] <= 2 * sens["tornado"]["step"] * got["kgco2e_per_t"] * (1 + 1e-9)


def test_own_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    change = {"kind": "remove", "item": "energy.*"}
    path.write_text(
        tomli_w.dumps({"scenario": [{"id": "no-energy", "zh": "无能源", "en": "no energy", "changes": [change]}]}),
        "utf-8",
    )
    got = interpret_bundle(SAMPLE, iterations=ITERATIONS, scenarios=path)
    (only,) = got.scenarios
    assert only.scenario.id == "no-energy"
    assert only.base.kgco2e_per_t == assess_bundle(SAMPLE).kgco2e_per_t
    assert only.saving_kgco2e_per_t > 0


def test_bad_scenario_file_exits_2_naming_the_key(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    change = {"kind": "scale", "item": "energy.steam", "factr": 0.5}
    path.write_text(tomli_w.dumps({"scenario": [{"id": "x", "zh": "甲", "en": "x", "changes": [change]}]}), "utf-8")
    for lang in ("zh", "en"):
        code, stdout, stderr = cli("interpret", SAMPLE, "--iterations", "100", "--scenarios", path, "--lang", lang)
        assert code == 2, stderr
        assert "scenario.0.changes.0.factr" in stderr and "bad.toml" in stderr
        assert "Traceback" not in stderr and stdout == ""
    with pytest.raises(InputError):
        interpret_bundle(SAMPLE, iterations=100, scenarios=path)


def test_bad_bundle_and_iterations(cli: Any, tmp_path: Path) -> None:
    code, _, stderr = cli("interpret", tmp_path / "nowhere")
    assert code == 2 and "Traceback" not in stderr
    code, _, stderr = cli("interpret", SAMPLE, "--iterations", "1")
    assert code == 2 and "Traceback" not in stderr
    with pytest.raises(InputError):
        interpret_bundle(SAMPLE, iterations=1)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ("热点", "分配方法敏感性", "减排情景", "蒙特卡洛", "龙卷风图")),
        ("en", ("Hotspots", "Allocation sensitivity", "Scenarios", "Monte Carlo", "Tornado")),
    ],
)
def test_tables_in_both_languages(cli: Any, lang: str, words: tuple[str, ...]) -> None:
    code, stdout, stderr = cli("interpret", SAMPLE, "--iterations", str(ITERATIONS), "--lang", lang)
    assert code == 0, stderr
    for word in words:
        assert word in stdout, word
    if lang == "en":
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in stdout.split("Scenarios")[0].split("Allocation")[1])
