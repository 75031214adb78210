"""Data quality rating (DQR) per data set and for the footprint, weighted by contribution.

Each Result line (an activities.csv row or a meter) is a data set: DQR = (TeR + GR + TiR + P) / 4.
The footprint's DQR weighs each scored line by its carbon (kgCO2e) or its water (m3) after allocation
and cut-off; grey water comes from effluent.csv, which carries no scores, so the water DQR is of blue
and green water and says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from milkprint.engine.inventory import Line
from milkprint.engine.result import Result
from milkprint.errors import Lang, Location
from milkprint.factors.scope import SHORT_OF_LIFE_CYCLE
from milkprint.i18n import pct
from milkprint.methods import quality_rules as q
from milkprint.methods.processes import label
from milkprint.quality.base import at, make
from milkprint.quality.findings import Finding

FORMULA = "(TeR + GR + TiR + P) / 4"  # a data set's DQR, as a report states it


@dataclass(frozen=True)
class DataSetDqr:
    """One data set's scores, its DQR and class, and its share of each footprint."""

    process: str
    item: str
    source: str
    location: Location
    scores: dict[str, int | None]
    dqr: float | None
    carbon_share: float
    water_share: float

    @property
    def quality_class(self) -> q.DqrClass | None:
        return q.dqr_class(self.dqr) if self.dqr is not None else None

    @property
    def missing(self) -> list[str]:
        return [k for k in q.DQR_CRITERIA if self.scores.get(k) is None]

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        c = self.quality_class
        return {
            "process": self.process,
            "item": self.item,
            "source": self.source,
            "file": self.location.file,
            "row": self.location.row,
            "scores": dict(self.scores),
            "dqr": self.dqr,
            "class": c.id if c else None,
            "class_label": (c.zh if lang == "zh" else c.en) if c else None,
            "carbon_share": self.carbon_share,
            "water_share": self.water_share,
        }


@dataclass(frozen=True)
class DqrSummary:
    """The footprints' DQR (None when nothing is scored) and the share each has without scores."""

    carbon: float | None
    water: float | None
    carbon_unscored: float
    water_unscored: float
    data_sets: tuple[DataSetDqr, ...]

    @property
    def quality_class(self) -> q.DqrClass | None:
        """The class of the carbon DQR, else of the water DQR; None when nothing is scored."""
        main = self.carbon if self.carbon is not None else self.water
        return q.dqr_class(main) if main is not None else None

    def class_label(self, lang: Lang) -> str | None:
        c = self.quality_class
        return (c.zh if lang == "zh" else c.en) if c else None

    @property
    def source(self) -> str:
        """The publication the DQR method comes from."""
        return q.DQR_SOURCE.publication

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        def cls(v: float | None) -> str | None:
            return q.dqr_class(v).id if v is not None else None

        c = self.quality_class
        return {
            "carbon": self.carbon,
            "water": self.water,
            "class": c.id if c else None,
            "class_label": self.class_label(lang),
            "carbon_class": cls(self.carbon),
            "water_class": cls(self.water),
            "unscored_share": self.carbon_unscored,
            "water_unscored_share": self.water_unscored,
            "formula": FORMULA,
            "source": self.source,
            "verification": q.DQR_SOURCE.verification,
            "water_scope": "blue + green (grey water: effluent.csv has no scores)",
            "data_sets": [d.to_dict(lang) for d in self.data_sets],
        }


def line_dqr(scores: dict[str, int | None]) -> float | None:
    """The mean of the four scores, or None unless all four are given."""
    values = [scores.get(k) for k in q.DQR_CRITERIA]
    if any(v is None for v in values):
        return None
    return math.fsum(float(v) for v in values if v is not None) / len(values)


def _weighted(pairs: list[tuple[float, float | None]]) -> tuple[float | None, float]:
    """(weighted DQR over scored weights, share of the total weight that has no score)."""
    total = math.fsum(w for w, _ in pairs)
    scored = [(w, d) for w, d in pairs if d is not None and w > 0]
    weight = math.fsum(w for w, _ in scored)
    value = math.fsum(w * d for w, d in scored) / weight if weight > 0 else None
    return value, (1.0 - weight / total if total > 0 else 0.0)


def scored(line: Line, asked_scope: str) -> dict[str, int | None]:
    """A line's scores as the DQR counts them: a combustion-only factor where the method asks for a life
    cycle makes the data set technologically less representative (TeR one class worse, at most 5)."""
    scores = dict(line.dq)
    ter = scores.get("ter")
    if asked_scope == "life_cycle" and line.scope in SHORT_OF_LIFE_CYCLE and ter is not None:
        scores["ter"] = min(5, ter + q.SCOPE_TER_PENALTY)
    return scores


def check_factor_scope(result: Result) -> list[Finding]:
    """A warning per item whose only factor covers combustion while the method asks for life-cycle factors."""
    out: list[Finding] = []
    total = math.fsum(abs(_carbon(result, ln)) for ln in result.lines)
    items: dict[str, list[Line]] = {}
    for ln in result.lines:
        if ln.scope in SHORT_OF_LIFE_CYCLE and result.factor_scope == "life_cycle":
            items.setdefault(ln.item, []).append(ln)
    for item, lines in items.items():
        share = math.fsum(abs(_carbon(result, ln)) for ln in lines) / total if total > 0 else 0.0
        data_set = lines[0].data_set or ""
        out.append(
            make(
                "factor_scope",
                "warning",
                "mp.factor_scope",
                f"{item} 只有燃烧环节排放因子（{data_set}），缺少上游（开采、加工、运输）排放，占碳足迹 {pct(share)}；"
                "数据质量评分（TeR）降低一级。请在 factors.csv 中补充全生命周期因子（scope = life_cycle）或上游因子（scope = upstream），并注明来源",
                f"{item} has a combustion-only factor ({data_set}) with no upstream (extraction, processing, transport) "
                f"part; it is {pct(share)} of the carbon footprint and its TeR counts one class worse. Add a life-cycle "
                "(scope = life_cycle) or upstream (scope = upstream) factor with its source to factors.csv",
                at(lines[0].origin, "item", process=lines[0].process, item=item),
                share=share,
                data_set=data_set,
            )
        )
    return out


def summarise(result: Result) -> DqrSummary:
    carbon_total = math.fsum(abs(_carbon(result, ln)) for ln in result.lines)
    water_total = result.blue_m3 + result.green_m3 + result.grey_m3
    sets: list[DataSetDqr] = []
    carbon_pairs: list[tuple[float, float | None]] = []
    water_pairs: list[tuple[float, float | None]] = []
    for ln in result.lines:
        scores = scored(ln, result.factor_scope)
        d = line_dqr(scores)
        c, w = abs(_carbon(result, ln)), _water(result, ln)
        sets.append(
            DataSetDqr(
                ln.process,
                ln.item,
                ln.source,
                ln.origin,
                scores,
                d,
                c / carbon_total if carbon_total > 0 else 0.0,
                w / water_total if water_total > 0 else 0.0,
            )
        )
        carbon_pairs.append((c, d))
        water_pairs.append((w, d))
    carbon, carbon_unscored = _weighted(carbon_pairs)
    water, water_unscored = _weighted(water_pairs)
    return DqrSummary(carbon, water, carbon_unscored, water_unscored, tuple(sets))


def _carbon(result: Result, line: Line) -> float:
    return line.counted_kgco2e


def _water(result: Result, line: Line) -> float:
    return line.counted_water_m3


def _name(d: DataSetDqr, lang: Lang) -> str:
    src = (f"（{d.source}）" if lang == "zh" else f" ({d.source})") if d.source else ""
    return f"{label(d.process, lang)} / {d.item}{src}"


def _share(d: DataSetDqr) -> tuple[float, str, str]:
    """The larger of a data set's two shares, and which footprint it is of."""
    if d.water_share > d.carbon_share:
        return d.water_share, "水足迹", "water footprint"
    return d.carbon_share, "碳足迹", "carbon footprint"


def check_dqr(summary: DqrSummary) -> list[Finding]:
    out: list[Finding] = []
    for d in summary.data_sets:
        share, fz, fe = _share(d)
        where = at(d.location, "ter,gr,tir,p", process=d.process, item=d.item)
        if d.dqr is None and share >= q.DQR_LINE_MATERIAL:
            miss = ", ".join(d.missing)
            out.append(
                make(
                    "dqr",
                    "warning",
                    "mp.dqr",
                    f"{_name(d, 'zh')}占{fz} {pct(share)}，缺少数据质量评分（{miss}）",
                    f"{_name(d, 'en')} is {pct(share)} of the {fe} but has no quality scores ({miss})",
                    where,
                    share=share,
                    missing=miss,
                )
            )
        c = d.quality_class
        if d.dqr is not None and c is not None and d.dqr > q.DQR_WEAK_ABOVE and share >= q.DQR_WEAK_MATERIAL:
            out.append(
                make(
                    "dqr",
                    "warning",
                    "mp.dqr",
                    f"{_name(d, 'zh')}数据质量{c.zh}（DQR {d.dqr:.2f}），却占{fz} {pct(share)}：宜收集更高质量的数据",
                    f"{_name(d, 'en')} is of {c.en} quality (DQR {d.dqr:.2f}) yet {pct(share)} of the {fe}: "
                    "better data are worth collecting",
                    where,
                    dqr=d.dqr,
                    share=share,
                )
            )
    for kind, zh_kind, value, unscored in (
        ("carbon", "碳足迹", summary.carbon, summary.carbon_unscored),
        ("water", "水足迹（蓝水 + 绿水）", summary.water, summary.water_unscored),
    ):
        en_kind = "carbon footprint" if kind == "carbon" else "water footprint (blue + green)"
        if unscored > q.DQR_UNSCORED_MATERIAL:
            out.append(
                make(
                    "dqr",
                    "warning",
                    "mp.dqr",
                    f"{zh_kind}中 {pct(unscored)} 的数据没有质量评分（ter、gr、tir、p），"
                    + ("无法计算 DQR" if value is None else "DQR 只代表其余部分"),
                    f"{pct(unscored)} of the {en_kind} has no quality scores (ter, gr, tir, p); "
                    + ("no DQR can be given" if value is None else "its DQR stands only for the rest"),
                    footprint=kind,
                    unscored_share=unscored,
                )
            )
        if value is not None:
            c = q.dqr_class(value)
            out.append(
                make(
                    "dqr",
                    "info",
                    "mp.dqr",
                    f"{zh_kind} DQR {value:.2f}（{c.zh}），按贡献加权；未评分占比 {pct(unscored)}；"
                    f"公式 (TeR+GR+TiR+P)/4 取自 {q.DQR_SOURCE_SHORT}（标准未给出公式）",
                    f"{en_kind} DQR {value:.2f} ({c.en}), weighted by contribution; unscored {pct(unscored)}; "
                    f"formula (TeR+GR+TiR+P)/4 from {q.DQR_SOURCE_SHORT} (the standard gives none)",
                    footprint=kind,
                    dqr=value,
                    quality_class=c.id,
                    unscored_share=unscored,
                )
            )
    return out
