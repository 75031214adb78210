"""One module chooses the language and writes numbers (milkprint.i18n): its rules, and that nobody else does it.

The formatters are checked against the code they replaced (kept below as `OLD`, byte for byte as it was), so a user
sees exactly what they saw before on every door.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import milkprint
from milkprint.errors import Lang as ErrorsLang
from milkprint.i18n import (
    DEFAULT_LANG,
    LANG_COOKIE,
    LANG_ENV,
    Lang,
    amount,
    choose_lang,
    figures,
    number,
    parse_lang,
    pct,
    quantity,
)

# --- language ---------------------------------------------------------------------------------------------------


def test_lang_type_is_reexported_by_errors() -> None:
    assert ErrorsLang is Lang
    assert DEFAULT_LANG == "zh" and LANG_ENV == "MILKPRINT_LANG" and LANG_COOKIE == "milkprint_lang"


@pytest.mark.parametrize(
    ("code", "lang"),
    [("zh", "zh"), ("en", "en"), ("EN", None), ("en-GB", None), ("fr", None), ("", None), (None, None)],
)
def test_parse_lang_takes_only_exact_codes(code: str | None, lang: str | None) -> None:
    assert parse_lang(code) == lang


def test_choose_lang_default_is_chinese() -> None:
    assert choose_lang() == "zh"
    assert choose_lang(query="", cookie="", header="") == "zh"


def test_query_beats_cookie_beats_header() -> None:
    assert choose_lang(query="en", cookie="zh", header="zh-CN") == "en"
    assert choose_lang(query="zh", cookie="en", header="en") == "zh"
    assert choose_lang(cookie="en", header="zh-CN,zh;q=0.9") == "en"
    assert choose_lang(cookie="zh", header="en-US,en;q=0.9") == "zh"
    assert choose_lang(header="en-US,en;q=0.9") == "en"
    assert choose_lang(header="zh-CN,zh;q=0.9,en;q=0.8") == "zh"


def test_the_first_non_empty_source_decides() -> None:
    assert choose_lang(query="", cookie="en") == "en"  # ?lang= (empty) falls through
    assert choose_lang(query="fr", cookie="en", header="en") == "zh"  # an unknown language means Chinese
    assert choose_lang(query="EN") == "en" and choose_lang(query="en-GB") == "en"  # any case, any region


def test_cli_lang_from_environment_and_option(cli) -> None:
    code, _, err = cli("factors", "show", "material.hno3", lang="en")  # MILKPRINT_LANG=en
    assert code == 2 and "nitric acid" in err and "硝酸" not in err
    code, _, err = cli("factors", "show", "material.hno3", "--lang", "zh", lang="en")  # the option beats the env
    assert code == 2 and "硝酸" in err
    code, _, err = cli("factors", "show", "material.hno3", lang="EN")  # only exact codes on the command line
    assert code == 2 and "--lang must be zh or en (got 'EN')" in err


# --- numbers: the implementations they replaced, verbatim ----------------------------------------------------------


def _quality_pct(x: float, digits: int = 1) -> str:  # quality/base.py pct
    return f"{x * 100:.{digits}f}%"


def _web_percent(value: Any, digits: int = 1) -> str:  # web/core.py percent (the pages' `pct` filter)
    if value is None:
        return "—"
    return f"{100 * float(value):.{digits}f} %"


def _report_pct(share: float) -> str:  # report/annex_a.py pct
    return f"{share * 100:.1f} %" if math.isfinite(share) else "—"


def _chart_share(share: float) -> str:  # report/chart.py fmt_share
    p = share * 100
    if 0 < p < 0.05:
        return "<0.1%"
    return f"{p:.1f}%"


def _validity_pct(fraction: float) -> str:  # report/validity.py _pct (thresholds quoted from the standard)
    return f"{fraction * 100:g} %"


def _interpret_pct(x: float | None) -> str:  # interpret/render.py _pct
    return "—" if x is None else f"{x * 100:.1f} %"


def _contribution_pct(share: float) -> str:  # interpret/contribution.py _pct
    return f"{share * 100:.1f} %"


OLD_PCT: dict[str, tuple[Callable[[float], str], Callable[[float], str]]] = {
    "quality/base.py pct": (_quality_pct, lambda x: pct(x)),
    "quality/base.py pct(x, 2)": (lambda x: _quality_pct(x, 2), lambda x: pct(x, 2)),
    "web/core.py percent": (_web_percent, lambda x: pct(x, space=True, missing="—")),
    "web/core.py percent(x, 3)": (lambda x: _web_percent(x, 3), lambda x: pct(x, 3, space=True, missing="—")),
    "report/annex_a.py pct": (_report_pct, lambda x: pct(x, space=True, nonfinite="—")),
    "report/chart.py fmt_share": (_chart_share, lambda x: pct(x, tiny=True)),
    "report/validity.py _pct": (_validity_pct, lambda x: pct(x, None, space=True)),
    "interpret/render.py _pct": (_interpret_pct, lambda x: pct(x, space=True, missing="—")),
    "interpret/contribution.py _pct": (_contribution_pct, lambda x: pct(x, space=True)),
    "f'{x:.1%}' (tables.py, quality/render.py)": (lambda x: f"{x:.1%}", lambda x: pct(x)),
    "f'{x:.3%}' (tables.py)": (lambda x: f"{x:.3%}", lambda x: pct(x, 3)),
    "f'{x:.0%}' (readings/review.py)": (lambda x: f"{x:.0%}", lambda x: pct(x, 0)),
    "f'{x * 100:+.2f} %' (cli.py, report/series.py)": (
        lambda x: f"{x * 100:+.2f} %",
        lambda x: pct(x, 2, space=True, sign=True),
    ),
    "f'{x * 100:+.1f} %' (validity deviations)": (
        lambda x: f"{x * 100:+.1f} %",
        lambda x: pct(x, space=True, sign=True),
    ),
    "f'{x * 100:3.0f}%' (readings/review.py bar)": (lambda x: f"{x * 100:3.0f}%", lambda x: f"{pct(x, 0):>4}"),
}

SHARES = [0.0, -0.0, 1.0, -1.0, 0.5, 0.0123, -0.0123, 0.00049, 0.0005, 0.000499999, 0.00051, 0.0125, 0.1235, 0.05,
          0.15, 0.01, 0.2, 1e-12, -1e-12, 123.456, 1e-300, 0.999999, 0.9995]  # fmt: skip


@pytest.mark.parametrize("name", list(OLD_PCT))
def test_pct_writes_what_each_old_formatter_wrote(name: str) -> None:
    old, new = OLD_PCT[name]
    for x in [*SHARES, math.inf, -math.inf, math.nan]:
        assert new(x) == old(x), (name, x)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
def test_pct_matches_the_old_formatters_on_any_share(x: float) -> None:
    for name, (old, new) in OLD_PCT.items():
        assert new(x) == old(x), (name, x)


def test_pct_rounding_negative_zero() -> None:
    assert pct(0.0123) == "1.2%" and pct(0.0123, space=True) == "1.2 %"
    assert pct(0.00125, 1) == "0.1%" and pct(0.5, 0) == "50%"
    assert pct(0.0125, 2) == "1.25%" and pct(0.026, 1) == "2.6%"
    assert pct(-0.0123) == "-1.2%" and pct(-0.0123, 2, sign=True, space=True) == "-1.23 %"
    assert pct(0.0123, 2, sign=True, space=True) == "+1.23 %"
    assert pct(0.0) == "0.0%" and pct(-0.0) == "-0.0%"  # as Python writes it, and as before
    assert pct(0.05, None, space=True) == "5 %" and pct(0.025, None, space=True) == "2.5 %"
    assert pct(0.0004, tiny=True) == "<0.1%" and pct(0.0, tiny=True) == "0.0%" and pct(-0.0004, tiny=True) == "-0.0%"


def test_pct_missing_and_not_finite() -> None:
    nan = math.nan
    assert pct(None, missing="—") == "—" and pct(None, 3, space=True, missing="—") == "—"
    with pytest.raises(TypeError):
        pct(None)
    assert pct(nan) == "nan%" and pct(nan, space=True) == "nan %" and pct(math.inf) == "inf%"  # as before
    assert pct(nan, space=True, nonfinite="—") == "—" and pct(-math.inf, nonfinite="—") == "—"
    assert _web_percent(nan) == pct(nan, space=True, missing="—")  # the pages never wrote a dash for NaN
    assert _report_pct(nan) == pct(nan, space=True, nonfinite="—")
    assert _chart_share(nan) == pct(nan, tiny=True)


# --- numbers: thousands separators and decimals -------------------------------------------------------------------


def _web_number(value: Any, digits: int = 1) -> str:  # web/core.py number (the pages' `num` filter)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}"


def _report_num(x: float, digits: int = 1) -> str:  # report/annex_a.py num
    if not math.isfinite(x):
        return "—"
    return f"{x:,.{digits}f}"


def _quality_num(x: float) -> str:  # quality/base.py num
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.3g}" if abs(x) < 1 else f"{x:,.2f}"


def _chart_value(v: float) -> str:  # report/chart.py fmt_value
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


def _report_amount(x: float) -> str:  # report/annex_a.py amount
    if x == 0:
        return "0"
    digits = max(0, 6 - math.floor(math.log10(abs(x))) - 1)
    s = f"{x:,.{min(digits, 4)}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


OLD_NUMBER: dict[str, tuple[Callable[[float], str], Callable[[float], str]]] = {
    "web/core.py number": (_web_number, lambda x: number(x, missing="—", nonfinite="—")),
    "web/core.py number(x, 2)": (lambda x: _web_number(x, 2), lambda x: number(x, 2, missing="—", nonfinite="—")),
    "report/annex_a.py num": (_report_num, lambda x: number(x, nonfinite="—")),
    "report/annex_a.py num(x, 3)": (lambda x: _report_num(x, 3), lambda x: number(x, 3, nonfinite="—")),
    "tables.py _num": (lambda x: f"{x:,.2f}", lambda x: number(x, 2)),
    "interpret/render.py _num": (lambda x: f"{x:,.1f}", number),
    "interpret/render.py f'{x:+,.1f}'": (lambda x: f"{x:+,.1f}", lambda x: number(x, sign=True)),
    "cli.py f'{x:,.1f}'": (lambda x: f"{x:,.1f}", number),
    "quality/base.py num": (_quality_num, quantity),
    "report/annex_a.py amount": (_report_amount, amount),
    "report/chart.py fmt_value": (_chart_value, figures),
}


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_numbers_match_the_old_formatters(x: float) -> None:
    for name, (old, new) in OLD_NUMBER.items():
        assert new(x) == old(x), (name, x)


def test_number_rounding_negative_zero_missing() -> None:
    assert number(1026) == "1,026.0" and number(1234567.891, 2) == "1,234,567.89" and number(-1234.5, 0) == "-1,234"
    assert number(0.0) == "0.0" and number(-0.04) == "-0.0" and number(12.5, sign=True) == "+12.5"
    assert number(None, missing="—") == "—" and number(math.nan, nonfinite="—") == "—"
    assert number(math.nan) == "nan"
    with pytest.raises(TypeError):
        number(None)
    assert quantity(0) == "0" and quantity(1234.5) == "1,234" and quantity(12.345) == "12.35"
    assert quantity(0.012345) == "0.0123" and quantity(-0.5) == "-0.5"
    assert (
        amount(0) == "0" and amount(1234567.0) == "1,234,567" and amount(1.5) == "1.5" and amount(0.000123) == "0.0001"
    )


# --- nobody else writes a percentage -------------------------------------------------------------------------------

SRC = Path(milkprint.__file__).parent
AD_HOC = (
    re.compile(r"\*\s*100\s*:[^}]*\}"),  # {x * 100:.1f}
    re.compile(r"\{\s*100\s*\*[^:{}]+:[^}]*\}"),  # {100 * x:.1f}
    re.compile(r":[+ -]?[0-9,_]*(\.[0-9]+)?%\}"),  # {x:.1%}
)


def test_no_ad_hoc_percentage_formatting_outside_i18n() -> None:
    found = [
        f"{path.relative_to(SRC.parent)}:{n}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "i18n.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(p.search(line) for p in AD_HOC)
    ]
    assert not found, "format percentages with milkprint.i18n.pct:\n" + "\n".join(found)


def test_the_ad_hoc_patterns_catch_what_they_should() -> None:
    for bad in (
        'f"{x * 100:.1f} %"',
        "f'{100 * r[\"share\"]:.1f}%'",
        'f"{v / total:.1%}"',
        'f"{t:.0%}"',
        "{d*100:+.1f}",
    ):
        assert any(p.search(bad) for p in AD_HOC), bad
    for fine in ('"limit_pct": t.limit * 100,', 'f"{x:,.1f}"', '"%{y:,.1f} kgCO2e/t"', "{{ x | pct }}"):
        assert not any(p.search(fine) for p in AD_HOC), fine
