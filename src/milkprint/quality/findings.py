"""A finding of a data-quality check: how bad, which rule of the standard, where in the data, what was measured.

Findings are plain immutable values so the CLI, the API, reports and web pages render the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from milkprint.errors import Lang, Location, Text
from milkprint.methods.clauses import Clause as Clause  # the standards' rules are data in methods/; re-exported

# error: a requirement of the standard ("应/不得") is not met; the result cannot be claimed as conforming.
# warning: a recommendation ("宜") is not met, or the data look wrong and need a person to look.
# info: the check ran and passed, with the figure it measured (so a verifier sees what was checked).
Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[Severity, int] = {"error": 0, "warning": 1, "info": 2}
SEVERITY_LABEL: dict[Severity, Text] = {
    "error": Text("不符合", "error"),
    "warning": Text("警告", "warning"),
    "info": Text("通过", "ok"),
}


@dataclass(frozen=True)
class Where:
    """The place in the data a finding is about: a file location and, where it helps, the process/item/meter."""

    location: Location | None = None
    process: str | None = None
    item: str | None = None
    meter: str | None = None

    def to_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "file": loc.file if loc else None,
            "sheet": loc.sheet if loc else None,
            "row": loc.row if loc else None,
            "column": loc.column if loc else None,
            "process": self.process,
            "item": self.item,
            "meter": self.meter,
        }

    def describe(self, lang: Lang) -> str:
        parts = [self.location.describe(lang)] if self.location else []
        if self.meter:
            parts.append(f"表计 {self.meter}" if lang == "zh" else f"meter {self.meter}")
        if self.process:
            from milkprint.methods.processes import label

            parts.append(label(self.process, lang))
        if self.item:
            parts.append(self.item)
        return ("，" if lang == "zh" else ", ").join(p for p in parts if p)


@dataclass(frozen=True)
class Finding:
    check: str  # e.g. "dqr", "completeness.energy", "readings.gaps"
    severity: Severity
    clause: Clause
    text: Text  # what was found, with the figures, in both languages
    where: Where = field(default_factory=Where)
    figures: dict[str, float | int | str | bool | None] = field(default_factory=dict)

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "clause": {
                "id": self.clause.id,
                "standard": self.clause.standard(lang),
                "ref": self.clause.ref(lang),
                "rule": self.clause.rule(lang),
            },
            "message": self.text(lang),
            "message_zh": self.text.zh,
            "message_en": self.text.en,
            "where": self.where.to_dict(),
            "figures": dict(self.figures),
        }
