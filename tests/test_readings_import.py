"""`milkprint readings import`: real export files built here, imported by the real CLI, checked against sums
computed independently in the test (and against `milkprint assess`, so nothing is counted twice)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from milkprint.mapping.model import load_model
from milkprint.readings.assign import SeriesFacts, derive_id, infer_kind, register_max_for
from milkprint.readings.sources import detect_decimal, split_unit
from tests.bundles import assessment_dict, write_bundle

T0 = dt.datetime(2024, 1, 1, 1, 0)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's store of confirmations lives in the test's folder, never in the real home."""
    path = tmp_path / "home"
    monkeypatch.setenv("MILKPRINT_HOME", str(path))
    return path


def bundle(tmp_path: Path, sections: dict[str, Any] | None = None, **kw: Any) -> Path:
    return write_bundle(
        tmp_path / "bundle",
        [["other", "energy.natural_gas", 1000, "Nm3"]],
        assessment=assessment_dict(period={"start": "2024-01-01", "end": "2024-01-31"}, **(sections or {})),
        **kw,
    )


def write(path: Path, header: list[str], rows: list[list[Any]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def run_import(cli: Any, *args: Any) -> tuple[int, dict[str, Any] | None, str]:
    code, out, err = cli("readings", "import", *args, "--json", lang="en")
    return code, (json.loads(out) if code == 0 and out.strip() else None), err


def assessed(cli: Any, root: Path) -> dict[str, float]:
    code, out, err = cli("assess", root, "--json")
    assert code == 0, err
    return {m["meter_id"]: m["amount"] for m in json.loads(out)["meters"]}


def readings(root: Path) -> list[tuple[str, str, str]]:
    with (root / "readings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["timestamp", "meter_id", "value"]
    return [(r[0], r[1], r[2]) for r in rows[1:]]


def meters(root: Path) -> dict[str, dict[str, str]]:
    with (root / "meters.csv").open(encoding="utf-8") as fh:
        return {r["name"] or r["meter_id"]: r for r in csv.DictReader(fh)}


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in root.iterdir()}


def in_period(ts: dt.datetime) -> bool:
    """Interval readings of January 2024 count when 2024-01-01 00:00 < ts <= 2024-02-01 00:00."""
    return dt.datetime(2024, 1, 1) < ts <= dt.datetime(2024, 2, 1)


def sorted_by_meter_then_time(rows: list[tuple[str, str, str]]) -> bool:
    keys = [(m, dt.datetime.fromisoformat(t)) for t, m, _ in rows]
    return keys == sorted(keys)


# ------------------------------------------------------------------------------------------------ shapes


def test_wide_csv_with_units_in_headers(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    times = [T0 + i * HOUR for i in range(30)]
    conc = [round(1 + (i * 7 % 10) / 4, 2) for i in range(30)]
    gas = [round(100 + 3.5 * i, 1) for i in range(30)]  # a register that only rises
    src = write(
        tmp_path / "scada.csv",
        ["采集时间", "浓缩车间真空泵电表 (kWh)", "锅炉天然气累计[Nm3]", "备注"],
        [[t.strftime("%Y-%m-%d %H:%M:%S"), c, g, "ok"] for t, c, g in zip(times, conc, gas, strict=True)]
        + [["合计", sum(conc), "", ""], ["", "", "", ""]],  # a report's total row and an empty row are not readings
    )
    code, report, err = run_import(cli, src, "--bundle", root, "--yes")
    assert code == 0, err
    assert report is not None and report["shape"] == "wide" and report["ignored_columns"] == ["备注"]
    m = meters(root)
    assert m["浓缩车间真空泵电表"]["unit"] == "kWh" and m["浓缩车间真空泵电表"]["kind"] == "interval"
    assert m["锅炉天然气累计"]["unit"] == "Nm3" and m["锅炉天然气累计"]["kind"] == "cumulative"
    assert float(m["锅炉天然气累计"]["register_max"]) == 10 ** math.ceil(math.log10(max(gas)))
    rows = readings(root)
    assert len(rows) == 60 and sorted_by_meter_then_time(rows)
    totals = assessed(cli, root)
    conc_id, gas_id = m["浓缩车间真空泵电表"]["meter_id"], m["锅炉天然气累计"]["meter_id"]
    assert totals[conc_id] == pytest.approx(sum(conc))
    assert totals[gas_id] == pytest.approx(gas[-1] - gas[0])


def test_long_csv_meter_ids_and_names(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    rows = []
    for i in range(12):  # time-major, as historians export
        t = (T0 + i * HOUR).isoformat()
        rows += [[t, "PLC2.DB10.Dryer_Fan_kWh", 2 + i % 3], [t, "CIP清洗泵 (kWh)", 0.5 * (i % 4)]]
    src = write(tmp_path / "long.csv", ["timestamp", "tag", "value"], rows)
    code, _, err = run_import(cli, src, "--bundle", root, "--yes")
    assert code == 0, err
    m = meters(root)
    assert m["PLC2.DB10.Dryer_Fan_kWh"]["meter_id"] == "PLC2.DB10.Dryer_Fan_kWh"  # an ASCII tag is its own id
    cip = m["CIP清洗泵"]
    assert cip["meter_id"].isascii() and cip["unit"] == "kWh"
    written = readings(root)
    assert sorted_by_meter_then_time(written) and len(written) == 24
    totals = assessed(cli, root)
    assert cip["kind"] == "interval"
    assert totals[cip["meter_id"]] == pytest.approx(sum(0.5 * (i % 4) for i in range(12)))


def test_xlsx_wide_with_excel_datetimes_and_title_row(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "能耗"
    ws.append(["某乳粉厂 2024 年 1 月能耗报表"])
    ws.append(["时间", "干燥塔风机 (kWh)", "喷雾干燥天然气 (Nm3)"])
    values = [(T0 + i * HOUR, 10.0 + i % 7, 3.25 * (i % 4)) for i in range(20)]
    for row in values:
        ws.append(list(row))
    ws.append(["合计", sum(v[1] for v in values), None])  # a report's total row is not a reading
    path = tmp_path / "report.xlsx"
    wb.save(path)
    code, report, err = run_import(cli, path, "--bundle", root, "--yes")
    assert code == 0, err
    assert report is not None and report["format"] == "xlsx" and report["rows_read"] == 20
    m = meters(root)
    fan = m["干燥塔风机"]["meter_id"]
    first = next(r for r in readings(root) if r[1] == fan)
    assert first[0] == T0.isoformat()
    assert assessed(cli, root)[fan] == pytest.approx(sum(v[1] for v in values))


def test_xlsx_error_names_the_sheet_row(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(["时间", "干燥塔风机 (kWh)"])
    for i in range(5):
        ws.append([T0 + i * HOUR, "12,x" if i == 3 else 1.0 + i])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    before = snapshot(root)
    code, _, err = run_import(cli, path, "--bundle", root, "--yes")
    assert code == 2
    assert "bad.xlsx" in err and "row 5" in err and "干燥塔风机 (kWh)" in err and "12,x" in err
    assert snapshot(root) == before


def test_parquet_wide(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    path = tmp_path / "export.parquet"
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT TIMESTAMP '2024-01-01 01:00:00' + i * INTERVAL 1 HOUR AS "time",
                     CAST(1 + i % 5 AS DOUBLE) AS "制冷机组 (kWh)", CAST(i % 3 * 0.25 AS DOUBLE) AS "空压机 (kWh)"
              FROM range(48) t(i)) TO '{path}' (FORMAT parquet)""")
    con.close()
    code, report, err = run_import(cli, path, "--bundle", root, "--yes")
    assert code == 0, err
    assert report is not None and report["format"] == "parquet" and report["rows_read"] == 48
    m = meters(root)
    totals = assessed(cli, root)
    assert totals[m["制冷机组"]["meter_id"]] == pytest.approx(sum(1 + i % 5 for i in range(48)))
    assert totals[m["空压机"]["meter_id"]] == pytest.approx(sum(i % 3 * 0.25 for i in range(48)))


# ------------------------------------------------------------------------------------- values and time


def test_decimal_comma_semicolon_gbk(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    values = [1234.5, 0.25, 17.0, 2001.75]
    text = ["1.234,5", "0,25", "17", "2.001,75"]
    src = write(
        tmp_path / "export.csv",
        ["日期", "干燥塔风机 (kWh)"],
        [[(T0 + i * HOUR).strftime("%d.%m.%Y %H:%M"), t] for i, t in enumerate(text)],
        delimiter=";",
        encoding="gb18030",
    )
    code, report, err = run_import(cli, src, "--bundle", root, "--yes")
    assert code == 0, err
    assert report is not None and report["decimal"] == ","
    fan = meters(root)["干燥塔风机"]["meter_id"]
    assert [float(v) for _, m, v in readings(root) if m == fan] == values
    assert assessed(cli, root)[fan] == pytest.approx(sum(values))


def test_offsets_and_export_time_zone(cli: Any, tmp_path: Path) -> None:
    """Times with an offset are instants; plain times are in --timezone; both land in plant local time (UTC+8)."""
    root = bundle(tmp_path)
    utc = [dt.datetime(2024, 1, 31, 12, 0) + i * HOUR for i in range(8)]  # 20:00 .. 03:00 (+1 day) in Shanghai
    with_offset = write(tmp_path / "a.csv", ["timestamp", "制冷机组 (kWh)"],
                        [[t.isoformat() + "Z", 1.0] for t in utc])
    plain = write(tmp_path / "b.csv", ["timestamp", "空压机 (kWh)"], [[t.isoformat(), 2.0] for t in utc])
    assert run_import(cli, with_offset, "--bundle", root, "--yes")[0] == 0
    code, _, err = run_import(cli, plain, "--bundle", root, "--yes", "--timezone", "UTC")
    assert code == 0, err
    local = [t + dt.timedelta(hours=8) for t in utc]
    m = meters(root)
    for name in ("制冷机组", "空压机"):
        got = [t for t, mid, _ in readings(root) if mid == m[name]["meter_id"]]
        assert got == [t.isoformat() for t in local]
    totals = assessed(cli, root)  # January ends at 2024-02-01 00:00 local: 20:00 .. 00:00 count
    inside = sum(1 for t in local if in_period(t))
    assert totals[m["制冷机组"]["meter_id"]] == pytest.approx(1.0 * inside)
    assert totals[m["空压机"]["meter_id"]] == pytest.approx(2.0 * inside)


def test_day_first_ambiguity_refused_then_decided(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    src = write(tmp_path / "x.csv", ["time", "干燥塔风机 (kWh)"],
                [[f"0{d}/01/2024 08:00", 1.0] for d in range(1, 6)])
    before = snapshot(root)
    code, _, err = run_import(cli, src, "--bundle", root, "--yes")
    assert code == 2 and "--dayfirst" in err and snapshot(root) == before
    code, _, err = run_import(cli, src, "--bundle", root, "--yes", "--dayfirst")
    assert code == 0, err
    assert [t for t, _, _ in readings(root)] == [f"2024-01-0{d}T08:00:00" for d in range(1, 6)]


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2024年1月5日 8时", "2024-01-05T08:00:00"),
        ("2024/1/5 8:00", "2024-01-05T08:00:00"),
        ("1/5/2024 8:00 PM", "2024-01-05T20:00:00"),  # month first: the second field of 1/13 decides
        ("1704441600", "2024-01-05T16:00:00"),  # Unix seconds are UTC
        ("202401050800", "2024-01-05T08:00:00"),  # compact, not Unix seconds
    ],
)
def test_timestamp_spellings(cli: Any, tmp_path: Path, stamp: str, expected: str) -> None:
    root = bundle(tmp_path)
    rows = [[stamp, 1.0]]
    if "PM" in stamp:
        rows.append(["1/13/2024 8:00 PM", 1.0])
    if stamp.isdigit():  # a second reading an hour later, in the same spelling
        rows.append([str(int(stamp) + 3600) if len(stamp) == 10 else stamp[:8] + "0900", 1.0])
    src = write(tmp_path / "t.csv", ["时间", "干燥塔风机 (kWh)"], rows)
    code, _, err = run_import(cli, src, "--bundle", root, "--yes")
    assert code == 0, err
    assert readings(root)[0][0] == expected


# ---------------------------------------------------------------------- duplicates, conflicts, overlap


def test_duplicates_conflicts_order_and_overlap_count_once(cli: Any, tmp_path: Path) -> None:
    old = [(T0 + i * HOUR, 1.0) for i in range(24)]  # 01:00 .. 00:00 next day
    root = bundle(
        tmp_path,
        meters=[["E-DRY-01", "drying", "energy.electricity", "kWh", "interval", "", "", ""]],
        readings=[[t.isoformat(), "E-DRY-01", v] for t, v in old],
    )
    with (root / "meters.csv").open("w", encoding="utf-8") as fh:  # the saved mapping: the export's name
        fh.write("meter_id,process,item,unit,kind,name\nE-DRY-01,drying,energy.electricity,kWh,interval,干燥塔风机\n")
    start = T0 + 11 * HOUR  # 12:00
    new = [(start + i * HOUR, 2.0 + i) for i in range(20)]
    rows = [[t.isoformat(sep=" "), "干燥塔风机", v] for t, v in new]
    rows.insert(5, rows[5])  # an identical duplicate
    rows.append([new[3][0].isoformat(sep=" "), "干燥塔风机", 99.0])  # a conflict: the last row in the file wins
    rows[10], rows[12] = rows[12], rows[10]  # out of order
    src = write(tmp_path / "new.csv", ["时间", "表计名称", "读数"], rows)

    code, report, err = run_import(cli, src, "--bundle", root)  # a saved mapping needs no --yes
    assert code == 0, err
    assert report is not None
    (m,) = report["meters"]
    lo, hi = new[0][0], new[-1][0]
    replaced = [t for t, _ in old if lo <= t <= hi]
    assert m["origin"] == "saved" and m["meter_id"] == "E-DRY-01"
    assert (m["duplicates"], m["conflicts"], m["replaced"]) == (1, 1, len(replaced))
    assert m["reordered"] >= 1 and m["conflict_examples"][0]["values"] == [new[3][1], 99.0]

    expected: dict[dt.datetime, float] = {t: v for t, v in old if not lo <= t <= hi}
    for t, _, v in ((dt.datetime.fromisoformat(r[0]), r[1], float(r[2])) for r in rows):
        expected[t] = v  # file order: the last value of a time wins
    written = readings(root)
    assert sorted_by_meter_then_time(written)
    assert {dt.datetime.fromisoformat(t): float(v) for t, _, v in written} == expected
    assert len(written) == len(expected)
    assert assessed(cli, root)["E-DRY-01"] == pytest.approx(sum(v for t, v in expected.items() if in_period(t)))

    # importing the same file again changes nothing: its readings replace themselves
    before = readings(root)
    assert run_import(cli, src, "--bundle", root)[0] == 0
    assert readings(root) == before


def test_other_meters_readings_are_kept(cli: Any, tmp_path: Path) -> None:
    root = bundle(
        tmp_path,
        meters=[["A-OLD", "cip", "energy.electricity", "kWh", "interval", "", "", ""],
                ["Z-OLD", "packaging", "energy.electricity", "kWh", "interval", "", "", ""]],
        readings=[[(T0 + i * HOUR).isoformat(), mid, 1.5] for i in range(5) for mid in ("Z-OLD", "A-OLD")],
    )
    src = write(tmp_path / "n.csv", ["time", "干燥塔风机 (kWh)"], [[(T0 + i * HOUR).isoformat(), 3.0] for i in range(4)])
    code, _, err = run_import(cli, src, "--bundle", root, "--yes")
    assert code == 0, err
    written = readings(root)
    assert sorted_by_meter_then_time(written)
    ids = [mid for _, mid, _ in written]
    assert ids.count("A-OLD") == 5 and ids.count("Z-OLD") == 5 and len(written) == 14
    totals = assessed(cli, root)
    assert totals["A-OLD"] == pytest.approx(7.5) and totals["Z-OLD"] == pytest.approx(7.5)


# ------------------------------------------------------------------------------------------- mapping


def test_mapping_reused_on_second_import(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    first = write(tmp_path / "jan-a.csv", ["time", "干燥塔风机 (kWh)"], [[(T0 + i * HOUR).isoformat(), 1.0] for i in range(5)])
    assert run_import(cli, first, "--bundle", root, "--yes")[0] == 0
    meter_id = meters(root)["干燥塔风机"]["meter_id"]
    later = T0 + 10 * HOUR
    second = write(tmp_path / "jan-b.csv", ["time", "干燥塔风机 (kWh)"], [[(later + i * HOUR).isoformat(), 2.0] for i in range(5)])
    code, report, err = run_import(cli, second, "--bundle", root)  # no --yes: the bundle knows this meter
    assert code == 0, err
    assert report is not None and report["meters"][0]["origin"] == "saved"
    assert len(meters(root)) == 1
    assert assessed(cli, root)[meter_id] == pytest.approx(5 * 1.0 + 5 * 2.0)


def test_mapping_file_edits_are_saved_to_the_store(cli: Any, tmp_path: Path, home: Path) -> None:
    root = bundle(tmp_path)
    src = write(tmp_path / "x.csv", ["time", "XJ-07 主表", "3#泵 (kWh)"],
                [[(T0 + i * HOUR).isoformat(), 1.0 + i, 2.0] for i in range(6)])
    mapping = write(tmp_path / "map.csv", ["name", "meter_id", "process", "item", "unit", "kind"],
                    [["XJ-07 主表", "G-BLR-07", "锅炉", "energy.natural_gas", "Nm3", "interval"], ["3#泵 (kWh)", "", "skip", "", "", ""]])
    code, report, err = run_import(cli, src, "--bundle", root, "--mapping", mapping)
    assert code == 0, err
    assert report is not None
    m = meters(root)
    assert set(m) == {"XJ-07 主表"}
    assert (m["XJ-07 主表"]["meter_id"], m["XJ-07 主表"]["process"], m["XJ-07 主表"]["item"]) == (
        "G-BLR-07", "boiler", "energy.natural_gas")
    assert {mid for _, mid, _ in readings(root)} == {"G-BLR-07"}  # the skipped column's readings left out
    store = home / "meter_names.csv"
    with store.open(encoding="utf-8") as fh:
        saved = list(csv.DictReader(fh))
    assert {"name": "XJ-07 主表", "process": "boiler", "item": "energy.natural_gas"} in saved
    (proposal,) = load_model(store).propose(["XJ-07 主表"])
    assert proposal.confirmed and (proposal.process, proposal.item) == ("boiler", "energy.natural_gas")


def test_min_confidence_refuses_and_lists_the_rest(cli: Any, tmp_path: Path, home: Path) -> None:
    root = bundle(tmp_path)
    names = ["Tag_0042", "干燥塔风机 (kWh)"]
    src = write(tmp_path / "x.csv", ["time", *names], [[(T0 + i * HOUR).isoformat(), 1.0, 2.0] for i in range(5)])
    conf = {p.name: p.confidence for p in load_model(home / "meter_names.csv").propose(names)}
    threshold = (conf["Tag_0042"] + conf["干燥塔风机 (kWh)"]) / 2
    assert conf["Tag_0042"] < threshold < conf["干燥塔风机 (kWh)"]
    before = snapshot(root)
    code, _, err = run_import(cli, src, "--bundle", root, "--yes", "--min-confidence", f"{threshold:.6f}")
    assert code == 2 and "Tag_0042" in err and "干燥塔风机" not in err  # only the proposals below are listed
    assert snapshot(root) == before and not (home / "meter_names.csv").exists()
    code, _, err = run_import(cli, src, "--bundle", root, "--yes", "--min-confidence", f"{min(conf.values()) / 2:.6f}")
    assert code == 0, err


def test_unconfirmed_without_terminal_is_refused(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    src = write(tmp_path / "x.csv", ["time", "干燥塔风机 (kWh)"], [[(T0 + i * HOUR).isoformat(), 1.0] for i in range(3)])
    before = snapshot(root)
    code, _, err = cli("readings", "import", src, "--bundle", root, lang="en")
    assert code == 2 and "--yes" in err and snapshot(root) == before


def test_dry_run_writes_nothing(cli: Any, tmp_path: Path, home: Path) -> None:
    root = bundle(tmp_path)
    src = write(tmp_path / "x.csv", ["time", "干燥塔风机 (kWh)"], [[(T0 + i * HOUR).isoformat(), 1.0] for i in range(3)])
    before = snapshot(root)
    code, report, err = run_import(cli, src, "--bundle", root, "--dry-run")
    assert code == 0, err
    assert report is not None and not report["written"] and report["rows_written"] == 3
    assert snapshot(root) == before and not (home / "meter_names.csv").exists()


def test_rate_unit_is_refused(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    src = write(tmp_path / "x.csv", ["time", "干燥塔风机 (kW)"], [[(T0 + i * HOUR).isoformat(), 50.0] for i in range(3)])
    code, _, err = run_import(cli, src, "--bundle", root, "--yes")
    assert code == 2 and "kW" in err and "rate" in err


# --------------------------------------------------------------------------------------------- errors


def test_bad_timestamp_and_number_name_row_and_column(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    rows = [[(T0 + i * HOUR).isoformat(sep=" "), 1.0, 2.0] for i in range(8)]
    rows[2][0] = "2024-13-45 99:00"
    rows[5][2] = "12..5"
    src = tmp_path / "x.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        fh.write("采集时间,干燥塔风机 (kWh),CIP清洗泵 (kWh)\n")
        for i, r in enumerate(rows):
            if i == 4:
                fh.write("\n")  # a blank line: row numbers stay those of a text editor
            fh.write(",".join(map(str, r)) + "\n")
    before = snapshot(root)
    code, _, err = run_import(cli, src, "--bundle", root, "--yes")
    assert code == 2
    assert "x.csv, row 4, column 采集时间" in err and "2024-13-45 99:00" in err
    assert "x.csv, row 8, column CIP清洗泵 (kWh)" in err and "12..5" in err
    assert snapshot(root) == before
    assert not [p for p in root.parent.iterdir() if p.name.startswith(".bundle")]  # no work folder left


def test_not_a_bundle(cli: Any, tmp_path: Path) -> None:
    src = write(tmp_path / "x.csv", ["time", "a (kWh)"], [[T0.isoformat(), 1.0]])
    (tmp_path / "empty").mkdir()
    code, _, err = run_import(cli, src, "--bundle", tmp_path / "empty", "--yes")
    assert code == 2 and "assessment.toml" in err


# --------------------------------------------------------------------------------------- pure parts


def test_split_unit() -> None:
    assert split_unit("干燥塔风机 (kWh)") == ("干燥塔风机", "kWh")
    assert split_unit("干燥塔风机（Nm³）") == ("干燥塔风机", "Nm3")
    assert split_unit("MVR压缩机电表（1#线）") == ("MVR压缩机电表（1#线）", None)


def test_detect_decimal() -> None:
    assert detect_decimal(["1.234,5", "3"], None, "f")[0] == ","
    assert detect_decimal(["1,234.5", "3.5"], None, "f") == (".", True)
    assert detect_decimal(["12.5", "--"], None, "f") == (".", False)
    assert detect_decimal(["1,234", "5,678"], None, "f") == (".", True)  # a comma that groups thousands (1234)
    with pytest.raises(Exception, match="12,5"):
        detect_decimal(["12.5", "12,5"], None, "f")


def test_kind_from_the_data() -> None:
    wraps = SeriesFacts(readings=200, steps=199, rises=197, falls=1, negative=0, maximum=99_990.0, lowest_before_fall=99_950.0)
    assert infer_kind(wraps)[:2] == ("cumulative", register_max_for(99_990.0)) and register_max_for(99_990.0) == 100_000
    resets = SeriesFacts(200, 199, 195, 1, 0, 99_990.0, 20_000.0)
    assert infer_kind(resets)[0] == "interval" and "reset" in infer_kind(resets)[2]
    noisy = SeriesFacts(200, 199, 100, 99, 0, 50.0, 1.0)
    assert infer_kind(noisy)[0] == "interval"


def test_derive_id_unique_and_ascii() -> None:
    taken = {"E-CONC-01"}
    first = derive_id("浓缩车间真空泵电表", "concentration", "energy.electricity", taken)
    assert first == "E-CONC-02"
    assert derive_id("PLC2 DB10/Evap", "concentration", "energy.steam", set()) == "PLC2_DB10_Evap"
    assert derive_id("PLC2 DB10/Evap", "concentration", "energy.steam", {"PLC2_DB10_Evap"}) == "PLC2_DB10_Evap-2"


# ------------------------------------------------------------------------------------------ terminal


def test_interactive_edit_then_accept(tmp_path: Path, home: Path) -> None:
    """In a terminal the proposal is a table; a line number edits that meter, Enter accepts all."""
    import os
    import pty
    import select
    import subprocess

    from tests.conftest import CLI

    root = bundle(tmp_path)
    src = write(tmp_path / "x.csv", ["time", "干燥塔风机 (kWh)", "Tag_0042"],
                [[(T0 + i * HOUR).isoformat(), 1.0 + i % 2, 5.0 + i % 3] for i in range(6)])
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(CLI), "readings", "import", str(src), "--bundle", str(root), "--lang", "en"],
                            stdin=slave, stdout=slave, stderr=slave, env=dict(os.environ, COLUMNS="160"))
    os.close(slave)
    seen = ""

    def expect(text: str) -> None:
        nonlocal seen
        deadline = 60.0
        while text not in seen:
            ready, _, _ = select.select([master], [], [], deadline)
            assert ready, f"timed out waiting for {text!r}; screen so far:\n{seen}"
            try:
                seen += os.read(master, 65536).decode("utf-8", "replace")
            except OSError:  # the child closed the terminal
                raise AssertionError(f"ended before {text!r}:\n{seen}") from None
        seen = seen[seen.index(text) + len(text):]

    answers = [("q quits", "2"), ("process", "boiler"), ("item", "energy.natural_gas"), ("unit", "Nm3"),
               ("kind", "interval"), ("meter_id", "G-BLR-42"), ("q quits", "")]
    for prompt, answer in answers:
        expect(prompt)
        os.write(master, (answer + "\r").encode())
    expect("Written to")
    assert proc.wait(timeout=60) == 0
    os.close(master)
    m = meters(root)
    assert (m["Tag_0042"]["meter_id"], m["Tag_0042"]["process"], m["Tag_0042"]["item"], m["Tag_0042"]["unit"]) == (
        "G-BLR-42", "boiler", "energy.natural_gas", "Nm3")
    with (home / "meter_names.csv").open(encoding="utf-8") as fh:
        saved = {r["name"]: (r["process"], r["item"]) for r in csv.DictReader(fh)}
    assert saved["Tag_0042"] == ("boiler", "energy.natural_gas")
    assert "干燥塔风机" in saved  # the accepted proposal is recorded too


def test_long_parquet_with_unit_column(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path, {"steam": {"pressure_mpa": 1.0}})  # steam in t needs its state
    path = tmp_path / "long.parquet"
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT TIMESTAMP '2024-01-01 01:00:00' + (i // 2) * INTERVAL 1 HOUR AS ts,
                     CASE WHEN i % 2 = 0 THEN '蒸汽总管流量计' ELSE '制冷机组电表' END AS meter,
                     CAST(1 + i % 7 AS DOUBLE) AS value, CASE WHEN i % 2 = 0 THEN 't' ELSE 'kWh' END AS unit
              FROM range(40) t(i)) TO '{path}' (FORMAT parquet)""")
    con.close()
    code, report, err = run_import(cli, path, "--bundle", root, "--yes")
    assert code == 0, err
    assert report is not None and report["shape"] == "long"
    m = meters(root)
    assert m["蒸汽总管流量计"]["unit"] == "t" and m["制冷机组电表"]["unit"] == "kWh"
    totals = assessed(cli, root)
    assert totals[m["制冷机组电表"]["meter_id"]] == pytest.approx(sum(1 + i % 7 for i in range(40) if i % 2))


def test_long_csv_bad_value_and_empty_meter(cli: Any, tmp_path: Path) -> None:
    root = bundle(tmp_path)
    rows = [[(T0 + i * HOUR).isoformat(), "干燥塔风机", 1.0] for i in range(6)]
    rows[1][2] = "abc"
    rows[3][1] = ""
    src = write(tmp_path / "l.csv", ["时间", "表计", "读数"], rows)
    before = snapshot(root)
    code, _, err = run_import(cli, src, "--bundle", root, "--yes")
    assert code == 2
    assert "l.csv, row 3, column 读数" in err and "abc" in err
    assert "l.csv, row 5, column 表计" in err
    assert snapshot(root) == before
