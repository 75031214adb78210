"""Series products in one notification: the mean as declared value, ±5 % inclusive, every outlier listed."""

from __future__ import annotations

import json

import pytest

from milkprint.errors import InputError
from milkprint.report.series import series


def test_mean_is_declared_and_deviations_are_from_it() -> None:
    s = series([("全脂", 1040.0), ("脱脂", 960.0), ("调制", 1000.0), ("高钙", 1000.0)])
    assert s.declared == pytest.approx(1000.0)  # (1040 + 960 + 1000 + 1000) / 4
    assert [m.name for m in s.members] == ["全脂", "脱脂", "调制", "高钙"]
    assert [m.deviation for m in s.members] == pytest.approx([0.04, -0.04, 0.0, 0.0])
    assert s.spread == pytest.approx(0.04)
    data = json.loads(json.dumps(s.to_dict("en")))
    assert [p["deviation_pct"] for p in data["products"]] == pytest.approx([4.0, -4.0, 0.0, 0.0])
    assert data["declared"] == pytest.approx(1000.0) and data["limit_pct"] == 5.0


def test_uneven_values() -> None:
    values = [("a", 1.0), ("b", 1.02), ("c", 1.07)]
    s = series(values)
    mean = 3.09 / 3
    assert s.declared == pytest.approx(mean)
    assert [m.deviation for m in s.members] == pytest.approx([(v - mean) / mean for _, v in values])


def test_refusal_lists_every_outlier_in_both_languages() -> None:
    with pytest.raises(InputError) as err:
        series([("a", 100.0), ("b", 110.0), ("c", 90.0), ("d", 100.0), ("e", 100.0)])
    # mean 100: b +10 %, c -10 %
    assert len(err.value.problems) == 2
    zh, en = err.value.message("zh"), err.value.message("en")
    assert "“b”" in zh and "+10.00 %" in zh and "“c”" in zh and "-10.00 %" in zh and "±5 %" in zh
    assert "'b'" in en and "+10.00 %" in en and "'c'" in en and "-10.00 %" in en
    assert "'a'" not in en


def test_exactly_five_percent_passes() -> None:
    s = series([("a", 105.0), ("b", 95.0)])
    assert [m.deviation for m in s.members] == pytest.approx([0.05, -0.05])
    m = 837.3  # not exact in binary: the deviations are 5 % only up to rounding, and still pass
    assert series([("a", m * 1.05), ("b", m * 0.95)]).spread == pytest.approx(0.05)
    with pytest.raises(InputError):
        series([("a", 105.001), ("b", 94.999)])


def test_bad_input() -> None:
    with pytest.raises(InputError) as err:
        series([("a", 100.0)])
    assert "2" in err.value.message("en")
    with pytest.raises(InputError) as err:
        series([("a", 100.0), ("a", 101.0), ("b", 0.0), ("c", float("nan"))])
    assert len(err.value.problems) == 3  # the repeated name, zero, NaN
