"""The terminal output of a dairy-label result: per package in the package's words, the stages and the farms, and no
water table (the label has no water footprint)."""

from __future__ import annotations

from tests.bundles import CASES

TINY = CASES / "label-tiny"


def test_assess_prints_the_package_the_stages_and_the_farms(cli) -> None:
    code, out, err = cli("assess", TINY)
    assert code == 0, err
    assert "每罐 (900 g)：8.608 kgCO₂e" in out and "87.5%" in out
    for stage in ("原材料获取", "生产", "分销存储", "生命末期"):
        assert stage in out
    for farm in ("牧场A", "牧场B", "牧场C"):
        assert farm in out
    assert "水足迹" not in out


def test_assess_in_english(cli) -> None:
    code, out, err = cli("assess", TINY, "--lang", "en")
    assert code == 0, err
    assert "per can (900 g): 8.608 kgCO₂e" in out and "Life-cycle stages" in out and "Water" not in out


def test_a_gate_to_gate_result_keeps_its_water_table(cli) -> None:
    code, out, err = cli("assess", CASES / "tiny")
    assert code == 0, err
    assert "水足迹" in out and "每" not in out.split("\n")[1]
