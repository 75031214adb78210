"""The validity rule is data in methods/ (beside the cut-off rule) and monitor/validity.py evaluates it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from milkprint.methods.catalog import METHODS, MILK_POWDER, ChangeTrigger, ValidityRule
from milkprint.monitor import validity

SRC = Path(__file__).resolve().parents[1] / "src" / "milkprint"


def test_the_milk_powder_method_carries_the_standards_validity_rule() -> None:
    rule = MILK_POWDER.validity
    assert isinstance(rule, ValidityRule)
    assert rule.max_years == 3
    assert {t.kind: (t.limit, t.months) for t in rule.triggers} == {
        "process": (0.08, 3),
        "energy": (0.04, 3),
        "raw_material": (0.05, 3),
    }
    assert rule.clause and rule.rule_zh and rule.rule_en
    assert all(isinstance(t, ChangeTrigger) and t.rule_zh and t.rule_en and t.name_zh for t in rule.triggers)
    assert rule.trigger("energy").limit == 0.04


def test_every_method_with_a_rule_names_distinct_change_kinds() -> None:
    for method in METHODS.values():
        if method.validity is not None:
            kinds = [t.kind for t in method.validity.triggers]
            assert len(kinds) == len(set(kinds)) and set(kinds) <= {"process", "energy", "raw_material"}


def test_the_evaluation_takes_its_numbers_from_the_rule() -> None:
    rule = MILK_POWDER.validity
    assert rule is not None
    assert rule.max_years == validity.MAX_YEARS
    assert validity.SUSTAINED_MONTHS == 3
    assert {k: (t.limit, t.months, t.name.zh) for k, t in validity.THRESHOLDS.items()} == {
        t.kind: (t.limit, t.months, t.name_zh) for t in rule.triggers
    }
    assert validity.REVIEW_LIMIT == 0.04
    assert validity.VALIDITY_CLAUSE.rule.zh == rule.rule_zh
    assert validity.valid_until(dt.date(2025, 3, 1)) == dt.date(2028, 2, 29)


def test_report_holds_no_validity_evaluation() -> None:
    assert not (SRC / "report" / "validity.py").exists()
    for path in (SRC / "report").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "THRESHOLDS" not in text and "def evaluate(" not in text, path
