"""Steam in tonnes -> heat in GJ: AD = M x (h - 83.74) x 1e-3 (83.74 kJ/kg: water at 20 °C).

The enthalpy h comes from the steam state: given directly (trusted as given: wet steam may lie below the
saturated vapour's), or from IAPWS-IF97 for the metered pressure and temperature. The pressure is absolute.

- Pressure only: saturated vapour at that pressure (x = 1).
- Pressure and temperature: the temperature must be that of steam at that pressure. At or above the saturation
  temperature T_sat(P) it is superheated vapour, h(P, T). A measured temperature up to 0.5 °C below T_sat counts
  as saturated vapour: 0.5 °C is the temperature meter's error limit in the standard (formulas.md C,
  "temperature ≤ ±0.5 ℃"), so such a reading cannot tell saturated steam from liquid. Further below T_sat the
  state is liquid water (1.0 MPa, 179 °C would give 0.675 GJ/t instead of 2.693): refused, never computed,
  with the gauge/absolute hint (a gauge reads P_abs - about 0.101 MPa).
- Beyond IAPWS-IF97's saturation line (below the triple point, at or above the critical pressure 22.064 MPa, or
  above 800 °C) there is no steam state to compute: refused.

Errors are `SteamStateError`: a bilingual text and the field at fault; the caller adds where the state came from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from milkprint.errors import Text

FEED_WATER_KJ_PER_KG = 83.74
TEMPERATURE_METER_LIMIT_C = 0.5  # formulas.md C: temperature meters within ±0.5 ℃
ATMOSPHERE_MPA = 0.101325  # gauge + this = absolute
CRITICAL_MPA = 22.064  # IAPWS-IF97: no saturation (no steam/water distinction) at or above it
TRIPLE_MPA = 0.000611657  # below it water has no vapour/liquid saturation line
MAX_TEMPERATURE_C = 800.0  # IAPWS-IF97 region 2 (superheated vapour) ends at 800 °C


class StateFields(Protocol):
    """What a steam state gives: an enthalpy, or an absolute pressure and optionally a temperature."""

    @property
    def enthalpy_kj_per_kg(self) -> float | None: ...
    @property
    def pressure_mpa(self) -> float | None: ...
    @property
    def temperature_c(self) -> float | None: ...


class SteamStateError(ValueError):
    """A steam state that is not steam, or outside IAPWS-IF97; `field` is pressure_mpa or temperature_c."""

    def __init__(self, text: Text, field: str) -> None:
        super().__init__(text.en)
        self.text = text
        self.field = field


@dataclass(frozen=True)
class Enthalpy:
    """The enthalpy of a steam state and how it was found (shown in the line's conversion)."""

    kj_per_kg: float
    how: str

    @property
    def gj_per_t(self) -> float:
        return (self.kj_per_kg - FEED_WATER_KJ_PER_KG) / 1000.0


def _if97(**state: float) -> object:
    from iapws import IAPWS97  # imported here: only steam users pay its start-up time

    return IAPWS97(**state)


def saturation_temperature_c(pressure_mpa: float) -> float:
    """T_sat of water at an absolute pressure (MPa), °C; the pressure must be within the saturation line."""
    return float(_if97(P=pressure_mpa, x=1).T) - 273.15  # type: ignore[attr-defined]


def saturation_pressure_mpa(temperature_c: float) -> float:
    """The absolute pressure (MPa) at which water boils at this temperature (°C, 0.01-373.9)."""
    return float(_if97(T=temperature_c + 273.15, x=1).P)  # type: ignore[attr-defined]


def _out_of_range(zh: str, en: str, field: str) -> SteamStateError:
    return SteamStateError(Text(zh, en), field)


def _check_pressure(p: float) -> None:
    if not math.isfinite(p) or p <= 0:
        raise _out_of_range(
            f"蒸汽压力应大于 0（绝对压力，MPa），实际为 {p:g}",
            f"the steam pressure must be above 0 (absolute, MPa), got {p:g}",
            "pressure_mpa",
        )
    if p < TRIPLE_MPA:
        raise _out_of_range(
            f"蒸汽压力 {p:g} MPa 低于水的三相点压力 {TRIPLE_MPA} MPa，不存在蒸汽状态；请确认单位为 MPa（绝对压力）",
            f"the steam pressure {p:g} MPa is below water's triple point ({TRIPLE_MPA} MPa): no steam exists there; "
            "check that the unit is MPa (absolute)",
            "pressure_mpa",
        )
    if p >= CRITICAL_MPA:
        raise _out_of_range(
            f"蒸汽压力 {p:g} MPa 不低于水的临界压力 {CRITICAL_MPA} MPa（超临界，IAPWS-IF97 无饱和蒸汽）；"
            "请确认单位为 MPa（1 MPa = 10 bar），或直接填写比焓",
            f"the steam pressure {p:g} MPa is at or above water's critical pressure {CRITICAL_MPA} MPa "
            "(supercritical: no saturated steam in IAPWS-IF97); check the unit is MPa (1 MPa = 10 bar), "
            "or give the enthalpy",
            "pressure_mpa",
        )


def _below_saturation(p: float, t: float, t_sat: float) -> SteamStateError:
    """1.0 MPa with 179 °C: liquid water. The message gives T_sat at P read as absolute and as gauge."""
    gauge_abs = p + ATMOSPHERE_MPA
    t_sat_gauge = saturation_temperature_c(gauge_abs) if gauge_abs < CRITICAL_MPA else math.nan
    p_sat = saturation_pressure_mpa(t) if 0.01 <= t < 373.9 else math.nan
    below = t_sat - t
    by = f"{below:.2f}" if below < 1 else f"{below:.1f}"
    gauge_zh = (
        f"若 {p:g} MPa 是压力表读数（表压），绝对压力约为 {gauge_abs:.3f} MPa，饱和温度为 {t_sat_gauge:.1f} ℃"
        if math.isfinite(t_sat_gauge)
        else f"若 {p:g} MPa 是表压，绝对压力约为 {gauge_abs:.3f} MPa"
    )
    gauge_en = (
        f"if {p:g} MPa is what the gauge reads, the absolute pressure is about {gauge_abs:.3f} MPa, "
        f"where steam saturates at {t_sat_gauge:.1f} °C"
        if math.isfinite(t_sat_gauge)
        else f"if {p:g} MPa is a gauge reading, the absolute pressure is about {gauge_abs:.3f} MPa"
    )
    psat_zh = f"；{t:g} ℃ 的蒸汽最高只能处于 {p_sat:.4g} MPa（绝对压力）" if math.isfinite(p_sat) else ""
    psat_en = f"; steam at {t:g} °C exists only up to {p_sat:.4g} MPa absolute" if math.isfinite(p_sat) else ""
    return SteamStateError(
        Text(
            f"该蒸汽状态不是蒸汽：{p:g} MPa（绝对压力）下的饱和温度为 {t_sat:.1f} ℃，{t:g} ℃ 比它低 {by} ℃"
            f"（超出温度计允许误差 ±{TEMPERATURE_METER_LIMIT_C} ℃），这是液态水的状态。"
            f"pressure_mpa 应为绝对压力：{gauge_zh}{psat_zh}。"
            "请核对压力是绝对压力还是表压、温度是否在蒸汽管道上测得，或直接填写比焓 enthalpy_kj_per_kg",
            f"this steam state is not steam: at {p:g} MPa absolute, steam saturates at {t_sat:.1f} °C, and "
            f"{t:g} °C is {by} °C below that (more than the ±{TEMPERATURE_METER_LIMIT_C} °C a temperature "
            f"meter may be off): that is liquid water. pressure_mpa is absolute: {gauge_en}{psat_en}. "
            "Check whether the pressure is absolute or gauge and that the temperature is measured on the steam line, "
            "or give enthalpy_kj_per_kg",
        ),
        "temperature_c",
    )


def enthalpy(state: StateFields) -> Enthalpy:
    """The enthalpy of a steam state (see the module docstring); SteamStateError if it is not steam."""
    if state.enthalpy_kj_per_kg is not None:
        h = state.enthalpy_kj_per_kg
        return Enthalpy(h, f"h = {h:g} kJ/kg given")
    p = state.pressure_mpa
    if p is None:
        raise SteamStateError(
            Text(
                "蒸汽状态需要比焓 enthalpy_kj_per_kg，或压力 pressure_mpa（绝对压力）及可选的温度 temperature_c",
                "a steam state needs enthalpy_kj_per_kg, or pressure_mpa (absolute) and optionally temperature_c",
            ),
            "pressure_mpa",
        )
    _check_pressure(p)
    saturated = _if97(P=p, x=1)
    h_g = float(saturated.h)  # type: ignore[attr-defined]
    t_sat = float(saturated.T) - 273.15  # type: ignore[attr-defined]
    t = state.temperature_c
    if t is None:
        return Enthalpy(h_g, f"saturated vapour at {p:g} MPa abs")
    if not math.isfinite(t) or t > MAX_TEMPERATURE_C:
        raise _out_of_range(
            f"蒸汽温度 {t:g} ℃ 超出 IAPWS-IF97 过热蒸汽的范围（不高于 {MAX_TEMPERATURE_C:g} ℃）",
            f"the steam temperature {t:g} °C is outside IAPWS-IF97's superheated steam (at most "
            f"{MAX_TEMPERATURE_C:g} °C)",
            "temperature_c",
        )
    if t < t_sat - TEMPERATURE_METER_LIMIT_C - 1e-9:
        raise _below_saturation(p, t, t_sat)
    if t <= t_sat:
        return Enthalpy(
            h_g,
            f"saturated vapour at {p:g} MPa abs ({t:g} °C measured, within {TEMPERATURE_METER_LIMIT_C} °C of "
            f"saturation {t_sat:.1f} °C)",
        )
    try:
        h = float(_if97(P=p, T=t + 273.15).h)  # type: ignore[attr-defined]
    except (NotImplementedError, ValueError, ArithmeticError):
        h = math.nan
    if not math.isfinite(h) or h < h_g - 1.0:  # a vapour above T_sat holds at least h_g (1 kJ/kg: region seams)
        raise _out_of_range(
            f"{p:g} MPa、{t:g} ℃ 的蒸汽状态超出 IAPWS-IF97 的适用范围，无法计算比焓；请直接填写比焓",
            f"the steam state {p:g} MPa, {t:g} °C is outside IAPWS-IF97; give the enthalpy instead",
            "temperature_c",
        )
    return Enthalpy(h, f"superheated at {p:g} MPa abs, {t:g} °C (saturation {t_sat:.1f} °C)")


def enthalpy_kj_per_kg(steam: StateFields) -> float:
    return enthalpy(steam).kj_per_kg


def gj_per_tonne(steam: StateFields) -> float:
    return enthalpy(steam).gj_per_t
