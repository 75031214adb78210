"""What every check uses: making a finding under a clause, and numbers as a person reads them."""

from __future__ import annotations

from milkprint.errors import Location, Text
from milkprint.methods.clauses import CLAUSES
from milkprint.quality.findings import Finding, Severity, Where

Figure = float | int | str | bool | None


def make(
    check: str,
    severity: Severity,
    clause: str,
    zh: str,
    en: str,
    where: Where | None = None,
    **figures: Figure,
) -> Finding:
    """A finding of `check` under the clause with id `clause` (methods/clauses.py)."""
    return Finding(check, severity, CLAUSES[clause], Text(zh, en), where or Where(), dict(figures))


def at(location: Location | None, column: str | None = None, **kw: str | None) -> Where:
    """The place of a row, pointed at one column."""
    loc = Location(location.file, location.row, column, location.sheet) if location and location.file else None
    return Where(location=loc, **kw)
