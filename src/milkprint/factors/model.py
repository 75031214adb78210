"""A factor is an immutable record: what it is for, its value per gas, and exactly where it comes from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from milkprint.factors.scope import Scope

Level = Literal["grid_local", "province", "grid", "national", "international", "bundle"]

# Lower is preferred: the standard's database priority (province, then national, then international),
# with a plant's own grid area ahead of its province (蒙西电网 before 内蒙古) and a regional grid
# ahead of the national average.
LEVEL_RANK: dict[str, int] = {"grid_local": 0, "province": 1, "grid": 2, "national": 3, "international": 4}


class Factor(BaseModel):
    """One gas of one emission factor data set."""

    model_config = ConfigDict(frozen=True)

    id: str
    item: str
    gas: str
    value: float
    unit: str
    region: str = ""
    level: str = "international"
    year: int | None = None
    scope: Scope = "unspecified"
    publication: str
    table: str = ""
    verification: str = ""
    note: str = ""

    @property
    def source(self) -> str:
        """Publication and table, the way a report cites it."""
        return f"{self.publication}, {self.table}" if self.table else self.publication


class GwpValue(BaseModel):
    model_config = ConfigDict(frozen=True)

    gas: str
    set: str
    value: float
    publication: str
    table: str
    year: int
    verification: str = ""


class BlendPart(BaseModel):
    model_config = ConfigDict(frozen=True)

    refrigerant: str
    component: str
    mass_fraction: float
    publication: str
    table: str


class Gap(BaseModel):
    """An item we know users need but could not source: we say why instead of guessing."""

    model_config = ConfigDict(frozen=True)

    item: str
    zh: str
    en: str
