"""Per-meter checks of readings.csv (gaps, flat lines, spikes, negative increments, duplicates), and an
estimate of what each meter's gaps lost, from a model of the meter against production and season.

The checks read the readings the way the footprint aggregates them (readings/aggregate.py): an interval
reading is the quantity of the interval ending at its timestamp and counts when start < ts <= end; a
cumulative register gives the increases between consecutive readings in [start, end], a fall being a wrap
at register_max. One DuckDB load of the file, then window queries over it (readings/query.py), so a year of 15-minute readings
of a hundred meters (4 M rows) takes seconds. Findings come one per meter and kind, with the first few
instances, so a year of data gives a readable list. Estimates are substitute data for a person to decide
on: `filled` is False and nothing here changes a footprint.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from milkprint.errors import Location, Text
from milkprint.i18n import quantity as num
from milkprint.quality.base import make
from milkprint.quality.findings import Finding, Severity, Where
from milkprint.quality.gapfill import Day, GapFill, Rule, estimate
from milkprint.readings.aggregate import check_unique_meters, day_bounds
from milkprint.readings.query import ReadingsScan, scan_readings

if TYPE_CHECKING:
    from milkprint.bundle.models import Meter, ProductionRow
    from milkprint.bundle.reader import Bundle

RULES: dict[str, Rule] = {
    "missed_factor": Rule(
        1.5, "a step longer than 1.5 typical intervals lost at least one reading; clock jitter stays below it"
    ),
    "gap_factor": Rule(3.0, "a gap worth a warning lost at least two readings in a row ..."),
    "gap_min_hours": Rule(2.0, "... and at least 2 h, so one or two lost 15-minute readings stay an info"),
    "gap_share": Rule(0.01, "short dropouts that add up to 1 % of the period deserve a look as well"),
    "edge_factor": Rule(0.5, "coverage missing at the period's start or end counts from half a typical interval"),
    "fit_max_missing_h": Rule(2.0, "a day missing up to 2 h is scaled to 24 h and fitted on; more is too uncertain"),
    "flat_hours": Rule(24.0, "a frozen value, or no consumption on production days, for a whole day is not plausible"),
    "flat_hours_unknown": Rule(
        72.0,
        "where production data do not say the plant stopped, a stop over a long weekend is plausible; longer is not",
    ),
    "spike_mads": Rule(
        10.0, "an increment above median + 10 MAD of the meter's positive increments is far outside its range"
    ),
    "spike_ratio": Rule(
        2.0, "... and at least twice the median, so a very steady meter (MAD near 0) is not flagged for ordinary swings"
    ),
    "catch_up_quantile": Rule(0.99, "the top of an interval meter's normal range: its 99th percentile (p99) ..."),
    "catch_up_factor": Rule(
        1.5,
        "... a reading after a gap above 1.5 x p99 that, spread over the gap's intervals, is within p99 carries the "
        "whole gap (a logger catching up); a smaller one cannot be told from an ordinary reading",
    ),
    "examples": Rule(5, "instances listed per finding; the rest are counted"),
}


@dataclass(frozen=True)
class GapEstimate:
    """What a meter would have measured in its missing hours: substitute data, never added silently."""

    meter_id: str
    process: str
    item: str
    unit: str
    missing_hours: float  # length of the gaps inside the period
    estimated_amount: float  # what the meter would have measured in them, in the meter's unit
    method: str  # e.g. "regression on daily production and season (R² 0.93, n=351 days)"
    filled: bool  # False: estimate only (milkprint never adds it silently to the result)
    uncertainty: float | None = None  # one standard deviation of the estimate, in the meter's unit
    method_zh: str = ""  # the method in Chinese


@dataclass(frozen=True)
class ReadingsCheck:
    findings: list[Finding]
    gaps: list[GapEstimate]


def _rule(name: str) -> float:
    return RULES[name].value


_FILE = "readings.csv"
_CHECK = {"duplicate": "duplicates", "spike": "spikes"}  # a kind of anomaly -> its check name (readings.<name>)
_KIND_ORDER = ("register", "negative", "duplicates", "gaps", "flat", "spikes", "meter")


def check_readings(bundle: Bundle) -> ReadingsCheck:
    """Check every registered meter's readings over the assessment period; estimate what its gaps lost."""
    if bundle.readings is None or not bundle.meters:
        return ReadingsCheck([], [])
    check_unique_meters(bundle.meters)
    a = bundle.assessment
    start, end = day_bounds(a.period.start, a.period.end)
    rules = {name: rule.value for name, rule in RULES.items()}
    scanned = scan_readings(bundle.readings, bundle.meters, start, end, a.plant.timezone, rules)
    production = _Production.of(bundle.production, a.period.start, a.period.end)
    findings: list[Finding] = []
    gaps: list[GapEstimate] = []
    for meter in bundle.meters:
        f, g = _MeterCheck(meter, scanned, production).run()
        findings.extend(f)
        if g is not None:
            gaps.append(g)
    return ReadingsCheck(findings, gaps)


# ------------------------------------------------------------------------------------------- production


@dataclass(frozen=True)
class _Production:
    """Daily main product (t) in the period, if production.csv gives it per day."""

    daily: dict[dt.date, float] | None
    note: Text

    @classmethod
    def of(cls, rows: Sequence[ProductionRow], start: dt.date, end: dt.date) -> _Production:
        if not rows:
            return cls(None, Text("无 production.csv", "no production.csv"))
        by_day: dict[dt.date, float] = {}
        for r in rows:
            t = 0.0 if r.hours == 0 else r.main_product_t
            by_day[r.date] = by_day.get(r.date, 0.0) + t
        dates = sorted(by_day)
        steps = sorted((b - a).days for a, b in itertools.pairwise(dates))
        if not steps or steps[len(steps) // 2] > 1:
            return cls(None, Text("production.csv 不是逐日数据", "production.csv is not per day"))
        return cls({d: t for d, t in by_day.items() if start <= d <= end}, Text("", ""))

    def producing(self, day: dt.date) -> bool | None:
        if self.daily is None or day not in self.daily:
            return None
        return self.daily[day] > 0


# -------------------------------------------------------------------------------------------- per meter


def _fmt(x: float | None) -> str:
    return "-" if x is None or math.isnan(x) else num(x)


def _ts(t: dt.datetime | None) -> str:
    return t.strftime("%Y-%m-%d %H:%M") if t else "-"


def _every(hours: float) -> Text:
    if hours <= 0:
        return Text("未知", "unknown")
    if hours < 1:
        return Text(f"{hours * 60:.0f} 分钟", f"{hours * 60:.0f} min")
    return Text(f"{hours:g} 小时", f"{hours:g} h")


def _days(a: dt.datetime, b: dt.datetime) -> Iterator[tuple[dt.date, float]]:
    """The local days an interval [a, b] touches, with the hours it spends in each."""
    day = a.date()
    while dt.datetime.combine(day, dt.time()) < b:
        lo = max(a, dt.datetime.combine(day, dt.time()))
        hi = min(b, dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
        if hi > lo:
            yield day, (hi - lo).total_seconds() / 3600
        day += dt.timedelta(days=1)


@dataclass(frozen=True)
class _Shown:
    """A meter's anomalies of one kind as every finding words them: counts, the first example, the examples shown."""

    counts: list[dict[str, Any]]
    first: dict[str, Any]
    n: int
    total: float
    zh: str
    en: str
    where: Where
    figs: dict[str, Any]


class _MeterCheck:
    """The findings and the gap estimate of one meter."""

    def __init__(self, meter: Meter, scanned: ReadingsScan, production: _Production) -> None:
        self.m, self.s, self.prod = meter, scanned, production
        self.id = meter.meter_id
        self.stats = scanned.stats.get(self.id)
        self.findings: list[Finding] = []
        self.unit = meter.unit

    def where(self, row: int | None, column: str | None = None) -> Where:
        loc = Location(_FILE, row, column) if row is not None else Location(_FILE)
        return Where(location=loc, process=self.m.process, item=self.m.item, meter=self.id)

    def add(self, check: str, severity: Severity, clause: str, zh: str, en: str, where: Where, **figures: Any) -> None:
        check = _CHECK.get(check, check)
        self.findings.append(
            make(f"readings.{check}", severity, clause, zh, en, where, meter=self.id, unit=self.unit, **figures)
        )

    def run(self) -> tuple[list[Finding], GapEstimate | None]:
        period_h = (self.s.end - self.s.start).total_seconds() / 3600
        n = int(self.stats["n"]) if self.stats else 0
        if n == 0:
            self.add(
                "gaps",
                "error",
                "mp.completeness",
                f"表计 {self.id} 在评价期内没有读数：其活动数据全部缺失，无法由其自身数据估算。",
                f"meter {self.id} has no reading in the period: its activity is missing entirely and cannot be "
                "estimated from its own data.",
                Where(location=self.m.origin, process=self.m.process, item=self.m.item, meter=self.id),
                readings=0,
                missing_hours=period_h,
            )
            return self.findings, None
        assert self.stats is not None
        typ = float(self.stats["typ_h"] or 0)
        if n < 3 or typ <= 0:
            self.add(
                "gaps",
                "warning",
                "mp.completeness",
                f"表计 {self.id} 在评价期内只有 {n} 个读数，无法检查其读数间隔。",
                f"meter {self.id} has only {n} reading(s) in the period: its intervals cannot be checked.",
                self.where(None),
                readings=n,
            )
            return self.findings, None
        self._values("register")
        self._values("negative")
        self._values("duplicate")
        excluded = self._flat(typ)
        self._values("spike")
        gap = self._gaps(typ, period_h, excluded)
        if not any(f.severity != "info" for f in self.findings):
            self._clean(n, typ)
        order = {k: i for i, k in enumerate(_KIND_ORDER)}
        self.findings.sort(key=lambda f: order.get(f.check.split(".", 1)[1], 99))
        return self.findings, gap

    # ---- value anomalies

    def _values(self, kind: str) -> None:
        """One finding for the meter's anomalies of `kind` (register, negative, duplicate, spike), with examples."""
        counts = self.s.counts.get((self.id, kind))
        if not counts:
            return
        ex = self.s.examples[(self.id, kind)]
        first = ex[0]
        n = sum(int(c["n"]) for c in counts)
        shown = _Shown(
            counts=counts,
            first=first,
            n=n,
            total=math.fsum(float(c["total"] or 0) for c in counts),
            zh="；".join(f"{_ts(e['ts'])}（第 {e['line']} 行）{_fmt(e['v'])}" for e in ex)
            + (f"等 {n} 处" if n > len(ex) else ""),
            en="; ".join(f"{_ts(e['ts'])} (row {e['line']}) {_fmt(e['v'])}" for e in ex)
            + (f", {n} in all" if n > len(ex) else ""),
            where=self.where(int(first["line"]), "timestamp" if kind == "duplicate" else "value"),
            figs={"count": n, "first_timestamp": _ts(first["ts"]), "value": first["v"]},
        )
        {"register": self._register, "negative": self._negative, "duplicate": self._duplicate, "spike": self._spike}[
            kind
        ](shown)

    def _register(self, v: _Shown) -> None:
        rmax = self.m.register_max
        bound = f" < {_fmt(rmax)}" if rmax is not None else ""
        self.add(
            "register",
            "error",
            "mp.primary_data",
            f"累计表 {self.id} 有 {v.n} 个读数超出寄存器范围（0 ≤ 读数{bound}，register_max 为翻转值）：{v.zh}。"
            "请更正；不小于 register_max 的读数 milkprint assess 会拒绝。",
            f"cumulative meter {self.id} has {v.n} reading(s) outside its register (0 ≤ value{bound}, register_max being "
            f"where it wraps): {v.en}. Correct them; milkprint assess refuses those at or above "
            "register_max.",
            v.where,
            **v.figs,
            register_max=rmax,
        )

    def _negative(self, v: _Shown) -> None:
        by_sub = {c["sub"]: c for c in v.counts}
        parts_zh, parts_en = [], []
        if "" in by_sub:
            k = int(by_sub[""]["n"])
            parts_zh.append(f"{k} 个负读数（区间表读数是用量，不能为负；milkprint assess 会拒绝）")
            parts_en.append(
                f"{k} negative reading(s) (an interval reading is a quantity and cannot be negative; milkprint assess refuses them)"
            )
        if "fall" in by_sub:
            k = int(by_sub["fall"]["n"])
            parts_zh.append(
                f"{k} 次读数回落，而 meters.csv 未给出 register_max，不能按翻转计（milkprint assess 会拒绝）"
            )
            parts_en.append(
                f"{k} fall(s) of the register with no register_max in meters.csv, so not a wrap (milkprint assess refuses them)"
            )
        if "wrap" in by_sub:
            k = int(by_sub["wrap"]["n"])
            w = by_sub["wrap"]
            parts_zh.append(
                f"{k} 次读数回落若按 register_max 翻转计，将计入 {_fmt(w['total'])} {self.unit}，远超该表正常水平，"
                "更可能是表计复位或错误读数；结果目前按翻转计入"
            )
            parts_en.append(
                f"{k} fall(s) that as a wrap at register_max would add {_fmt(w['total'])} {self.unit}, far above the "
                "meter's usual level: more likely a reset or a bad reading; the result counts them as wraps"
            )
        self.add(
            "negative",
            "error",
            "mp.primary_data",
            f"表计 {self.id} 出现负增量：{'；'.join(parts_zh)}。依次为：{v.zh}。",
            f"meter {self.id} has negative increments: {'; '.join(parts_en)}. They are: {v.en}.",
            v.where,
            **v.figs,
            previous=v.first["pv"],
            amount_effect=v.total,
        )

    def _duplicate(self, v: _Shown) -> None:
        differ = sum(int(c["differ"]) for c in v.counts)
        rows_zh = f"第 {v.first['pline']} 行与第 {v.first['line']} 行"
        rows_en = f"rows {v.first['pline']} and {v.first['line']}"
        if self.m.kind == "interval":
            self.add(
                "duplicate",
                "error",
                "mp.primary_data",
                f"区间表 {self.id} 有 {v.n} 个读数与同表另一读数时间相同（首次 {_ts(v.first['ts'])}，{rows_zh}；其中 {differ} 个数值不同）："
                f"两者都会计入，结果多计 {_fmt(v.total)} {self.unit}。请删去重复行。",
                f"interval meter {self.id} has {v.n} reading(s) at a timestamp it already has (first {_ts(v.first['ts'])}, "
                f"{rows_en}; {differ} with a different value): both count, so the result holds "
                f"{_fmt(v.total)} {self.unit} twice. Remove the duplicate rows.",
                v.where,
                **v.figs,
                first_row=v.first["pline"],
                differing=differ,
                amount_effect=v.total,
            )
        else:
            self.add(
                "duplicate",
                "warning",
                "mp.primary_data",
                f"累计表 {self.id} 有 {v.n} 个读数与同表另一读数时间相同（首次 {_ts(v.first['ts'])}，{rows_zh}；其中 {differ} 个数值不同）。"
                f"数值相同时不影响总量；数值不同时两者之差 {_fmt(v.total)} {self.unit} 计入了结果。",
                f"cumulative meter {self.id} has {v.n} reading(s) at a timestamp it already has (first {_ts(v.first['ts'])}, "
                f"{rows_en}; {differ} with a different value). Equal values do not change the total; different "
                f"ones add their difference ({_fmt(v.total)} {self.unit}) to it.",
                v.where,
                **v.figs,
                first_row=v.first["pline"],
                differing=differ,
                amount_effect=v.total,
            )

    def _spike(self, v: _Shown) -> None:
        per = "每小时" if self.m.kind == "cumulative" else "每个读数"
        per_en = "per hour" if self.m.kind == "cumulative" else "per reading"
        level, thr = v.first["level"], v.first["thr"]
        largest = max(float(c["vmax"] if self.m.kind == "interval" else c["amax"]) for c in v.counts)
        self.add(
            "spike",
            "warning",
            "mp.primary_data",
            f"表计 {self.id} 有 {v.n} 个增量远高于其正常水平（中位数为{per} {_fmt(level)} {self.unit}，阈值 {_fmt(thr)} {self.unit}）：{v.zh}。"
            f"超出正常水平的量共 {_fmt(v.total)} {self.unit}，已按读数计入结果，请核实。",
            f"meter {self.id} has {v.n} increment(s) far above its usual level (median {_fmt(level)} {self.unit} {per_en}, "
            f"threshold {_fmt(thr)} {self.unit}): {v.en}. They add {_fmt(v.total)} {self.unit} above the usual "
            "level and count in the result as read; check them.",
            v.where,
            **v.figs,
            level=level,
            threshold=thr,
            largest=largest,
            excess_amount=v.total,
        )

    # ---- flat lines

    def _flat(self, typ: float) -> set[dt.date]:
        """Flag long runs of one value; return the days they touch (not fitted on)."""
        flagged: list[tuple[dict[str, Any], float, str]] = []
        for run in self.s.runs.get(self.id, []):
            cum = bool(run["cum"])
            a = run["first_ts"] if cum else run["first_ts"] - dt.timedelta(hours=typ)
            b = run["last_ts"]
            hours = (b - a).total_seconds() / 3600
            if not cum and run["v"] != 0:
                if hours >= _rule("flat_hours"):
                    flagged.append((run, hours, "frozen"))
                continue
            producing = unknown = 0.0
            for day, h in _days(a, b):
                state = self.prod.producing(day)
                if state is None:
                    unknown += h
                elif state:
                    producing += h
            if producing >= _rule("flat_hours"):
                flagged.append((run, hours, "production"))
            elif producing + unknown >= _rule("flat_hours_unknown"):
                flagged.append((run, hours, "unknown"))
        if not flagged:
            return set()
        run, hours, why = max(flagged, key=lambda f: f[1])
        first = min(flagged, key=lambda f: f[0]["first_ts"])[0]
        total_h = math.fsum(f[1] for f in flagged)
        what_zh = (
            "累计表读数不动"
            if self.m.kind == "cumulative"
            else ("读数为 0" if run["v"] == 0 else f"读数始终为 {_fmt(run['v'])}")
        )
        what_en = (
            "the register does not move"
            if self.m.kind == "cumulative"
            else ("it reads 0" if run["v"] == 0 else f"it reads {_fmt(run['v'])} throughout")
        )
        because_zh = {
            "frozen": "同一非零数值长时间不变，多为采集网关重复上一读数",
            "production": "而 production.csv 显示这些天在生产",
            "unknown": "且没有逐日产量数据说明工厂停产",
        }[why]
        because_en = {
            "frozen": "the same non-zero value for so long is usually a gateway repeating its last reading",
            "production": "while production.csv shows production on those days",
            "unknown": "and no daily production data say the plant stopped",
        }[why]
        ex_zh = "；".join(
            f"{_ts(r['first_ts'])} 起 {h:.0f} 小时（第 {r['line']} 行）"
            for r, h, _ in flagged[: int(_rule("examples"))]
        )
        ex_en = "; ".join(
            f"{h:.0f} h from {_ts(r['first_ts'])} (row {r['line']})" for r, h, _ in flagged[: int(_rule("examples"))]
        )
        self.add(
            "flat",
            "warning",
            "mp.primary_data",
            f"表计 {self.id} 有 {len(flagged)} 段读数平直，共 {total_h:.0f} 小时；最长一段 {hours:.0f} 小时（{_ts(run['first_ts'])} 起）{what_zh}，"
            f"{because_zh}。各段：{ex_zh}。这些时段的用量可能漏计，请核实表计。",
            f"meter {self.id} has {len(flagged)} flat run(s), {total_h:.0f} h in all; in the longest ({hours:.0f} h from "
            f"{_ts(run['first_ts'])}) {what_en}, {because_en}. Runs: {ex_en}. Consumption in them may be missing; check the meter.",
            self.where(int(first["line"]), "value"),
            count=len(flagged),
            first_timestamp=_ts(first["first_ts"]),
            duration_h=round(hours, 3),
            total_h=round(total_h, 3),
            value=run["v"],
        )
        out: set[dt.date] = set()
        for r, _, _ in flagged:
            a = r["first_ts"] - dt.timedelta(hours=0 if r["cum"] else typ)
            out.update(d for d, _ in _days(a, r["last_ts"]))
        return out

    # ---- gaps and the estimate

    def _day_table(self, excluded: set[dt.date]) -> list[Day]:
        days = self.s.days.get(self.id, {})
        holes = self.s.hole_days.get(self.id, {})
        out = []
        d, last = self.s.start.date(), (self.s.end - dt.timedelta(microseconds=1)).date()
        while d <= last:
            amount, flagged = days.get(d, (0.0, False))
            miss, other = holes.get(d, (0.0, 0.0))
            usable = d in days and not flagged and d not in excluded and miss + other <= _rule("fit_max_missing_h")
            out.append(Day(d, amount, min(miss, 24.0), usable))
            d += dt.timedelta(days=1)
        return out

    def _gaps(self, typ: float, period_h: float, excluded: set[dt.date]) -> GapEstimate | None:
        hs = self.s.hole_stats.get(self.id)
        if hs is None:
            return None
        cid, unit = self.id, self.unit
        notes_zh: list[str] = []
        notes_en: list[str] = []
        if hs["n_spanned"]:
            notes_zh.append(
                f"另有 {hs['n_spanned']} 处读数间隔（最长 {hs['spanned_h']:.1f} 小时）由累计表跨越计量，总量完整，仅不知其间用量如何分布"
            )
            notes_en.append(
                f"{hs['n_spanned']} further gap(s) (longest {hs['spanned_h']:.1f} h) are spanned by the register: the total "
                "is complete, only its timing within them is unknown"
            )
        if hs["n_catchup"]:
            notes_zh.append(
                f"{hs['n_catchup']} 个间隔后的读数约为平常的数倍，视为包含整个间隔的用量（采集器补传），不再估算"
            )
            notes_en.append(
                f"{hs['n_catchup']} reading(s) after a gap are several times the usual and are taken to carry the whole "
                "gap (a logger catching up), so nothing is estimated for it"
            )
        figs: dict[str, Any] = {
            "typical_interval_h": typ,
            "gap_threshold_h": max(_rule("gap_factor") * typ, _rule("gap_min_hours")),
            "spanned_gaps": int(hs["n_spanned"]),
            "catch_up_readings": int(hs["n_catchup"]),
        }
        if not hs["n"]:
            if notes_zh:
                self.add(
                    "gaps",
                    "info",
                    "mp.completeness",
                    f"表计 {cid}：{'；'.join(notes_zh)}。",
                    f"meter {cid}: {'; '.join(notes_en)}.",
                    self.where(None),
                    count=0,
                    missing_hours=0.0,
                    **figs,
                )
            return None
        fill: GapFill = estimate(self._day_table(excluded), self.prod.daily)
        missing_h = float(hs["hours"])
        longest = float(hs["longest"] or 0)
        holes = self.s.holes.get(cid, [])
        first = next(e for e in holes if e["first"])
        ex = [e for e in holes if e["longest"]]
        n = int(hs["n"])
        warn = hs["n_long"] > 0 or missing_h >= _rule("gap_share") * period_h
        shown_zh = "；".join(
            f"{_ts(e['hs'])} 至 {_ts(e['he'])}（{e['hours']:.1f} 小时，第 {e['line']} 行）" for e in ex
        )
        shown_en = "; ".join(f"{_ts(e['hs'])} to {_ts(e['he'])} ({e['hours']:.1f} h, row {e['line']})" for e in ex)
        if n > len(ex):
            shown_zh = f"最长的 {len(ex)} 段：{shown_zh}"
            shown_en = f"the longest {len(ex)}: {shown_en}"
        unc_zh = f"（±{_fmt(fill.uncertainty)} {unit}）" if fill.uncertainty is not None else ""
        unc_en = f" (± {_fmt(fill.uncertainty)} {unit})" if fill.uncertainty is not None else ""
        self.add(
            "gaps",
            "warning" if warn else "info",
            "mp.completeness",
            f"表计 {cid} 在评价期内有 {missing_h:.1f} 小时无读数（{n} 段，最长 {longest:.1f} 小时，"
            f"第一段自 {_ts(first['hs'])} 起；正常间隔 {_every(typ).zh}）。{shown_zh}。"
            f"按{fill.method.zh}估算，缺失量约 {_fmt(fill.amount)} {unit}{unc_zh}；"
            "这是替代数据，供判断是否补入，milkprint 不会把它静默计入结果。"
            + (f"{'；'.join(notes_zh)}。" if notes_zh else ""),
            f"meter {cid} has no readings for {missing_h:.1f} h of the period ({n} gap(s), longest {longest:.1f} h, "
            f"the first from {_ts(first['hs'])}; usual interval {_every(typ).en}). {shown_en[0].upper()}{shown_en[1:]}. "
            f"Estimated by {fill.method.en}: {_fmt(fill.amount)} {unit}{unc_en} missing. This is substitute data for "
            "you to decide on; milkprint never adds it to the result silently."
            + (f" {'; '.join(notes_en)}." if notes_en else ""),
            self.where(int(first["line"]), "timestamp"),
            count=n,
            long_gaps=int(hs["n_long"]),
            first_timestamp=_ts(first["hs"]),
            duration_h=round(longest, 3),
            missing_hours=round(missing_h, 3),
            estimated_amount=fill.amount,
            uncertainty=fill.uncertainty,
            method=fill.method.en,
            fit_r2=fill.r2,
            fit_days=fill.n_days,
            filled=False,
            **figs,
        )
        return GapEstimate(
            cid,
            self.m.process,
            self.m.item,
            unit,
            missing_h,
            fill.amount,
            fill.method.en,
            False,
            fill.uncertainty,
            fill.method.zh,
        )

    def _clean(self, n: int, typ: float) -> None:
        st = self.stats
        assert st is not None
        falls = int(st["falls"] or 0)
        gaps = any(f.check == "readings.gaps" for f in self.findings)
        roll_zh = f"；按 register_max 翻转 {falls} 次" if falls else ""
        roll_en = f"; {falls} wrap(s) at register_max" if falls else ""
        self.add(
            "meter",
            "info",
            "mp.primary_data",
            f"表计 {self.id}：已检查评价期内 {n} 个读数（{_ts(st['first_ts'])} 至 {_ts(st['last_ts'])}，正常间隔 {_every(typ).zh}{roll_zh}），"
            f"未见{'' if gaps else '缺失、'}平直、尖峰、负增量或重复{'（短时缺失见另条）' if gaps else ''}。",
            f"meter {self.id}: checked {n} readings in the period ({_ts(st['first_ts'])} to {_ts(st['last_ts'])}, usual "
            f"interval {_every(typ).en}{roll_en}): no {'' if gaps else 'gap, '}flat line, spike, negative increment or "
            f"duplicate{' (short gaps: see the gaps finding)' if gaps else ''}.",
            Where(location=self.m.origin, process=self.m.process, item=self.m.item, meter=self.id),
            readings=n,
            first_timestamp=_ts(st["first_ts"]),
            last_timestamp=_ts(st["last_ts"]),
            typical_interval_h=typ,
            rollovers=falls,
        )
