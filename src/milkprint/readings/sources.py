"""Meter and SCADA exports (CSV, XLSX, Parquet) -> one DuckDB table of readings in plant local time.

What plants export varies: long files (timestamp, meter, value) or wide ones (a column per meter, the
header its name, often with the unit: `干燥塔风机 (kWh)`); ISO, slash, dotted or Chinese timestamps,
Excel serial numbers or epoch seconds; thousands commas, decimal commas, full-width digits and `1.2万` (the
rule is milkprint.numbers'); `--` or `#N/A` for a missing reading; GBK files from Chinese Windows; units with
万/亿 in headers (`总电表 (万kWh)`: milkprint.units), a unit that is written but not understood being an error. The format is decided from a sample of the first rows, then the whole file is
read by DuckDB with explicit types (no guessing per row), so a 10-million-row export reads in seconds.
XLSX goes through openpyxl (read-only) into a CSV first: it is the road for small files.

The loaded table is `w(line, ts, v0 .. vN)` for a wide file or `l(line, mid, ts, v)` for a long one:
`line` is the row as the file shows it, `ts` plant local time (TIMESTAMP), `v` the value (DOUBLE; NULL
when the reading is missing). A cell that cannot be read is an error naming file, row and column.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb

from milkprint import numbers
from milkprint.errors import Collector, InputError, Location, Problem, Text

Shape = Literal["wide", "long"]
Format = Literal["csv", "xlsx", "parquet"]

SAMPLE_ROWS = 2000
_SHOWN = 20

# Cells that mean "no reading" (a gap, never zero): spreadsheet errors and the digital states of
# historians (OSIsoft PI, WinCC) that plants export in place of a value.
MISSING: tuple[str, ...] = (
    "", "-", "--", "---", "—", "——", "NaN", "nan", "NAN", "NA", "N/A", "n/a", "#N/A", "null", "NULL", "Null",
    "None", "none", "#VALUE!", "#DIV/0!", "#REF!", "#NUM!", "Bad", "Bad Input", "No Data", "Shutdown",
    "I/O Timeout", "Comm Fail", "Calc Failed", "Scan Off", "Pt Created", "无数据", "缺失", "空",
)
# Rows a report-style export appends below the data; they are left out, never read as readings.
SUMMARY_ROWS: tuple[str, ...] = (
    "合计", "总计", "小计", "平均", "平均值", "最大", "最大值", "最小", "最小值", "累计",
    "Total", "TOTAL", "total", "Sum", "SUM", "Average", "Avg", "AVG", "Max", "MAX", "Min", "MIN",
)

_TIME_NAMES = (
    "timestamp", "time", "date", "datetime", "date time", "date/time", "time stamp", "ts", "zeit", "datum",
    "时间", "日期", "日期时间", "采集时间", "记录时间", "时间戳", "抄表时间", "读数时间", "数据时间", "时刻", "时间点",
)
_METER_NAMES = (
    "meter", "meter_id", "meter id", "meter name", "tag", "tagname", "tag name", "name", "point", "point name",
    "device", "channel", "sensor", "表计", "表计名称", "表计编号", "仪表", "仪表名称", "电表", "点位", "点名",
    "测点", "测点名称", "名称", "位号", "设备", "设备名称", "变量", "变量名",
)
_VALUE_NAMES = (
    "value", "val", "reading", "readings", "amount", "quantity", "读数", "数值", "值", "示数", "数据", "表底", "读数值",
)
_UNIT_NAMES = ("unit", "units", "单位", "计量单位")

# A unit written after a name: `干燥塔风机 (kWh)`, `干燥塔风机[kWh]`, `干燥塔风机（千瓦时）`, `干燥塔风机【m³】`.
_HEADER_UNIT = re.compile(r"^(?P<name>.*?)\s*[(\[（【{]\s*(?P<unit>[^()\[\]（）【】{}]{1,16}?)\s*[)\]）】}]\s*$")

# Number spellings (milkprint.numbers writes the rule down): the sample decides the file's decimal separator, and
# the SQL below reads every cell the same way. Full-width digits and signs are read as ASCII ones.
_FULL_WIDTH = "０１２３４５６７８９，．＋－−。"
_HALF_WIDTH = "0123456789,.+--."
_SPACES = r"[\s\x{00a0}\x{202f}\x{2009}\x{3000}'’]"

# Timestamp families, recognised on the sample; each becomes a list of DuckDB strptime formats.
_ISO = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_YMD_SLASH = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?$")
_YEAR_LAST = re.compile(
    r"^(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)\d{4}(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?$"
)
_CHINESE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日")
_COMPACT = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(\d{4}|\d{6})?$")  # 20240105[0800[00]]
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_AMPM = re.compile(r"[AaPp][Mm]$")

_CLOCKS = ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M")
_CLOCKS_12 = ("%I:%M:%S %p", "%I:%M %p")
_CLOCKS_ZH = ("%H时%M分%S秒", "%H时%M分", "%H时", "%H点%M分", "%H点", *_CLOCKS)


@dataclass(frozen=True)
class ReadOptions:
    """How to read an export: its time zone, and the choices the data cannot make by itself."""

    plant_timezone: str
    timezone: str | None = None  # zone of times without an offset; None: the plant's
    dayfirst: bool | None = None  # for 05/01/2024: None decides from the data or refuses
    decimal: Literal[".", ","] | None = None  # None: detected from the file
    sheet: str | None = None  # XLSX sheet; None: the first

    @property
    def export_timezone(self) -> str:
        return self.timezone or self.plant_timezone


@dataclass(frozen=True)
class MeterColumn:
    """One meter of the export: `key` numbers it in the import (v{key} of a wide file, mid of a long one)."""

    key: int
    header: str  # as the file writes it (a column header, or the meter column's value)
    name: str  # the header without its unit
    unit: str | None  # the unit the header or unit column gives, if any
    column: str  # the column that holds its values, for messages


@dataclass(frozen=True)
class TimeFormat:
    """How a timestamp column is read: `kind` selects the SQL; `formats` are strptime formats."""

    kind: Literal["text", "offset", "epoch_s", "epoch_ms", "excel", "native", "native_tz"]
    formats: tuple[str, ...] = ()
    describe: str = ""


@dataclass
class Loaded:
    """The export as loaded into DuckDB (table `w` or `l`), with what was recognised in it."""

    file: str
    format: Format
    shape: Shape
    time_column: str
    time_format: str
    decimal: str
    rows: int
    meters: tuple[MeterColumn, ...]
    ignored: tuple[str, ...] = ()
    sheet: str | None = None
    fractional_seconds: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def table(self) -> str:
        return "w" if self.shape == "wide" else "l"


# --------------------------------------------------------------------------------------------- headers


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


class HeaderUnitError(ValueError):
    """A header (or units cell) that writes a unit the registry does not understand (`总电表 (万元)`, `(Mt)`)."""

    def __init__(self, unit: str, problem: Text | None = None) -> None:
        super().__init__(unit)
        self.unit = unit
        self.problem = problem


def unit_problem(location: Location, column: str, unit: str, problem: Text | None = None) -> Problem:
    """The error for a unit written in a header, a units row or a unit column that is not understood."""
    from milkprint.units import EXAMPLES, EXAMPLES_EN

    if problem is not None and "ambiguous" in problem.en:
        return Problem(location, Text(f"列“{column}”中的{problem.zh}", f"column '{column}': {problem.en}"))
    return Problem(
        location,
        Text(
            f"列“{column}”中的单位“{unit}”无法识别；应为 {EXAMPLES} 等（可带“万”“亿”前缀）；不是表计的列请从导出文件中删去",
            f"unit '{unit}' in column '{column}' not understood; expected e.g. {EXAMPLES_EN} (万/亿 prefixes allowed); "
            "delete a column that is not a meter from the export",
        ),
    )


def split_unit(header: str) -> tuple[str, str | None]:
    """`干燥塔风机 (kWh)` -> ('干燥塔风机', 'kWh'), `总电表 (万kWh)` -> ('总电表', '万kWh'); a bracket that holds no unit
    (`1#线`) stays in the name. A bracket that holds a unit the registry cannot read (`(万元)`, `(Mt)`, `(kWh正向)`)
    raises HeaderUnitError: a unit that is written but not understood is an error, never "no unit"."""
    from milkprint.units import UnitProblem, looks_like_unit, normalise, parse, split_magnitude

    text = header.strip()
    m = _HEADER_UNIT.match(text)
    if not m or not m.group("name").strip():
        return text, None
    raw = m.group("unit").strip()
    unit = normalise(raw)
    try:
        dimensionless = parse(unit).dimensionless
    except UnitProblem as exc:
        if looks_like_unit(raw):
            raise HeaderUnitError(raw, exc.text) from exc
        return text, None
    if dimensionless:  # `(1#线)`, `(2)`: a bracket, not a unit; but `(万)` is a magnitude of nothing
        if split_magnitude(raw)[0] is not None:
            raise HeaderUnitError(raw)
        return text, None
    return m.group("name").strip(), unit


def _name_part(header: str) -> str:
    try:
        return split_unit(header)[0]
    except HeaderUnitError:
        return header.strip()


def _named(header: str, names: Sequence[str]) -> bool:
    key = _clean(header).casefold().strip(" :：")
    return key in names or _clean(_name_part(header)).casefold() in names


def _header_unit(header: str, where: Location, bad: Collector) -> tuple[str, str | None]:
    """split_unit, with a unit that is written but not understood added to `bad` (the name is kept whole)."""
    try:
        return split_unit(header)
    except HeaderUnitError as exc:
        bad.problems.append(unit_problem(where, header, exc.unit, exc.problem))
        return header.strip(), None


def _given_unit(text: str, column: str, where: Location, bad: Collector) -> str | None:
    """A unit from a units row or a unit column, in its canonical spelling; not understood: added to `bad`."""
    from milkprint.units import UnitProblem, normalise, parse

    unit = normalise(text)
    try:
        if parse(unit).dimensionless:
            raise UnitProblem(f"unknown unit '{text}'")
    except UnitProblem as exc:
        bad.problems.append(unit_problem(where, column, text, exc.text))
        return None
    return unit


# ----------------------------------------------------------------------------------------------- values


def _number_kind(text: str) -> str:
    """What a value cell says about the decimal separator: plain, point, comma, either (1,234), or bad."""
    return numbers.evidence(text)


def is_missing(text: str | None) -> bool:
    return text is None or text.strip() in MISSING


def detect_decimal(
    cells: Sequence[str], given: str | None, file: str, places: Sequence[tuple[int | None, str | None]] | None = None
) -> tuple[str, bool]:
    """The decimal separator of a file, and whether any cell needs more than a plain number parse.

    Decided on the sample by milkprint.numbers' rule: a decimal comma (`12,5`, `1.234,5`) and no decimal point means
    a European export, where `1,234` is 1.234; otherwise the point is the decimal separator and a comma groups
    thousands (`1,000` is 1000). A file that shows both is refused, naming a row of each; `given` (--decimal) decides.
    `places[i]` is the (row, column) of `cells[i]`, for that message.
    """
    shown = [(i, c) for i, c in enumerate(cells) if not is_missing(c)]
    plain = all(numbers.is_plain(c) for _, c in shown)
    if given is not None:
        return given, given == "," or not plain
    decimal, point, comma = numbers.decide((i, c) for i, c in shown)
    if decimal is None:
        assert point is not None and comma is not None

        def example(found: tuple[int, str], lang: Literal["zh", "en"]) -> str:
            row, column = places[found[0]] if places is not None and found[0] < len(places) else (None, None)
            at = Location(None, row, column).describe(lang)
            return f"{at}{'：' if lang == 'zh' else ': '}{found[1]}" if at else found[1]

        raise InputError.at(
            Location(file),
            f"数值中既有小数点（{example(point, 'zh')}）又有小数逗号（{example(comma, 'zh')}）：请用 --decimal . 或 "
            "--decimal , 指明本文件的小数符号",
            f"values use both a decimal point ({example(point, 'en')}) and a decimal comma ({example(comma, 'en')}): "
            "say which this file uses with --decimal . or --decimal ,",
        )
    return decimal, not plain


def _value_sql(col: str, decimal: str) -> str:
    """SQL that reads a text cell as DOUBLE (NULL when it is not a number of this file's spelling).

    The same rule as milkprint.numbers: spaces dropped, `1,000` groups thousands in a decimal-point file; full-width
    digits read as ASCII and `1.2万` / `3亿` multiplied exactly (as DECIMAL) by 10⁴ / 10⁸, on the rare cells that
    need it (the common spelling is tried first, so a big file pays nothing for them).
    """

    def number(s: str, suffix: bool) -> tuple[str, str]:
        body = f"regexp_replace({s}, '[万亿]$', '')" if suffix else s
        tail = "[万亿]?" if suffix else ""
        if decimal == ",":
            ok = rf"^[+-]?(\d+|[1-9]\d{{0,2}}(\.\d{{3}})+)(,\d+)?{tail}$"
            return ok, f"replace(replace({body}, '.', ''), ',', '.')"
        ok = rf"^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[1-9]\d{{0,2}}(,\d{{3}})+(\.\d*)?){tail}$"
        return ok, f"replace({body}, ',', '')"

    plain = f"regexp_replace(trim({col}), {_lit(_SPACES)}, '', 'g')"
    ok, text = number(plain, False)
    wide = f"regexp_replace(translate(trim({col}), '{_FULL_WIDTH}', '{_HALF_WIDTH}'), {_lit(_SPACES)}, '', 'g')"
    wide_ok, wide_text = number(wide, True)
    exact = f"TRY_CAST({wide_text} AS DECIMAL(38, 10))"
    scaled = (
        f"CASE WHEN length({wide}) > 20 THEN NULL "
        f"WHEN suffix({wide}, '万') THEN CAST({exact} * 10000 AS DOUBLE) "
        f"WHEN suffix({wide}, '亿') THEN CAST({exact} * 100000000 AS DOUBLE) "
        f"ELSE TRY_CAST({wide_text} AS DOUBLE) END"
    )
    return (
        f"CASE WHEN regexp_full_match({plain}, '{ok}') THEN TRY_CAST({text} AS DOUBLE) "
        f"WHEN regexp_full_match({wide}, '{wide_ok}') THEN {scaled} END"
    )


def _missing_sql(col: str) -> str:
    return f"({col} IS NULL OR trim({col}) IN ({_sql_list(MISSING)}))"


def _sql_list(items: Sequence[str]) -> str:
    return ", ".join(_lit(i) for i in items)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ------------------------------------------------------------------------------------------- timestamps


def _text_formats(family: str, values: Sequence[str], dayfirst: bool | None) -> tuple[str, ...]:
    ampm = any(_AMPM.search(v) for v in values)
    clocks: tuple[str, ...] = _CLOCKS_12 if ampm else _CLOCKS
    dates: tuple[str, ...]
    seps: tuple[str, ...]
    if family == "iso":
        dates, seps = ("%Y-%m-%d",), ("T", " ")
    elif family == "ymd":
        dates, seps = ("%Y/%m/%d",), (" ",)
    elif family == "zh":
        dates, seps, clocks = ("%Y年%m月%d日",), (" ", ""), _CLOCKS_ZH
    else:  # year last: 05.01.2024, 05/01/2024, 05-01-2024
        sep = family[-1]
        dates = (f"%d{sep}%m{sep}%Y",) if dayfirst else (f"%m{sep}%d{sep}%Y",)
        seps = (" ",)
    return tuple(f"{d}{s}{c}" for d in dates for s in seps for c in clocks) + dates


def _family(value: str) -> str | None:
    v = value.strip()
    if m := _ISO.match(v):
        return "iso+tz" if m.group("offset") else "iso"
    if _YMD_SLASH.match(v):
        return "ymd"
    if m := _YEAR_LAST.match(v):
        return "dmy" + m.group("sep")
    if _CHINESE.match(v):
        return "zh"
    if _COMPACT.match(v):
        return "compact"
    if _NUMBER.match(v):
        return "number"
    return None


def _year_last_order(firsts: Sequence[int], seconds: Sequence[int], sep: str) -> bool | None:
    """True if day first, False if month first, None if the numbers cannot tell."""
    if any(a > 12 for a in firsts):
        return True
    if any(b > 12 for b in seconds):
        return False
    return True if sep == "." else None  # 05.01.2024 is day first wherever dots are written


def detect_time_format(values: Sequence[str], column: str, options: ReadOptions, file: str) -> TimeFormat:
    """The format of a timestamp column, from the sample's non-empty cells."""
    cells = [v.strip() for v in values if v and v.strip() and v.strip() not in SUMMARY_ROWS]
    families = {_family(v) for v in cells}
    if not cells or None in families:
        bad = next((v for v in cells if _family(v) is None), "")
        raise InputError.at(
            Location(file, column=column),
            f"无法识别的时间格式“{bad}”（支持 2024-01-05 08:00[:00][+08:00]、2024/1/5 8:00、05.01.2024 08:00、"
            "2024年1月5日 8时、Excel 日期序号、Unix 秒/毫秒）",
            f"unrecognised time format '{bad}' (supported: 2024-01-05 08:00[:00][+08:00], 2024/1/5 8:00, "
            "05.01.2024 08:00, 2024年1月5日 8时, Excel serial numbers, Unix seconds/milliseconds)",
        )
    if families <= {"iso", "iso+tz"}:
        if "iso+tz" in families:
            return TimeFormat("offset", (), "ISO 8601 with offset")
        return TimeFormat("text", _text_formats("iso", cells, None), "ISO 8601")
    if families == {"number"}:
        top = max(float(v) for v in cells)
        if top < 2_000_000:
            return TimeFormat("excel", (), "Excel serial date")
        if top < 1e11:
            return TimeFormat("epoch_s", (), "Unix seconds (UTC)")
        return TimeFormat("epoch_ms", (), "Unix milliseconds (UTC)")
    if len(families) > 1:
        raise InputError.at(
            Location(file, column=column),
            f"时间列混用了多种格式：{', '.join(sorted(str(f) for f in families))}",
            f"the time column mixes formats: {', '.join(sorted(str(f) for f in families))}",
        )
    family = next(iter(families))
    assert family is not None
    if family.startswith("dmy"):
        return TimeFormat("text", (), family)  # day or month first: decided on the whole column by the loader
    if family == "compact":
        return TimeFormat("text", ("%Y%m%d%H%M%S", "%Y%m%d%H%M", "%Y%m%d"), "YYYYMMDD[HHMM[SS]]")
    label = {"ymd": "YYYY/MM/DD", "zh": "YYYY年MM月DD日"}[family]
    return TimeFormat("text", _text_formats(family, cells, None), label)


def _ts_sql(col: str, fmt: TimeFormat, options: ReadOptions, *, trim: bool = True) -> str:
    """SQL giving plant local time (TIMESTAMP) for a timestamp column, NULL if a cell does not parse."""
    plant, zone = _lit(options.plant_timezone), _lit(options.export_timezone)
    text = f"trim({col})" if trim else col
    if fmt.kind == "native":
        local = f"CAST({col} AS TIMESTAMP)"
    elif fmt.kind == "native_tz":
        return f"timezone({plant}, {col})"
    elif fmt.kind == "offset":  # the session's TimeZone is the export's: plain cells are read in it
        return f"timezone({plant}, TRY_CAST({text} AS TIMESTAMPTZ))"
    elif fmt.kind == "epoch_s":
        return f"timezone({plant}, to_timestamp(TRY_CAST({col} AS DOUBLE)))"
    elif fmt.kind == "epoch_ms":
        return f"timezone({plant}, to_timestamp(TRY_CAST({col} AS DOUBLE) / 1000))"
    elif fmt.kind == "excel":
        ms = f"CAST(round(TRY_CAST({col} AS DOUBLE) * 86400000) AS BIGINT)"
        local = f"(TIMESTAMP '1899-12-30 00:00:00' + to_milliseconds({ms}))"
    else:
        local = f"try_strptime({text}, [{_sql_list(fmt.formats)}])"
    if options.export_timezone == options.plant_timezone:
        return local
    return f"timezone({plant}, timezone({zone}, {local}))"


# ------------------------------------------------------------------------------------------------ files


def _encoding(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "gb18030"
    return "utf-8"


def _transcode(path: Path, encoding: str, target: Path, file: str) -> None:
    """A GBK (or UTF-16) export as UTF-8, streamed, so DuckDB can read it."""
    line = 1
    try:
        with path.open("r", encoding=encoding, newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
            for chunk in iter(lambda: src.read(1 << 20), ""):
                dst.write(chunk)
                line += chunk.count("\n")
    except UnicodeDecodeError as exc:
        raise InputError.at(
            Location(file, line),
            f"无法按 {encoding} 解码（字节 {exc.start}）：请把文件另存为 UTF-8",
            f"cannot be decoded as {encoding} (byte {exc.start}); save the file as UTF-8",
        ) from exc


@dataclass(frozen=True)
class _Dialect:
    delimiter: str
    quote: str
    escape: str
    skip: int  # lines before the header


def _dialect(con: duckdb.DuckDBPyConnection, path: Path, file: str) -> _Dialect:
    try:
        row = con.execute(f"SELECT Delimiter, Quote, Escape, SkipRows FROM sniff_csv({_lit(str(path))})").fetchone()
    except duckdb.Error as exc:
        raise InputError.at(Location(file), f"无法作为 CSV 读取：{_first_line(exc)}", f"cannot be read as CSV: {_first_line(exc)}") from exc
    assert row is not None
    delim, quote, escape, skip = (str(row[0]), str(row[1]), str(row[2]), int(row[3]))
    quote = '"' if quote in ("", "(empty)") else quote
    escape = quote if escape in ("", "(empty)") else escape
    return _Dialect(delim if delim not in ("", "(empty)") else ",", quote, escape, skip)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _sample_csv(path: Path, dialect: _Dialect) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, the first records (blank lines skipped) as Python's csv module reads them, and the line each ends on."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for _ in range(dialect.skip):
            fh.readline()
        reader = csv.reader(fh, delimiter=dialect.delimiter, quotechar=dialect.quote)
        header: list[str] | None = None
        rows: list[list[str]] = []
        lines: list[int] = []
        for rec in reader:
            if not any(c.strip() for c in rec):
                continue
            if header is None:
                header = rec
                continue
            rows.append(rec)
            lines.append(reader.line_num + dialect.skip)
            if len(rows) >= SAMPLE_ROWS:
                break
    return header or [], rows, lines


def physical_lines(path: Path, dialect: _Dialect, records: set[int]) -> dict[int, int]:
    """Data record number (1 = first after the header) -> the line a text editor shows it on."""
    out: dict[int, int] = {}
    if not records:
        return out
    last = max(records)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for _ in range(dialect.skip):
            fh.readline()
        reader = csv.reader(fh, delimiter=dialect.delimiter, quotechar=dialect.quote)
        n = -1  # the header is record 0
        for rec in reader:
            if not rec:  # a blank line, which DuckDB skips too
                continue
            n += 1
            if n in records:
                out[n] = reader.line_num + dialect.skip
            if n >= last:
                break
    return out


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        rounded = (value + dt.timedelta(microseconds=500)).replace(microsecond=0) if value.microsecond else value
        if value.microsecond and abs((value - rounded).total_seconds()) > 0.001:  # a real fraction, not float noise
            return value.isoformat(sep="T", timespec="milliseconds")
        return rounded.isoformat(sep="T", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _xlsx_to_csv(path: Path, sheet: str | None, target: Path, file: str) -> tuple[str, int]:
    """A sheet as a UTF-8 CSV whose first column `__row` is the row number Excel shows; returns (sheet, header row)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise InputError.at(Location(file), f"无法作为 XLSX 打开：{exc}", f"cannot be opened as XLSX: {exc}") from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError.at(
                Location(file, sheet=sheet),
                f"没有这个工作表；有：{', '.join(wb.sheetnames)}",
                f"no such sheet; the workbook has: {', '.join(wb.sheetnames)}",
            )
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        header_row = 0
        width = 0
        with target.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_xlsx_cell(v) for v in values]
                while cells and cells[-1] == "":
                    cells.pop()
                if not header_row:
                    if sum(1 for c in cells if c.strip()) >= 2:  # title rows above the header hold one cell
                        header_row, width = number, len(cells)
                        writer.writerow(["__row", *cells])
                    continue
                if not any(c.strip() for c in cells):
                    continue
                writer.writerow([str(number), *(cells + [""] * (width - len(cells)))])
        return ws.title, header_row
    finally:
        wb.close()


# ----------------------------------------------------------------------------------------------- loader


@dataclass(frozen=True)
class _Columns:
    """Which raw column is what: positions into the header."""

    time: int
    meters: tuple[int, ...]  # wide: one per meter; long: ()
    meter: int | None = None  # long: the meter name column
    value: int | None = None  # long: the value column
    unit: int | None = None  # long: optional unit column
    ignored: tuple[int, ...] = ()


def _looks_time(values: Sequence[str]) -> bool:
    cells = [v for v in values if v.strip()]
    if not cells:
        return False
    fams = {_family(v) for v in cells[:200]}
    return None not in fams and fams != {"number"}


def _numeric_share(values: Sequence[str]) -> float:
    cells = [v for v in values if not is_missing(v)]
    if not cells:
        return 1.0
    return sum(_number_kind(v) != "bad" for v in cells) / len(cells)


def _classify(header: list[str], rows: list[list[str]], file: str, skip: set[int]) -> tuple[Shape, _Columns]:
    """Find the timestamp column and decide long (meter + value columns) or wide (a column per meter)."""
    cols = [i for i in range(len(header)) if i not in skip]

    def column(i: int) -> list[str]:
        return [r[i] if i < len(r) else "" for r in rows]

    named_time = [i for i in cols if _named(header[i], _TIME_NAMES)]
    time = next((i for i in named_time if _looks_time(column(i))), None)
    if time is None:
        time = next((i for i in cols if _looks_time(column(i))), named_time[0] if named_time else None)
    if time is None:
        raise InputError.at(
            Location(file, 1),
            "找不到时间列（列名如 timestamp、时间、日期、采集时间，或内容为时间的列）",
            "no timestamp column found (a column named e.g. timestamp, time, date, 时间, 采集时间, or holding times)",
        )
    rest = [i for i in cols if i != time]
    meter = next((i for i in rest if _named(header[i], _METER_NAMES)), None)
    value = next((i for i in rest if _named(header[i], _VALUE_NAMES)), None)
    unit = next((i for i in rest if _named(header[i], _UNIT_NAMES)), None)
    if meter is None and value is not None:  # long without a recognised meter header: the one text column
        texts = [i for i in rest if i not in (value, unit) and _numeric_share(column(i)) < 0.5]
        meter = texts[0] if len(texts) == 1 else None
    if meter is not None and value is not None:
        ignored = tuple(i for i in rest if i not in (meter, value, unit))
        return "long", _Columns(time, (), meter, value, unit, ignored)
    meters = tuple(i for i in rest if header[i].strip() and _numeric_share(column(i)) >= 0.5)
    ignored = tuple(i for i in rest if i not in meters)
    if not meters:
        raise InputError.at(
            Location(file, 1),
            "找不到表计数据：应为长表（时间、表计、数值三列）或宽表（时间列加每块表一列数值）",
            "no meter data found: expected a long table (timestamp, meter, value) or a wide one "
            "(a timestamp column and one numeric column per meter)",
        )
    return "wide", _Columns(time, meters, ignored=ignored)


class SourceReader:
    """Loads one export into a DuckDB connection the caller owns; `load()` returns what it found."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, workdir: Path, options: ReadOptions) -> None:
        self.con, self.path, self.workdir, self.options = con, path, workdir, options
        self.file = path.name
        self._dialect: _Dialect | None = None
        self._csv: Path | None = None  # the CSV DuckDB reads (the file itself, transcoded, or a sheet)

    # ---- entry

    def load(self) -> Loaded:
        if not self.path.is_file():
            raise InputError.at(Location(self.file), "文件不存在", "the file does not exist")
        suffix = self.path.suffix.lower()
        self.con.execute(f"SET TimeZone = {_lit(self.options.export_timezone)}")
        if suffix in (".xlsx", ".xlsm"):
            return self._load_xlsx()
        if suffix in (".parquet", ".pq"):
            return self._load_parquet()
        if suffix == ".xls":
            raise InputError.at(
                Location(self.file),
                "不支持旧版 .xls：请在 Excel 中另存为 .xlsx 或 CSV",
                "old .xls workbooks are not read: save the sheet as .xlsx or CSV",
            )
        return self._load_csv()

    # ---- CSV (and XLSX through a CSV)

    def _load_csv(self) -> Loaded:
        encoding = _encoding(self.path)
        src = self.path
        if encoding != "utf-8":
            src = self.workdir / "source-utf8.csv"
            _transcode(self.path, encoding, src, self.file)
        self._csv = src
        dialect = self._dialect = _dialect(self.con, src, self.file)
        header, rows, lines = _sample_csv(src, dialect)
        return self._load_text(
            header, rows, lines, "csv", dialect, row_column=None, sheet=None, header_line=dialect.skip + 1
        )

    def _load_xlsx(self) -> Loaded:
        target = self.workdir / "sheet.csv"
        sheet, header_row = _xlsx_to_csv(self.path, self.options.sheet, target, self.file)
        if not header_row:
            raise InputError.at(Location(self.file, sheet=sheet), "工作表为空", "the sheet is empty")
        self._csv = target
        dialect = self._dialect = _Dialect(",", '"', '"', 0)
        header, rows, _ = _sample_csv(target, dialect)
        lines = [int(r[0]) if r and r[0].isdigit() else 0 for r in rows]
        return self._load_text(
            header[1:], [r[1:] for r in rows], lines, "xlsx", dialect, row_column=0, sheet=sheet, header_line=header_row
        )

    def _load_text(
        self,
        header: list[str],
        rows: list[list[str]],
        lines: list[int],
        fmt: Format,
        dialect: _Dialect,
        *,
        row_column: int | None,
        sheet: str | None,
        header_line: int,
    ) -> Loaded:
        if len(header) < 2:
            raise InputError.at(
                Location(self.file, header_line, sheet=sheet),
                "表头至少应有两列（时间与数值）；若分隔符不是逗号，请检查文件",
                "the header needs at least two columns (time and values); check the delimiter",
            )
        units_row = self._units_row(header, rows)
        if units_row:
            rows, lines = rows[1:], lines[1:]
        shape, cols = _classify(header, rows, self.file, set())
        if shape == "long":
            assert cols.value is not None and cols.meter is not None
            self._value_header, self._meter_header = header[cols.value], header[cols.meter]
        time_fmt = detect_time_format([r[cols.time] if cols.time < len(r) else "" for r in rows], header[cols.time], self.options, self.file)
        value_cols = cols.meters if shape == "wide" else (cols.value,)
        found = [(r[i], (line, header[i])) for r, line in zip(rows, lines, strict=True)
                 for i in value_cols if i is not None and i < len(r)]
        cells = [c for c, _ in found]
        decimal, textual = detect_decimal(cells, self.options.decimal, self.file, [p for _, p in found])
        offset = 1 if row_column is not None else 0
        names = [f"c{i}" for i in range(len(header) + offset)]
        raw = self._read_csv_sql(names, {}, dialect)
        first_data = 1 + (1 if units_row else 0)

        def line_sql() -> str:
            if row_column is not None:
                return "CAST(c0 AS BIGINT)"
            return f"(row_number() OVER () + {header_line})"

        time_fmt = self._decide_order(time_fmt, f"c{cols.time + offset}", raw, header[cols.time])
        time_fmt = self._rank_formats(time_fmt, [r[cols.time] if cols.time < len(r) else "" for r in rows])
        meters = self._meters(shape, cols, header, units_row, offset, raw, header_line, sheet)
        typed = not textual and not units_row and time_fmt.kind not in ("native", "native_tz")
        numeric = {f"c{i + offset}" for i in value_cols if i is not None} if typed else set()
        loaded = Loaded(
            self.file, fmt, shape, header[cols.time], time_fmt.describe, decimal, 0, meters,
            tuple(header[i] for i in cols.ignored), sheet,
        )
        if units_row:
            loaded.notes.append("units row below the header")
        ctx = _Build(
            raw=raw, line=line_sql(), time=f"c{cols.time + offset}", time_fmt=time_fmt, decimal=decimal,
            meter=f"c{cols.meter + offset}" if cols.meter is not None else None,
            values=[f"c{i + offset}" for i in value_cols if i is not None],
            skip_first=units_row, header_line=header_line,
        )
        if numeric and shape == "wide":
            seen = sorted({c.strip() for c in cells if is_missing(c)} | {""})  # null strings the sample uses
            fast = self._read_csv_sql(names, dict.fromkeys(numeric, "DOUBLE"), dialect, seen)
            try:
                self._create(loaded, ctx, fast, typed=True)
                if self._clean(loaded):
                    return self._finish(loaded)
            except duckdb.ConversionException:
                pass  # a cell the fast road cannot read: the text road finds and names it
            except duckdb.Error as exc:
                raise self._unreadable(exc) from exc
        try:
            self._create(loaded, ctx, raw, typed=False)
        except duckdb.Error as exc:
            raise self._unreadable(exc) from exc
        self._report_bad(loaded, ctx, row_column is not None, first_data)
        return self._finish(loaded)

    def _units_row(self, header: list[str], rows: list[list[str]]) -> bool:
        """A second header row of units (`时间, kWh, kWh, Nm3`), as some SCADA exports write."""
        if not rows:
            return False
        from milkprint.units import UnitProblem, looks_like_unit, normalise, parse

        cells = [c.strip() for c in rows[0] if c.strip()]
        units = 0
        for c in cells:
            if _number_kind(c) != "bad" or _family(c) is not None:
                return False
            try:
                units += 0 if parse(normalise(c)).dimensionless else 1
            except UnitProblem:
                units += 1 if looks_like_unit(c) else 0  # a unit not understood: refused by _meters, by column
        return units >= 1 and units >= len(cells) - 1

    def _read_csv_sql(
        self, names: list[str], types: dict[str, str], dialect: _Dialect, nulls: Sequence[str] = MISSING
    ) -> str:
        assert self._csv is not None
        columns = "{" + ", ".join(f"{_lit(n)}: {_lit(types.get(n, 'VARCHAR'))}" for n in names) + "}"
        return (
            f"read_csv({_lit(str(self._csv))}, header = true, skip = {dialect.skip}, auto_detect = false, "
            f"delim = {_lit(dialect.delimiter)}, quote = {_lit(dialect.quote)}, escape = {_lit(dialect.escape)}, "
            f"columns = {columns}, nullstr = [{_sql_list(nulls)}], null_padding = true)"
        )

    def _decide_order(self, fmt: TimeFormat, col: str, raw: str, header: str) -> TimeFormat:
        """Day first or month first for 05/01/2024: the option, else the whole column's numbers, else refuse."""
        if not (fmt.kind == "text" and fmt.describe.startswith("dmy")):
            return fmt
        sep = fmt.describe[-1]
        order = self.options.dayfirst
        if order is None:
            row = self.con.execute(
                f"SELECT max(TRY_CAST(regexp_extract(trim({col}), '^(\\d{{1,2}})[./-]', 1) AS INTEGER)), "
                f"max(TRY_CAST(regexp_extract(trim({col}), '^\\d{{1,2}}[./-](\\d{{1,2}})[./-]', 1) AS INTEGER)) "
                f"FROM {raw}"
            ).fetchone()
            assert row is not None
            order = _year_last_order([row[0] or 0], [row[1] or 0], sep)
        if order is None:
            example = f"05{sep}01{sep}2024"
            raise InputError.at(
                Location(self.file, column=header),
                f"无法判断日期是“日在前”还是“月在前”（如 {example}）：所有日期的前两个数都不超过 12。"
                "请用 --dayfirst 或 --monthfirst 指明",
                f"cannot tell whether dates are day first or month first (e.g. {example}): no date has a number "
                "above 12 in its first two fields. Say which with --dayfirst or --monthfirst",
            )
        label = ("DD" if order else "MM") + sep + ("MM" if order else "DD") + sep + "YYYY"
        return TimeFormat("text", _text_formats("dmy" + sep, [], order) + _text_formats("dmy" + sep, ["x PM"], order), label)

    def _meters(
        self, shape: Shape, cols: _Columns, header: list[str], units_row: bool, offset: int, raw: str,
        header_line: int | None = None, sheet: str | None = None,
    ) -> tuple[MeterColumn, ...]:
        if shape == "wide":
            out = []
            seen: dict[str, int] = {}
            bad = Collector()
            units = self._units_from_row(cols, offset, raw) if units_row else {}
            for key, i in enumerate(cols.meters):
                name, unit = _header_unit(header[i], Location(self.file, header_line, header[i], sheet), bad)
                if unit is None and i in units:
                    below = header_line + 1 if header_line is not None else None
                    unit = _given_unit(units[i], header[i], Location(self.file, below, header[i], sheet), bad)
                if name in seen:
                    bad.add(
                        Location(self.file, 1, header[i]),
                        f"列名“{header[i]}”出现两次（第 {seen[name] + 1} 列与第 {i + 1} 列）",
                        f"the column header '{header[i]}' appears twice (columns {seen[name] + 1} and {i + 1})",
                    )
                seen.setdefault(name, i)
                out.append(MeterColumn(key, header[i], name, unit, header[i]))
            bad.raise_if_any()
            return tuple(out)
        assert cols.meter is not None
        mcol, ucol = f"c{cols.meter + offset}", f"c{cols.unit + offset}" if cols.unit is not None else "NULL"
        rows = self.con.execute(
            f"SELECT trim({mcol}) AS m, min(row_number) AS first, list(DISTINCT trim({ucol})) FILTER ({ucol} IS NOT NULL) "
            f"FROM (SELECT row_number() OVER () AS row_number, * FROM {raw}) "
            f"WHERE {mcol} IS NOT NULL AND trim({mcol}) <> '' GROUP BY m ORDER BY first"
        ).fetchall()
        out = []
        bad = Collector()
        for key, (header_text, _, units) in enumerate(rows):
            name, unit = _header_unit(str(header_text), Location(self.file, column=header[cols.meter], sheet=sheet), bad)
            given = [u for u in (units or []) if u and not is_missing(u)]
            if len(given) > 1:
                bad.add(
                    Location(self.file, column=header[cols.unit] if cols.unit is not None else None),
                    f"表计“{header_text}”的单位不一致：{', '.join(given)}",
                    f"meter '{header_text}' has more than one unit: {', '.join(given)}",
                )
            elif given:
                assert cols.unit is not None
                unit = _given_unit(given[0], header[cols.unit], Location(self.file, column=header[cols.unit], sheet=sheet), bad)
            out.append(MeterColumn(key, str(header_text), name, unit, header[cols.meter]))
        bad.raise_if_any()
        return tuple(out)

    def _units_from_row(self, cols: _Columns, offset: int, raw: str) -> dict[int, str]:
        """The units row's cell of each meter column, as written (checked by _given_unit)."""
        names = ", ".join(f"c{i + offset}" for i in cols.meters)
        row = self.con.execute(f"SELECT {names} FROM {raw} LIMIT 1").fetchone()
        assert row is not None
        return {i: str(u).strip() for i, u in zip(cols.meters, row, strict=True) if u and not is_missing(str(u))}

    def _create(self, loaded: Loaded, ctx: _Build, source: str, *, typed: bool) -> None:
        """CREATE the table: typed (values read as DOUBLE by the CSV reader) or text (parsed here, flagged)."""
        self.con.execute("DROP TABLE IF EXISTS w; DROP TABLE IF EXISTS l; DROP TABLE IF EXISTS meter_names")
        if typed and loaded.shape == "wide":
            self._create_typed(ctx, source)
            return
        opts = self.options
        ts = _ts_sql(ctx.time, ctx.time_fmt, opts)
        not_summary = f"NOT (trim(coalesce({ctx.time}, '')) IN ({_sql_list(SUMMARY_ROWS)}))"
        values = [(c if typed else _value_sql(c, ctx.decimal)) for c in ctx.values]
        if typed:
            bad, raw_list = "NULL::BOOLEAN[]", "NULL::VARCHAR[]"
        else:
            flags = [f"({ctx.time} IS NULL OR {ts} IS NULL)"] + [
                f"(NOT {_missing_sql(c)} AND ({v} IS NULL OR isinf({v}) OR isnan({v})))" for c, v in zip(ctx.values, values, strict=True)
            ]
            bad = f"CASE WHEN {' OR '.join(flags)} THEN [{', '.join(flags)}] END"
            raw_list = f"CASE WHEN {bad} IS NOT NULL THEN [{', '.join([ctx.time, *ctx.values])}] END"
        skip = f"line > {ctx.header_line + 1}" if ctx.skip_first else "TRUE"
        # a row with no time and no value (`,,,` that spreadsheets leave below the data) is not a reading
        empty = " AND ".join(f"{c} IS NULL" for c in [ctx.time, *ctx.values, *([ctx.meter] if ctx.meter else [])])
        skip += f" AND NOT ({empty})"
        if loaded.shape == "wide":
            cols = ", ".join(f"{v} AS v{k}" for k, v in enumerate(values))
            self.con.execute(f"""
                CREATE TABLE w AS
                SELECT line, {ts} AS ts, {cols}, {bad} AS bad, {raw_list} AS raw
                FROM (SELECT {ctx.line} AS line, * FROM {source})
                WHERE {skip} AND {not_summary}""")
        else:
            assert ctx.meter is not None
            self.con.execute("CREATE TEMP TABLE meter_names(mid INTEGER, name VARCHAR)")
            self.con.executemany("INSERT INTO meter_names VALUES (?, ?)", [(m.key, m.header) for m in loaded.meters])
            self.con.execute(f"""
                CREATE TABLE l AS
                SELECT line, n.mid, {ts} AS ts, {values[0]} AS v, {bad} AS bad, {raw_list} AS raw
                FROM (SELECT {ctx.line} AS line, * FROM {source}) s
                LEFT JOIN meter_names n ON n.name = trim(s.{ctx.meter})
                WHERE {skip} AND {not_summary}""")

    def _create_typed(self, ctx: _Build, source: str) -> None:
        """The fast road for a big wide CSV: values parsed by the CSV reader, one strptime per row, no per-row
        checks (a cell the reader cannot read raises; a time that does not parse leaves NULL and its text)."""
        ts = _ts_sql(ctx.time, ctx.time_fmt, self.options, trim=False)
        empty = " AND ".join(f"{c} IS NULL" for c in [ctx.time, *ctx.values])
        values = ", ".join(f"{c} AS v{k}" for k, c in enumerate(ctx.values))
        self.con.execute(f"""
            CREATE TABLE w AS
            SELECT line, ts, {", ".join(f"v{k}" for k in range(len(ctx.values)))},
                   CASE WHEN ts IS NULL THEN t END AS raw_ts, NULL::BOOLEAN[] AS bad, NULL::VARCHAR[] AS raw
            FROM (SELECT line, {ts} AS ts, {ctx.time} AS t, {values}
                  FROM (SELECT {ctx.line} AS line, * FROM {source}) WHERE NOT ({empty}))""")
        # a report's total row (合计, Total) below the data is not a reading: dropped here, on the few unparsed rows
        self.con.execute(f"DELETE FROM w WHERE ts IS NULL AND trim(raw_ts) IN ({_sql_list(SUMMARY_ROWS)})")
        self.con.execute("ALTER TABLE w DROP COLUMN raw_ts")

    def _rank_formats(self, fmt: TimeFormat, sample: Sequence[str]) -> TimeFormat:
        """strptime tries its formats in order: put the ones the sample uses most first."""
        if fmt.kind != "text" or len(fmt.formats) < 2:
            return fmt
        cells = [v.strip() for v in sample if v and v.strip()][:500]
        hits = []
        for f in fmt.formats:
            row = self.con.execute(f"SELECT count(try_strptime(x, {_lit(f)})) FROM unnest(?::VARCHAR[]) t(x)", [cells]).fetchone()
            hits.append(int(row[0]) if row else 0)
        ranked = [f for _, _, f in sorted(zip(hits, range(len(hits)), fmt.formats, strict=True), key=lambda t: (-t[0], t[1]))]
        return TimeFormat(fmt.kind, tuple(ranked), fmt.describe)

    def _clean(self, loaded: Loaded) -> bool:
        """After the fast road: every timestamp parsed and every value finite (else the text road reports)."""
        checks = ["count(*) FILTER (ts IS NULL)"]
        if loaded.shape == "wide":
            checks += [f"count(*) FILTER (isinf(v{m.key}) OR isnan(v{m.key}))" for m in loaded.meters]
        else:
            checks += ["count(*) FILTER (isinf(v) OR isnan(v) OR mid IS NULL)"]
        row = self.con.execute(f"SELECT {', '.join(checks)} FROM {loaded.table}").fetchone()
        return row is not None and not any(row)

    def _report_bad(self, loaded: Loaded, ctx: _Build, exact_rows: bool, first_data: int) -> None:
        table = loaded.table
        count_row = self.con.execute(f"SELECT count(*) FROM {table} WHERE bad IS NOT NULL").fetchone()
        total = int(count_row[0]) if count_row else 0
        missing_meter = 0
        if loaded.shape == "long":
            r = self.con.execute("SELECT count(*) FROM l WHERE mid IS NULL").fetchone()
            missing_meter = int(r[0]) if r else 0
        if not total and not missing_meter:
            return
        rows = self.con.execute(
            f"SELECT line, bad, raw FROM {table} WHERE bad IS NOT NULL ORDER BY line LIMIT {_SHOWN + 1}"
        ).fetchall()
        empty_meters: list[tuple[int]] = []
        if missing_meter:
            empty_meters = self.con.execute(f"SELECT line FROM l WHERE mid IS NULL ORDER BY line LIMIT {_SHOWN}").fetchall()
        lines = {int(r[0]) for r in rows} | {int(r[0]) for r in empty_meters}
        where = self._rows(lines, exact_rows)
        columns = [loaded.time_column] + (
            [m.column for m in loaded.meters] if loaded.shape == "wide" else [self._value_header]
        )
        bad = Collector()
        for line, flags, raw in rows:
            for j, (flag, text) in enumerate(zip(flags, raw, strict=True)):
                if not flag:
                    continue
                loc = Location(self.file, where.get(int(line), int(line)), columns[j], loaded.sheet)
                if j == 0:
                    bad.add(
                        loc,
                        f"无法识别的时间“{text or ''}”（本文件的时间格式为 {loaded.time_format}）",
                        f"cannot read the time '{text or ''}' (this file's times are {loaded.time_format})",
                    )
                else:
                    sep = "小数逗号" if loaded.decimal == "," else "小数点"
                    bad.add(
                        loc,
                        f"应为数字（本文件用{sep}“{loaded.decimal}”），实际为“{text}”",
                        f"expected a number (this file uses '{loaded.decimal}' as decimal separator), got '{text}'",
                    )
        for (line,) in empty_meters:
            bad.add(
                Location(self.file, where.get(int(line), int(line)), self._meter_header, loaded.sheet),
                "表计名称为空", "the meter name is empty",
            )
        extra = total + missing_meter - len(rows) - len(empty_meters)
        if extra > 0:
            bad.add(Location(self.file, sheet=loaded.sheet), f"……另有 {extra} 行有问题", f"... and {extra} more rows with problems")
        bad.raise_if_any()

    _value_header = "value"
    _meter_header = "meter"

    def _rows(self, lines: set[int], exact: bool) -> dict[int, int]:
        """The `line` values of the table (record number + header line) as a text editor numbers them."""
        if exact or self._dialect is None or self._csv is None:
            return {}
        header_line = self._dialect.skip + 1
        records = {line - header_line for line in lines}
        found = physical_lines(self._csv, self._dialect, records)
        return {r + header_line: found[r] for r in records if r in found}

    def _finish(self, loaded: Loaded) -> Loaded:
        table = loaded.table
        row = self.con.execute(
            f"SELECT count(*), count(*) FILTER (ts <> date_trunc('second', ts)) FROM {table}"
        ).fetchone()
        assert row is not None
        loaded.rows = int(row[0])
        loaded.fractional_seconds = bool(row[1])
        self.con.execute(f"ALTER TABLE {table} DROP COLUMN bad; ALTER TABLE {table} DROP COLUMN raw")
        return loaded

    def _unreadable(self, exc: BaseException) -> InputError:
        text = str(exc)
        line = re.search(r"on Line: (\d+)", text)
        row = int(line.group(1)) if line else None
        columns = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
        if columns:
            want, got = columns.groups()
            return InputError.at(Location(self.file, row), f"应有 {want} 个字段，实际为 {got} 个", f"expected {want} fields, found {got}")
        if "unterminated quote" in text:
            return InputError.at(Location(self.file, row), "引号未闭合", 'a value opens a quote (") that is never closed')
        if "Invalid unicode" in text or "UTF-8" in text:
            return InputError.at(Location(self.file, row), "含有非 UTF-8 字符：请把文件另存为 UTF-8", "holds bytes that are not UTF-8; save the file as UTF-8")
        reasons = [ln for ln in text.splitlines()[1:] if ln.strip() and not ln.startswith(("Original Line", "Possible"))]
        reason = reasons[0].strip() if reasons else _first_line(exc)
        return InputError.at(Location(self.file, row), f"无法读取：{reason}", f"cannot be read: {reason}")

    # ---- Parquet

    def _load_parquet(self) -> Loaded:
        src = f"read_parquet({_lit(str(self.path))}, file_row_number = true)"
        try:
            schema = self.con.execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(str(self.path))})").fetchall()
        except duckdb.Error as exc:
            raise InputError.at(Location(self.file), f"无法作为 Parquet 读取：{_first_line(exc)}", f"cannot be read as Parquet: {_first_line(exc)}") from exc
        header = [str(r[0]) for r in schema]
        types = [str(r[1]).upper() for r in schema]
        as_text = ", ".join(f"CAST({_ident(h)} AS VARCHAR)" for h in header)
        sample = self.con.execute(f"SELECT {as_text} FROM read_parquet({_lit(str(self.path))}) LIMIT {SAMPLE_ROWS}").fetchall()
        rows = [[("" if c is None else str(c)) for c in r] for r in sample]
        shape, cols = _classify(header, rows, self.file, set())
        ttype = types[cols.time]
        if ttype.startswith("TIMESTAMP WITH TIME ZONE"):
            time_fmt = TimeFormat("native_tz", (), "Parquet TIMESTAMP WITH TIME ZONE")
        elif ttype.startswith(("TIMESTAMP", "DATE")):
            time_fmt = TimeFormat("native", (), "Parquet " + ttype)
        else:
            time_fmt = detect_time_format([r[cols.time] for r in rows], header[cols.time], self.options, self.file)
        value_cols = cols.meters if shape == "wide" else (cols.value,)
        text_values = [i for i in value_cols if i is not None and types[i] in ("VARCHAR", "BLOB")]
        cells = [r[i] for r in rows for i in text_values]
        places = [(n + 1, header[i]) for n in range(len(rows)) for i in text_values]
        decimal, _ = detect_decimal(cells, self.options.decimal, self.file, places)
        time_col = _ident(header[cols.time])
        if time_fmt.kind == "text" and time_fmt.describe.startswith("dmy"):
            time_fmt = self._decide_order(time_fmt, time_col, src, header[cols.time])
        time_fmt = self._rank_formats(time_fmt, [r[cols.time] for r in rows])
        meters = self._parquet_meters(shape, cols, header, src)
        loaded = Loaded(self.file, "parquet", shape, header[cols.time], time_fmt.describe, decimal, 0, meters,
                        tuple(header[i] for i in cols.ignored))
        values = [
            (_value_sql(f"CAST({_ident(header[i])} AS VARCHAR)", decimal) if i in text_values else f"CAST({_ident(header[i])} AS DOUBLE)")
            for i in value_cols if i is not None
        ]
        raw_values = [f"CAST({_ident(header[i])} AS VARCHAR)" for i in value_cols if i is not None]
        self._value_header = header[cols.value] if cols.value is not None else "value"
        self._meter_header = header[cols.meter] if cols.meter is not None else "meter"
        ctx = _Build(
            raw=src, line="(file_row_number + 1)", time=time_col, time_fmt=time_fmt, decimal=decimal,
            meter=_ident(header[cols.meter]) if cols.meter is not None else None, values=raw_values,
            skip_first=False, header_line=0, value_exprs=values,
        )
        try:
            self._create_parquet(loaded, ctx, src)
        except duckdb.Error as exc:
            raise InputError.at(Location(self.file), f"无法读取：{_first_line(exc)}", f"cannot be read: {_first_line(exc)}") from exc
        self._report_bad(loaded, ctx, True, 1)
        return self._finish(loaded)

    def _parquet_meters(self, shape: Shape, cols: _Columns, header: list[str], src: str) -> tuple[MeterColumn, ...]:
        bad = Collector()
        if shape == "wide":
            wide = tuple(
                MeterColumn(k, header[i], *_header_unit(header[i], Location(self.file, column=header[i]), bad), header[i])
                for k, i in enumerate(cols.meters)
            )
            bad.raise_if_any()
            return wide
        assert cols.meter is not None
        m = f"trim(CAST({_ident(header[cols.meter])} AS VARCHAR))"
        u = f"trim(CAST({_ident(header[cols.unit])} AS VARCHAR))" if cols.unit is not None else "NULL"
        rows = self.con.execute(
            f"SELECT {m} AS name, min(file_row_number) AS first, list(DISTINCT {u}) FILTER ({u} IS NOT NULL) FROM {src} "
            f"WHERE {m} IS NOT NULL AND {m} <> '' GROUP BY name ORDER BY first"
        ).fetchall()
        out = []
        for key, (text, _, units) in enumerate(rows):
            name, unit = _header_unit(str(text), Location(self.file, column=header[cols.meter]), bad)
            given = [x for x in (units or []) if x and not is_missing(x)]
            if len(given) == 1 and cols.unit is not None:
                unit = _given_unit(given[0], header[cols.unit], Location(self.file, column=header[cols.unit]), bad)
            out.append(MeterColumn(key, str(text), name, unit, header[cols.meter]))
        bad.raise_if_any()
        return tuple(out)

    def _create_parquet(self, loaded: Loaded, ctx: _Build, src: str) -> None:
        ts = _ts_sql(ctx.time, ctx.time_fmt, self.options)
        ts_text = f"CAST({ctx.time} AS VARCHAR)"
        flags = [f"({ctx.time} IS NULL OR {ts} IS NULL)"] + [
            f"(NOT {_missing_sql(raw)} AND ({v} IS NULL OR isinf({v}) OR isnan({v})))"
            for raw, v in zip(ctx.values, ctx.value_exprs, strict=True)
        ]
        bad = f"CASE WHEN {' OR '.join(flags)} THEN [{', '.join(flags)}] END"
        raw = f"CASE WHEN {bad} IS NOT NULL THEN [{', '.join([ts_text, *ctx.values])}] END"
        not_summary = f"NOT (trim(coalesce({ts_text}, '')) IN ({_sql_list(SUMMARY_ROWS)}))"
        if loaded.shape == "wide":
            cols = ", ".join(f"{v} AS v{k}" for k, v in enumerate(ctx.value_exprs))
            self.con.execute(f"CREATE TABLE w AS SELECT {ctx.line} AS line, {ts} AS ts, {cols}, {bad} AS bad, {raw} AS raw "
                             f"FROM {src} WHERE {not_summary}")
        else:
            assert ctx.meter is not None
            self.con.execute("CREATE TEMP TABLE meter_names(mid INTEGER, name VARCHAR)")
            self.con.executemany("INSERT INTO meter_names VALUES (?, ?)", [(m.key, m.header) for m in loaded.meters])
            self.con.execute(f"""
                CREATE TABLE l AS
                SELECT {ctx.line} AS line, n.mid, {ts} AS ts, {ctx.value_exprs[0]} AS v, {bad} AS bad, {raw} AS raw
                FROM {src} s LEFT JOIN meter_names n ON n.name = trim(CAST(s.{ctx.meter} AS VARCHAR))
                WHERE {not_summary}""")


@dataclass(frozen=True)
class _Build:
    """What a CREATE of the loaded table needs, as SQL fragments."""

    raw: str
    line: str
    time: str
    time_fmt: TimeFormat
    decimal: str
    meter: str | None
    values: list[str]
    skip_first: bool
    header_line: int
    value_exprs: list[str] = field(default_factory=list)
