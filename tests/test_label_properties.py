"""Properties of the dairy carbon label (../shared/spec/dairy-label.md) that hold for any bundle, not only the
reference case: a farm's footprint per kg FPCM does not depend on its size, splitting a farm changes nothing,
the per-package figure is the per-tonne figure times the net mass, the stages add up to the total, and a farm
without data stands in with the FPCM-weighted mean of the others (F11).

Each bundle is ../shared/cases/label-tiny copied and edited, and goes through `assess_bundle`, the library entry
every door uses (as tests/test_reference_cases.py does).
"""

from __future__ import annotations

import csv
import math
import shutil
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import example, given, settings
from hypothesis import strategies as st

from milkprint.pipeline import assess_bundle
from tests.bundles import CASES

LABEL_TINY = CASES / "label-tiny"
STAGES = ("raw_material", "production", "distribution", "end_of_life")
# packaging.csv of label-tiny with its factors.csv: kgCO2e of the end of life of one package.
EOL_PER_PACKAGE = 0.09 * (0.1 * 0.02 + 0.3 * 0.01) + 0.01 * (0.4 * 2.8 + 0.6 * 0.05)
Rows = list[dict[str, str]]


# --- building bundles ----------------------------------------------------------------------------------------------


def copy_case(root: Path) -> Path:
    target = root / "label"
    shutil.copytree(LABEL_TINY, target)
    (target / "expected.json").unlink()
    return target


@contextmanager
def label_case() -> Iterator[Path]:
    """A fresh copy of label-tiny (a context manager rather than tmp_path, which hypothesis examples cannot share)."""
    with tempfile.TemporaryDirectory() as tmp:
        yield copy_case(Path(tmp))


def read_csv(path: Path) -> tuple[list[str], Rows]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: Rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def edit_csv(root: Path, name: str, change: Callable[[Rows], Rows]) -> None:
    header, rows = read_csv(root / name)
    write_csv(root / name, header, change(rows))


def edit_toml(root: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = root / "assessment.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")


def num(text: str) -> float:
    return float(text)


def scaled(value: str, k: float) -> str:
    """A CSV cell times k; an empty cell stays empty (it means a default, which scaling does not touch)."""
    return value if value.strip() == "" else repr(float(value) * k)


def scale_farm(root: Path, farm: str, k: float) -> None:
    """The farm k times bigger: head counts, inputs, milk delivered and produced, meat sold."""

    def farms(rows: Rows) -> Rows:
        for r in rows:
            if r["farm"] == farm:
                for col in ("milk_t", "milk_produced_t", "meat_sold_kg"):
                    r[col] = scaled(r[col], k)
        return rows

    def by_column(col: str) -> Callable[[Rows], Rows]:
        def change(rows: Rows) -> Rows:
            for r in rows:
                if r["farm"] == farm:
                    r[col] = scaled(r[col], k)
            return rows

        return change

    edit_csv(root, "farms.csv", farms)
    edit_csv(root, "herd.csv", by_column("head"))
    edit_csv(root, "farm_inputs.csv", by_column("amount"))


def split_farm(root: Path, farm: str, share: float) -> tuple[str, str]:
    """Replace `farm` by two farms with `share` and 1 − share of its head, inputs, milk and meat (same herd,
    manure systems and milk composition); returns their names."""
    names = (f"{farm}-1", f"{farm}-2")
    parts = (share, 1 - share)

    def split(columns: tuple[str, ...]) -> Callable[[Rows], Rows]:
        def change(rows: Rows) -> Rows:
            out: Rows = []
            for r in rows:
                if r["farm"] != farm:
                    out.append(r)
                    continue
                for name, part in zip(names, parts, strict=True):
                    out.append({**r, "farm": name, **{c: scaled(r[c], part) for c in columns}})
            return out

        return change

    edit_csv(root, "farms.csv", split(("milk_t", "milk_produced_t", "meat_sold_kg")))
    edit_csv(root, "herd.csv", split(("head",)))
    edit_csv(root, "manure.csv", split(()))
    edit_csv(root, "farm_inputs.csv", split(("amount",)))
    return names


def assessed(root: Path) -> dict[str, Any]:
    result: dict[str, Any] = assess_bundle(root).to_dict()
    return result


def farm_of(result: dict[str, Any], name: str) -> dict[str, Any]:
    found = [f for f in result["farms"] if f["farm"] == name]
    assert len(found) == 1, (name, result["farms"])
    return found[0]


def fpcm(milk_t: float, fat_pct: float, protein_pct: float) -> float:
    """F8, written out here (kg FPCM)."""
    return milk_t * 1000 * (0.1226 * fat_pct + 0.0776 * protein_pct + 0.2534)


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


def assert_stages_add_up(result: dict[str, Any]) -> None:
    carbon = result["carbon"]
    assert set(carbon["by_stage"]) == set(STAGES)
    assert close(sum(carbon["by_stage"].values()), carbon["total_kgco2e"], rel=1e-12)
    assert close(carbon["kgco2e_per_t"], carbon["total_kgco2e"] / result["production_t"], rel=1e-12)


@pytest.fixture(scope="module")
def baseline() -> dict[str, Any]:
    with label_case() as root:
        return assessed(root)


# --- scaling a farm ------------------------------------------------------------------------------------------------


@settings(max_examples=20)
@given(k=st.floats(min_value=0.01, max_value=100.0, allow_nan=False, allow_infinity=False))
@example(k=0.5)
@example(k=3.0)
def test_a_herd_farms_footprint_per_kg_fpcm_does_not_depend_on_its_size(baseline: dict[str, Any], k: float) -> None:
    before = farm_of(baseline, "牧场A")
    with label_case() as root:
        scale_farm(root, "牧场A", k)
        after = farm_of(assessed(root), "牧场A")
    assert close(after["kgco2e_per_kg_fpcm"], before["kgco2e_per_kg_fpcm"])
    assert close(after["af_milk"], before["af_milk"])
    for key in ("fpcm_delivered_kg", "ch4_enteric_kg", "ch4_manure_kg", "n2o_kg"):
        assert close(after[key], before[key] * k), key


# --- splitting a farm ----------------------------------------------------------------------------------------------


def assert_same_product_result(got: dict[str, Any], want: dict[str, Any]) -> None:
    for key in ("kgco2e_per_unit", "kgco2e_per_t", "total_kgco2e"):
        assert close(got["carbon"][key], want["carbon"][key]), key
    for stage in STAGES:
        assert close(got["carbon"]["by_stage"][stage], want["carbon"]["by_stage"][stage]), stage
    for key in ("coverage", "kgco2e_per_kg_fpcm", "fpcm_kg"):
        assert close(got["raw_milk"][key], want["raw_milk"][key]), key
    assert close(got["functional_unit"]["units"], want["functional_unit"]["units"])
    assert [(e["process"], e["item"]) for e in got["cutoff"]["excluded"]] == [
        (e["process"], e["item"]) for e in want["cutoff"]["excluded"]
    ]


def test_splitting_a_farm_into_two_halves_changes_nothing(baseline: dict[str, Any], tmp_path: Path) -> None:
    root = copy_case(tmp_path)
    one, two = split_farm(root, "牧场A", 0.5)
    got = assessed(root)
    assert_same_product_result(got, baseline)
    whole = farm_of(baseline, "牧场A")
    for name in (one, two):
        half = farm_of(got, name)
        assert half["data"] == "herd"
        assert close(half["kgco2e_per_kg_fpcm"], whole["kgco2e_per_kg_fpcm"])
        assert close(half["af_milk"], whole["af_milk"])
        for key in ("fpcm_delivered_kg", "ch4_enteric_kg", "ch4_manure_kg", "n2o_kg"):
            assert close(half[key], whole[key] / 2), key
    assert close(farm_of(got, "牧场C")["kgco2e_per_kg_fpcm"], farm_of(baseline, "牧场C")["kgco2e_per_kg_fpcm"])


@settings(max_examples=10)
@given(share=st.floats(min_value=0.05, max_value=0.95, allow_nan=False))
def test_splitting_a_farm_unevenly_changes_nothing_either(baseline: dict[str, Any], share: float) -> None:
    with label_case() as root:
        split_farm(root, "牧场A", share)
        got = assessed(root)
    assert_same_product_result(got, baseline)


# --- one package ---------------------------------------------------------------------------------------------------

NET_CONTENTS = st.one_of(
    st.tuples(st.floats(min_value=10, max_value=5000), st.sampled_from(["g"]), st.none()),
    st.tuples(st.floats(min_value=0.01, max_value=25), st.sampled_from(["kg"]), st.none()),
    st.tuples(st.floats(min_value=10, max_value=5000), st.sampled_from(["ml"]), st.floats(0.9, 1.2)),
    st.tuples(st.floats(min_value=0.01, max_value=10), st.sampled_from(["L"]), st.floats(0.9, 1.2)),
)


def net_mass_kg(content: float, unit: str, density: float | None) -> float:
    """m_u by the spec: the net content in kg, or litres × density."""
    litres = {"ml": content / 1000, "L": content}.get(unit)
    if litres is not None:
        assert density is not None
        return litres * density
    return content / 1000 if unit == "g" else content


@settings(max_examples=20)
@given(net=NET_CONTENTS)
@example(net=(900.0, "g", None))
@example(net=(250.0, "ml", 1.032))
@example(net=(1.0, "L", 1.03))
@example(net=(1.0, "kg", None))
def test_per_unit_is_per_tonne_times_net_mass(net: tuple[float, str, float | None]) -> None:
    content, unit, density = net

    def package(data: dict[str, Any]) -> None:
        product = data["product"]
        product.update(net_content=content, net_content_unit=unit)
        product.pop("density_kg_per_l", None)
        if density is not None:
            product["density_kg_per_l"] = density

    with label_case() as root:
        edit_toml(root, package)
        got = assessed(root)
    m_u = net_mass_kg(content, unit, density)
    carbon, fu = got["carbon"], got["functional_unit"]
    assert close(fu["net_mass_kg"], m_u)
    assert close(fu["units"], got["production_t"] * 1000 / m_u)
    assert close(carbon["kgco2e_per_unit"], carbon["kgco2e_per_t"] * m_u / 1000)
    # End of life: per package × N_u, for the main product (allocation none here).
    assert close(carbon["by_stage"]["end_of_life"], EOL_PER_PACKAGE * fu["units"])
    assert_stages_add_up(got)


def test_stages_add_up_in_the_reference_case(baseline: dict[str, Any]) -> None:
    assert_stages_add_up(baseline)
    assert all(v >= 0 for v in baseline["carbon"]["by_stage"].values())


# --- F11: a farm without data --------------------------------------------------------------------------------------


def assert_stand_in_is_the_weighted_mean(result: dict[str, Any], farms_csv: Rows) -> None:
    farms = {f["farm"]: f for f in result["farms"]}
    assert set(farms) == {r["farm"] for r in farms_csv}
    for r in farms_csv:  # F8 on the delivered milk
        want = fpcm(num(r["milk_t"]), num(r["fat_pct"]), num(r["protein_pct"]))
        assert close(farms[r["farm"]]["fpcm_delivered_kg"], want), r["farm"]
    known = [f for f in farms.values() if f["data"] != "none"]
    weight = sum(f["fpcm_delivered_kg"] for f in known)
    mean = sum(f["fpcm_delivered_kg"] * f["kgco2e_per_kg_fpcm"] for f in known) / weight
    for f in farms.values():
        if f["data"] == "none":
            assert close(f["kgco2e_per_kg_fpcm"], mean), f["farm"]
            assert f["af_milk"] == 1.0
            assert f["ch4_enteric_kg"] == f["ch4_manure_kg"] == f["n2o_kg"] == 0.0
        if f["data"] == "declared":
            declared = next(num(r["kgco2e_per_kg_fpcm"]) for r in farms_csv if r["farm"] == f["farm"])
            assert close(f["kgco2e_per_kg_fpcm"], declared)
    every = list(farms.values())
    total_fpcm = sum(f["fpcm_delivered_kg"] for f in every)
    assert close(result["raw_milk"]["fpcm_kg"], total_fpcm)
    assert close(
        result["raw_milk"]["kgco2e_per_kg_fpcm"],
        sum(f["fpcm_delivered_kg"] * f["kgco2e_per_kg_fpcm"] for f in every) / total_fpcm,
    )
    with_data = sum(num(r["milk_t"]) for r in farms_csv if r["data"] != "none")
    assert close(result["raw_milk"]["coverage"], with_data / sum(num(r["milk_t"]) for r in farms_csv))


def test_a_farm_without_data_takes_the_weighted_mean_in_the_reference_case(baseline: dict[str, Any]) -> None:
    _, rows = read_csv(LABEL_TINY / "farms.csv")
    assert_stand_in_is_the_weighted_mean(baseline, rows)


@settings(max_examples=20)
@given(
    declared=st.floats(min_value=0.2, max_value=3.0),
    milk_b=st.floats(min_value=1.0, max_value=20_000.0),
    milk_c=st.floats(min_value=1.0, max_value=5_000.0),
    second_none=st.booleans(),
)
def test_a_farm_without_data_takes_the_weighted_mean(
    declared: float, milk_b: float, milk_c: float, second_none: bool
) -> None:
    def change(rows: Rows) -> Rows:
        for r in rows:
            if r["farm"] == "牧场B":
                r.update(kgco2e_per_kg_fpcm=repr(declared), milk_t=repr(milk_b))
            if r["farm"] == "牧场C":
                r["milk_t"] = repr(milk_c)
        if second_none:
            rows.append({**rows[-1], "farm": "牧场D", "milk_t": "300", "fat_pct": "4.2", "protein_pct": "3.4"})
        return rows

    with label_case() as root:
        edit_csv(root, "farms.csv", change)
        _, rows = read_csv(root / "farms.csv")
        got = assessed(root)
    assert_stand_in_is_the_weighted_mean(got, rows)
    assert_stages_add_up(got)
