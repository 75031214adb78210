"""`milkprint check` on a dairy-label bundle: the label's own rules (supplier coverage F11, herd plausibility, manure
shares, primary data, end of life) run, and the milk powder standard's tables, mass balance and seasonality do not.

Bundles are ../shared/cases/label-tiny copied and edited; rows are numbered as a spreadsheet shows them (the header
is row 1, so the first farm is row 2).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from milkprint.cli import app
from milkprint.methods.quality_rules import CHECKS_BY_METHOD, POWDER_CHECKS, checks_for
from milkprint.pipeline import check_bundle
from milkprint.quality.findings import Finding
from milkprint.quality.report import QualityReport
from tests.bundles import CASES
from tests.test_label_properties import Rows, edit_csv

LABEL_TINY = CASES / "label-tiny"
TODAY = dt.date(2026, 3, 1)
POWDER_ONLY = (
    "completeness.energy",
    "completeness.substitutes",
    "seasonality",
    "coverage",
    "mass_balance",
    "allocation",
)


def label_copy(tmp_path: Path) -> Path:
    root = tmp_path / "bundle"
    shutil.copytree(LABEL_TINY, root)
    (root / "expected.json").unlink()
    return root


def run(root: Path) -> QualityReport:
    return check_bundle(root, today=TODAY)


def of(report: QualityReport, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check == check or f.check.startswith(check + ".")]


def set_cell(root: Path, name: str, key: str, value: str, column: str, new: str) -> None:
    """Set `column` of the row whose first column is `key` (and, for herd.csv, whose category is `value`)."""

    def change(rows: Rows) -> Rows:
        for r in rows:
            first = next(iter(r.values()))
            if first == key and (not value or r.get("category") == value):
                r[column] = new
        return rows

    edit_csv(root, name, change)


def test_checks_are_chosen_by_method() -> None:
    label = checks_for("dairy-carbon-label")
    assert "label" in label and not label & set(POWDER_CHECKS)
    assert set(POWDER_CHECKS) <= checks_for("milk-powder-gate-to-gate")
    assert "label" not in CHECKS_BY_METHOD["milk-powder-gate-to-gate"]


def test_label_tiny_has_no_gate_to_gate_nonconformities() -> None:
    report = run(LABEL_TINY)
    assert report.conforming, [f.text.en for f in report.findings if f.severity == "error"]
    for check in POWDER_ONLY:
        assert not of(report, check), check
    # generic checks still run, citing the label rules where they state the same rule
    assert {f.clause.id for f in of(report, "dqr")} == {"label.data_quality"}
    assert {f.clause.id for f in of(report, "timeliness")} == {"label.timeliness"}
    assert of(report, "meters")
    coverage = of(report, "label.coverage")
    assert [f.severity for f in coverage] == ["info"]
    assert coverage[0].figures["coverage"] == 0.875
    assert coverage[0].clause.id == "label.sampling"
    herd = of(report, "label.herd")
    assert [f.severity for f in herd] == ["info"]
    assert round(float(herd[0].figures["kg_milk_per_cow_day"] or 0), 2) == 27.40
    assert {f.severity for f in of(report, "label.manure")} == {"info"}
    assert len(of(report, "label.end_of_life")) == 2


def test_coverage_below_half_is_an_error_naming_farms_csv(tmp_path: Path) -> None:
    root = label_copy(tmp_path)
    set_cell(root, "farms.csv", "牧场C", "", "milk_t", "8000")  # 7,000 t of 15,000 t with data: 46.7 %
    report = run(root)
    errors = [f for f in of(report, "label.coverage") if f.severity == "error"]
    assert len(errors) == 1
    f = errors[0]
    assert f.where.location is not None and f.where.location.file == "farms.csv"
    assert "牧场C" in f.text.zh and "牧场C" in f.text.en
    assert abs(float(f.figures["coverage"] or 0) - 7000 / 15000) < 1e-12
    assert not report.conforming


def test_implausible_milk_per_cow_warns_at_the_herd_row(tmp_path: Path) -> None:
    root = label_copy(tmp_path)
    set_cell(root, "herd.csv", "牧场A", "泌乳牛", "head", "100")  # 274 kg per cow per day
    report = run(root)
    warnings = [f for f in of(report, "label.herd") if f.severity == "warning"]
    places = {
        (f.where.location.file, f.where.location.row, f.where.location.column) for f in warnings if f.where.location
    }
    assert ("herd.csv", 2, "head") in places
    assert ("herd.csv", 2, "milk_kg_per_day") in places  # herd.csv's 30 kg/day no longer matches farms.csv
    per_cow = next(f for f in warnings if f.where.location and f.where.location.column == "head")
    assert round(float(per_cow.figures["kg_milk_per_cow_day"] or 0), 1) == 274.0


def test_implausible_dmi_warns_at_its_cell(tmp_path: Path) -> None:
    root = label_copy(tmp_path)
    set_cell(root, "herd.csv", "牧场A", "泌乳牛", "dmi_kg_per_day", "40")
    report = run(root)
    dmi = [f for f in of(report, "label.herd") if "dmi_kg_per_day" in f.figures]
    assert len(dmi) == 1 and dmi[0].severity == "warning"
    loc = dmi[0].where.location
    assert loc is not None and (loc.file, loc.row, loc.column) == ("herd.csv", 2, "dmi_kg_per_day")


def test_undocumented_secondary_distribution_row_is_an_error(tmp_path: Path) -> None:
    root = label_copy(tmp_path)

    def secondary(rows: Rows) -> Rows:
        for r in rows:
            if r["process"] == "transport":
                r["data_type"], r["source"], r["note"] = "secondary", "", ""
        return rows

    edit_csv(root, "activities.csv", secondary)
    report = run(root)
    errors = [f for f in of(report, "label.primary") if f.severity == "error"]
    assert len(errors) == 1 and errors[0].clause.id == "label.primary_distribution"
    loc = errors[0].where.location
    assert loc is not None and (loc.file, loc.row, loc.column) == ("activities.csv", 7, "data_type")


def test_cli_check_on_label_tiny_lists_the_label_findings() -> None:
    result = CliRunner().invoke(app, ["check", str(LABEL_TINY), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == "dairy-carbon-label"
    assert data["verdict"]["conforming"] is True
    checks = {f["check"] for f in data["findings"]}
    assert {"label.coverage", "label.herd", "label.manure", "label.primary", "label.end_of_life"} <= checks
    assert not any(c.startswith(("mass_balance", "seasonality")) for c in checks)
    table = CliRunner().invoke(app, ["check", str(LABEL_TINY), "--lang", "en"])
    assert table.exit_code == 0 and "Label data" in table.stdout
