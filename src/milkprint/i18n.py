"""The user's language and how numbers are written for them: the one place every door asks.

Language. milkprint speaks Chinese (`zh`) unless a user asks for English (`en`):

- the CLI takes `--lang`, or the `MILKPRINT_LANG` environment variable (`LANG_ENV`); only the exact codes
  `zh` and `en` are accepted there (`parse_lang`), anything else is a usage error;
- the API and the pages call `choose_lang` with what the request carries: the `?lang=` query parameter beats the
  language cookie (pages only, `LANG_COOKIE`), which beats the Accept-Language header (API only; the pages ignore
  the browser's language). The first of them that is non-empty decides: English when it starts with "en" (any
  case: `en`, `en-GB`, `EN`), Chinese otherwise. Nothing given: Chinese (`DEFAULT_LANG`).

Numbers. A share (0..1) is written as a percentage by `pct`, a measured value with thousands separators and fixed
decimals by `number`, a quantity in a sentence by `quantity`, an activity amount by `amount`, a chart label by
`figures`. Where two parts of the product have written the same kind of number differently, the difference is a
named option here, so each keeps its look byte for byte:

- `space`: "1.2 %" (reports, pages, interpretation tables, validity texts) or "1.2%" (quality findings, CLI
  tables, chart labels: a table or a chart label never breaks it);
- `digits=None`: the general form, no trailing zeros ("5 %", "2.5 %": rules and thresholds quoted from the standard);
- `sign`: "+1.23 %" for a deviation;
- `tiny`: a share above zero that would round to 0.0 is written "<0.1%" (chart labels);
- `missing` (for None) and `nonfinite` (for NaN and ±inf): the text for a value that is not there; without them
  None is an error and NaN is written as Python writes it ("nan%").

The rounding is Python's format rounding of the binary value (1.25 writes "1.2", 1.35 writes "1.4"). Nothing here reads the
environment or a request: the doors pass in what they got.
"""

from __future__ import annotations

import math
from typing import Literal

Lang = Literal["zh", "en"]

DEFAULT_LANG: Lang = "zh"
LANG_ENV = "MILKPRINT_LANG"  # the CLI's environment variable for --lang
LANG_COOKIE = "milkprint_lang"  # the pages' language toggle


# --- language -------------------------------------------------------------------------------------------------


def parse_lang(code: str | None) -> Lang | None:
    """An exact language code ('zh' or 'en') as a `Lang`; None for anything else (the caller decides what that means)."""
    if code == "zh":
        return "zh"
    if code == "en":
        return "en"
    return None


def choose_lang(query: str | None = None, cookie: str | None = None, header: str | None = None) -> Lang:
    """The language of a web request: `?lang=` beats the cookie beats Accept-Language; Chinese by default.

    The first non-empty one decides, and only whether it starts with "en" matters ("fr" means Chinese, it does not
    fall through to the next source).
    """
    asked = query or cookie or header or ""
    return "en" if asked.lower().startswith("en") else DEFAULT_LANG


# --- numbers --------------------------------------------------------------------------------------------------


def pct(
    share: float | None,
    digits: int | None = 1,
    *,
    space: bool = False,
    sign: bool = False,
    tiny: bool = False,
    missing: str | None = None,
    nonfinite: str | None = None,
) -> str:
    """A share (0..1) as a percentage: pct(0.0123) -> '1.2%', pct(0.0123, space=True) -> '1.2 %'.

    `digits` decimals (None: the shortest form, `:g`); `sign` writes '+' on positive values; `tiny` writes a share
    above zero that rounds to nothing as '<0.1%' (for `digits` decimals); `missing` is the text for None,
    `nonfinite` the text for NaN and ±inf (see the module docstring).
    """
    if share is None:
        if missing is None:
            raise TypeError("pct() needs a number, or missing= for None")
        return missing
    value = float(share)
    if nonfinite is not None and not math.isfinite(value):
        return nonfinite
    unit = " %" if space else "%"
    percent = value * 100
    if tiny and digits is not None and 0 < percent < 0.5 / 10**digits:
        return f"<{10**-digits:.{digits}f}{unit}"
    spec = ("+" if sign else "") + ("g" if digits is None else f".{digits}f")
    return f"{percent:{spec}}{unit}"


def number(
    x: float | None,
    digits: int = 1,
    *,
    sign: bool = False,
    missing: str | None = None,
    nonfinite: str | None = None,
) -> str:
    """A value with thousands separators and fixed decimals: number(1026) -> '1,026.0'.

    `sign` writes '+' on positive values; `missing` is the text for None, `nonfinite` for NaN and ±inf.
    """
    if x is None:
        if missing is None:
            raise TypeError("number() needs a number, or missing= for None")
        return missing
    if nonfinite is not None and not math.isfinite(x):
        return nonfinite
    return f"{x:{'+' if sign else ''},.{digits}f}"


def quantity(x: float) -> str:
    """A quantity in a sentence: whole units from 100 up, two decimals from 1, three significant figures below 1."""
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.3g}" if abs(x) < 1 else f"{x:,.2f}"


def amount(x: float) -> str:
    """An activity amount: up to 6 significant digits (at most 4 decimals), thousands separators, no trailing zeros."""
    if x == 0:
        return "0"
    digits = max(0, 6 - math.floor(math.log10(abs(x))) - 1)
    s = f"{x:,.{min(digits, 4)}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def figures(v: float) -> str:
    """A chart label: 3-4 significant figures, thousands separators from 100 up, never an exponent (0.00123)."""
    a = abs(v)
    if a == 0 or not math.isfinite(v):
        return "0" if a == 0 else str(v)
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    decimals = min(8, 2 - math.floor(math.log10(a)))
    return f"{v:.{decimals}f}"
