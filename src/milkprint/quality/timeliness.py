"""Timeliness: 12 consecutive months before the assessment (a new line: >= 3 months of trial run, its
difference explained), and meter readings that reach both ends of the period.

The core never reads the clock: `today` (the day the check is made) comes from the edge.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

from milkprint.bundle.models import Meter, Period
from milkprint.engine.result import MeterSummary
from milkprint.errors import Location
from milkprint.methods import quality_rules as q
from milkprint.quality.base import Figure, at, make
from milkprint.quality.findings import Finding, Where


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def span(start: dt.date, end: dt.date) -> tuple[int, int]:
    """(full consecutive months, days left over) of the inclusive period start..end."""
    n = 0
    while add_months(start, n + 1) - dt.timedelta(days=1) <= end:
        n += 1
    return n, (end - add_months(start, n)).days + 1


def _span_text(months: int, days: int) -> tuple[str, str]:
    zh = f"{months} 个月" + (f" {days} 天" if days else "")
    en = f"{months} months" + (f" {days} days" if days else "")
    return zh, en


def check_period(period: Period, today: dt.date) -> list[Finding]:
    out: list[Finding] = []
    where = Where(Location(file="assessment.toml", column="period"))
    months, days = span(period.start, period.end)
    zh_span, en_span = _span_text(months, days)
    figures: dict[str, Figure] = {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "months": months,
        "days": days,
    }
    if period.end >= today:
        out.append(
            make(
                "timeliness.period",
                "error",
                "mp.timeliness",
                f"核算期结束于 {period.end}，不在评价（{today}）之前：应采用评价期前已结束的生产数据",
                f"the period ends on {period.end}, not before the assessment ({today}): use production data of a "
                "period that has ended",
                Where(Location(file="assessment.toml", column="period.end")),
                today=today.isoformat(),
                **figures,
            )
        )
    if months >= q.PERIOD_MONTHS:
        exact = days == 0 and months == q.PERIOD_MONTHS
        out.append(
            make(
                "timeliness.period",
                "info" if exact else "warning",
                "mp.timeliness",
                f"核算期 {period.start} 至 {period.end}：连续 {zh_span}"
                + ("" if exact else "，长于 12 个月：标准采用评价期前连续 12 个月的数据"),
                f"period {period.start} to {period.end}: {en_span} in a row"
                + ("" if exact else ", longer than 12 months: the standard uses the 12 months before the assessment"),
                where,
                **figures,
            )
        )
        return out
    note = (period.new_line_note or "").strip()
    if period.new_line and months >= q.NEW_LINE_MONTHS and note:
        out.append(
            make(
                "timeliness.period",
                "warning",
                "mp.timeliness",
                f"新建产线，试运行期 {zh_span}（≥ 3 个月）。报告须说明试运行期与正常生产期的差异及对结果的影响；"
                f"已给出的说明：{note}",
                f"a new line on {en_span} of trial run (≥ 3 months). The report must explain how the trial run "
                f"differs from normal production and the effect on the result; the note given: {note}",
                Where(Location(file="assessment.toml", column="period.new_line_note")),
                **figures,
            )
        )
    elif period.new_line and months >= q.NEW_LINE_MONTHS:
        out.append(
            make(
                "timeliness.period",
                "error",
                "mp.timeliness",
                f"新建产线，试运行期 {zh_span}，但缺少 period.new_line_note：须说明试运行期与正常生产期的差异"
                "（如产能利用率、设备稳定性）及对评价结果的影响",
                f"a new line on {en_span} of trial run, but period.new_line_note is missing: explain how the trial "
                "run differs from normal production (capacity use, stability) and the effect on the result",
                Where(Location(file="assessment.toml", column="period.new_line_note")),
                **figures,
            )
        )
    elif period.new_line:
        out.append(
            make(
                "timeliness.period",
                "error",
                "mp.timeliness",
                f"新建产线的试运行期只有 {zh_span}，不足连续 3 个月",
                f"the new line's trial run covers only {en_span}, less than 3 consecutive months",
                where,
                **figures,
            )
        )
    else:
        out.append(
            make(
                "timeliness.period",
                "error",
                "mp.timeliness",
                f"核算期只有 {zh_span}，不足连续 12 个月（新建产线可在 [period] 中设 new_line = true，"
                "用 3 个月以上的试运行数据并在 new_line_note 中说明差异）",
                f"the period covers only {en_span}, less than 12 consecutive months (a new line may set "
                "new_line = true in [period], with ≥ 3 months of trial run and the difference in new_line_note)",
                where,
                **figures,
            )
        )
    return out


def check_reading_span(meters: Sequence[Meter], summaries: Sequence[MeterSummary], period: Period) -> list[Finding]:
    """Each meter's readings reach both ends of the period (interval readings cover the interval before)."""
    start = dt.datetime.combine(period.start, dt.time())
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    rows = {m.meter_id: m for m in meters}
    out: list[Finding] = []
    for s in summaries:
        meter = rows.get(s.meter_id)
        where = at(meter.origin if meter else None, None, process=s.process, item=s.item, meter=s.meter_id)
        if s.readings == 0 or s.first is None or s.last is None:
            out.append(
                make(
                    "timeliness.readings",
                    "warning",
                    "mp.timeliness",
                    f"表计 {s.meter_id} 在核算期内没有读数，计为 0",
                    f"meter {s.meter_id} has no readings in the period; counted as 0",
                    where,
                )
            )
            continue
        step = (s.last - s.first) / (s.readings - 1) if s.readings > 1 else dt.timedelta(0)
        covered_from = s.first - step if s.kind == "interval" else s.first
        head, tail = covered_from - start, end - s.last
        allowed = max(dt.timedelta(days=q.EDGE_GAP_DAYS), step)
        if head > allowed or tail > allowed:
            out.append(
                make(
                    "timeliness.readings",
                    "warning",
                    "mp.timeliness",
                    f"表计 {s.meter_id} 的读数只覆盖 {s.first:%Y-%m-%d %H:%M} 至 {s.last:%Y-%m-%d %H:%M}："
                    f"核算期开头缺 {_days(head)} 天、结尾缺 {_days(tail)} 天",
                    f"meter {s.meter_id} has readings only from {s.first:%Y-%m-%d %H:%M} to {s.last:%Y-%m-%d %H:%M}: "
                    f"{_days(head)} days missing at the start of the period, {_days(tail)} at the end",
                    where,
                    days_missing_start=_days(head),
                    days_missing_end=_days(tail),
                )
            )
    if summaries and not out:
        out.append(
            make(
                "timeliness.readings",
                "info",
                "mp.timeliness",
                f"{len(summaries)} 个表计的读数覆盖整个核算期",
                f"the readings of {len(summaries)} meters span the whole period",
            )
        )
    return out


def _days(delta: dt.timedelta) -> float:
    return round(max(delta.total_seconds(), 0.0) / 86400, 1)
