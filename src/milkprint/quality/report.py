"""The data-quality verdict: findings sorted by severity, their counts, whether the data conform, the DQR."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from milkprint.errors import Lang
from milkprint.quality.dqr import DqrSummary
from milkprint.quality.findings import SEVERITY_ORDER, Finding, Severity

# The checks in the order a report lists them, with their names.
CHECKS: dict[str, tuple[str, str]] = {
    "dqr": ("数据质量评级", "DQR"),
    "completeness": ("完整性", "Completeness"),
    "timeliness": ("时效性", "Timeliness"),
    "seasonality": ("季节性", "Seasonality"),
    "coverage": ("覆盖度", "Coverage"),
    "meters": ("计量器具", "Meters"),
    "readings": ("读数", "Readings"),
    "mass_balance": ("物料平衡", "Mass balance"),
    "allocation": ("分配", "Allocation"),
    "label": ("碳标签数据", "Label data"),
}


def check_label(check: str, lang: Lang) -> str:
    zh, en = CHECKS.get(check.split(".", 1)[0], (check, check))
    return zh if lang == "zh" else en


def _order(f: Finding) -> tuple[int, int]:
    head = f.check.split(".", 1)[0]
    return SEVERITY_ORDER[f.severity], list(CHECKS).index(head) if head in CHECKS else len(CHECKS)


@dataclass(frozen=True)
class QualityReport:
    bundle: str
    method: str
    period: tuple[str, str]
    findings: tuple[Finding, ...]
    dqr: DqrSummary

    @classmethod
    def of(
        cls, bundle: str, method: str, period: tuple[str, str], findings: list[Finding], dqr: DqrSummary
    ) -> QualityReport:
        """Findings sorted by severity, then check; a check's own order is kept (stable sort)."""
        return cls(bundle, method, period, tuple(sorted(findings, key=_order)), dqr)

    @property
    def counts(self) -> dict[Severity, int]:
        out: dict[Severity, int] = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] += 1
        return out

    @property
    def conforming(self) -> bool:
        """No requirement of the standard is unmet (warnings do not stop a claim; they need a look)."""
        return self.counts["error"] == 0

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        c = self.counts
        return {
            "bundle": self.bundle,
            "method": self.method,
            "period": {"start": self.period[0], "end": self.period[1]},
            "verdict": {
                "conforming": self.conforming,
                "errors": c["error"],
                "warnings": c["warning"],
                "infos": c["info"],
            },
            "dqr": self.dqr.to_dict(lang),
            "findings": [f.to_dict(lang) | {"check_label": check_label(f.check, lang)} for f in self.findings],
        }
