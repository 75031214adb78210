"""Series products of the dairy label (label rules 8): compared and declared per package, never mixed with per-t
products or with another package size."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from milkprint.errors import InputError
from milkprint.pipeline import assess_bundle, series_bundles
from tests.bundles import CASES

TINY = CASES / "label-tiny"


def variant(tmp_path: Path, name: str, declared: str = "1.12", net_content: str | None = None) -> Path:
    """label-tiny as another product of the series: its name, farm B's declared footprint, maybe its net content."""
    root = tmp_path / name
    shutil.copytree(TINY, root, ignore=shutil.ignore_patterns("expected.json"))
    toml = (root / "assessment.toml").read_text(encoding="utf-8").replace('name = "全脂乳粉"', f'name = "{name}"')
    if net_content is not None:
        toml = toml.replace("net_content = 900", f"net_content = {net_content}")
    (root / "assessment.toml").write_text(toml, encoding="utf-8")
    with (root / "farms.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[1]["kgco2e_per_kg_fpcm"] = declared
    with (root / "farms.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return root


def test_a_label_series_is_declared_per_package(tmp_path: Path) -> None:
    other = variant(tmp_path, "脱脂乳粉")
    made = series_bundles([TINY, other])
    per_unit = [assess_bundle(p).kgco2e_per_unit for p in (TINY, other)]
    assert [m.value for m in made.members] == per_unit
    assert made.declared == pytest.approx(sum(v for v in per_unit if v is not None) / 2)
    assert "每罐" in made.unit("zh") and "900 g" in made.unit("en")
    assert made.to_dict("zh")["unit"] == made.unit("zh")


def test_a_series_mixing_per_package_and_per_t_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        series_bundles([TINY, CASES / "tiny"])
    assert "per package" in raised.value.problems[0].text.en


def test_a_series_of_different_packages_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        series_bundles([TINY, variant(tmp_path, "小罐", net_content="400")])
    assert raised.value.problems[0].location.column == "product.package"


def test_the_cli_writes_the_series_label_per_package(cli, tmp_path: Path) -> None:
    label = tmp_path / "series.svg"
    code, out, err = cli("series", TINY, variant(tmp_path, "脱脂乳粉"), "-o", label, "--json")
    assert code == 0, err
    made = json.loads(out)
    assert "每罐" in made["unit"]
    svg = label.read_text(encoding="utf-8")
    assert "每罐" in svg and f"{made['declared']:.2f}" in svg
