"""milkprint: carbon and water footprint of dairy production (milk powder per tonne, gate to gate)."""

__version__ = "0.1.0"
