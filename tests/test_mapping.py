"""Meter name -> (process, item) proposals: honest held-out accuracy, confirmations, unit hints, the store."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from milkprint.errors import InputError
from milkprint.mapping import confirm, default_store, default_unit, load_model
from milkprint.mapping.evaluate import evaluate, heldout_rows
from milkprint.mapping.model import NameModel, _key, normalise, training_rows, unit_items
from milkprint.methods.items import split_item
from milkprint.methods.processes import BY_ID

METER_ITEMS = {
    "energy.electricity",
    "energy.natural_gas",
    "energy.coal",
    "energy.diesel",
    "energy.steam",
    "energy.heat",
    "water.fresh",
    "water.reused",
    "water.rain",
}


@pytest.fixture(scope="module")
def base() -> NameModel:
    """The model on the shipped names only, so no user's confirmations can flatter a figure."""
    return NameModel(training_rows())


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MILKPRINT_HOME", str(tmp_path))
    return tmp_path


def test_training_set_is_large_valid_and_covers_every_process() -> None:
    rows = training_rows()
    assert len(rows) >= 600
    assert {r.process for r in rows} == set(BY_ID)
    assert {r.item for r in rows} == METER_ITEMS
    assert all(split_item(r.item) for r in rows)


def test_heldout_is_disjoint_from_training() -> None:
    held = heldout_rows()
    train = training_rows()
    assert len(held) >= 150
    assert not {r.name for r in held} & {r.name for r in train}
    # not even after normalisation: digits, case, separators and unit brackets do not make a name new
    assert not {_key(r.name) for r in held} & {_key(r.name) for r in train}
    assert not {normalise(r.name) for r in held} & {normalise(r.name) for r in train}


def test_heldout_accuracy_is_at_least_90_percent(base: NameModel) -> None:
    result = evaluate(base, heldout_rows())
    assert result.n >= 150
    assert result.joint >= 0.90, [(m.name, m.expected, m.proposed) for m in result.misses]
    assert result.process >= result.joint and result.item >= result.joint


@pytest.mark.parametrize(
    ("name", "process", "item"),
    [
        ("浓缩车间真空泵电表", "concentration", "energy.electricity"),
        ("干燥塔风机 (kWh)", "drying", "energy.electricity"),
        ("锅炉房天然气流量计", "boiler", "energy.natural_gas"),
        ("CIP-1 fresh water", "cip", "water.fresh"),
        ("Boiler steam header FT-201", "boiler", "energy.steam"),
        ("EVAP_VAC_P01_kWh", "concentration", "energy.electricity"),
        ("Dryer ID fan", "drying", "energy.electricity"),
        ("Main incomer", "other", "energy.electricity"),
        ("1#空压机", "compressed_air", "energy.electricity"),
        ("污水站曝气风机电表", "wastewater", "energy.electricity"),
    ],
)
def test_named_examples(base: NameModel, name: str, process: str, item: str) -> None:
    [p] = base.propose([name])
    assert (p.process, p.item) == (process, item)
    assert p.name == name and not p.confirmed
    assert 0.5 < p.confidence <= 1.0


def test_proposal_shape(base: NameModel) -> None:
    proposals = base.propose(["干燥塔风机", "冷却塔补水", "叉车充电"])
    assert [p.name for p in proposals] == ["干燥塔风机", "冷却塔补水", "叉车充电"]
    for p in proposals:
        assert len(p.alternatives) <= 3
        assert all(alt[2] <= p.confidence for alt in p.alternatives)
        assert (p.process, p.item) not in {(a[0], a[1]) for a in p.alternatives}
        assert p.confidence + sum(a[2] for a in p.alternatives) <= 1.0 + 1e-9
    assert base.propose([]) == []


def test_unit_in_the_header_restricts_the_item(base: NameModel) -> None:
    assert unit_items("干燥塔风机 (kWh)") == {"energy.electricity"}
    assert unit_items("空压 AC2 kW·h") == {"energy.electricity"}
    assert unit_items("EVAP2_MVR_FAN_kW") == {"energy.electricity"}
    assert unit_items("流量（m³）") == {"water.fresh", "water.reused", "water.rain", "energy.natural_gas"}
    assert unit_items("Dryer burner NG flow Nm3") == {"energy.natural_gas"}
    assert unit_items("蒸汽 (t/h)") == {"energy.steam", "energy.coal", "water.fresh", "water.reused", "water.rain"}
    # a number with a unit inside a name is not the meter's unit; nor is a voltage
    assert unit_items("25kg大袋包装线") is None
    assert unit_items("Main incomer 10kV") is None
    assert unit_items("DRY_M3_EXH_FAN") is None  # M3 is motor 3 here, not cubic metres
    assert unit_items("evap cooling water makeup m3") == unit_items("(m3)")
    # a name that says nothing about what it measures follows its header's unit
    gas, power, water = base.propose(["XJ-07 主表 (Nm3)", "XJ-07 主表 (kWh)", "XJ-07 主表（吨水）"])
    assert gas.item == "energy.natural_gas"
    assert power.item == "energy.electricity"
    assert water.item.startswith("water.")
    # the unit is stripped from the text the model reads, and only the unit
    assert normalise("干燥塔进风加热蒸汽（t）") == normalise("干燥塔进风加热蒸汽")
    assert normalise("MVR压缩机电表（1#线）") != normalise("MVR压缩机电表")


def test_confirmation_wins_for_the_name_and_helps_near_variants(home: Path) -> None:
    store = default_store()
    assert store == home / "meter_names.csv"
    name, variant = "XJ-07 主表", "XJ-07 主表 累计读数"
    before = load_model()
    [p0] = before.propose([name])
    assert (p0.process, p0.item) != ("drying", "energy.natural_gas") and not p0.confirmed
    label = before.labels.index(("drying", "energy.natural_gas"))
    p_variant_before = before.probabilities([variant])[0, label]

    confirm(store, name, "干燥", "energy.natural_gas")  # Chinese process names are accepted
    after = load_model()
    assert after is not before
    [p1] = after.propose([name])
    assert (p1.process, p1.item, p1.confidence, p1.confirmed) == ("drying", "energy.natural_gas", 1.0, True)
    # the same name, as a SCADA header spells it, is the same confirmation
    [p2] = after.propose(["xj-07  主表 (Nm3)"])
    assert p2.confirmed and (p2.process, p2.item) == ("drying", "energy.natural_gas")
    # a near variant is not confirmed, but the model learnt from the confirmation
    [pv] = after.propose([variant])
    assert not pv.confirmed
    assert after.probabilities([variant])[0, label] > p_variant_before
    assert (pv.process, pv.item) == ("drying", "energy.natural_gas")


def test_confirm_replaces_by_normalised_name_and_writes_atomically(home: Path) -> None:
    store = home / "sub" / "names.csv"
    confirm(store, "1#真空泵", "concentration", "energy.electricity")
    confirm(store, "3号喷粉塔主排风机电表", "drying", "energy.electricity")
    confirm(store, "１＃真空泵 (kWh)", "pretreatment", "energy.electricity")  # full-width and a unit: same name
    with store.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["name"], r["process"]) for r in rows] == [
        ("3号喷粉塔主排风机电表", "drying"),
        ("１＃真空泵 (kWh)", "pretreatment"),
    ]
    assert sorted(p.name for p in store.parent.iterdir()) == ["names.csv"]  # no temporary file left behind
    assert load_model(store).propose(["1#真空泵"])[0].process == "pretreatment"


def test_a_failed_write_leaves_the_store_as_it_was(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = home / "meter_names.csv"
    confirm(store, "冷库1号", "storage", "energy.electricity")
    before = store.read_bytes()

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        confirm(store, "冷库2号", "storage", "energy.electricity")
    assert store.read_bytes() == before
    assert sorted(p.name for p in home.iterdir()) == ["meter_names.csv"]


def test_bad_confirmations_are_refused_in_both_languages(home: Path) -> None:
    store = home / "meter_names.csv"
    with pytest.raises(InputError) as err:
        confirm(store, "1#泵", "mystery", "energy.electricity")
    assert "未知工序" in err.value.message("zh") and "unknown process" in err.value.message("en")
    with pytest.raises(InputError):
        confirm(store, "1#泵", "drying", "electricity")
    with pytest.raises(InputError):
        confirm(store, "  ", "drying", "energy.electricity")
    assert not store.exists()


def test_a_hand_edited_store_with_a_bad_row_points_at_it(home: Path) -> None:
    store = home / "meter_names.csv"
    store.write_text("name,process,item\n1#泵,drying,energy.electricity\n2#泵,nowhere,energy.electricity\n", "utf-8")
    with pytest.raises(InputError) as err:
        load_model(store)
    assert "第 3 行" in err.value.message("zh") and "row 3" in err.value.message("en")


def test_model_is_cached_per_store(home: Path) -> None:
    store = home / "meter_names.csv"
    first = load_model(store)
    assert load_model(store) is first
    assert load_model() is first  # the default store is the same file
    # training time is measured by scripts/eval_mapping.py, not asserted in a unit test


def test_default_units() -> None:
    assert default_unit("energy.electricity") == "kWh"
    assert default_unit("energy.natural_gas") == "Nm3"
    assert default_unit("energy.steam") == "t"
    assert default_unit("energy.heat") == "GJ"
    assert default_unit("energy.coal") == "kg"
    assert default_unit("energy.diesel") == "L"
    assert all(default_unit(i) == "m3" for i in ("water.fresh", "water.reused", "water.rain"))
    with pytest.raises(ValueError):
        default_unit("material.carton")


def test_default_store_without_milkprint_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MILKPRINT_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_store() == tmp_path / ".local" / "share" / "milkprint" / "meter_names.csv"
