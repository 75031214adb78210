"""Which steam state and which source each steam row uses, and the rule that steam is never counted twice.

State (to turn t of steam into GJ, engine/steam.py): a row's own columns `steam_enthalpy_kj_per_kg`, or
`steam_pressure_mpa` (absolute) and optionally `steam_temperature_c`, win over assessment.toml's [steam]; a steam
meter's columns in meters.csv are carried into the activity row the meter becomes (readings/aggregate.py). Plants
run several steam pressures, so each row or meter may have its own. A temperature without a pressure on a row is
refused (it would be guessed together with [steam]'s pressure). Steam columns on a row that is not steam are refused
where the files are read (bundle/reader.py).

Source (formulas.md D: a shared utility is counted once, where its fuel enters):
- `purchased`: the steam's factor applies (as before).
- `boiler` (the plant's own boiler): the steam is recorded, amount and GJ, for the per-process view, with no
  emissions of its own: its burden is the boiler fuel's. Needs boiler fuel in the inventory, else refused (the
  burden would be lost).
- not stated (neither the row's `steam_source` nor [steam] `source`): purchased when the inventory has no boiler
  fuel; refused when it has (never guessed, never counted twice).

Boiler fuel: an energy row of process `boiler` other than electricity, steam and heat (electricity there runs the
boiler's pumps and fans). An electrode boiler's steam is counted where its electricity enters: leave that steam out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from milkprint.bundle.models import ActivityRow, Assessment, SteamSource
from milkprint.engine.steam import Enthalpy, SteamStateError, enthalpy
from milkprint.errors import Collector, Location, Problem, Text
from milkprint.units import UnitProblem, factor, is_mass

BOILER = "boiler"
_NOT_FUEL = ("energy.electricity", "energy.steam", "energy.heat")
OWN_BOILER_STEAM = Text("自备锅炉蒸汽：排放已计入锅炉燃料", "own-boiler steam: counted at the boiler fuel")
OWN_BOILER_NOTE = "own boiler: no emissions on this line, its burden is counted in the boiler fuel (formulas.md D)"


def is_steam(item: str) -> bool:
    """energy.steam and its variants (energy.steam_lp ...)."""
    return item.startswith("energy.steam")


def is_boiler_fuel(row: ActivityRow) -> bool:
    """A fuel burnt in the plant's own boiler (see the module docstring)."""
    return row.process == BOILER and row.item.startswith("energy.") and not row.item.startswith(_NOT_FUEL)


@dataclass(frozen=True)
class ChosenState:
    """The steam state a row uses and where it was stated (for the conversion text and error locations)."""

    enthalpy_kj_per_kg: float | None
    pressure_mpa: float | None
    temperature_c: float | None
    origin: Location  # the row, or assessment.toml
    prefix: str  # column prefix of the fields: "steam_" on a row, "steam." in assessment.toml
    label: str  # "[steam]" or "meters.csv row 3"

    def at(self, field: str) -> Location:
        return replace(self.origin, column=self.prefix + field)


def _add_once(errors: Collector, where: Location, text: Text) -> None:
    """A problem of a shared state ([steam]) is reported once, not once per row that uses it."""
    problem = Problem(where, text)
    if problem not in errors.problems:
        errors.problems.append(problem)


def _row_label(row: ActivityRow) -> str:
    o = row.origin
    where = o.sheet or o.file or "row"
    return f"{where} row {o.row}" if o.row is not None else where


def own_state(row: ActivityRow, errors: Collector) -> ChosenState | None:
    """The row's own steam state, if it gives one (a temperature alone is refused)."""
    if row.steam_enthalpy_kj_per_kg is None and row.steam_pressure_mpa is None:
        if row.steam_temperature_c is not None:
            _add_once(
                errors,
                replace(row.origin, column="steam_temperature_c"),
                Text(
                    "填写了蒸汽温度 steam_temperature_c，但本行没有蒸汽压力 steam_pressure_mpa（绝对压力）：请在同一行填写压力，"
                    "或改填比焓 steam_enthalpy_kj_per_kg",
                    "steam_temperature_c is given without steam_pressure_mpa (absolute) on this row: give the pressure "
                    "on the same row, or steam_enthalpy_kj_per_kg instead",
                ),
            )
        return None
    return ChosenState(
        row.steam_enthalpy_kj_per_kg,
        row.steam_pressure_mpa,
        row.steam_temperature_c,
        row.origin,
        "steam_",
        _row_label(row),
    )


def assessment_state(assessment: Assessment) -> ChosenState | None:
    s = assessment.steam
    if s is None or (s.enthalpy_kj_per_kg is None and s.pressure_mpa is None):
        return None
    return ChosenState(
        s.enthalpy_kj_per_kg, s.pressure_mpa, s.temperature_c, Location(file="assessment.toml"), "steam.", "[steam]"
    )


def state_of(row: ActivityRow, assessment: Assessment, errors: Collector) -> ChosenState | None:
    """The state a steam row uses: its own, else [steam]'s, else none."""
    return own_state(row, errors) or assessment_state(assessment)


def source_of(row: ActivityRow, assessment: Assessment) -> SteamSource | None:
    """The source a steam row states: its own steam_source, else [steam] source, else None (not stated)."""
    if row.steam_source is not None:
        return row.steam_source
    return assessment.steam.source if assessment.steam is not None else None


def evaluate(state: ChosenState, errors: Collector) -> Enthalpy | None:
    """The state's enthalpy, or None with the problem located where the state was given."""
    try:
        return enthalpy(state)
    except SteamStateError as exc:
        _add_once(errors, state.at(exc.field), exc.text)
        return None


@dataclass(frozen=True)
class SteamAmount:
    """What a steam row enters the inventory as: amount and unit, and how it was converted."""

    amount: float
    unit: str
    conversion: str


def _no_state(row: ActivityRow, errors: Collector) -> None:
    errors.add(
        replace(row.origin, column="unit"),
        "蒸汽以质量计量时，需给出蒸汽状态：本行的 steam_pressure_mpa（绝对压力，可加 steam_temperature_c）或 "
        "steam_enthalpy_kj_per_kg，或 assessment.toml 的 [steam]（enthalpy_kj_per_kg，或 pressure_mpa 与 temperature_c）；"
        "也可直接以 GJ 填报",
        "steam given as a mass needs its state: steam_pressure_mpa (absolute, optionally steam_temperature_c) or "
        "steam_enthalpy_kj_per_kg on the row, or [steam] in assessment.toml (enthalpy_kj_per_kg, or pressure_mpa and "
        "temperature_c); or give it in GJ",
    )


def to_gj(row: ActivityRow, assessment: Assessment, errors: Collector) -> SteamAmount | None:
    """t (or kg) of steam as GJ by the row's state: M x (h - 83.74) / 1000; None (with the problem) if it cannot."""
    state = state_of(row, assessment, errors)
    if state is None:
        _no_state(row, errors)
        return None
    h = evaluate(state, errors)
    if h is None:
        return None
    per_t = h.gj_per_t
    gj = row.amount * factor(row.unit, "t") * per_t
    text = f"{row.amount:g} {row.unit} steam x {per_t:.4f} GJ/t (h - 83.74 kJ/kg; {h.how}; state of {state.label})"
    return SteamAmount(gj, "GJ", text)


def own_boiler_amount(row: ActivityRow, assessment: Assessment, errors: Collector) -> SteamAmount | None:
    """Own-boiler steam as recorded: in GJ (a mass by its state, when one is given; else kept in t), no factor."""
    if is_mass(row.unit):
        if state_of(row, assessment, errors) is None:
            amount = row.amount * factor(row.unit, "t")
            return SteamAmount(
                amount, "t", f"{row.amount:g} {row.unit} steam, no steam state given (no GJ); {OWN_BOILER_NOTE}"
            )
        gj = to_gj(row, assessment, errors)
        return None if gj is None else SteamAmount(gj.amount, "GJ", f"{gj.conversion}; {OWN_BOILER_NOTE}")
    try:
        amount = row.amount * factor(row.unit, "GJ")
    except UnitProblem:
        errors.add(
            replace(row.origin, column="unit"),
            f"蒸汽应以质量（t、kg）或热量（GJ、MJ）计，实际为“{row.unit}”",
            f"steam must be a mass (t, kg) or heat (GJ, MJ), got '{row.unit}'",
        )
        return None
    conversion = (
        OWN_BOILER_NOTE if row.unit.strip() == "GJ" else f"{row.amount:g} {row.unit} = {amount:g} GJ; {OWN_BOILER_NOTE}"
    )
    return SteamAmount(amount, "GJ", conversion)


def _fuel_list(fuel: Sequence[ActivityRow]) -> str:
    shown = [f"{r.item}（{_row_label(r)}）" for r in fuel[:3]]
    return "、".join(shown) + ("……" if len(fuel) > 3 else "")


def check_steam(
    activities: Sequence[ActivityRow], metered: Sequence[ActivityRow], assessment: Assessment, errors: Collector
) -> None:
    """Refuse what would count steam twice or lose it, and every stated state that is not steam.

    - own-boiler steam with no boiler fuel in the inventory;
    - steam with no stated source while the inventory has boiler fuel;
    - a stated state (a row's or [steam]) that is not steam.

    Steam columns on a row that is not steam are refused where the files are read (bundle/reader.py); here they
    are ignored (a scenario may turn a steam row into boiler fuel).
    """
    rows = (*activities, *metered)
    fuel = [r for r in rows if is_boiler_fuel(r)]
    fuel_zh = _fuel_list(fuel)
    fuel_en = ", ".join(f"{r.item} ({_row_label(r)})" for r in fuel[:3]) + (" ..." if len(fuel) > 3 else "")
    for r in rows:
        if not is_steam(r.item):
            continue
        state = own_state(r, errors)
        if state is not None:
            evaluate(state, errors)
        source = source_of(r, assessment)
        where = replace(r.origin, column="steam_source")
        if source == "boiler" and not fuel:
            errors.add(
                where,
                "蒸汽来源为自备锅炉，但清单中没有锅炉燃料（工序 boiler 的燃料行，如 energy.natural_gas、energy.coal）："
                "自备锅炉蒸汽本身不计排放，其排放计在锅炉燃料上，缺少燃料会漏算。请填报锅炉燃料，或将蒸汽来源改为外购（purchased）",
                "the steam is from the plant's own boiler, but the inventory has no boiler fuel (a fuel row of process "
                "boiler, e.g. energy.natural_gas, energy.coal): own-boiler steam carries no emissions itself, they are "
                "counted in the boiler fuel, so they would be lost. Enter the boiler fuel, or mark the steam purchased",
            )
        elif source is None and fuel:
            errors.add(
                where,
                f"清单中同时有锅炉燃料（{fuel_zh}）和蒸汽，但未说明蒸汽来源：若蒸汽来自本厂锅炉，两者都计会重复计算。"
                "请说明蒸汽来源：本行 steam_source，或 assessment.toml 的 [steam] source"
                "（purchased 外购 / boiler 自备锅炉；工作簿：评价信息的“蒸汽来源”）",
                f"the inventory has boiler fuel ({fuel_en}) and steam, but the steam's source is not stated: if the steam "
                "comes from that boiler, counting both would count it twice. State the source: steam_source on this "
                "row, or source in [steam] of assessment.toml (purchased or boiler; workbook: 'Steam source' on the "
                "assessment sheet)",
            )
    state = assessment_state(assessment)
    if state is not None:
        evaluate(state, errors)
