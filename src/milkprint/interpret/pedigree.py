"""σ of a lognormal from data-quality scores: the ecoinvent v3 pedigree approach.

Convention (chosen deliberately, ecoinvent v3 / Brightway `pedigree_matrix` / Activity Browser):
    σ = ½ · √( ln²U_b + Σ_i ln²U_i ),   GSD95 = exp(2σ)
i.e. each factor U is read as a 95 % geometric SD (σ_i = ln U_i / 2) and the variances add. openLCA's
documentation reads the same U as a plain GSD (σ_i = ln U_i), which gives a σ twice as large; we do not.
Factors U_i: "version 1" of Weidema et al. (2013), Data quality guideline for the ecoinvent database
version 3 (= Frischknecht et al. 2007; the prior of Muller et al. 2016, Int J LCA 21:1327, Table 3).
Basic uncertainty U_b by category: Muller et al. (2016) Table 4 (1.05 for thermal energy, electricity,
materials, waste treatment), 2.0 for transport (GHG Protocol uncertainty guidance), 1.5 for CH4/N2O and
other direct non-CO2 emissions (ecoinvent basic-uncertainty table; not yet checked against the original).
Source notes and hand-computed checks: shared/research/domain-data.md §9b.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

# Indicator -> U for scores 1..5 (Weidema et al. 2013, version 1 factors).
FACTORS: dict[str, tuple[float, float, float, float, float]] = {
    "reliability": (1.00, 1.05, 1.10, 1.20, 1.50),
    "completeness": (1.00, 1.02, 1.05, 1.10, 1.20),
    "temporal": (1.00, 1.03, 1.10, 1.20, 1.50),
    "geographical": (1.00, 1.01, 1.02, 1.05, 1.10),
    "technological": (1.00, 1.05, 1.20, 1.50, 2.00),
}

# Basic uncertainty U_b (a GSD95) by activity category; see the module docstring for sources.
BASIC: dict[str, float] = {
    "energy": 1.05,
    "material": 1.05,
    "water": 1.05,
    "wastewater": 1.05,
    "transport": 2.00,
    "refrigerant": 1.50,
    "direct": 1.50,
}
BASIC_DEFAULT = 1.05

# The line's dq keys (case-bundle.md: ter, gr, tir, p) -> pedigree indicators. Completeness is not scored
# in a bundle; it and any missing score take DEFAULT_SCORE (3, "fair": neither trusted nor punished).
DQ_KEYS: dict[str, str] = {"p": "reliability", "tir": "temporal", "gr": "geographical", "ter": "technological"}
DEFAULT_SCORE = 3


def sigma(scores: Mapping[str, int], basic: float = BASIC_DEFAULT) -> float:
    """σ of ln X from indicator scores 1..5 (keys of FACTORS; a missing indicator scores DEFAULT_SCORE)."""
    unknown = set(scores) - set(FACTORS)
    if unknown:
        raise ValueError(f"unknown pedigree indicators: {sorted(unknown)}")
    total = math.log(basic) ** 2
    for name, table in FACTORS.items():
        score = scores.get(name, DEFAULT_SCORE)
        if not 1 <= score <= 5:
            raise ValueError(f"pedigree score {name}={score} outside 1..5")
        total += math.log(table[score - 1]) ** 2
    return 0.5 * math.sqrt(total)


def gsd95(scores: Mapping[str, int], basic: float = BASIC_DEFAULT) -> float:
    """The 95 % geometric SD exp(2σ) that ecoinvent reports."""
    return math.exp(2.0 * sigma(scores, basic))


def line_sigma(dq: Mapping[str, int | None], category: str) -> float:
    """σ for a line's amount from its dq scores (ter/gr/tir/p) and its category's basic uncertainty."""
    scores = {DQ_KEYS[k]: v for k, v in dq.items() if k in DQ_KEYS and v is not None}
    return sigma(scores, BASIC.get(category, BASIC_DEFAULT))


# Factors: a basic U_b by gas combined with a house default for the factor's verification level
# (not from the literature: V = verified against the publication, V-2 = via a second copy, C = computed,
# M = from memory/secondary, bundle = user-supplied). Stated here so a reader can change them.
FACTOR_BASIC: dict[str, float] = {"CO2": 1.05}
FACTOR_BASIC_DEFAULT = 1.50
VERIFICATION_U: dict[str, float] = {"V": 1.00, "V-1": 1.00, "V-2": 1.05, "C": 1.10, "bundle": 1.10, "M": 1.20}
VERIFICATION_DEFAULT = 1.20


def factor_sigma(gas: str, verification: str) -> float:
    """σ for an emission factor: ½·√(ln²U_gas + ln²U_verification), the same convention as `sigma`."""
    ub = FACTOR_BASIC.get(gas, FACTOR_BASIC_DEFAULT)
    uv = VERIFICATION_U.get(verification, VERIFICATION_DEFAULT)
    return 0.5 * math.sqrt(math.log(ub) ** 2 + math.log(uv) ** 2)
