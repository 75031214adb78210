"""Carbon, water, allocation and cut-off: resolved inventory in, immutable Result out (pure)."""
