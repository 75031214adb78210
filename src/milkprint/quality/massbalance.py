"""Milk solids balance: solids received in raw milk against solids leaving in powder and co-products,
and the concentrate's solids against the powder's, within the tolerance the assessment states.

records.csv: raw_milk.received and concentrate.output are masses (t unless another mass unit is given;
several rows add up); raw_milk.solids, concentrate.solids and powder.moisture are percentages ("%" or no
unit; "fraction" for 0-1 values; several rows are averaged).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from milkprint.bundle.models import Assessment, RecordRow
from milkprint.errors import Location
from milkprint.i18n import pct, quantity
from milkprint.methods import quality_rules as q
from milkprint.quality.base import at, make
from milkprint.quality.findings import Finding, Where
from milkprint.units import UnitProblem, factor

_PERCENT = ("%", "", "percent", "％")
_FRACTION = ("fraction", "1", "kg/kg", "t/t")


class _Unreadable(Exception):
    """A record's unit that is neither a mass nor a percentage."""

    def __init__(self, row: RecordRow) -> None:
        self.row = row


def _mass_t(rows: Sequence[RecordRow]) -> float:
    try:
        return math.fsum(r.value * (factor(r.unit, "t") if r.unit else 1.0) for r in rows)
    except UnitProblem:
        raise _Unreadable(next(r for r in rows if r.unit)) from None


def _fraction(rows: Sequence[RecordRow]) -> float:
    values = []
    for r in rows:
        u = r.unit.strip().lower()
        if u in _PERCENT:
            values.append(r.value / 100.0)
        elif u in _FRACTION:
            values.append(r.value)
        else:
            raise _Unreadable(r)
    return math.fsum(values) / len(values)


def _unreadable(row: RecordRow) -> Finding:
    return make(
        "mass_balance",
        "warning",
        "mp.mass_balance",
        f"records.csv 中 {row.name} 的单位“{row.unit}”无法识别（质量用 t 或 kg，含量用 %），未做物料平衡",
        f"the unit '{row.unit}' of {row.name} in records.csv is not understood (masses in t or kg, contents in %); "
        "the balance was not checked",
        at(row.origin, "unit"),
    )


def _balance(
    check: str, name_zh: str, name_en: str, inp: float, outp: float, tol: float, where: Where, detail: tuple[str, str]
) -> Finding:
    diff = (outp - inp) / inp
    over = abs(diff) > tol + 1e-12
    return make(
        check,
        "error" if over else "info",
        "mp.mass_balance",
        f"{name_zh}：投入 {quantity(inp)} t，产出 {quantity(outp)} t（{detail[0]}），差 {pct(diff, 2)}，"
        f"{'超出' if over else '在'}允许偏差 ±{pct(tol)}{'' if over else '以内'}",
        f"{name_en}: in {quantity(inp)} t, out {quantity(outp)} t ({detail[1]}), difference {pct(diff, 2)}, "
        f"{'outside' if over else 'within'} the tolerance of ±{pct(tol)}",
        where,
        solids_in_t=inp,
        solids_out_t=outp,
        difference=diff,
        tolerance=tol,
    )


def check_mass_balance(assessment: Assessment, records: Sequence[RecordRow]) -> list[Finding]:
    by: dict[str, list[RecordRow]] = {}
    for r in records:
        by.setdefault(r.name, []).append(r)
    tol = assessment.quality.mass_balance_tolerance
    out = assessment.output
    findings: list[Finding] = []
    has_raw = q.RECORD_RAW_MILK in by and q.RECORD_RAW_SOLIDS in by
    has_conc = q.RECORD_CONCENTRATE in by and q.RECORD_CONCENTRATE_SOLIDS in by
    if not (has_raw or has_conc):
        return [
            make(
                "mass_balance",
                "info",
                "mp.mass_balance",
                "未做物料平衡：请在 records.csv 中给出 raw_milk.received（t）与 raw_milk.solids（%）",
                "not checked: give raw_milk.received (t) and raw_milk.solids (%) in records.csv",
                Where(Location(file="records.csv")),
            )
        ]
    try:
        if q.RECORD_MOISTURE in by:
            dry = 1.0 - _fraction(by[q.RECORD_MOISTURE])
            dry_zh, dry_en = f"奶粉水分 {pct(1 - dry)}", f"powder moisture {pct(1 - dry)}"
        elif out.main_dry_matter is not None:
            dry = out.main_dry_matter
            dry_zh, dry_en = f"奶粉干物质 {pct(dry)}", f"powder dry matter {pct(dry)}"
        else:
            return [
                make(
                    "mass_balance",
                    "warning",
                    "mp.mass_balance",
                    "缺少奶粉水分（records.csv 的 powder.moisture）或干物质含量（output.main_dry_matter），物料平衡无法闭合",
                    "no powder moisture (powder.moisture in records.csv) nor main_dry_matter; the balance cannot be closed",
                    Where(Location(file="records.csv")),
                )
            ]
        powder = out.main_product_t * dry
        missing = [c.name for c in out.coproducts if c.dry_matter is None]
        if has_raw and missing:
            findings.append(
                make(
                    "mass_balance",
                    "warning",
                    "mp.mass_balance",
                    f"副产品 {'、'.join(missing)} 没有干物质含量（dry_matter），乳固形物平衡无法闭合",
                    f"co-product {', '.join(missing)} has no dry_matter; the solids balance cannot be closed",
                    Where(Location(file="assessment.toml", column="output.coproducts.dry_matter")),
                )
            )
        elif has_raw:
            received = _mass_t(by[q.RECORD_RAW_MILK])
            solids = _fraction(by[q.RECORD_RAW_SOLIDS])
            inp = received * solids
            co = math.fsum(c.mass_t * (c.dry_matter or 0.0) for c in out.coproducts)
            if inp > 0:
                findings.append(
                    _balance(
                        "mass_balance",
                        "乳固形物平衡（原料乳 → 奶粉 + 副产品）",
                        "milk solids balance (raw milk → powder + co-products)",
                        inp,
                        powder + co,
                        tol,
                        at(by[q.RECORD_RAW_MILK][0].origin, "value"),
                        (
                            f"原料乳 {quantity(received)} t × 固形物 {pct(solids, 2)}；奶粉 {quantity(powder)} t 固形物（{dry_zh}）"
                            f" + 副产品 {quantity(co)} t",
                            f"raw milk {quantity(received)} t × solids {pct(solids, 2)}; powder solids {quantity(powder)} t "
                            f"({dry_en}) + co-products {quantity(co)} t",
                        ),
                    )
                )
        if has_conc:
            conc = _mass_t(by[q.RECORD_CONCENTRATE]) * _fraction(by[q.RECORD_CONCENTRATE_SOLIDS])
            if conc > 0:
                findings.append(
                    _balance(
                        "mass_balance.concentrate",
                        "浓缩乳 → 奶粉 固形物平衡",
                        "concentrate → powder solids balance",
                        conc,
                        powder,
                        tol,
                        at(by[q.RECORD_CONCENTRATE][0].origin, "value"),
                        (f"{dry_zh}", f"{dry_en}"),
                    )
                )
    except _Unreadable as exc:
        return [_unreadable(exc.row)]
    return findings
