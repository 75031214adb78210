"""How well the name model does on names it never saw: the held-out set shipped beside the training set.

The held-out names were written independently of the training templates (other phrasings, typos, SCADA
tags), so the figure says what a user can expect, not how well the model remembers its own templates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from milkprint.mapping.model import LabelledName, NameModel, read_labelled


@dataclass(frozen=True)
class Miss:
    """A held-out name the model got wrong, with what it said and how sure it was."""

    name: str
    expected: tuple[str, str]
    proposed: tuple[str, str]
    confidence: float


@dataclass(frozen=True)
class Evaluation:
    """Top-1 accuracies on a labelled set: process and item jointly, and each alone."""

    n: int
    joint: float
    process: float
    item: float
    misses: tuple[Miss, ...]

    def confusion(self) -> list[tuple[tuple[str, str], tuple[str, str], int]]:
        """(expected, proposed, count) of the misses, most frequent first."""
        counts = Counter((m.expected, m.proposed) for m in self.misses)
        return [(e, p, n) for (e, p), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def heldout_rows() -> list[LabelledName]:
    """The shipped held-out evaluation set."""
    text = resources.files("milkprint.mapping").joinpath("data/meter_names_heldout.csv").read_text(encoding="utf-8-sig")
    return read_labelled(text.splitlines(), file="meter_names_heldout.csv")


def evaluate(model: NameModel, rows: Sequence[LabelledName]) -> Evaluation:
    """Top-1 accuracy of `model` on `rows` (an empty set scores 0, never a division error)."""
    proposals = model.propose([r.name for r in rows])
    joint = process = item = 0
    misses: list[Miss] = []
    for row, p in zip(rows, proposals, strict=True):
        process += p.process == row.process
        item += p.item == row.item
        if (p.process, p.item) == (row.process, row.item):
            joint += 1
        else:
            misses.append(Miss(row.name, (row.process, row.item), (p.process, p.item), p.confidence))
    n = len(rows)
    return Evaluation(n, joint / n if n else 0.0, process / n if n else 0.0, item / n if n else 0.0, tuple(misses))
