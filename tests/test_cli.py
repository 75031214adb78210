"""The CLI doors: demo, factors list/show/search, JSON to a file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bundles import CASES


def test_demo_prints_tables_and_writes_json(cli, tmp_path: Path) -> None:
    code, out, err = cli("demo", "--out-dir", tmp_path)
    assert code == 0, err
    for words in ("碳足迹", "水足迹", "干燥", "取舍", "所用排放因子", "kgCO₂e/t"):
        assert words in out
    data = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert data["method"] == "milk-powder-gate-to-gate"
    assert 500 < data["carbon"]["kgco2e_per_t"] < 3000  # a plausible milk powder plant
    assert data["meters"] and data["cutoff"]["excluded"]
    # The report, label and water declaration of the same result (their content is tested in test_report.py).
    assert (tmp_path / "report.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "report.docx").read_bytes()[:2] == b"PK"
    assert (tmp_path / "water-declaration.pdf").read_bytes()[:5] == b"%PDF-"
    assert f"{data['carbon']['kgco2e_per_t']:,.0f}" in (tmp_path / "label.svg").read_text(encoding="utf-8")
    assert (tmp_path / "label.png").read_bytes()[:4] == b"\x89PNG"


def test_demo_in_english(cli, tmp_path: Path) -> None:
    code, out, _ = cli("demo", "--out-dir", tmp_path, "--lang", "en")
    assert code == 0 and "Carbon footprint" in out and "Spray drying" in out


def test_assess_tables_and_out_file(cli, tmp_path: Path) -> None:
    target = tmp_path / "r" / "tiny.json"
    code, out, err = cli("assess", CASES / "tiny", "--out", target)
    assert code == 0, err
    assert "426.90" in out
    assert json.loads(target.read_text(encoding="utf-8"))["carbon"]["kgco2e_per_t"] > 0


def test_factors_list_show_search(cli) -> None:
    code, out, _ = cli("factors", "list", "--item", "energy.electricity", "--region", "内蒙古", "--json")
    assert code == 0
    data = json.loads(out)
    assert {f["year"] for f in data["factors"]} == {2021, 2022} and data["version"]
    code, out, _ = cli("factors", "show", "cn-ndrc-natural-gas", "--json")
    assert code == 0 and {f["gas"] for f in json.loads(out)} == {"CO2", "CH4", "N2O"}
    code, out, _ = cli("factors", "search", "内蒙古 2022", "--json")
    assert code == 0 and [f["value"] for f in json.loads(out)] == [0.6849]
    code, out, _ = cli("factors", "show", "energy.electricity")
    assert code == 0 and "0.6849" in out
    code, _, err = cli("factors", "show", "material.hno3", "--lang", "en")
    assert code == 2 and "nitric acid" in err
