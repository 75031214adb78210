"""Input distributions for Monte Carlo, each centred on the deterministic value it replaces.

Convention: a lognormal is given by its median (= exp(μ), the deterministic amount, as in ecoinvent and
Brightway) and σ, the standard deviation of ln X; GSD = exp(σ), GSD95 = exp(2σ). So the deterministic
result stays the median of a lognormal input, while its mean is median · exp(σ²/2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Fixed:
    """No uncertainty: every draw is the value."""

    value: float

    @property
    def centre(self) -> float:
        return self.value

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        return np.full(n, self.value, dtype=np.float64)


@dataclass(frozen=True)
class Lognormal:
    """Lognormal with median `median` (the deterministic value) and σ = SD of ln X (not of X)."""

    median: float
    sigma: float

    def __post_init__(self) -> None:
        if self.sigma < 0 or self.median < 0:
            raise ValueError("lognormal needs median >= 0 and sigma >= 0")

    @classmethod
    def from_gsd95(cls, median: float, gsd95: float) -> Lognormal:
        """From the 95 % geometric SD (ecoinvent's "SD95" = σg² = exp(2σ))."""
        return cls(median, math.log(gsd95) / 2.0)

    @property
    def centre(self) -> float:
        return self.median

    @property
    def gsd95(self) -> float:
        return math.exp(2.0 * self.sigma)

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        z = rng.standard_normal(n)
        np.multiply(z, self.sigma, out=z)
        np.exp(z, out=z)
        np.multiply(z, self.median, out=z)
        return z


@dataclass(frozen=True)
class Normal:
    """Normal with the deterministic value as mean; may draw negative values (the user's choice)."""

    mean: float
    sd: float

    @property
    def centre(self) -> float:
        return self.mean

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        z = rng.standard_normal(n)
        np.multiply(z, self.sd, out=z)
        np.add(z, self.mean, out=z)
        return z


@dataclass(frozen=True)
class Triangular:
    """Triangular on [low, high] with peak at `mode` (the deterministic value)."""

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("triangular needs low <= mode <= high and low < high")

    @property
    def centre(self) -> float:
        return self.mode

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        return rng.triangular(self.low, self.mode, self.high, n)


@dataclass(frozen=True)
class Uniform:
    """Uniform on [low, high]; its centre (the deterministic value it stands for) is the midpoint."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError("uniform needs low < high")

    @property
    def centre(self) -> float:
        return (self.low + self.high) / 2.0

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        return rng.uniform(self.low, self.high, n)


Distribution = Fixed | Lognormal | Normal | Triangular | Uniform
