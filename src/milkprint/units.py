"""One pint registry for the whole product, with the domain's units and their Chinese names.

Nm3 (normal cubic metre) is its own dimension so that gas metered in Nm3 never silently converts to
a plain m3 factor. Tonnes of water convert to m3 (1 t = 1 m3, 吨水) only where the line is water.

What the domain's spellings mean here (pint's defaults differ, so they are rewritten before pint reads them):

- `万` (10⁴) and `亿` (10⁸) before a unit are magnitudes, as Chinese meters and statistics write them: `万kWh`,
  `万千瓦时`, `万m3`, `万m³`, `万Nm3`, `万吨`, `万t`, `亿kWh`; `10^4 Nm3`, `10⁴m³`, `×10⁴ t` are the same as `万`.
  A 万kWh converts to kWh by exactly 10 000.
- `t`, `ton`, `tons`, `tonne`, `tonnes`, `metric ton(s)`, `mt`, `MT` and `吨` are the metric tonne (1000 kg). pint
  reads `ton` as the US short ton (907 kg) and `mt` as a millitonne (1 kg); neither occurs in a dairy plant.
  `Mt` is refused: a megatonne (10⁶ t) to pint, a metric ton to whoever typed it.
- `cal`, `kcal`, `Mcal`, `Gcal`, `大卡`, `千卡` are the International Table calorie (4.1868 J), the calorie of
  Chinese heat metering and steam tables (1 Gcal = 4.1868 GJ); pint's `cal` is the thermochemical one (4.184 J).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from milkprint.errors import Text

_DEFINITIONS = [
    "m3 = meter ** 3",
    "tonne_kilometer = tonne * kilometer = tkm = t_km",
    "normal_cubic_meter = [normal_gas_volume] = Nm3",
    # Magnitudes (dimensionless): `万kWh` reaches pint as `(万*kWh)`, exactly 10 000 kWh.
    "万 = 1e4",
    "亿 = 1e8",
    # Chinese unit names as plants write them on meters and invoices.
    "千瓦时 = kilowatt_hour = 度",
    "兆瓦时 = megawatt_hour",
    "吉焦 = gigajoule",
    "兆焦 = megajoule",
    "千焦 = kilojoule",
    "吨 = tonne = _ = 吨水",
    "千克 = kilogram = 公斤",
    "克 = gram",
    "立方米 = m3 = 方 = 立方",
    "标立方米 = Nm3 = 标方 = 标立方 = 标准立方米",
    "升 = liter = _ = 公升",
    "吨公里 = tkm",
    # The International Table calorie of Chinese heat metering (see the module docstring).
    "千卡 = 1000 * international_calorie = 大卡",
]

# Magnitude spellings before a unit, as the registry's 万/亿 (superscripts are read before NFKC turns 10⁴ into 104).
_MAGNITUDE = re.compile(
    r"^\s*(?:[x×X*]\s*)?(?:10\s*(?:\^|\*\*)\s*(?P<exp>\d+)|10(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(?P<zh>[万亿]))\s*"
)
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_POWERS = {"4": "万", "8": "亿"}

# Spellings that pint's parser would not read as intended.
_REWRITES = [
    (re.compile("³"), "3"),
    (re.compile("²"), "2"),
    (re.compile(r"\s*[·⋅*×]\s*"), "*"),
    (re.compile(r"^t\*km$"), "tkm"),
    # kgCO2e/kWh, tCO2/MWh: the gas is the factor's gas column; the unit is the mass.
    (re.compile(r"(?<![A-Za-z])(kg|g|t)(?:CO2e|CO2-eq|CO2eq|CO2|CH4|N2O)(?![A-Za-z0-9])"), r"\1"),
    # The metric tonne, whatever it is called (pint: ton = short ton, mt = millitonne, MT = megatesla).
    (re.compile(r"(?<![A-Za-z_])(?i:metric[\s_]*)?(?i:tonnes?|tons?)(?![A-Za-z_0-9])"), "t"),
    (re.compile(r"(?<![A-Za-z_])(?:mt|MT)(?![A-Za-z_0-9])"), "t"),
]

# Case slips seen in meter exports; a milliwatt-hour or millijoule never occurs in a dairy plant.
_CASELESS = {
    "kwh": "kWh",
    "mwh": "MWh",
    "gwh": "GWh",
    "gj": "GJ",
    "mj": "MJ",
    "nm3": "Nm3",
    "tkm": "tkm",
    "kw": "kW",
    "mw": "MW",
    "gcal": "Gcal",
    "mcal": "Mcal",
    "kcal": "kcal",
    "kw*h": "kWh",
    "kw.h": "kWh",
    "kw-h": "kWh",
}

# Spellings that mean two different things: refused with the choices.
_AMBIGUOUS: dict[str, Text] = {
    "Mt": Text(
        "有歧义：公吨（metric ton，请写 t 或 吨）还是兆吨（10⁶ t，请写 megatonne）？",
        "ambiguous: a metric ton (write t or tonne) or a megatonne (10⁶ t, write megatonne)?",
    ),
}

# The calorie is the International Table one (module docstring): `Gcal` reaches pint as `Gcal_it`; pint's own `cal` is
# thermochemical, and stays so only when named (`cal_th`, `thermochemical_calorie`).
_CALORIE = re.compile(r"(?<![A-Za-z_])([kMG]?)cal(?![A-Za-z_])")
_CALORIE_WORD = re.compile(r"(?<![A-Za-z_])(kilo|mega|giga)?calories?(?![A-Za-z_])")
_MAGNITUDE_WORD = re.compile(r"([万亿])([^*/()\s]+)")  # 万kWh -> (万*kWh): the magnitude binds to its unit

# What a meter header's unit may look like even when pint cannot read it: a magnitude, a unit word. Such a
# text in a header is a unit that was not understood (an error), never part of the meter's name.
_LATIN_UNIT = re.compile(
    r"(?<![a-z0-9])(k?wh|[mg]wh|kw[·.*\-]h|kw|mw|n?m[3³]|scm|[kmg]j|[kmg]?cal|tce|toe|tons?|tonnes?|mt|kg|kl|nl)"
    r"(?![a-z0-9])"
)
_CJK_UNIT = re.compile(r"千瓦时|兆瓦时|瓦时|立方|标方|公斤|千克|吨|吉焦|兆焦|千焦|大卡|千卡|标煤")
_CJK_UNIT_WHOLE = frozenset({"度", "方", "升", "克", "卡", "焦"})
_RATE = re.compile(r"/\s*(h|hr|d|day|min|s|小时|天|时)$", re.IGNORECASE)

# For messages: what a unit may be written as.
EXAMPLES = "kWh、万kWh、MWh、度、m3、万m3、Nm3、万Nm3、t、万t、吨、kg、L、GJ、Gcal"
EXAMPLES_EN = "kWh, 万kWh, MWh, 度, m3, 万m3, Nm3, 万Nm3, t, 万t, 吨, kg, L, GJ, Gcal"


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
    """A unit that is unknown, ambiguous or does not convert; the caller adds the location.

    `text` is the message in both languages; str() is the English one.
    """

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.text = Text(zh or en, en)


def split_magnitude(text: str) -> tuple[str | None, str]:
    """(`万` or `亿` or the `10^n` written, the rest) of a unit as typed: `万kWh` -> ('万', 'kWh'),
    `10⁴ m³` -> ('万', 'm³'), `10^3 m3` -> ('10^3', 'm3') (not a magnitude the registry knows), `kWh` -> (None, 'kWh')."""
    m = _MAGNITUDE.match(text)
    if m is None:
        return None, text
    rest = text[m.end() :]
    if m.group("zh"):
        return m.group("zh"), rest
    power = m.group("exp") or (m.group("sup") or "").translate(_SUPERSCRIPTS)
    return _POWERS.get(power, f"10^{power}"), rest


def normalise(text: str) -> str:
    """Canonical spelling of a unit as users type it (t·km, m³, KWH, 万 kWh, 10⁴Nm3, tons): what meters.csv keeps."""
    magnitude, rest = split_magnitude(text.strip())
    s = unicodedata.normalize("NFKC", rest).strip()
    for pattern, repl in _REWRITES:
        s = pattern.sub(repl, s)
    s = _CASELESS.get(s.lower(), s)
    if magnitude is None:
        return s
    return f"{magnitude}{s}" if magnitude in _POWERS.values() else f"{magnitude} {s}"


def _pint_text(canonical: str) -> str:
    """A canonical unit as pint must read it: magnitudes as factors (万*kWh), calories as IT calories."""
    s = _MAGNITUDE_WORD.sub(r"(\1*\2)", canonical)
    s = _CALORIE_WORD.sub(r"\1international_calorie", s)
    return _CALORIE.sub(r"\1cal_it", s)


def looks_like_unit(text: str) -> bool:
    """Whether a header's bracket (or a units cell) holds a unit, understood or not: a magnitude (万, 亿, 10^4) or a
    unit word (kWh, m³, 吨, 千瓦时, Gcal...). Such a text is never read as part of a meter's name."""
    magnitude, rest = split_magnitude(text.strip())
    if magnitude is not None:
        return True
    s = _RATE.sub("", "".join(unicodedata.normalize("NFKC", rest).split()))
    return bool(_LATIN_UNIT.search(s.lower()) or _CJK_UNIT.search(s) or s in _CJK_UNIT_WHOLE)


@lru_cache(maxsize=4096)
def parse(text: str) -> Any:
    """Parse a unit, or raise UnitProblem (bilingual; an ambiguous spelling is refused with its choices)."""
    s = normalise(text)
    if not s:
        raise UnitProblem("empty unit", "单位为空")
    for token in re.findall(r"[A-Za-z_]+", s):
        if token in _AMBIGUOUS:
            choices = _AMBIGUOUS[token]
            raise UnitProblem(f"unknown unit '{text}': {choices.en}", f"单位“{text}”{choices.zh}")
    ureg = registry()
    pint = _pint()
    try:
        return ureg.parse_units(_pint_text(s))
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        AttributeError,
        TypeError,
        ValueError,
        SyntaxError,
    ) as exc:
        raise UnitProblem(f"unknown unit '{text}'", f"单位“{text}”无法识别") from exc


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
