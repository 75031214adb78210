"""贡献分析与热点识别: where the footprint comes from (process, item, group, gas, water colour), a Pareto
of inventory lines, and the hotspots and significant issues the interpretation step must name.

Pure functions over a `Result`; excluded (cut-off) lines are listed as excluded and never counted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from milkprint.engine.inventory import Line
from milkprint.engine.result import Result
from milkprint.errors import Lang, Text
from milkprint.i18n import pct
from milkprint.methods.datatables import DATA_TABLES, ActivityTarget
from milkprint.methods.item_names import farm_text, item_text
from milkprint.methods.items import GROUP_LABELS
from milkprint.methods.processes import label as process_label

VITAL_FEW = 0.80  # the lines that together make 80 % of a footprint (Pareto)

_GAS = {"CO2": ("二氧化碳", "CO2"), "CH4": ("甲烷", "CH4"), "N2O": ("氧化亚氮", "N2O")}
_COLOUR = {"blue": ("蓝水", "blue water"), "green": ("绿水", "green water"), "grey": ("灰水", "grey water")}
_ORDINAL_ZH = "一二三四五六七八九十"
_FOOTPRINT = {"carbon": ("碳足迹", "carbon footprint"), "water": ("水足迹", "water footprint")}


@dataclass(frozen=True)
class HotspotRule:
    """A hotspot rule as data: entries of `level` whose share of `footprint` is at least `threshold`."""

    id: str
    footprint: str  # carbon | water
    level: str  # process | item | line
    threshold: float


RULES: tuple[HotspotRule, ...] = (
    HotspotRule("carbon-process-10pct", "carbon", "process", 0.10),
    HotspotRule("carbon-item-10pct", "carbon", "item", 0.10),
    HotspotRule("water-process-10pct", "water", "process", 0.10),
    HotspotRule("water-colour-10pct", "water", "colour", 0.10),
)


@dataclass(frozen=True)
class Share:
    """One entry of a breakdown: its absolute amount, per declared unit, share of the total and rank (1 = largest)."""

    key: str
    label: Text
    amount: float
    per_t: float
    share: float
    rank: int

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label(lang),
            "amount": self.amount,
            "per_t": self.per_t,
            "share": self.share,
            "rank": self.rank,
        }


@dataclass(frozen=True)
class ParetoLine:
    """An inventory line in a Pareto: its amount, share, cumulative share and where it comes from."""

    rank: int
    process: str
    item: str
    label: Text
    amount: float
    per_t: float
    share: float
    cumulative: float
    vital_few: bool
    source: str
    data_type: str
    file: str | None
    row: int | None
    data_set: str | None

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "process": self.process,
            "item": self.item,
            "label": self.label(lang),
            "amount": self.amount,
            "per_t": self.per_t,
            "share": self.share,
            "cumulative": self.cumulative,
            "vital_few": self.vital_few,
            "source": self.source,
            "data_type": self.data_type,
            "file": self.file,
            "row": self.row,
            "data_set": self.data_set,
        }


@dataclass(frozen=True)
class Excluded:
    """A line left out by the cut-off rule: what it would have added, and its share before exclusion."""

    footprint: str
    process: str
    item: str
    label: Text
    amount: float
    share: float
    file: str | None
    row: int | None

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        return {
            "footprint": self.footprint,
            "process": self.process,
            "item": self.item,
            "label": self.label(lang),
            "amount": self.amount,
            "share_before_exclusion": self.share,
            "file": self.file,
            "row": self.row,
            "counted": False,
        }


@dataclass(frozen=True)
class Hotspot:
    """A named hotspot: which rule picked it, and a sentence saying what and why."""

    rank: int
    rule: str
    footprint: str
    level: str
    key: str
    label: Text
    share: float
    text: Text

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "rule": self.rule,
            "footprint": self.footprint,
            "level": self.level,
            "key": self.key,
            "label": self.label(lang),
            "share": self.share,
            "text": self.text(lang),
        }


@dataclass(frozen=True)
class Contribution:
    """The contribution analysis of one result, ready for the report (`to_dict`)."""

    production_t: float
    total_kgco2e: float
    total_m3: float
    carbon_by_process: tuple[Share, ...]
    carbon_by_item: tuple[Share, ...]
    carbon_by_group: tuple[Share, ...]
    carbon_by_gas: tuple[Share, ...]
    water_by_process: tuple[Share, ...]
    water_by_colour: tuple[Share, ...]
    carbon_pareto: tuple[ParetoLine, ...]
    water_pareto: tuple[ParetoLine, ...]
    excluded: tuple[Excluded, ...]
    hotspots: tuple[Hotspot, ...]
    issues: tuple[Text, ...]
    rules: tuple[HotspotRule, ...]

    def significant_issues(self, lang: Lang) -> list[str]:
        return [t(lang) for t in self.issues]

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        def shares(items: Iterable[Share]) -> list[dict[str, Any]]:
            return [s.to_dict(lang) for s in items]

        p = self.production_t
        return {
            "production_t": p,
            "carbon": {
                "total_kgco2e": self.total_kgco2e,
                "kgco2e_per_t": self.total_kgco2e / p,
                "by_process": shares(self.carbon_by_process),
                "by_item": shares(self.carbon_by_item),
                "by_group": shares(self.carbon_by_group),
                "by_gas": shares(self.carbon_by_gas),
                "pareto": [line.to_dict(lang) for line in self.carbon_pareto],
                "vital_few": [line.rank for line in self.carbon_pareto if line.vital_few],
            },
            "water": {
                "total_m3": self.total_m3,
                "m3_per_t": self.total_m3 / p,
                "by_process": shares(self.water_by_process),
                "by_colour": shares(self.water_by_colour),
                "pareto": [line.to_dict(lang) for line in self.water_pareto],
                "vital_few": [line.rank for line in self.water_pareto if line.vital_few],
            },
            "excluded": [e.to_dict(lang) for e in self.excluded],
            "hotspot_rules": [
                {"id": r.id, "footprint": r.footprint, "level": r.level, "threshold": r.threshold} for r in self.rules
            ]
            + [{"id": "vital-few", "footprint": "both", "level": "line", "threshold": VITAL_FEW}],
            "hotspots": [h.to_dict(lang) for h in self.hotspots],
            "significant_issues": self.significant_issues(lang),
        }


def line_label(process: str, item: str) -> Text:
    """The collection-table name of a (process, item) when the standard has one, else 'process · item'."""
    for tables in DATA_TABLES.values():
        for table in tables:
            for data in table.items:
                t = data.target
                if isinstance(t, ActivityTarget) and t.process == process and t.item == item:
                    return data.label
    name = item_text(item)
    return Text(f"{process_label(process, 'zh')} · {name.zh}", f"{process_label(process, 'en')} · {name.en}")


FARM_FACTOR_PREFIX = "farm:"  # the factor id and data set of a farm's raw milk line (engine/label.py)
FARMS_FILE = "farms.csv"


def farm_of(line: Line) -> tuple[str, str] | None:
    """(kind, farm) of a dairy label line a farm made: its raw milk line (data set "farm:<farm>") or its haul
    (a raw material transport line of farms.csv, source "<farm>: <t> t × <km> km"); None for any other line."""
    data_set = line.data_set or ""
    if data_set.startswith(FARM_FACTOR_PREFIX):
        return "raw_milk", data_set.removeprefix(FARM_FACTOR_PREFIX)
    if line.stage == "raw_material" and line.category == "transport" and line.origin.file == FARMS_FILE:
        farm = line.source.rpartition(": ")[0]
        return ("haul", farm) if farm else None
    return None


def line_text(line: Line) -> Text:
    """A line's name: a farm's lines by their farm (原料乳 · 牧场A), every other line by line_label."""
    farm = farm_of(line)
    return farm_text(*farm) if farm is not None else line_label(line.process, line.item)


def _coloured(label: Text, colour: str | None) -> Text:
    """A water line's label with its colour (blue, green) by name, as grey water is named: one name per colour."""
    zh, en = _COLOUR.get(colour or "", ("", ""))
    return Text(f"{label.zh}（{zh}）", f"{label.en} ({en})") if zh else label


def _ranked(amounts: dict[str, float], total: float, p: float, labels: dict[str, Text]) -> tuple[Share, ...]:
    """Entries sorted largest first (ties by key), with share of `total` and rank."""
    order = sorted(amounts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(
        Share(k, labels.get(k, Text(k, k)), v, v / p, v / total if total > 0 else 0.0, i + 1)
        for i, (k, v) in enumerate(order)
    )


def _pareto(entries: list[tuple[float, Line | None, str, Text]], total: float, p: float) -> tuple[ParetoLine, ...]:
    """Lines sorted descending with cumulative share; the vital few are those needed to reach 80 %."""
    entries = sorted(entries, key=lambda e: -e[0])
    out: list[ParetoLine] = []
    running: list[float] = []
    for i, (amount, line, key, text) in enumerate(entries):
        before = math.fsum(running) / total if total > 0 else 0.0
        running.append(amount)
        cumulative = math.fsum(running) / total if total > 0 else 0.0
        vital = before < VITAL_FEW and not math.isclose(before, VITAL_FEW)
        process, item = (line.process, line.item) if line else ("wastewater", key)
        out.append(
            ParetoLine(
                rank=i + 1,
                process=process,
                item=item,
                label=text,
                amount=amount,
                per_t=amount / p,
                share=amount / total if total > 0 else 0.0,
                cumulative=cumulative,
                vital_few=vital,
                source=line.source if line else "effluent.csv",
                data_type=line.data_type if line else "primary",
                file=line.origin.file if line else "effluent.csv",
                row=line.origin.row if line else None,
                data_set=line.data_set if line else None,
            )
        )
    return tuple(out)


def _hotspots(by_level: dict[tuple[str, str], tuple[Share, ...]], rules: tuple[HotspotRule, ...]) -> list[Hotspot]:
    out: list[Hotspot] = []
    for rule in rules:
        ranked = [s for s in by_level.get((rule.footprint, rule.level), ()) if s.share >= rule.threshold]
        for i, s in enumerate(ranked):
            zh_fp, en_fp = _FOOTPRINT[rule.footprint]
            lead = f"，为第{_ORDINAL_ZH[i]}热点" if i < len(_ORDINAL_ZH) else f"，为第 {i + 1} 位热点"
            sep = " " if s.label.zh[-1:].isascii() else ""
            text = Text(
                f"{s.label.zh}{sep}占{zh_fp} {pct(s.share, space=True)}{lead}（≥ {pct(rule.threshold, None, space=True)}）",
                f"{s.label.en}: {pct(s.share, space=True)} of the {en_fp}, hotspot #{i + 1} (≥ {pct(rule.threshold, None, space=True)})",
            )
            out.append(Hotspot(i + 1, rule.id, rule.footprint, rule.level, s.key, s.label, s.share, text))
    return out


def _vital_hotspots(footprint: str, pareto: tuple[ParetoLine, ...]) -> list[Hotspot]:
    vital = [line for line in pareto if line.vital_few]
    if not vital:
        return []
    zh_fp, en_fp = _FOOTPRINT[footprint]
    cum = vital[-1].cumulative
    return [
        Hotspot(
            line.rank,
            "vital-few",
            footprint,
            "line",
            f"{line.process}/{line.item}",
            line.label,
            line.share,
            Text(
                f"{line.label.zh}占{zh_fp} {pct(line.share, space=True)}，属构成 {pct(cum, space=True)} 的 {len(vital)} 条关键清单行之一",
                f"{line.label.en}: {pct(line.share, space=True)} of the {en_fp}, one of the {len(vital)} lines that make "
                f"{pct(cum, space=True)}",
            ),
        )
        for line in vital
    ]


def _issues(result: Result, pareto: tuple[ParetoLine, ...], excluded: list[Excluded]) -> list[Text]:
    """Significant issues (识别重大问题): hotspot data that rest on weak inputs, and the significant choices."""
    out: list[Text] = []
    by_key = {(line.process, line.item): line for line in result.lines}
    for pl in pareto:
        if not pl.vital_few:
            continue
        line = by_key.get((pl.process, pl.item))
        if line is not None and line.data_type == "secondary":
            out.append(
                Text(
                    f"关键清单行“{pl.label.zh}”（{pct(pl.share, space=True)}）使用次级数据，宜改用实测初级数据",
                    f"key line '{pl.label.en}' ({pct(pl.share, space=True)}) uses secondary data; primary data are advisable",
                )
            )
        if line is not None and line.fallbacks:
            out.append(
                Text(
                    f"关键清单行“{pl.label.zh}”（{pct(pl.share, space=True)}）的排放因子为替代因子（其他地区或年份）",
                    f"key line '{pl.label.en}' ({pct(pl.share, space=True)}) uses a stand-in factor (another region or year)",
                )
            )
    if result.main_share < 1.0:
        out.append(
            Text(
                f"分配方法（{result.allocation}，主产品份额 {pct(result.main_share, space=True)}）是重大选择，见分配敏感性分析",
                f"the allocation method ({result.allocation}, main product share {pct(result.main_share, space=True)}) is a "
                "significant choice; see the allocation sensitivity",
            )
        )
    for fp in ("carbon", "water"):
        left = math.fsum(e.share for e in excluded if e.footprint == fp)
        if left > 0:
            zh_fp, en_fp = _FOOTPRINT[fp]
            out.append(
                Text(
                    f"取舍准则排除的项目合计占{zh_fp} {pct(left, space=True)}（限值 5 %），未计入结果",
                    f"items left out by the cut-off rule make {pct(left, space=True)} of the {en_fp} (limit 5 %); not counted",
                )
            )
    water = result.blue_m3 + result.green_m3 + result.grey_m3
    if water > 0 and result.grey_m3 / water >= 0.5 and result.critical_pollutant:
        out.append(
            Text(
                f"灰水占水足迹 {pct(result.grey_m3 / water, space=True)}，关键污染物为 {result.critical_pollutant}",
                f"grey water is {pct(result.grey_m3 / water, space=True)} of the water footprint; critical pollutant "
                f"{result.critical_pollutant}",
            )
        )
    return out


def contribution(result: Result, rules: tuple[HotspotRule, ...] = RULES) -> Contribution:
    """Contributions, Pareto, hotspots and significant issues of `result` (after allocation and cut-off)."""
    p = result.production_t
    carbon = result.total_kgco2e
    water = result.blue_m3 + result.green_m3 + result.grey_m3
    kept = [line for line in result.lines if line.counted]
    carbon_lines = [line for line in kept if line.category != "water"]
    water_lines = [line for line in kept if line.water_colour in ("blue", "green")]

    processes = {k: Text(process_label(k, "zh"), process_label(k, "en")) for k in result.by_process}
    items = {line.item: item_text(line.item) for line in result.lines}
    by_process = _ranked(dict(result.by_process), carbon, p, processes)
    by_item = _ranked(dict(result.by_item), carbon, p, items)
    by_group = _ranked(dict(result.by_group), carbon, p, {g: Text(*GROUP_LABELS[g]) for g in GROUP_LABELS})
    by_gas = _ranked(dict(result.by_gas), carbon, p, {g: Text(*v) for g, v in _GAS.items()})
    water_process = dict(result.water_by_process)
    if result.grey_m3 > 0:
        water_process["wastewater"] = water_process.get("wastewater", 0.0) + result.grey_m3  # grey belongs there
    w_labels = {k: Text(process_label(k, "zh"), process_label(k, "en")) for k in water_process}
    w_by_process = _ranked(water_process, water, p, w_labels)
    colours = {"blue": result.blue_m3, "green": result.green_m3, "grey": result.grey_m3}
    w_by_colour = _ranked(colours, water, p, {c: Text(*v) for c, v in _COLOUR.items()})

    carbon_entries: list[tuple[float, Line | None, str, Text]] = [
        (line.kgco2e, line, line.item, line_text(line)) for line in carbon_lines
    ]
    water_entries: list[tuple[float, Line | None, str, Text]] = [
        (line.water_m3, line, line.item, _coloured(line_label(line.process, line.item), line.water_colour))
        for line in water_lines
    ]
    if result.grey_m3 > 0:
        pol = result.critical_pollutant or ""
        water_entries.append((result.grey_m3, None, f"grey.{pol}", Text(f"灰水（{pol}）", f"Grey water ({pol})")))
    carbon_pareto = _pareto(carbon_entries, carbon, p)
    water_pareto = _pareto(water_entries, water, p)

    excluded: list[Excluded] = []
    shares = {(d.process, d.item, d.footprint): d.share for d in result.decisions if d.excluded}
    for line in result.lines:
        if not line.counted:
            fp = "water" if line.category == "water" else "carbon"
            excluded.append(
                Excluded(
                    fp,
                    line.process,
                    line.item,
                    line_text(line),
                    line.water_m3 if fp == "water" else line.kgco2e,
                    shares.get((line.process, line.item, fp), 0.0),
                    line.origin.file,
                    line.origin.row,
                )
            )

    levels = {
        ("carbon", "process"): by_process,
        ("carbon", "item"): by_item,
        ("carbon", "group"): by_group,
        ("carbon", "gas"): by_gas,
        ("water", "process"): w_by_process,
        ("water", "colour"): w_by_colour,
    }
    hotspots = _hotspots(levels, rules)
    hotspots += _vital_hotspots("carbon", carbon_pareto) + _vital_hotspots("water", water_pareto)
    return Contribution(
        production_t=p,
        total_kgco2e=carbon,
        total_m3=water,
        carbon_by_process=by_process,
        carbon_by_item=by_item,
        carbon_by_group=by_group,
        carbon_by_gas=by_gas,
        water_by_process=w_by_process,
        water_by_colour=w_by_colour,
        carbon_pareto=carbon_pareto,
        water_pareto=water_pareto,
        excluded=tuple(excluded),
        hotspots=tuple(hotspots),
        issues=tuple(_issues(result, carbon_pareto, excluded)),
        rules=rules,
    )
