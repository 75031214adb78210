"""Bad input: exit code 2, a message naming file, row and column, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bundles import assessment_dict, write_bundle

GOOD = [["drying", "energy.electricity", 100, "kWh"]]
FACTORS = [["energy.electricity", "CO2", 0.7, "kg/kWh", "test"]]


def check(cli, tmp_path: Path, bundle: Path, *expected: str, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    target = tmp_path / "result.json"
    code, out, err = cli("assess", bundle, "--out", target, "--lang", lang)
    assert code == 2, (out, err)
    assert "Traceback" not in err and "Traceback" not in out
    for words in expected:
        assert words in err, err
    assert not target.exists()
    assert not list(tmp_path.glob(".result.json.*"))
    return err


CASES: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    (
        "amount not a number",
        {"activities": [["drying", "energy.electricity", "abc", "kWh"]]},
        ("activities.csv, row 2, column amount", "expected a number, got 'abc'"),
    ),
    (
        "negative amount",
        {"activities": [["drying", "energy.electricity", -5, "kWh"]]},
        ("activities.csv, row 2, column amount", "at least 0"),
    ),
    (
        "unknown unit",
        {"activities": [["drying", "energy.electricity", 5, "bananas"]]},
        ("activities.csv, row 2, column unit", "unknown unit 'bananas'"),
    ),
    (
        "unit that does not convert",
        {"activities": [["drying", "energy.electricity", 5, "kg"]]},
        ("activities.csv, row 2, column unit", "does not convert to 'kWh'"),
    ),
    (
        "unknown process",
        {"activities": [["spraying", "energy.electricity", 5, "kWh"]]},
        ("activities.csv, row 2, column process", "unknown process 'spraying'"),
    ),
    (
        "item without category",
        {"activities": [["drying", "electricity", 5, "kWh"]]},
        ("activities.csv, row 2, column item", "<category>.<name>"),
    ),
    (
        "no factor anywhere",
        {"activities": [["cip", "material.unobtainium", 5, "kg"]]},
        ("activities.csv, row 2, column item", "no emission factor"),
    ),
    (
        "known gap explains itself",
        {"activities": [["cip", "material.hno3", 5, "kg"]]},
        ("activities.csv, row 2, column item", "nitric acid"),
    ),
    (
        "unknown refrigerant",
        {"activities": [["refrigeration", "refrigerant.R9999", 5, "kg"]]},
        ("activities.csv, row 2, column item", "R9999"),
    ),
    (
        "missing column",
        {"header": ["process", "item", "unit"], "activities": [["drying", "energy.electricity", "kWh"]]},
        ("activities.csv, row 1, column amount", "required columns"),
    ),
    (
        "factor with unknown gas",
        {"factors": [["energy.electricity", "XYZ", 0.7, "kg/kWh", "t"]]},
        ("factors.csv", "XYZ"),
    ),
    (
        "factor unit without denominator",
        {"factors": [["energy.electricity", "CO2", 0.7, "kg", "t"]]},
        ("factors.csv, row 2, column unit", "kg/kWh"),
    ),
    (
        "effluent c_max not above c_nat",
        {"effluent": [["COD", 10, 2, 5]]},
        ("effluent.csv, row 2, column c_max_mg_per_l", "must be above"),
    ),
    (
        "unknown method",
        {"assessment": assessment_dict(method="cheese")},
        ("assessment.toml, column method", "unknown method 'cheese'"),
    ),
    ("gwp set", {"assessment": assessment_dict(gwp="SAR")}, ("assessment.toml, column gwp", "AR4")),
    (
        "production not positive",
        {"assessment": assessment_dict(output={"main_product_t": 0})},
        ("assessment.toml, column output.main_product_t", "above 0"),
    ),
    (
        "period backwards",
        {"assessment": assessment_dict(period={"start": "2024-12-31", "end": "2024-01-01"})},
        ("assessment.toml, column period", "before its start"),
    ),
    (
        "steam without state",
        {"activities": [["concentration", "energy.steam", 5, "t"]]},
        ("activities.csv, row 2, column unit", "[steam]"),
    ),
    (
        "fallback refused by policy",
        {
            "assessment": assessment_dict(factors={"allow_year_fallback": False}),
            "activities": [["cip", "material.naoh", 5, "kg"]],
            "factors": [],
        },
        ("activities.csv, row 2, column item", "does not allow"),
    ),
]


@pytest.mark.parametrize(("name", "spec", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_cleanly(
    cli, tmp_path: Path, name: str, spec: dict[str, Any], expected: tuple[str, ...]
) -> None:
    root = write_bundle(
        tmp_path / "bundle",
        spec.get("activities", GOOD),
        assessment=spec.get("assessment"),
        activity_header=spec.get("header"),
        factors=spec.get("factors", FACTORS),
        effluent=spec.get("effluent"),
    )
    check(cli, tmp_path, root, *expected)


def test_messages_are_chinese_by_default(cli, tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "bundle", [["drying", "energy.electricity", "abc", "kWh"]], factors=FACTORS)
    code, _, err = cli("assess", root)
    assert code == 2
    assert "activities.csv，第 2 行，列 amount" in err and "应为数字" in err


def test_all_problems_of_a_file_are_reported_together(cli, tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "bundle",
        [["drying", "energy.electricity", "x", "kWh"], ["nowhere", "energy.electricity", 1, "kWh"]],
        factors=FACTORS,
    )
    err = check(cli, tmp_path, root, "row 2, column amount", "row 3, column process")
    assert err.count("activities.csv") == 2


def test_invalid_toml_names_the_file(cli, tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "bundle", GOOD, factors=FACTORS)
    (root / "assessment.toml").write_text("bundle_version = 1\nmethod = \n", encoding="utf-8")
    check(cli, tmp_path, root, "assessment.toml", "invalid TOML")


def test_a_label_bundle_without_its_package_says_what_is_missing(cli, tmp_path: Path) -> None:
    """The label method is built (issue 16): a gate-to-gate bundle switched to it must name what the label needs."""
    root = write_bundle(
        tmp_path / "bundle", GOOD, factors=FACTORS, assessment=assessment_dict(method="dairy-carbon-label")
    )
    check(cli, tmp_path, root, "assessment.toml", "net_content")


def test_missing_bundle_and_not_a_zip(cli, tmp_path: Path) -> None:
    check(cli, tmp_path, tmp_path / "nope", "bundle not found")
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip", encoding="utf-8")
    check(cli, tmp_path, junk, "neither a folder nor a .zip")


def test_not_utf8(cli, tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "bundle", GOOD, factors=FACTORS)
    (root / "activities.csv").write_bytes("process,item,amount,unit\n干燥,energy.electricity,1,kWh\n".encode("gbk"))
    check(cli, tmp_path, root, "activities.csv", "UTF-8")


def test_bom_and_chinese_process_names_are_accepted(cli, tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "bundle", GOOD, factors=FACTORS)
    (root / "activities.csv").write_text(
        "\ufeffprocess,item,amount,unit\n干燥,energy.electricity,100,千瓦时\n", encoding="utf-8"
    )
    code, out, err = cli("assess", root, "--json")
    assert code == 0, err
    assert '"drying": 70.0' in out


def test_zip_that_escapes_its_folder_is_refused(cli, tmp_path: Path) -> None:
    import zipfile

    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("assessment.toml", "bundle_version = 1\n")
        zf.writestr("../../escaped.csv", "x\n")
    check(cli, tmp_path, evil, "escapes")
    assert not (tmp_path.parent / "escaped.csv").exists()
