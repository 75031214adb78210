"""分配: the main product's share of shared activities (case bundle v1, formulas.md D)."""

from __future__ import annotations

from milkprint.bundle.models import Output


def main_share(output: Output) -> float:
    """mass: m/(m+Σm_c); dry_matter: m·d/(m·d+Σm_c·d_c); economic: m·p/(m·p+Σm_c·p_c); none: 1."""
    if output.allocation == "none" or not output.coproducts:
        return 1.0
    m = output.main_product_t
    if output.allocation == "mass":
        main, others = m, [c.mass_t for c in output.coproducts]
    elif output.allocation == "dry_matter":
        assert output.main_dry_matter is not None
        main = m * output.main_dry_matter
        others = [c.mass_t * (c.dry_matter or 0.0) for c in output.coproducts]
    else:
        assert output.main_price_per_t is not None
        main = m * output.main_price_per_t
        others = [c.mass_t * (c.price_per_t or 0.0) for c in output.coproducts]
    return main / (main + sum(others))


def line_share(allocate: str, share: float) -> float:
    """A row flagged for the main product counts 100 %, one for co-products 0 %, shared rows the share."""
    return {"main": 1.0, "coproduct": 0.0}.get(allocate, share)
