"""Read a bundle for the workbook: also for a method that is recognised and not computed yet (the dairy
label), whose data a plant still collects in the standard's tables."""

from __future__ import annotations

from pathlib import Path

from milkprint.bundle.reader import Bundle, read_bundle


def read_any_bundle(root: Path) -> Bundle:
    """The bundle's validated content, for any method milkprint knows."""
    return read_bundle(root, computed_only=False)
