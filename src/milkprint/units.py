"""One pint registry for the whole product, with the domain's units and their Chinese names.

Nm3 (normal cubic metre) is its own dimension so that gas metered in Nm3 never silently converts to
a plain m3 factor. Tonnes of water convert to m3 (1 t = 1 m3, 吨水) only where the line is water.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_DEFINITIONS = [
    "m3 = meter ** 3",
    "tonne_kilometer = tonne * kilometer = tkm = t_km",
    "normal_cubic_meter = [normal_gas_volume] = Nm3",
    # Chinese unit names as plants write them on meters and invoices.
    "千瓦时 = kilowatt_hour = 度",
    "兆瓦时 = megawatt_hour",
    "吉焦 = gigajoule",
    "兆焦 = megajoule",
    "吨 = tonne",
    "千克 = kilogram = 公斤",
    "克 = gram",
    "立方米 = m3 = 方",
    "标立方米 = Nm3 = 标方",
    "升 = liter",
    "吨公里 = tkm",
]

# Spellings that pint's parser would not read as intended.
_REWRITES = [
    (re.compile("³"), "3"),
    (re.compile("²"), "2"),
    (re.compile(r"\s*[·⋅*×]\s*"), "*"),
    (re.compile(r"^t\*km$"), "tkm"),
    # kgCO2e/kWh, tCO2/MWh: the gas is the factor's gas column; the unit is the mass.
    (re.compile(r"(?<![A-Za-z])(kg|g|t)(?:CO2e|CO2-eq|CO2eq|CO2|CH4|N2O)(?![A-Za-z0-9])"), r"\1"),
]

# Case slips seen in meter exports; a milliwatt-hour or millijoule never occurs in a dairy plant.
_CASELESS = {"kwh": "kWh", "mwh": "MWh", "gwh": "GWh", "gj": "GJ", "mj": "MJ", "nm3": "Nm3", "tkm": "tkm"}


def _pint() -> Any:
    """pint, imported on first use: its import is slow and a big meter file loads meanwhile."""
    import pint

    return pint


def _tonne_of_water(ureg: Any, value: Any, **_: Any) -> Any:
    """吨水: a mass of water as its volume (1 t = 1 m3)."""
    return value / ureg.Quantity(1000, "kg/m**3")


@lru_cache(maxsize=1)
def registry() -> Any:
    """The product's registry (built once; pint's definition cache keeps start-up short)."""
    pint = _pint()
    try:
        ureg: Any = pint.UnitRegistry(cache_folder=":auto:")
    except OSError:  # no writable cache folder: slower start, same units
        ureg = pint.UnitRegistry()
    for line in _DEFINITIONS:
        ureg.define(line)
    water = pint.Context("water")
    water.add_transformation("[mass]", "[length] ** 3", _tonne_of_water)
    ureg.add_context(water)
    return ureg


class UnitProblem(ValueError):
    """A unit that is unknown or does not convert; the caller adds the location."""


def normalise(text: str) -> str:
    """Canonical spelling of a unit as users type it (t·km, m³, KWH)."""
    s = text.strip()
    for pattern, repl in _REWRITES:
        s = pattern.sub(repl, s)
    return _CASELESS.get(s.lower(), s)


@lru_cache(maxsize=4096)
def parse(text: str) -> Any:
    """Parse a unit, or raise UnitProblem."""
    s = normalise(text)
    if not s:
        raise UnitProblem("empty unit")
    ureg = registry()
    pint = _pint()
    try:
        return ureg.parse_units(s)
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        AttributeError,
        TypeError,
        ValueError,
        SyntaxError,
    ) as exc:
        raise UnitProblem(f"unknown unit '{text}'") from exc


@lru_cache(maxsize=4096)
def factor(from_unit: str, to_unit: str, *, water: bool = False) -> float:
    """How many `to_unit` one `from_unit` is; water lines may convert tonnes to m3."""
    ureg = registry()
    src, dst = parse(from_unit), parse(to_unit)
    pint = _pint()
    try:
        if water:
            with ureg.context("water"):
                return float(ureg.Quantity(1.0, src).to(dst).magnitude)
        return float(ureg.Quantity(1.0, src).to(dst).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitProblem(f"'{from_unit}' does not convert to '{to_unit}'") from exc


@lru_cache(maxsize=4096)
def emission_multiplier(activity_unit: str, factor_unit: str) -> float:
    """kg of gas per (1 activity unit x 1 factor unit), e.g. MWh x kg/kWh -> 1000."""
    ureg = registry()
    a, f = parse(activity_unit), parse(factor_unit)
    pint = _pint()
    try:
        return float((ureg.Quantity(1.0, a) * ureg.Quantity(1.0, f)).to("kg").magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitProblem(f"'{activity_unit}' does not convert to the unit of the factor '{factor_unit}'") from exc


def denominator(factor_unit: str) -> str:
    """The activity unit a factor is per ('kg/kWh' -> 'kWh'), for messages."""
    return factor_unit.split("/", 1)[1].strip() if "/" in factor_unit else factor_unit


def is_mass(unit: str) -> bool:
    return bool(parse(unit).dimensionality == registry().parse_units("kg").dimensionality)
