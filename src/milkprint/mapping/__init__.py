"""Meter names -> (process, item) proposals that the user confirms; see `model` for how and why."""

from milkprint.mapping.model import (
    NameModel,
    Proposal,
    confirm,
    default_store,
    default_unit,
    load_model,
)

__all__ = ["NameModel", "Proposal", "confirm", "default_store", "default_unit", "load_model"]
