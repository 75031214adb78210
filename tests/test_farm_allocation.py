"""The farms' milk/meat allocation (F9, F9b) and the per-farm inputs split: the IDF 2022 energy method reproduces the
research note's worked check (shared/research/dairy-label-data.md §3 and its test vectors), label-tiny keeps its
expected result under the default idf2015, idf2022 reads animals_sold.csv, and bad input is refused at its cell."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from milkprint.bundle.label_models import BIRTH_WEIGHT_KG
from milkprint.bundle.reader import read_bundle
from milkprint.bundle.writer import write_bundle
from milkprint.cli import app
from milkprint.engine.contract import ResultJson, StoredResultJson
from milkprint.engine.farm import (
    C_FEMALE,
    C_MALE,
    E_MILK_MJ_PER_KG_FPCM,
    fpcm_f8,
    meat_energy_per_head_f9b,
    milk_allocation_energy_f9b,
)
from milkprint.errors import InputError
from milkprint.pipeline import assess_bundle
from tests.bundles import CASES
from tests.test_reference_cases import mismatches
from tests.web import web_app  # noqa: F401  # the fixture

LABEL_TINY = CASES / "label-tiny"


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """One SQLite database for the farm page."""
    yield f"sqlite:///{tmp_path / 'milkprint.db'}"


# The research note's example herd, per 1 000 cows: 10 000 kg milk a cow at 3.9 % fat, 3.3 % protein; sold 300 cull
# cows of 650 kg (female) and 450 calves of 45 kg (C 1.0 in its script), birth weight 40 kg.
COWS, MILK_KG, FAT, PROTEIN = 1000, 10_000, 3.9, 3.3
CULLS, LW_CULL, CALVES, LW_CALF, LW_BIRTH = 300, 650.0, 450, 45.0, 40.0


def _neg(lw: float, birth: float, c: float) -> float:
    """The research script's e_meat_head, written out again."""
    return float(22.02 * (((lw - birth) / 2) / (c * lw)) ** 0.75 * (lw - birth) ** 1.097)


def test_the_meat_energy_of_a_cull_cow_is_the_worked_figure() -> None:
    per_head = meat_energy_per_head_f9b(LW_CULL, LW_BIRTH, C_FEMALE)
    assert per_head == pytest.approx(_neg(LW_CULL, LW_BIRTH, 0.8), rel=1e-12)
    assert round(per_head) == 16_771  # "cull-cow meat energy 16,771 MJ/head"


def test_the_energy_allocation_of_the_example_herd_is_0_859() -> None:
    fpcm = COWS * fpcm_f8(MILK_KG / 1000, FAT, PROTEIN)
    af = milk_allocation_energy_f9b(fpcm, [(CULLS, LW_CULL, LW_BIRTH, C_FEMALE), (CALVES, LW_CALF, LW_BIRTH, C_MALE)])
    e_milk = 3.1033 * fpcm
    e_meat = CULLS * _neg(LW_CULL, LW_BIRTH, 0.8) + CALVES * _neg(LW_CALF, LW_BIRTH, 1.0)
    assert af == pytest.approx(e_milk / (e_milk + e_meat), rel=1e-12)
    assert round(af, 3) == 0.859  # the note's AF_milk (IDF 2022), vs 0.868 by the 2015 regression
    e_std = (0.0929 * 4.0 + 0.0547 * 3.3 + 0.0395 * 4.8) * 4.184  # the note's E_std, Mcal -> MJ
    assert abs(E_MILK_MJ_PER_KG_FPCM - e_std) < 1e-4


def test_no_animals_sold_leaves_all_to_the_milk() -> None:
    assert milk_allocation_energy_f9b(1e6, []) == 1.0


def test_label_tiny_unchanged_still_matches_its_expected_result() -> None:
    doc = assess_bundle(LABEL_TINY).to_dict()
    expected = json.loads((LABEL_TINY / "expected.json").read_text(encoding="utf-8"))
    assert mismatches(expected, doc) == []
    farm_a = doc["farms"][0]
    assert farm_a["allocation"] == "idf2015"
    assert [f["allocation"] for f in doc["farms"][1:]] == [None, None]  # declared and none: no herd to allocate


def test_a_farm_keeps_its_inputs_and_their_split() -> None:
    """label-tiny's 牧场A: feed 1 500 t CO2e; electricity and diesel 714.8 t (tests/test_farm_equations.py)."""
    fp = assess_bundle(LABEL_TINY).label.farms[0]  # type: ignore[union-attr]
    assert fp.inputs_kgco2e == pytest.approx(2_214_800)
    assert dict(fp.inputs_by_group) == pytest.approx({"feed": 1_500_000, "energy": 714_800})
    assert fp.to_dict()["inputs_by_group"] == dict(fp.inputs_by_group)


# --- idf2022 on a copy of label-tiny -------------------------------------------------------------------------------


def _case(tmp_path: Path, allocation: str | None, sold: str | None, farms_edit: Any = None) -> Path:
    root = tmp_path / "case"
    shutil.copytree(LABEL_TINY, root)
    (root / "expected.json").unlink()
    if allocation is not None:
        toml = (root / "assessment.toml").read_text(encoding="utf-8")
        (root / "assessment.toml").write_text(toml + f'\n[farms]\nallocation = "{allocation}"\n', encoding="utf-8")
    if sold is not None:
        (root / "animals_sold.csv").write_text(sold, encoding="utf-8")
    if farms_edit is not None:
        text = (root / "farms.csv").read_text(encoding="utf-8")
        (root / "farms.csv").write_text(farms_edit(text), encoding="utf-8")
    return root


SOLD = "farm,kind,head,live_weight_kg,birth_weight_kg,sex\n牧场A,淘汰牛,80,650,,\n牧场A,calf_male,120,45,42,\n"


def test_idf2022_allocates_by_the_energy_of_the_animals_sold(tmp_path: Path) -> None:
    result = assess_bundle(_case(tmp_path, "idf2022", SOLD))
    fp = result.label.farms[0]  # type: ignore[union-attr]
    produced = fpcm_f8(10_000, 4.0, 3.3)  # milk_produced_t of 牧场A
    want = milk_allocation_energy_f9b(produced, [(80, 650, BIRTH_WEIGHT_KG, C_FEMALE), (120, 45, 42, C_MALE)])
    assert fp.allocation == "idf2022" and fp.af_milk == pytest.approx(want, rel=1e-12)
    assert fp.kgco2e_per_kg_fpcm == pytest.approx(fp.e_farm_kgco2e * want / produced, rel=1e-12)
    birth = [d for d in fp.defaults if d.field == "birth_weight_kg"]
    assert len(birth) == 1 and birth[0].value == BIRTH_WEIGHT_KG and birth[0].origin.row == 2
    doc = result.to_dict()
    ResultJson.model_validate(doc)
    assert doc["farms"][0]["allocation"] == "idf2022"


def test_a_farm_s_own_af_milk_comes_first(tmp_path: Path) -> None:
    root = _case(tmp_path, None, None, lambda t: t.replace("60000,,千头牧场", "60000,0.9,千头牧场"))
    fp = assess_bundle(root).label.farms[0]  # type: ignore[union-attr]
    assert fp.allocation == "own" and fp.af_milk == 0.9


def test_the_bundle_writer_keeps_animals_sold_and_the_method(tmp_path: Path) -> None:
    bundle = read_bundle(_case(tmp_path, "idf2022", SOLD))
    write_bundle(bundle, tmp_path / "copy")
    again = read_bundle(tmp_path / "copy")
    assert again.assessment.farms.allocation == "idf2022"
    assert [(a.kind, a.head, a.birth_weight_kg) for a in again.animals_sold] == [
        ("cull_cow", 80, None),
        ("calf_male", 120, 42),
    ]


def _problems(root: Path) -> list[tuple[str | None, int | None, str | None]]:
    with pytest.raises(InputError) as raised:
        read_bundle(root)
    return [(p.location.file, p.location.row, p.location.column) for p in raised.value.problems]


def test_idf2022_needs_the_animals_of_a_farm_that_sold_meat(tmp_path: Path) -> None:
    assert ("farms.csv", 2, "meat_sold_kg") in _problems(_case(tmp_path, "idf2022", None))


def test_a_live_weight_not_above_the_birth_weight_is_refused(tmp_path: Path) -> None:
    sold = "farm,kind,head,live_weight_kg,birth_weight_kg\n牧场A,cull_cow,80,650,\n牧场A,calf_male,10,38,\n"
    assert _problems(_case(tmp_path, "idf2022", sold)) == [("animals_sold.csv", 3, "live_weight_kg")]


def test_an_unknown_kind_needs_its_sex(tmp_path: Path) -> None:
    sold = "farm,kind,head,live_weight_kg\n牧场A,yak,3,300\n"
    assert _problems(_case(tmp_path, "idf2022", sold)) == [("animals_sold.csv", 2, "sex")]


def test_animals_sold_without_idf2022_would_be_ignored_so_it_is_refused(tmp_path: Path) -> None:
    assert _problems(_case(tmp_path, None, SOLD)) == [("animals_sold.csv", None, None)]


def test_an_unknown_allocation_method_is_refused_at_its_key(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        read_bundle(_case(tmp_path, "economic", None))
    assert "farms.allocation" in (raised.value.problems[0].location.column or "")


def test_bad_input_exits_2_with_its_cell_not_a_traceback(tmp_path: Path) -> None:
    sold = "farm,kind,head,live_weight_kg\n牧场A,cull_cow,80,30\n"
    out = CliRunner().invoke(app, ["assess", str(_case(tmp_path, "idf2022", sold)), "--lang", "en"])
    assert out.exit_code == 2, out.output
    assert "animals_sold.csv" in out.output and "live_weight_kg" in out.output and "Traceback" not in out.output


# --- the result contract ----------------------------------------------------------------------------------------


def test_a_label_result_stored_before_the_allocation_keys_still_validates() -> None:
    doc = json.loads(json.dumps(assess_bundle(LABEL_TINY).to_dict()))
    for farm in doc["farms"]:
        for key in ("allocation", "inputs_kgco2e", "inputs_by_group"):
            farm.pop(key)
    with pytest.raises(ValueError):
        ResultJson.model_validate(doc)  # this version renders them
    served = json.loads(StoredResultJson.model_validate(doc).model_dump_json())
    assert served["farms"][0]["allocation"] is None and served["farms"][0]["inputs_by_group"] is None


# --- the farm page ------------------------------------------------------------------------------------------------


def test_the_farm_page_shows_the_inputs_by_group_and_the_method(web_app: Any) -> None:  # noqa: F811
    from tests.test_web_label import _text, _uploaded
    from tests.web import sign_in

    aid = _uploaded(web_app)
    farm = sign_in(web_app, "甲乳业-engineer").get(f"/assessments/{aid}/farms/1")
    assert farm.status_code == 200
    assert 'data-testid="farm-inputs"' in farm.text and 'data-key="inputs-feed"' in farm.text
    text = _text(farm.text)
    assert "2,214.8" in text and "1,500.0" in text and "714.8" in text  # t CO2e: all, feed, energy
    assert "IDF 2015" in text
