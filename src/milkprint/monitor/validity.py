"""How long an assessment result stays valid (评价结果有效期): expiry, and the changes that void it at once.

The rule's numbers are data (methods/catalog.py `ValidityRule`); this module evaluates them, and report/ renders
what it finds. Pure: no clock, no files; `today` is an argument. The standard (奶粉生产加工碳水双足迹评价技术规范, 产品碳水足迹评价
报告 › 评价结果有效期) gives at most 3 years, and voids the result at once when a process change moves the footprint
estimate by more than 8 %, an energy-structure change by more than 4 %, or a raw-material change by more than 5 %,
each sustained for 3 months or more. It names causes; numbers cannot tell causes apart reliably, so milkprint's
convention is:

- The producer declares changes (assessment.toml `[[changes]]`: date, kind process | energy | raw_material, note).
- From monthly results (report/monthly.py), a declared change's trigger fires when the monthly footprint differs
  from its baseline (below) by more than its kind's threshold in every one of 3 or more consecutive calendar months,
  the first of them the month of the change date or a later one. Carbon per t and water per t are tested
  separately; either one fires the trigger. A month without data (no production, no readings) breaks a run: a
  change is not called sustained through a month nobody measured.
- The baseline of a month is seasonal where it can be: a plant's footprint swings with the seasons (heating in
  winter, cooling in summer), and comparing every month with the annual result would flag that swing every year.
  When the monthly results of the assessed period itself are given (months wholly within `assessed_from` ..
  `assessed_until`; all months up to `assessed_until` when `assessed_from` is not given), they make a seasonal
  profile: each calendar month's production-weighted footprint there, all scaled by one factor per footprint so
  that the production-weighted mean of the assessed months equals the assessed result (a profile, not a second
  result; when the months make up the whole period the factor is 1). A tested month is compared with the profile's
  value of the same calendar month; a calendar month the assessed period has no result for is compared with the
  assessed result itself (the annual baseline). The table says which baseline each month had. A declared change's
  effect is thus its deviation from the seasonal expectation, for the triggers and reviews alike. A review's hint
  compares the items with the same baseline (the profile's items scaled by the carbon factor).
- "More than" is strict: a deviation exactly at the threshold (within `TOLERANCE`, so that rounding of the inputs
  cannot tip the decision) does not fire.
- The result is void from the first day after the third month of the first run that fires (立即失效).
- A run of 3 or more months above the smallest threshold (4 %) from the baseline that starts before every declared
  change (or with none declared) gives "review": a verifier must look for an undeclared change. A hint names the
  change most like the item shifts of the run (carbon only): energy carriers shifting between each other ->
  energy structure; material items -> raw material; anything else (all carriers moving together, refrigerants,
  transport …) -> process. A run that starts at or after a declared change is attributed to it and judged by its
  threshold.
- Months wholly within the assessed period (`assessed_until`) are listed but not tested (their deviations are
  from the assessed result): they make up the reference itself, so they can only show seasonality, not a change.
- Precedence of the status: void (if voided before the result expired) > expired (today > valid_until) >
  not_evaluated (no month to test, the reason given) > review > valid.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from milkprint.bundle.disclosure import Change, ChangeKind, add_years
from milkprint.errors import InputError, Lang, Location, Text
from milkprint.i18n import pct
from milkprint.methods.catalog import MILK_POWDER as METHOD
from milkprint.methods.catalog import ChangeTrigger
from milkprint.methods.clauses import MILK_POWDER, Clause

Status = Literal["valid", "void", "review", "expired", "not_evaluated"]
Footprint = Literal["carbon", "water"]
Basis = Literal["seasonal", "annual"]  # what a month is compared with: its calendar month's profile, or the result

# The standard's rule, as data (methods/catalog.py): at most 3 years; process 8 %, energy 4 %, raw material 5 %,
# each sustained for 3 months.
RULE = METHOD.validity
assert RULE is not None
MAX_YEARS = RULE.max_years
SUSTAINED_MONTHS = min(t.months for t in RULE.triggers)
# Deviations within this (absolute, as a fraction) of a threshold count as at the threshold, i.e. not above it.
TOLERANCE = 1e-9

_REF = Text(RULE.clause, RULE.clause_en)
VALIDITY_CLAUSE = Clause("mp.validity", MILK_POWDER, _REF, Text(RULE.rule_zh, RULE.rule_en))


@dataclass(frozen=True)
class Threshold:
    """A change kind's trigger: the footprint moves by more than `limit` (a fraction) for `months` months or more."""

    kind: ChangeKind
    limit: float
    months: int
    name: Text
    clause: Clause


def _threshold(t: ChangeTrigger) -> Threshold:
    kind = cast("ChangeKind", t.kind)
    clause = Clause(f"mp.validity.{kind}", MILK_POWDER, _REF, Text(t.rule_zh, t.rule_en))
    return Threshold(kind, t.limit, t.months, Text(t.name_zh, t.name_en), clause)


THRESHOLDS: dict[ChangeKind, Threshold] = {t.kind: t for t in map(_threshold, RULE.triggers)}
REVIEW_LIMIT = min(t.limit for t in THRESHOLDS.values())  # 4 %: any sustained move this large needs a look

STATUS_NAMES: dict[Status, Text] = {
    "valid": Text("有效", "valid"),
    "void": Text("已失效", "void"),
    "review": Text("需核查", "to be reviewed"),
    "expired": Text("已过期", "expired"),
    "not_evaluated": Text("未评估", "not evaluated"),
}
BASIS_NAMES: dict[Basis, Text] = {
    "seasonal": Text("评价期同月（季节基准）", "the same month of the assessed period (seasonal)"),
    "annual": Text("评价结果", "the assessed result"),
}
_FOOTPRINT_NAMES: dict[Footprint, Text] = {
    "carbon": Text("单位产品碳足迹", "carbon footprint per t"),
    "water": Text("单位产品水足迹", "water footprint per t"),
}
CONVENTION = Text(
    "判定约定（milkprint）：标准按原因区分变化，数据无法可靠区分原因，因此由生产者申报变化（日期、类型、说明）；"
    "自变化所在月份起，月度单位产品碳足迹或水足迹与基准值的偏差连续3个月以上均超过该类变化的阈值（恰等于阈值不算"
    "超过）时，评价结果自第3个月之后立即失效；未申报变化而偏差连续3个月以上超过4%时，需由核查人员核查是否有未申报的"
    "变化。基准值按季节：评价期内有同一自然月份的月度结果时，取该月结果（评价期各月按同一比例调整，使其产量加权平均"
    "等于评价结果），否则取评价结果本身。评价期内的月份构成评价结果本身，只列出不判定。",
    "Convention (milkprint): the standard tells changes apart by cause, which numbers cannot do reliably, so the "
    "producer declares changes (date, kind, note). From the month of a change on, when the monthly carbon or water "
    "footprint per t differs from its baseline by more than that kind's threshold in each of 3 or more "
    "consecutive months (exactly at the threshold is not more), the result is void from the day after the third "
    "month. A deviation above 4 % for 3 or more months without a declared change is for a verifier to review. "
    "The baseline is seasonal: the same calendar month of the assessed period where it has a monthly result (the "
    "assessed months scaled by one factor so that their production-weighted mean is the assessed result), else the "
    "assessed result itself. Months inside the assessed period make up the result itself: listed, not tested.",
)


def _last_valid_day(issue_date: dt.date, given: dt.date | None) -> dt.date:
    limit = add_years(issue_date, MAX_YEARS)
    if given is None:
        return limit - dt.timedelta(days=1)
    where = Location(file="assessment.toml", column="report.valid_until")
    if given < issue_date:
        raise InputError.at(
            where,
            f"有效期截止日 {given} 早于签发日 {issue_date}",
            f"valid_until {given} is before the issue date {issue_date}",
        )
    if given > limit:
        raise InputError.at(
            where,
            f"有效期截止日 {given} 超过签发日 {issue_date} 后 {MAX_YEARS} 年（最晚 {limit}）：评价结果有效期最长不超过 {MAX_YEARS} 年",
            f"valid_until {given} is more than {MAX_YEARS} years after the issue date {issue_date} (latest {limit}): "
            f"results are valid for at most {MAX_YEARS} years",
        )
    return given


def valid_until(issue_date: dt.date, given: dt.date | None = None) -> dt.date:
    """The last day the result is valid: `given` (checked: not before the issue date, at most 3 years after it)
    or, by default, the day before the issue date's third anniversary (3 years, both ends counted)."""
    return _last_valid_day(issue_date, given)


def month_start(day: dt.date) -> dt.date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    """The first day of the month after `month`'s."""
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class MonthlyPoint:
    """One calendar month's result: what the triggers compare with the assessed result.

    `by_item` is kgCO2e per t of main product by item (e.g. energy.electricity), after allocation and cut-off:
    it lets a review say which item group moved.
    """

    month: dt.date  # the first day of the month
    production_t: float
    kgco2e_per_t: float
    m3_per_t: float
    by_item: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.month.day != 1:
            raise ValueError(f"month must be the first day of a month, got {self.month}")


def month_label(month: dt.date) -> str:
    """A month as the tables and JSON show it: '2024-03'."""
    return month.isoformat()[:7]


@dataclass(frozen=True)
class MonthDeviation:
    """A row of the monthly table: the month's footprints, their baselines and their deviations from them."""

    month: dt.date
    production_t: float
    kgco2e_per_t: float
    m3_per_t: float
    carbon: float | None  # (monthly - baseline) / baseline; None when the baseline is not positive
    water: float | None
    tested: bool  # False for months wholly within the assessed period
    carbon_baseline: float  # kgCO2e/t the month is compared with
    water_baseline: float  # m3/t
    carbon_basis: Basis
    water_basis: Basis
    seasonal_from: tuple[dt.date, ...] = ()  # the assessed months behind a seasonal baseline

    def deviation(self, footprint: Footprint) -> float | None:
        return self.carbon if footprint == "carbon" else self.water

    def basis(self, footprint: Footprint) -> Basis:
        return self.carbon_basis if footprint == "carbon" else self.water_basis


@dataclass(frozen=True)
class SeasonalProfile:
    """The assessed period's months by calendar month (1-12), each footprint scaled by one factor so that the
    production-weighted mean of the assessed months is the assessed result: what a later month of the same
    calendar month shows when nothing changed."""

    carbon: Mapping[int, float]  # calendar month -> kgCO2e/t
    water: Mapping[int, float]  # calendar month -> m3/t
    by_item: Mapping[int, Mapping[str, float]]  # calendar month -> kgCO2e/t by item (scaled by carbon_factor)
    months: Mapping[int, tuple[dt.date, ...]]  # calendar month -> the assessed months it is made of
    carbon_factor: float | None  # assessed result / production-weighted mean of the months; None: no profile
    water_factor: float | None

    def value(self, footprint: Footprint, calendar_month: int) -> float | None:
        return (self.carbon if footprint == "carbon" else self.water).get(calendar_month)


def seasonal_profile(
    points: Sequence[MonthlyPoint], reference_carbon: float, reference_water: float
) -> SeasonalProfile:
    """The seasonal profile of the assessed months `points` (see the module's convention).

    A calendar month present more than once (a period longer than a year) takes its production-weighted mean.
    Months without output and non-finite footprints are left out; a footprint whose reference or mean is not
    positive has no profile (its months keep the annual baseline).
    """
    grouped: dict[int, list[MonthlyPoint]] = {}
    for p in sorted(points, key=lambda p: p.month):
        if p.production_t > 0:
            grouped.setdefault(p.month.month, []).append(p)
    carbon, carbon_factor = _profile(grouped, reference_carbon, "carbon")
    water, water_factor = _profile(grouped, reference_water, "water")
    by_item: dict[int, dict[str, float]] = {}
    if carbon_factor is not None:
        for c in carbon:
            by_item[c] = {k: v * carbon_factor for k, v in _weighted_items(grouped[c]).items()}
    months = {c: tuple(p.month for p in grouped[c]) for c in sorted(grouped)}
    return SeasonalProfile(carbon, water, by_item, months, carbon_factor, water_factor)


def _value(p: MonthlyPoint, footprint: Footprint) -> float:
    return p.kgco2e_per_t if footprint == "carbon" else p.m3_per_t


def _weighted(points: Sequence[MonthlyPoint], footprint: Footprint) -> float:
    """Production-weighted mean footprint of `points` (nan without output)."""
    tonnes = math.fsum(p.production_t for p in points)
    return math.fsum(_value(p, footprint) * p.production_t for p in points) / tonnes if tonnes > 0 else math.nan


def _profile(
    grouped: Mapping[int, Sequence[MonthlyPoint]], reference: float, footprint: Footprint
) -> tuple[dict[int, float], float | None]:
    usable = {c: [p for p in ps if math.isfinite(_value(p, footprint))] for c, ps in grouped.items()}
    mean = _weighted([p for ps in usable.values() for p in ps], footprint)
    if not (reference > 0 and math.isfinite(reference) and math.isfinite(mean) and mean > 0):
        return {}, None
    factor = reference / mean
    out: dict[int, float] = {}
    for c, ps in sorted(usable.items()):
        value = factor * _weighted(ps, footprint) if ps else math.nan
        if math.isfinite(value) and value > 0:
            out[c] = value
    return out, factor


@dataclass(frozen=True)
class Fired:
    """A declared change's trigger that fired: the run of months above its threshold."""

    change: Change
    threshold: Threshold
    footprint: Footprint
    months: tuple[tuple[dt.date, float], ...]  # (month, deviation as a fraction), consecutive

    @property
    def start(self) -> dt.date:
        return self.months[0][0]

    @property
    def void_from(self) -> dt.date:
        """The day after the month that made the change sustained (the third of the run)."""
        return next_month(self.months[self.threshold.months - 1][0])

    @property
    def text(self) -> Text:
        t, fp = self.threshold, _FOOTPRINT_NAMES[self.footprint]
        note_zh = f"（{self.change.note}）" if self.change.note else ""
        note_en = f" ({self.change.note})" if self.change.note else ""
        return Text(
            f"申报的{t.name.zh}（{self.change.date}{note_zh}）后，{fp.zh}自 {_ym(self.start)} 起连续 "
            f"{len(self.months)} 个月偏离基准值超过 {_pct(t.limit)}（{_devs(self.months)}），"
            f"评价结果自 {self.void_from} 起失效，需重新评价。",
            f"After the declared {t.name.en} ({self.change.date}{note_en}), the {fp.en} differed from its "
            f"baseline by more than {_pct(t.limit)} for {len(self.months)} consecutive months from {_ym(self.start)} "
            f"({_devs(self.months)}): the result is void from {self.void_from} and must be reassessed.",
        )


@dataclass(frozen=True)
class Hint:
    """Which declared kind an undeclared change most looks like, from the shift of carbon per t by item.

    Scores in kgCO2e/t: energy = carriers shifting between each other (the smaller of the rises and the falls
    among energy items); raw_material = the moves of material items; process = the net move of all energy
    items together plus the moves of every other item.
    """

    kind: ChangeKind
    scores: Mapping[ChangeKind, float]
    moved: tuple[tuple[str, float], ...]  # the items that moved most, kgCO2e/t (run mean - baseline)

    @property
    def text(self) -> Text:
        name = THRESHOLDS[self.kind].name
        items = "，".join(f"{k} {v:+.1f}" for k, v in self.moved)
        items_en = ", ".join(f"{k} {v:+.1f}" for k, v in self.moved)
        return Text(
            f"可能是未申报的{name.zh}（变化最大的项目，kgCO2e/t：{items}）",
            f"possibly an undeclared {name.en} (items that moved most, kgCO2e/t: {items_en})",
        )


@dataclass(frozen=True)
class Review:
    """A sustained deviation above the smallest threshold that no declared change explains."""

    footprint: Footprint
    months: tuple[tuple[dt.date, float], ...]
    hint: Hint | None

    @property
    def start(self) -> dt.date:
        return self.months[0][0]

    @property
    def text(self) -> Text:
        fp = _FOOTPRINT_NAMES[self.footprint]
        if self.hint is not None:
            hint = self.hint.text
        elif self.footprint == "water":
            hint = Text(
                "水足迹无分项可供提示，请核查用水、回用和废水排放",
                "water has no items to hint at a cause: check water use, reuse and effluent",
            )
        else:
            hint = Text("无分项基准，无法提示原因", "no baseline by item: no hint at a cause")
        return Text(
            f"{fp.zh}自 {_ym(self.start)} 起连续 {len(self.months)} 个月偏离基准值超过 {_pct(REVIEW_LIMIT)}"
            f"（{_devs(self.months)}），但此前未申报变化：需核查是否有未申报的变化；{hint.zh}。",
            f"The {fp.en} differed from its baseline by more than {_pct(REVIEW_LIMIT)} for "
            f"{len(self.months)} consecutive months from {_ym(self.start)} ({_devs(self.months)}) with no change "
            f"declared before: a verifier should look for an undeclared change; {hint.en}.",
        )


@dataclass(frozen=True)
class Attributed:
    """A sustained deviation above the smallest threshold that starts at or after a declared change: judged by that
    change's threshold (the latest change declared on or before the run's first month)."""

    change: Change
    footprint: Footprint
    months: tuple[tuple[dt.date, float], ...]

    @property
    def text(self) -> Text:
        t, fp = THRESHOLDS[self.change.kind], _FOOTPRINT_NAMES[self.footprint]
        return Text(
            f"{fp.zh}自 {_ym(self.months[0][0])} 起连续 {len(self.months)} 个月偏离基准值超过 {_pct(REVIEW_LIMIT)}"
            f"（{_devs(self.months)}），归于申报的{t.name.zh}（{self.change.date}），按其阈值 {_pct(t.limit)} 判定。",
            f"The {fp.en} differed from its baseline by more than {_pct(REVIEW_LIMIT)} for {len(self.months)} "
            f"consecutive months from {_ym(self.months[0][0])} ({_devs(self.months)}): attributed to the declared "
            f"{t.name.en} ({self.change.date}) and judged by its threshold of {_pct(t.limit)}.",
        )


@dataclass(frozen=True)
class ValidityStatus:
    """The verdict on an assessment result's validity, with the evidence behind it."""

    status: Status
    issue_date: dt.date
    valid_until: dt.date
    today: dt.date
    reference_carbon: float
    reference_water: float
    void_from: dt.date | None
    fired: tuple[Fired, ...]
    reviews: tuple[Review, ...]
    attributed: tuple[Attributed, ...]
    table: tuple[MonthDeviation, ...]
    explanation: tuple[Text, ...]
    profile: SeasonalProfile | None = None  # from the months of the assessed period, when given

    def status_text(self, lang: Lang) -> str:
        return STATUS_NAMES[self.status](lang)

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        """JSON-ready; deviations in percent (`*_pct`), dates as ISO strings."""
        return {
            "status": self.status,
            "status_text": self.status_text(lang),
            "issue_date": self.issue_date.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "today": self.today.isoformat(),
            "void_from": self.void_from.isoformat() if self.void_from else None,
            "reference": {"kgco2e_per_t": self.reference_carbon, "m3_per_t": self.reference_water},
            "clause": _clause_dict(VALIDITY_CLAUSE, lang),
            "thresholds": [
                {
                    "kind": t.kind,
                    "name": t.name(lang),
                    "limit_pct": t.limit * 100,
                    "months": t.months,
                    "clause": _clause_dict(t.clause, lang),
                }
                for t in THRESHOLDS.values()
            ],
            "review_limit_pct": REVIEW_LIMIT * 100,
            "triggers": [
                {
                    "kind": f.threshold.kind,
                    "footprint": f.footprint,
                    "limit_pct": f.threshold.limit * 100,
                    "change": {"date": f.change.date.isoformat(), "kind": f.change.kind, "note": f.change.note},
                    "start": f.start.isoformat(),
                    "void_from": f.void_from.isoformat(),
                    "months": _months_dict(f.months),
                    "text": f.text(lang),
                }
                for f in self.fired
            ],
            "reviews": [
                {
                    "footprint": r.footprint,
                    "limit_pct": REVIEW_LIMIT * 100,
                    "start": r.start.isoformat(),
                    "months": _months_dict(r.months),
                    "hint": None
                    if r.hint is None
                    else {
                        "kind": r.hint.kind,
                        "scores_kgco2e_per_t": dict(r.hint.scores),
                        "moved_kgco2e_per_t": [{"item": k, "change": v} for k, v in r.hint.moved],
                        "text": r.hint.text(lang),
                    },
                    "text": r.text(lang),
                }
                for r in self.reviews
            ],
            "attributed": [
                {
                    "footprint": a.footprint,
                    "change": {"date": a.change.date.isoformat(), "kind": a.change.kind, "note": a.change.note},
                    "limit_pct": THRESHOLDS[a.change.kind].limit * 100,
                    "start": a.months[0][0].isoformat(),
                    "months": _months_dict(a.months),
                    "text": a.text(lang),
                }
                for a in self.attributed
            ],
            "months": [
                {
                    "month": month_label(m.month),
                    "production_t": m.production_t,
                    "kgco2e_per_t": m.kgco2e_per_t,
                    "carbon_deviation_pct": None if m.carbon is None else m.carbon * 100,
                    "m3_per_t": m.m3_per_t,
                    "water_deviation_pct": None if m.water is None else m.water * 100,
                    "tested": m.tested,
                    "carbon_baseline": _baseline_dict(m, "carbon", lang),
                    "water_baseline": _baseline_dict(m, "water", lang),
                }
                for m in self.table
            ],
            "seasonal_profile": None if self.profile is None else _profile_dict(self.profile),
            "explanation": [t(lang) for t in self.explanation],
            "convention": CONVENTION(lang),
        }


def evaluate(
    reference_carbon: float,
    reference_water: float,
    months: Sequence[MonthlyPoint],
    changes: Sequence[Change],
    issue_date: dt.date,
    valid_until: dt.date | None,
    today: dt.date,
    *,
    reference_by_item: Mapping[str, float] | None = None,
    assessed_until: dt.date | None = None,
    assessed_from: dt.date | None = None,
) -> ValidityStatus:
    """The validity of an assessed result (kgCO2e/t, m3/t) given monthly results and the declared changes.

    `valid_until` None takes the default (3 years); a given one is checked (InputError beyond 3 years).
    `reference_by_item` (kgCO2e/t by item of the assessed result) is the annual baseline of a review's hint;
    without it the months outside the run are. Months ending on or before `assessed_until` are listed, not tested;
    those of them starting on or after `assessed_from` (all, without it) make the seasonal profile that a later
    month of the same calendar month is compared with.
    """
    last_day = _last_valid_day(issue_date, valid_until)
    points = sorted(months, key=lambda p: p.month)
    seen = [p.month for p in points]
    if len(set(seen)) != len(seen):
        raise ValueError("months must not repeat")
    assessed = [
        p
        for p in points
        if assessed_until is not None
        and next_month(p.month) - dt.timedelta(days=1) <= assessed_until
        and (assessed_from is None or p.month >= assessed_from)
    ]
    profile = seasonal_profile(assessed, reference_carbon, reference_water) if assessed else None
    references: dict[Footprint, float] = {"carbon": reference_carbon, "water": reference_water}
    table = tuple(
        _row(
            p,
            assessed_until is None or next_month(p.month) - dt.timedelta(days=1) > assessed_until,
            profile,
            references,
        )
        for p in points
    )
    tested = [row for row in table if row.tested]
    footprints = [fp for fp, ref in references.items() if ref > 0]

    fired: list[Fired] = []
    for change in changes:
        threshold = THRESHOLDS[change.kind]
        after = [row for row in tested if row.month >= month_start(change.date)]
        for fp in footprints:
            for run in _runs(after, fp, threshold.limit):
                if len(run) >= threshold.months:
                    fired.append(Fired(change, threshold, fp, run))
                    break  # the first sustained run voids; later ones add nothing
    declared = sorted(changes, key=lambda c: (c.date, c.kind))
    by_month = {p.month: p for p in points}
    rows = {row.month: row for row in table}
    reviews: list[Review] = []
    attributed: list[Attributed] = []
    for fp in footprints:
        for run in _runs(tested, fp, REVIEW_LIMIT):
            if len(run) < SUSTAINED_MONTHS:
                continue
            before = [c for c in declared if month_start(c.date) <= run[0][0]]
            if before:
                attributed.append(Attributed(before[-1], fp, run))
            else:
                hint = _hint(run, by_month, reference_by_item, rows, profile) if fp == "carbon" else None
                reviews.append(Review(fp, run, hint))

    void_from = min((f.void_from for f in fired), default=None)
    expired = today > last_day
    why: list[Text] = [
        Text(
            f"签发日 {issue_date}，有效期至 {last_day}（最长 {MAX_YEARS} 年）",
            f"issued {issue_date}, valid until {last_day} (at most {MAX_YEARS} years)",
        )
    ]
    status: Status
    if void_from is not None and void_from <= last_day:
        status = "void"
        why += [f.text for f in fired]
    elif expired:
        status = "expired"
        why.append(
            Text(
                f"今天（{today}）已超过有效期截止日 {last_day}：需重新评价",
                f"today ({today}) is after valid_until {last_day}: the assessment must be redone",
            )
        )
    elif not footprints or not tested:
        status = "not_evaluated"
        why.append(_not_evaluated(points, bool(footprints)))
    elif reviews:
        status = "review"
    else:
        status = "valid"
        why.append(_valid_text(tested, changes, fired))
    if status != "void":
        why += [f.text for f in fired]
    why += [r.text for r in reviews]
    why += [a.text for a in attributed]
    for missing in [fp for fp in references if fp not in footprints] if footprints else []:
        why.append(
            Text(
                f"评价结果的{_FOOTPRINT_NAMES[missing].zh}不为正，无法计算其偏差，未判定",
                f"the assessed {_FOOTPRINT_NAMES[missing].en} is not positive: its deviations are not tested",
            )
        )
    if tested and footprints:
        why.append(_basis_text(tested))
    return ValidityStatus(
        status,
        issue_date,
        last_day,
        today,
        reference_carbon,
        reference_water,
        void_from,
        tuple(fired),
        tuple(reviews),
        tuple(attributed),
        table,
        tuple(why),
        profile,
    )


def _row(
    p: MonthlyPoint, tested: bool, profile: SeasonalProfile | None, references: Mapping[Footprint, float]
) -> MonthDeviation:
    """A month against its baseline: its calendar month's profile value when tested and there is one, else the
    assessed result."""

    def baseline(fp: Footprint) -> tuple[float, Basis]:
        seasonal = profile.value(fp, p.month.month) if profile is not None and tested else None
        return (seasonal, "seasonal") if seasonal is not None else (references[fp], "annual")

    (carbon, carbon_basis), (water, water_basis) = baseline("carbon"), baseline("water")
    seasonal_from = (
        profile.months[p.month.month] if profile is not None and "seasonal" in (carbon_basis, water_basis) else ()
    )
    return MonthDeviation(
        p.month,
        p.production_t,
        p.kgco2e_per_t,
        p.m3_per_t,
        _deviation(p.kgco2e_per_t, carbon),
        _deviation(p.m3_per_t, water),
        tested,
        carbon,
        water,
        carbon_basis,
        water_basis,
        seasonal_from,
    )


def _deviation(value: float, reference: float) -> float | None:
    return (value - reference) / reference if reference > 0 and math.isfinite(value) else None


def _exceeds(deviation: float | None, limit: float) -> bool:
    return deviation is not None and abs(deviation) - limit > TOLERANCE


def _runs(
    rows: Sequence[MonthDeviation], footprint: Footprint, limit: float
) -> list[tuple[tuple[dt.date, float], ...]]:
    """Maximal runs of consecutive calendar months whose deviation exceeds `limit` (rows sorted by month)."""
    runs: list[list[tuple[dt.date, float]]] = []
    for row in rows:
        d = row.deviation(footprint)
        if d is None or not _exceeds(d, limit):
            continue
        if runs and next_month(runs[-1][-1][0]) == row.month:
            runs[-1].append((row.month, d))
        else:
            runs.append([(row.month, d)])
    return [tuple(run) for run in runs]


def _hint(
    run: tuple[tuple[dt.date, float], ...],
    points: Mapping[dt.date, MonthlyPoint],
    reference: Mapping[str, float] | None,
    rows: Mapping[dt.date, MonthDeviation],
    profile: SeasonalProfile | None,
) -> Hint | None:
    """The hint of a carbon run: the run's items against the same baseline as its months' deviations (the
    profile's items of the calendar month where the month was compared with the profile, else the annual one)."""
    inside = [points[m] for m, _ in run]
    annual = reference
    if annual is None:
        outside = [p for m, p in points.items() if m not in {m for m, _ in run}]
        annual = _weighted_items(outside) if outside else None
    # per month of the run: the profile's items where the month had the seasonal baseline (and items), else None
    seasonal = [
        profile.by_item.get(p.month.month) or None
        if profile is not None and rows[p.month].carbon_basis == "seasonal"
        else None
        for p in inside
    ]
    baseline: Mapping[str, float] | None
    if all(items is None for items in seasonal):
        baseline = annual  # as such, not a weighted mean of a constant
    elif annual is None and None in seasonal:
        baseline = None
    else:
        baseline = _weighted_maps(
            [(items or annual or {}, p.production_t) for items, p in zip(seasonal, inside, strict=True)]
        )
    if baseline is None:
        return None
    now = _weighted_items(inside)
    delta = {k: now.get(k, 0.0) - baseline.get(k, 0.0) for k in sorted(set(now) | set(baseline))}
    energy = [v for k, v in delta.items() if k.startswith("energy.")]
    rises, falls = math.fsum(v for v in energy if v > 0), -math.fsum(v for v in energy if v < 0)
    scores: dict[ChangeKind, float] = {
        "energy": min(rises, falls),
        "raw_material": math.fsum(abs(v) for k, v in delta.items() if k.startswith("material.")),
        "process": abs(math.fsum(energy))
        + math.fsum(abs(v) for k, v in delta.items() if not k.startswith(("energy.", "material."))),
    }
    kind = max(scores, key=lambda k: scores[k])  # ties: the order above
    moved = tuple(sorted(((k, v) for k, v in delta.items() if v != 0), key=lambda kv: -abs(kv[1]))[:5])
    return Hint(kind, scores, moved)


def _weighted_items(points: Sequence[MonthlyPoint]) -> dict[str, float]:
    """Production-weighted mean kgCO2e/t by item over months (a month's per-t value weighs its tonnes)."""
    total = math.fsum(p.production_t for p in points)
    if total <= 0:
        return {}
    keys = sorted({k for p in points for k in p.by_item})
    return {k: math.fsum(p.by_item.get(k, 0.0) * p.production_t for p in points) / total for k in keys}


def _weighted_maps(maps: Sequence[tuple[Mapping[str, float], float]]) -> dict[str, float]:
    """Weighted mean of item maps (a missing item is 0)."""
    total = math.fsum(w for _, w in maps)
    if total <= 0:
        return {}
    keys = sorted({k for m, _ in maps for k in m})
    return {k: math.fsum(m.get(k, 0.0) * w for m, w in maps) / total for k in keys}


def _basis_text(tested: Sequence[MonthDeviation]) -> Text:
    seasonal = [row for row in tested if "seasonal" in (row.carbon_basis, row.water_basis)]
    if not seasonal:
        return Text(
            "基准值：评价期内没有与所判定月份同一自然月份的月度结果，各月与评价结果比较",
            "baseline: the assessed period has no monthly result of the tested calendar months; each month is "
            "compared with the assessed result",
        )
    n, m = len(seasonal), len(tested) - len(seasonal)
    return Text(
        f"基准值：{n} 个月与评价期同一自然月份的结果比较（季节基准，评价期各月按同一比例调整，使其产量加权平均等于评价"
        f"结果）" + (f"，{m} 个月评价期内无同月结果，与评价结果比较" if m else ""),
        f"baseline: {n} months are compared with the same calendar month of the assessed period (seasonal: the "
        f"assessed months scaled so that their production-weighted mean is the assessed result)"
        + (f"; {m} months, which the assessed period has no result for, with the assessed result" if m else ""),
    )


def _baseline_dict(row: MonthDeviation, footprint: Footprint, lang: Lang) -> dict[str, Any]:
    basis = row.basis(footprint)
    return {
        "basis": basis,
        "basis_text": BASIS_NAMES[basis](lang),
        ("kgco2e_per_t" if footprint == "carbon" else "m3_per_t"): (
            row.carbon_baseline if footprint == "carbon" else row.water_baseline
        ),
        "months": [month_label(m) for m in row.seasonal_from] if basis == "seasonal" else [],
    }


def _profile_dict(profile: SeasonalProfile) -> dict[str, Any]:
    return {
        "carbon_factor": profile.carbon_factor,
        "water_factor": profile.water_factor,
        "months": [
            {
                "calendar_month": c,
                "kgco2e_per_t": profile.carbon.get(c),
                "m3_per_t": profile.water.get(c),
                "from": [month_label(m) for m in months],
            }
            for c, months in profile.months.items()
        ],
    }


def _not_evaluated(points: Sequence[MonthlyPoint], any_reference: bool) -> Text:
    if not any_reference:
        return Text(
            "评价结果的碳足迹和水足迹均不为正，无法计算偏差：未评估变化触发条件",
            "neither assessed footprint is positive, so no deviation can be computed: change triggers not evaluated",
        )
    if not points:
        return Text(
            "没有月度结果（需要表计读数和 production.csv 日产量共同覆盖至少一个完整自然月）：未评估变化触发条件",
            "no monthly results (meter readings and production.csv must both cover at least one whole calendar "
            "month): change triggers not evaluated",
        )
    return Text(
        "所有月度结果都在评价期内（构成评价结果本身），没有评价期之后的月份：未评估变化触发条件",
        "every monthly result lies within the assessed period (it makes up the result itself) and none after it: "
        "change triggers not evaluated",
    )


def _valid_text(tested: Sequence[MonthDeviation], changes: Sequence[Change], fired: Sequence[Fired]) -> Text:
    n = len(tested)
    span = f"{_ym(tested[0].month)}–{_ym(tested[-1].month)}"
    short = (
        Text(
            f"（仅 {n} 个月，持续变化需至少 {SUSTAINED_MONTHS} 个月才能识别）",
            f" (only {n} months: a sustained change needs {SUSTAINED_MONTHS})",
        )
        if n < SUSTAINED_MONTHS
        else Text("", "")
    )
    if fired:  # voided only after the result had expired
        tail = Text("", "")
    elif changes:
        tail = Text(
            f"：申报的 {len(changes)} 项变化均未达到失效条件",
            f": none of the {len(changes)} declared changes meets its trigger",
        )
    else:
        tail = Text("：未申报变化，也没有需核查的持续偏差", ": no change declared and no sustained deviation to review")
    return Text(f"已判定 {n} 个月（{span}）{short.zh}{tail.zh}", f"{n} months tested ({span}){short.en}{tail.en}")


def _clause_dict(clause: Clause, lang: Lang) -> dict[str, str]:
    return {"id": clause.id, "standard": clause.standard(lang), "ref": clause.ref(lang), "rule": clause.rule(lang)}


def _months_dict(months: Sequence[tuple[dt.date, float]]) -> list[dict[str, Any]]:
    return [{"month": month_label(m), "deviation_pct": d * 100} for m, d in months]


def _ym(month: dt.date) -> str:
    return f"{month.year}-{month.month:02d}"


def _pct(fraction: float) -> str:
    return pct(fraction, None, space=True)  # a threshold as the standard writes it: 5 %, 2.5 %


def _devs(months: Sequence[tuple[dt.date, float]]) -> str:
    return ", ".join(f"{_ym(m)} {pct(d, space=True, sign=True)}" for m, d in months)
