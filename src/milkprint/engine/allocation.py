"""分配: the main product's share of shared activities (case bundle v1, formulas.md D)."""

from __future__ import annotations

import math

from milkprint.bundle.models import Output


def _basis(output: Output) -> list[float]:
    """Each product's allocation basis, main product first: mass, dry matter mass, or value."""
    m = output.main_product_t
    if output.allocation == "mass":
        return [m, *(c.mass_t for c in output.coproducts)]
    if output.allocation == "dry_matter":
        assert output.main_dry_matter is not None
        return [m * output.main_dry_matter, *(c.mass_t * (c.dry_matter or 0.0) for c in output.coproducts)]
    assert output.main_price_per_t is not None
    return [m * output.main_price_per_t, *(c.mass_t * (c.price_per_t or 0.0) for c in output.coproducts)]


def shares(output: Output) -> list[float]:
    """Every product's share, main product first (they sum to 1)."""
    if output.allocation == "none" or not output.coproducts:
        return [1.0] + [0.0] * len(output.coproducts)
    basis = _basis(output)
    total = math.fsum(basis)
    return [b / total for b in basis]


def main_share(output: Output) -> float:
    """mass: m/(m+Σm_c); dry_matter: m·d/(m·d+Σm_c·d_c); economic: m·p/(m·p+Σm_c·p_c); none: 1."""
    return shares(output)[0]


def line_share(allocate: str, share: float) -> float:
    """A row flagged for the main product counts 100 %, one for co-products 0 %, shared rows the share."""
    return {"main": 1.0, "coproduct": 0.0}.get(allocate, share)
