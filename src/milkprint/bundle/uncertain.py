"""Optional columns that give a row's value a probability distribution for the Monte Carlo (bundle v1, additive).

`uncertainty` names the distribution; its centre is always the row's own value (the deterministic result):
lognormal (median = value, spread `gsd95` = the 95 % geometric SD exp(2σ), as ecoinvent's "SD95"), normal
(mean = value, `sd` in the row's unit), triangular (mode = value, `low`..`high`), uniform (`low`..`high`, which
must contain the value). `none` fixes the value; an empty cell leaves the pedigree default (interpret/pedigree.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

UncertaintyKind = Literal["lognormal", "normal", "triangular", "uniform", "none"]
UNCERTAINTY_KINDS: tuple[str, ...] = ("lognormal", "normal", "triangular", "uniform", "none")
UNCERTAINTY_COLUMNS = ("uncertainty", "gsd95", "sd", "low", "high")

# Words a user may type in a cell for each kind (the workbook shows the Chinese one).
UNCERTAINTY_WORDS: dict[str, str] = {
    "对数正态": "lognormal",
    "对数正态分布": "lognormal",
    "正态": "normal",
    "正态分布": "normal",
    "三角": "triangular",
    "三角分布": "triangular",
    "均匀": "uniform",
    "均匀分布": "uniform",
    "无": "none",
    "固定": "none",
    "fixed": "none",
    "log-normal": "lognormal",
}
UNCERTAINTY_ZH: dict[str, str] = {
    "lognormal": "对数正态",
    "normal": "正态",
    "triangular": "三角",
    "uniform": "均匀",
    "none": "无",
}

_NEEDS: dict[str, tuple[str, ...]] = {
    "lognormal": ("gsd95",),
    "normal": ("sd",),
    "triangular": ("low", "high"),
    "uniform": ("low", "high"),
    "none": (),
}


class Uncertain(BaseModel):
    """Mixin: the distribution columns and their checks; a subclass says which value they describe."""

    uncertainty: UncertaintyKind | None = None
    gsd95: float | None = Field(default=None, ge=1, allow_inf_nan=False)
    sd: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)

    @field_validator("uncertainty", mode="before")
    @classmethod
    def _kind(cls, v: object) -> object:
        if isinstance(v, str):
            s = v.strip().lower()
            return UNCERTAINTY_WORDS.get(s, s) or None
        return v

    def uncertain_value(self) -> float | None:
        """The value the distribution is centred on (None: the row has no such value)."""
        raise NotImplementedError

    def uncertain_column(self) -> str:
        """The column of that value, for messages."""
        raise NotImplementedError

    @model_validator(mode="after")
    def _complete(self) -> Uncertain:
        given = [c for c in ("gsd95", "sd", "low", "high") if getattr(self, c) is not None]
        kind = self.uncertainty
        if kind is None:
            if given:
                raise ValueError(
                    f"{', '.join(given)} given without uncertainty (lognormal, normal, triangular, uniform or none)"
                )
            return self
        need = _NEEDS[kind]
        missing = [c for c in need if getattr(self, c) is None]
        if missing:
            raise ValueError(f"a {kind} distribution needs {' and '.join(missing)}")
        extra = [c for c in given if c not in need]
        if extra:
            raise ValueError(f"{', '.join(extra)} does not apply to a {kind} distribution (it takes {_takes(kind)})")
        value, column = self.uncertain_value(), self.uncertain_column()
        if value is None:
            return self
        if kind == "lognormal" and value < 0:
            raise ValueError(f"a lognormal needs {column} >= 0 (it is the median); use normal for {value:g}")
        if kind in ("triangular", "uniform"):
            assert self.low is not None and self.high is not None
            if not self.low < self.high:
                raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
            if not self.low <= value <= self.high:
                raise ValueError(f"{column} ({value:g}) must lie between low ({self.low:g}) and high ({self.high:g})")
        return self


def _takes(kind: str) -> str:
    need = _NEEDS[kind]
    return " and ".join(need) if need else "no parameters"
