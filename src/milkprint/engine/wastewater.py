"""Wastewater methane and off-site treatment: IPCC 2006 Vol.5 Ch.6 eq. 6.4 and the standard's 委外处理 rule.

CH4 = (TOW − S) × EF − R, with EF = Bo × MCF (kg CH4 per kg COD). TOW is the COD entering a treatment system:
a `wastewater.*` line with a factor, the *treatment line* (`wastewater.cod_anaerobic_reactor`, …). S is the organic
component removed as sludge (item `wastewater.sludge_cod`, a mass of COD) and R the methane recovered: flared, or
burnt in a boiler or an engine (item `wastewater.ch4_recovered`, a mass of CH4). S and R are folded into the
treatment line of their own process: its activity amount becomes TOW − S, its methane is reduced by R, and its
`conversion` shows the arithmetic. The S and R rows stay in the inventory as lines of their own that count nothing
and name the line they went into, so every number can be traced, and no line ever has negative emissions: S above
the COD it is taken from, or R above the methane generated, is refused.

Which treatment line: the one whose item id the S or R row's `note` names (e.g. "from wastewater.cod_anaerobic_reactor");
with no item named, every treatment line of the process, provided they share one factor (the same EF: several rows of
one item, say), S in proportion to their COD and R to their methane. Several treatment lines with different factors
and no item named is an error asking to name one; so is S or R in a process without a treatment line.

Off-site treatment (委外处理): the standard counts only its transport ("其中委外处理的仅计算其运输过程", formulas.md A).
Wastewater sent off-site is item `wastewater.offsite` (m3, L or t): a line with no emissions that says why. Its
transport is a `transport.*` row in the same process (t·km to the treatment plant), which the data-quality check asks
for (`offsite_transport`). A treatment row whose note says it is treated off-site (委外, 外委, off-site, outsourced)
would count a treatment the standard leaves out: it is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from milkprint.bundle.models import ActivityRow
from milkprint.engine.inventory import Line, base_line
from milkprint.errors import Collector, Lang, Location, Text
from milkprint.methods.items import (
    WASTEWATER_OFFSITE,
    WASTEWATER_RECORDS,
    WASTEWATER_RECOVERED,
    WASTEWATER_SLUDGE,
    split_item,
)
from milkprint.units import UnitProblem, emission_multiplier, factor, is_mass

METHANE = ("CH4", "CH4_biogenic")
EQUATION = "IPCC 2006 Vol.5 Ch.6 eq. 6.4"
_OFFSITE_NOTE = re.compile(r"委外|外委|off[-\s_]?site|outsourc", re.IGNORECASE)
_ITEM_IN_NOTE = re.compile(r"wastewater\.[A-Za-z0-9_]+")
_TOLERANCE = 1e-9  # R equal to the methane generated (typed by hand) may differ from it in the last bits


OFFSITE = Text("委外处理：仅计运输", "treated off-site: only its transport counts")
TAKEN_INTO = Text("已并入同工序的处理线（IPCC 2006 式 6.4）", "taken into the treatment line (IPCC 2006 eq. 6.4)")


def is_record(item: str) -> bool:
    """S, R and off-site wastewater: items with no factor of their own, handled here and not by the resolver."""
    return item in WASTEWATER_RECORDS


def is_treatment(line: Line) -> bool:
    """A line of wastewater treatment (or discharge) with a factor: where S and R can be taken from."""
    return line.category == "wastewater" and not is_record(line.item)


def marked_offsite(note: str) -> bool:
    return bool(_OFFSITE_NOTE.search(note))


def _named(item: str, origin: Location, lang: Lang = "en") -> str:
    """An item and the place of its row: 'wastewater.cod_x (activities.csv, row 5)', or the item alone."""
    where = origin.describe(lang)
    if not where:
        return item
    return f"{item}（{where}）" if lang == "zh" else f"{item} ({where})"


def check_rows(rows: Iterable[ActivityRow], errors: Collector) -> None:
    """A treatment row marked off-site would count treatment emissions the standard leaves out: refuse it."""
    for row in rows:
        parts = split_item(row.item)
        if parts is None or parts[0] != "wastewater" or is_record(row.item) or not marked_offsite(row.note):
            continue
        errors.add(
            Location(row.origin.file, row.origin.row, "note"),
            f"{row.item} 是厂内处理的排放项目，但备注说明为委外处理：委外处理的废水不计处理排放、仅计运输（重复计算）。"
            f"请改填 {WASTEWATER_OFFSITE}（m3 或 t），并在同一工序填报运输（transport.*，吨·千米）",
            f"{row.item} counts on-site treatment emissions but its note says the wastewater is treated off-site: "
            f"off-site treatment counts only its transport (it would count twice). Enter it as {WASTEWATER_OFFSITE} "
            "(m3 or t) with its transport (transport.*, t·km) in the same process",
        )


def record_line(row: ActivityRow, share: float, errors: Collector) -> Line | None:
    """The line of an S, R or off-site row: its amount in kg (S, R) or m3 (off-site), no emissions of its own."""
    loc = row.origin
    if row.exclude:
        errors.add(
            Location(loc.file, loc.row, "exclude"),
            f"{row.item} 本身不计排放，不能作为取舍候选（exclude）",
            f"{row.item} counts no emissions of its own and cannot be a cut-off candidate (exclude)",
        )
        return None
    base = base_line(row, share)
    if row.item == WASTEWATER_OFFSITE:
        try:
            m3 = row.amount * factor(row.unit, "m3", water=True)
        except UnitProblem:
            errors.add(
                Location(loc.file, loc.row, "unit"),
                f"委外处理废水量的单位应为 m3、L 或 t，实际为“{row.unit}”",
                f"wastewater sent off-site must be in m3, L or t, got '{row.unit}'",
            )
            return None
        why = (
            "委外处理：不计处理排放，仅计运输（同工序的 transport.* 行）/ treated off-site: no treatment emissions, "
            "only its transport counts (transport.* in this process; 委外处理的仅计算其运输过程)"
        )
        return replace(base, activity_amount=m3, activity_unit="m3", conversion=why, recorded=OFFSITE)
    what_zh, what_en = ("COD", "COD") if row.item == WASTEWATER_SLUDGE else ("甲烷", "CH4")
    if not is_mass(row.unit):
        hint = (
            ""
            if row.item == WASTEWATER_SLUDGE
            else "（沼气体积换算：kg CH4 = Nm3 沼气 × 甲烷体积分数 × 0.7168 kg/Nm3）"
        )
        hint_en = (
            ""
            if row.item == WASTEWATER_SLUDGE
            else " (from a biogas volume: kg CH4 = Nm3 biogas × CH4 volume fraction × 0.7168 kg/Nm3)"
        )
        errors.add(
            Location(loc.file, loc.row, "unit"),
            f"{row.item} 应为{what_zh}的质量（kg、t），实际为“{row.unit}”{hint}",
            f"{row.item} must be a mass of {what_en} (kg, t), got '{row.unit}'{hint_en}",
        )
        return None
    return replace(base, activity_amount=row.amount * factor(row.unit, "kg"), activity_unit="kg", recorded=TAKEN_INTO)


def _ef(line: Line) -> tuple[tuple[str, float, str], ...]:
    return tuple(sorted((e.gas, e.value, e.unit) for e in line.emissions))


def _targets(k: int, note: str, lines: Sequence[Line], treatment: Sequence[int], errors: Collector) -> list[int] | None:
    """The treatment lines the S or R line `k` goes into (module docstring), or None after an error."""
    line = lines[k]
    loc = Location(line.origin.file, line.origin.row, "note")
    own = [j for j in treatment if lines[j].process == line.process]
    named = sorted({m for m in _ITEM_IN_NOTE.findall(note) if not is_record(m)})
    if not own:
        errors.add(
            Location(line.origin.file, line.origin.row, "item"),
            f"{line.item}：工序 {line.process} 中没有废水处理项目（如 wastewater.cod_anaerobic_reactor，进入处理的 "
            "COD），无从扣减；请在同一工序填报处理项目",
            f"{line.item}: no wastewater treatment line (e.g. wastewater.cod_anaerobic_reactor, COD entering "
            f"treatment) in process {line.process} to take it from; enter the treatment in the same process",
        )
        return None
    if len(named) > 1:
        errors.add(
            loc,
            f"{line.item} 的备注中写了多个处理项目（{'、'.join(named)}）；请只写一个",
            f"the note of {line.item} names several treatment items ({', '.join(named)}); name one",
        )
        return None
    if named:
        hit = [j for j in own if lines[j].item == named[0]]
        if not hit:
            errors.add(
                loc,
                f"{line.item} 的备注指向 {named[0]}，但工序 {line.process} 中没有该处理项目",
                f"the note of {line.item} names {named[0]}, which has no row in process {line.process}",
            )
            return None
        return hit
    if len({_ef(lines[j]) for j in own}) > 1:
        items = sorted({lines[j].item for j in own})
        errors.add(
            loc,
            f"工序 {line.process} 有多个排放因子不同的废水处理项目（{'、'.join(items)}），无法确定 {line.item} "
            f"从哪一个扣减；请在本行 note 中写明处理项目，如“{items[0]}”",
            f"process {line.process} has treatment lines with different factors ({', '.join(items)}); say which one "
            f"{line.item} is taken from by naming its item in this row's note, e.g. '{items[0]}'",
        )
        return None
    return own


def _split(total: float, weights: Sequence[float]) -> list[float]:
    """`total` in proportion to `weights`, the last part taking the remainder so that the parts add up to it."""
    whole = math.fsum(weights)
    if len(weights) == 1 or whole <= 0.0:
        return [total] + [0.0] * (len(weights) - 1)
    parts = [total * w / whole for w in weights[:-1]]
    return [*parts, total - math.fsum(parts)]


def _methane(line: Line) -> int | None:
    """The index of the line's one methane emission (the gas R is taken from), else None."""
    found = [n for n, e in enumerate(line.emissions) if e.gas in METHANE]
    return found[0] if len(found) == 1 else None


def _places(lines: Sequence[Line], ks: Iterable[int]) -> str:
    return ", ".join(lines[k].origin.describe("en") or lines[k].item for k in ks)


def fold(rows: Sequence[ActivityRow], lines: Sequence[Line], errors: Collector) -> list[Line]:
    """Eq. 6.4: S and R taken from the treatment lines of their process (module docstring); other lines unchanged.

    `lines[k]` is the line of `rows[k]` (the rows hold the notes that name a treatment item)."""
    assert len(rows) == len(lines), "fold needs the row of each line"
    out = list(lines)
    cuts = [k for k, ln in enumerate(out) if ln.item in (WASTEWATER_SLUDGE, WASTEWATER_RECOVERED)]
    if not cuts:
        return out
    treatment = [j for j, ln in enumerate(out) if is_treatment(ln)]
    before = len(errors.problems)
    goes: dict[int, list[int]] = {}
    for k in cuts:
        targets = _targets(k, rows[k].note, out, treatment, errors)
        if targets is not None:
            goes[k] = targets
    if len(errors.problems) > before:
        return out
    # S first (in the treatment line's activity unit, in proportion to its COD), then R (kg CH4, in proportion to
    # the methane each line generates after S).
    sludge = _share_sludge(goes, out, errors)
    net = _net_of_sludge(sludge, out, errors)
    recovered = _share_recovered(goes, out, net, errors)
    if len(errors.problems) > before:
        return out
    for j in sorted(set(net) | set(recovered.parts)):
        folded = _folded(j, out, net, sludge, recovered, errors)
        if folded is not None:
            out[j] = folded
    for k, targets in goes.items():
        what = "sludge COD (S)" if out[k].item == WASTEWATER_SLUDGE else "methane recovered (R)"
        into = ", ".join(_named(out[j].item, out[j].origin) for j in targets)
        out[k] = replace(out[k], conversion=f"{what} taken from {into} ({EQUATION}); counts nothing itself")
    return out


@dataclass
class _Shares:
    """What the S (or R) rows take from each treatment line j: the parts, and the rows k they come from."""

    parts: dict[int, list[float]] = field(default_factory=dict)
    rows: dict[int, list[int]] = field(default_factory=dict)

    def add(self, j: int, part: float, k: int) -> None:
        self.parts.setdefault(j, []).append(part)
        self.rows.setdefault(j, []).append(k)


def _share_sludge(goes: dict[int, list[int]], out: list[Line], errors: Collector) -> _Shares:
    """Each S row split over its treatment lines in proportion to their COD, in each line's activity unit."""
    sludge = _Shares()
    for k, targets in goes.items():
        if out[k].item != WASTEWATER_SLUDGE:
            continue
        try:
            parts = [
                p * factor(out[k].activity_unit, out[j].activity_unit)
                for p, j in zip(
                    _split(out[k].activity_amount, [out[j].activity_amount for j in targets]), targets, strict=True
                )
            ]
        except UnitProblem:
            j = next((j for j in targets if not is_mass(out[j].activity_unit)), targets[0])
            errors.add(
                Location(out[k].origin.file, out[k].origin.row, "item"),
                f"{out[j].item} 的因子不是按 COD 质量（kg）计，无法扣减污泥 COD",
                f"the factor of {out[j].item} is not per mass of COD (kg): sludge COD cannot be taken from it",
            )
            continue
        for j, p in zip(targets, parts, strict=True):
            sludge.add(j, p, k)
    return sludge


def _net_of_sludge(sludge: _Shares, out: list[Line], errors: Collector) -> dict[int, float]:
    """TOW − S of each treatment line S is taken from; an S larger than the TOW is refused."""
    net: dict[int, float] = {}
    for j, parts in sludge.parts.items():
        tow, s = out[j].activity_amount, math.fsum(parts)
        if s > tow * (1 + _TOLERANCE):
            first = out[sludge.rows[j][0]].origin
            errors.add(
                Location(first.file, first.row, "amount"),
                f"污泥带走的 COD（{s:.10g} {out[j].activity_unit}）大于进入处理的 COD（"
                f"{_named(out[j].item, out[j].origin, 'zh')}：{tow:.10g} {out[j].activity_unit}）",
                f"the COD removed as sludge ({s:.10g} {out[j].activity_unit}) is more than the COD entering treatment "
                f"({_named(out[j].item, out[j].origin)}: {tow:.10g} {out[j].activity_unit})",
            )
            continue
        net[j] = max(tow - s, 0.0)
    return net


def _generated(ln: Line, net: float | None) -> list[float]:
    """kg of each gas of a treatment line after S (eq. 6.4: (TOW − S) × EF); as assessed when no S is taken."""
    if net is None:
        return [e.kg for e in ln.emissions]
    return [net * e.value * emission_multiplier(ln.activity_unit, e.unit) for e in ln.emissions]


def _share_recovered(goes: dict[int, list[int]], out: list[Line], net: dict[int, float], errors: Collector) -> _Shares:
    """Each R row (kg CH4) split over its treatment lines in proportion to the methane each generates after S."""
    recovered = _Shares()
    for k, targets in goes.items():
        if out[k].item != WASTEWATER_RECOVERED:
            continue
        ch4 = [_methane(out[j]) for j in targets]
        if any(m is None for m in ch4):
            j = targets[ch4.index(None)]
            errors.add(
                Location(out[k].origin.file, out[k].origin.row, "item"),
                f"{out[j].item} 的因子中没有（唯一的）甲烷（CH4 或 CH4_biogenic）排放，无法扣减回收的甲烷",
                f"the factor of {out[j].item} has no (single) methane gas (CH4 or CH4_biogenic): recovered methane "
                "cannot be taken from it",
            )
            continue
        weights = [_generated(out[j], net.get(j))[m] for j, m in zip(targets, ch4, strict=True) if m is not None]
        for j, p in zip(targets, _split(out[k].activity_amount, weights), strict=True):
            recovered.add(j, p, k)
    return recovered


def _folded(
    j: int, out: list[Line], net: dict[int, float], sludge: _Shares, recovered: _Shares, errors: Collector
) -> Line | None:
    """Treatment line j with S and R taken and the arithmetic in its conversion; None (an error) when R > CH4."""
    ln = out[j]
    kg = _generated(ln, net.get(j))
    r = math.fsum(recovered.parts.get(j, []))
    m = _methane(ln)
    unit = ln.activity_unit
    steps = []
    if j in net:
        steps.append(
            f"(TOW {ln.activity_amount:.10g} − S {math.fsum(sludge.parts[j]):.10g}) {unit} = {net[j]:.10g} {unit}"
        )
    if m is not None:
        e = ln.emissions[m]
        gen = kg[m]
        steps.append(f"{e.gas} {net.get(j, ln.activity_amount):.10g} {unit} × {e.value:.10g} {e.unit} = {gen:.10g} kg")
        if j in recovered.parts:
            if r > gen * (1 + _TOLERANCE) + 1e-12:
                first = out[recovered.rows[j][0]].origin
                errors.add(
                    Location(first.file, first.row, "amount"),
                    f"回收的甲烷（{r:.10g} kg）大于 {_named(ln.item, ln.origin, 'zh')} 产生的甲烷（{gen:.10g} kg）："
                    "排放不能为负",
                    f"the methane recovered ({r:.10g} kg) is more than {_named(ln.item, ln.origin)} generates "
                    f"({gen:.10g} kg): emissions cannot be negative",
                )
                return None
            kg[m] = max(gen - r, 0.0)
            steps.append(f"− R {r:.10g} kg = {kg[m]:.10g} kg {e.gas}")
    where = []
    if j in sludge.rows:
        where.append(f"S: {_places(out, sludge.rows[j])}")
    if j in recovered.rows:
        where.append(f"R: {_places(out, recovered.rows[j])}")
    conversion = "; ".join(steps) + f" ({'; '.join([EQUATION, *where])})"
    emissions = tuple(
        replace(e, kg=q, kgco2e=q * e.gwp) if q != e.kg else e for e, q in zip(ln.emissions, kg, strict=True)
    )
    return replace(
        ln,
        activity_amount=net.get(j, ln.activity_amount),
        conversion=f"{ln.conversion}; {conversion}" if ln.conversion else conversion,
        emissions=emissions,
    )


def offsite_transport(entries: Iterable[tuple[str, str]]) -> dict[str, bool]:
    """For each process with wastewater sent off-site: whether a transport item (t·km) is given in it.

    `entries` are (process, item) of the activity rows and meters."""
    pairs = list(entries)
    transported = {p for p, item in pairs if (split_item(item) or ("", ""))[0] == "transport"}
    return {p: p in transported for p, item in pairs if item == WASTEWATER_OFFSITE}
