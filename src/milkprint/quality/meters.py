"""Measuring instruments: accuracy within the standard's limit for their class, and a verification
(calibration) valid through the period.

The class comes from the meter's item and unit: energy.electricity an electricity meter, water.* a water
meter, energy.steam a steam flow meter, a mass of material a weighbridge, a temperature a temperature
sensor (its accuracy_pct is read as ± ℃); the standard sets no limit for other flow meters.
"""

from __future__ import annotations

from collections.abc import Sequence

from milkprint.bundle.models import Meter, Period
from milkprint.errors import Location
from milkprint.methods import quality_rules as q
from milkprint.quality.base import at, make
from milkprint.quality.findings import Finding, Where
from milkprint.units import UnitProblem, is_mass, parse, registry


def _is_temperature(unit: str) -> bool:
    if unit.strip() in ("℃", "°C", "degC", "摄氏度"):
        return True
    try:
        return bool(parse(unit).dimensionality == registry().parse_units("kelvin").dimensionality)
    except UnitProblem:
        return False


def instrument(meter: Meter) -> q.MeterLimit:
    """The instrument class of a meter, with the standard's limit for it."""
    item = meter.item
    if _is_temperature(meter.unit):
        return q.METER_LIMITS["temperature"]
    if item == "energy.electricity":
        return q.METER_LIMITS["electricity"]
    if item.startswith("water."):
        return q.METER_LIMITS["water"]
    if item == "energy.steam":
        return q.METER_LIMITS["steam"]
    if item.startswith("material.") and is_mass(meter.unit):
        return q.METER_LIMITS["weighbridge"]
    return q.METER_LIMITS["other"]


def _accuracy(m: Meter) -> Finding:
    kind = instrument(m)
    where = at(m.origin, "accuracy_pct", process=m.process, item=m.item, meter=m.meter_id)
    unit = " ℃" if kind.absolute else " %"
    reg = f"（{kind.regulation}）" if kind.regulation else ""
    reg_en = f" ({kind.regulation})" if kind.regulation else ""
    figures: dict[str, float | int | str | bool | None] = {
        "instrument": kind.id,
        "accuracy": m.accuracy_pct,
        "limit": kind.limit,
        "absolute": kind.absolute,
    }
    if m.accuracy_pct is None:
        return make(
            "meters.accuracy",
            "warning",
            "mp.precision",
            f"表计 {m.meter_id}（{kind.zh}）未给出误差（accuracy_pct）"
            + (f"，限值 ≤ {kind.limit:g}{unit}{reg}" if kind.limit is not None else ""),
            f"meter {m.meter_id} ({kind.en}) gives no accuracy (accuracy_pct)"
            + (f"; the limit is {kind.limit:g}{unit}{reg_en}" if kind.limit is not None else ""),
            where,
            **figures,
        )
    if kind.limit is None:
        return make(
            "meters.accuracy",
            "info",
            "mp.precision",
            f"表计 {m.meter_id}（{m.item}）误差 {m.accuracy_pct:g} %：标准未规定此类计量器具的误差限值",
            f"meter {m.meter_id} ({m.item}) accuracy {m.accuracy_pct:g} %: the standard sets no limit for this kind",
            where,
            **figures,
        )
    over = m.accuracy_pct > kind.limit + 1e-12
    return make(
        "meters.accuracy",
        "error" if over else "info",
        "mp.precision",
        f"表计 {m.meter_id}（{kind.zh}）误差 {m.accuracy_pct:g}{unit}，{'超过' if over else '符合'}限值 "
        f"≤ {kind.limit:g}{unit}{reg}",
        f"meter {m.meter_id} ({kind.en}) accuracy {m.accuracy_pct:g}{unit}, {'over' if over else 'within'} the "
        f"limit of {kind.limit:g}{unit}{reg_en}",
        where,
        **figures,
    )


def _calibration(m: Meter, period: Period) -> list[Finding]:
    def where(column: str) -> Where:
        return at(m.origin, column, process=m.process, item=m.item, meter=m.meter_id)

    on, due = m.calibrated_on, m.calibration_due
    figures: dict[str, float | int | str | bool | None] = {
        "calibrated_on": on.isoformat() if on else None,
        "calibration_due": due.isoformat() if due else None,
    }
    out: list[Finding] = []
    if on is None and due is None:
        return [
            make(
                "meters.calibration",
                "warning",
                "mp.calibration",
                f"表计 {m.meter_id} 没有检定日期（calibrated_on、calibration_due），无法确认检定在核算期内有效",
                f"meter {m.meter_id} has no calibration dates (calibrated_on, calibration_due); its verification "
                "cannot be confirmed for the period",
                where("calibrated_on"),
                **figures,
            )
        ]
    if due is not None and on is not None and due < on:
        out.append(
            make(
                "meters.calibration",
                "warning",
                "mp.calibration",
                f"表计 {m.meter_id} 的检定有效期 {due} 早于检定日期 {on}",
                f"meter {m.meter_id}: calibration_due {due} is before calibrated_on {on}",
                where("calibration_due"),
                **figures,
            )
        )
    if due is not None and due < period.end:
        out.append(
            make(
                "meters.calibration",
                "error",
                "mp.calibration",
                f"表计 {m.meter_id} 的检定有效期至 {due}，早于核算期结束 {period.end}：其后的读数未经有效检定",
                f"meter {m.meter_id}'s verification ran out on {due}, before the period ends ({period.end}): "
                "later readings were taken without a valid verification",
                where("calibration_due"),
                **figures,
            )
        )
    if on is not None and on > period.start:
        out.append(
            make(
                "meters.calibration",
                "warning",
                "mp.calibration",
                f"表计 {m.meter_id} 于 {on} 检定，在核算期开始（{period.start}）之后：请确认此前的检定在 {on} 之前有效",
                f"meter {m.meter_id} was calibrated on {on}, after the period starts ({period.start}): confirm the "
                "verification before it was valid until then",
                where("calibrated_on"),
                **figures,
            )
        )
    if due is None:
        out.append(
            make(
                "meters.calibration",
                "warning",
                "mp.calibration",
                f"表计 {m.meter_id} 检定于 {on}，但未给出有效期（calibration_due），无法确认检定覆盖整个核算期",
                f"meter {m.meter_id} was calibrated on {on} but gives no calibration_due; its verification cannot "
                "be confirmed for the whole period",
                where("calibration_due"),
                **figures,
            )
        )
    if not out:
        since = f"{on} 检定，" if on else ""
        since_en = f"calibrated on {on}, " if on else ""
        out.append(
            make(
                "meters.calibration",
                "info",
                "mp.calibration",
                f"表计 {m.meter_id}：{since}有效期至 {due}，覆盖核算期",
                f"meter {m.meter_id}: {since_en}valid until {due}, through the period",
                where("calibration_due"),
                **figures,
            )
        )
    return out


def check_meters(meters: Sequence[Meter], period: Period) -> list[Finding]:
    if not meters:
        return [
            make(
                "meters.accuracy",
                "info",
                "mp.precision",
                "没有登记表计（meters.csv），未检查计量器具的误差与检定",
                "no meters registered (meters.csv); instrument accuracy and verification not checked",
                Where(Location(file="meters.csv")),
            )
        ]
    return [f for m in meters for f in (_accuracy(m), *_calibration(m, period))]
