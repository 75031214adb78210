"""assessment.toml sections for disclosure (bundle v1, additive): the producer, the report, the declaration type,
confidential fields and declared changes. All optional: a bundle without them still gets a self-declared report.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DeclarationType = Literal["third_party", "other_party", "self"]
ChangeKind = Literal["process", "energy", "raw_material"]

# Fields a producer may withhold (信息保密), and the core results that can never be withheld.
WITHHOLDABLE: tuple[str, ...] = (
    "company.address",
    "company.legal_representative",
    "company.contact",
    "company.phone",
    "company.overview",
    "product.introduction",
    "inventory.activity_data",  # the amounts in the inventory table (process parameters)
    "inventory.factors",  # the factor values (the sources stay)
    "allocation.prices",  # prices behind economic allocation (cost data)
    "steam.state",  # steam pressure / temperature (process parameters)
)
CORE: tuple[str, ...] = (
    "result",  # kgCO2e and m3 per declared unit
    "result.carbon",
    "result.water",
    "result.blue_water",
    "result.grey_water",
    "by_stage",  # per-stage / per-process results (主要排放/消耗环节)
    "by_process",
    "hotspots",
    "product.name",
    "company.name",
    "declaration",
    "validity",
)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Company(_Open):
    """生产者信息 of the template's 概况 (the name defaults to the plant's)."""

    name: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    contact: str | None = None
    phone: str | None = None
    overview: str | None = None


class ReportSettings(_Open):
    """Cover and closing parts of the report; the issue date defaults to the day the report is made."""

    number: str | None = None
    issuer: str | None = None  # 出具报告机构（若有）
    issue_date: dt.date | None = None
    valid_until: dt.date | None = None  # at most 3 years after the issue date
    assumptions: list[str] = Field(default_factory=list)  # 假设和局限性, added to the ones milkprint states
    improvements: list[str] = Field(default_factory=list)  # 改进建议, added to the computed ones

    @model_validator(mode="after")
    def _validity(self) -> ReportSettings:
        if self.valid_until is not None and self.issue_date is not None:
            if self.valid_until < self.issue_date:
                raise ValueError("report.valid_until is before report.issue_date")
            if self.valid_until > add_years(self.issue_date, 3):
                raise ValueError(
                    f"report.valid_until ({self.valid_until}) is more than 3 years after the issue date "
                    f"({self.issue_date}): validity may not exceed 3 years"
                )
        return self


class Declaration(_Open):
    """声明类型: third-party certified, other-party verified, or self-declared (GB/T 24021 commitment)."""

    type: DeclarationType = "self"
    body: str | None = None  # certification body (third_party) or verifying body (other_party)
    certificate: str | None = None  # certificate number (third_party)
    qualification: str | None = None  # the verifying body's qualification (other_party)
    process: str | None = None  # how it was verified (other_party)

    @field_validator("type", mode="before")
    @classmethod
    def _kind(cls, v: object) -> object:
        words = {
            "独立第三方认证": "third_party",
            "第三方认证": "third_party",
            "third-party": "third_party",
            "其他方核证": "other_party",
            "other-party": "other_party",
            "自我声明": "self",
            "self_declared": "self",
            "self-declared": "self",
        }
        return words.get(v.strip(), v.strip().lower()) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _complete(self) -> Declaration:
        if self.type == "third_party" and not (self.body and self.certificate):
            raise ValueError("a third-party certified declaration needs declaration.body and declaration.certificate")
        if self.type == "other_party" and not (self.body and self.qualification and self.process):
            raise ValueError(
                "an other-party verified declaration needs declaration.body, declaration.qualification "
                "and declaration.process"
            )
        return self


class Change(_Open):
    """A change the producer declares (工艺 / 能源结构 / 原材料) from a date: what the validity triggers test."""

    date: dt.date
    kind: ChangeKind
    note: str = ""

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, v: object) -> object:
        words = {
            "工艺": "process",
            "生产工艺": "process",
            "能源": "energy",
            "能源结构": "energy",
            "原材料": "raw_material",
        }
        return words.get(v.strip(), v.strip().lower()) if isinstance(v, str) else v


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_confidential(fields: list[str]) -> list[str]:
    """The confidential list, or a ValueError naming core results (never withheld) or unknown fields."""
    core = [f for f in fields if f in CORE]
    if core:
        raise ValueError(
            f"core results cannot be withheld: {', '.join(core)} (the footprint per declared unit and the main "
            "emission and consumption stages are always disclosed)"
        )
    unknown = [f for f in fields if f not in WITHHOLDABLE]
    if unknown:
        raise ValueError(
            f"unknown confidential field(s) {', '.join(unknown)}; expected some of {', '.join(WITHHOLDABLE)}"
        )
    return fields
