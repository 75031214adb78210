"""The bundled factor library: data files with sources, loaded once, versioned as a whole."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from milkprint.factors.model import BlendPart, Factor, Gap, GwpValue
from milkprint.regions import canonical_area

_DATA = "milkprint.factors.data"
_FILES = ("factors.csv", "gwp.csv", "refrigerants.csv", "grids.csv", "gaps.csv", "VERSION")


@dataclass(frozen=True)
class Library:
    """Everything the engine may look up, plus the version that makes a result reproducible."""

    version: str
    digest: str
    factors: tuple[Factor, ...]
    gwp: tuple[GwpValue, ...]
    blends: tuple[BlendPart, ...]
    grid_of_area: dict[str, str]
    gaps: dict[str, Gap]
    by_item: dict[str, tuple[Factor, ...]] = field(default_factory=dict)

    def factors_for(self, item: str) -> tuple[Factor, ...]:
        return self.by_item.get(item, ())

    def search(self, text: str) -> list[Factor]:
        """Factors whose id, item, region, publication or table mention every word of `text`."""
        words = [w.lower() for w in text.split() if w]
        hits = []
        for f in self.factors:
            hay = " ".join((f.id, f.item, f.gas, f.region, f.publication, f.table, f.note)).lower()
            if all(w in hay for w in words):
                hits.append(f)
        return hits

    def data_set(self, factor_id: str) -> tuple[Factor, ...]:
        """All gases of one data set."""
        return tuple(f for f in self.factors if f.id == factor_id)

    def select(self, item_prefix: str | None = None, region: str | None = None) -> list[Factor]:
        """Factors whose item starts with `item_prefix` and whose region is `region` (any spelling)."""
        area = canonical_area(region) if region is not None else None
        return [
            f
            for f in self.factors
            if (item_prefix is None or f.item.startswith(item_prefix))
            and (area is None or canonical_area(f.region) == area)
        ]

    def find(self, key: str) -> tuple[Factor, ...]:
        """A data set by id, else every factor of an item."""
        return self.data_set(key) or self.factors_for(key)


def _rows(text: str) -> Iterable[dict[str, str]]:
    return csv.DictReader(text.splitlines())


def build_library(files: dict[str, str]) -> Library:
    """Build a library from the text of its data files (pure: tests build small ones in code)."""
    factors = tuple(
        Factor(
            id=r["id"],
            item=r["item"],
            gas=r["gas"],
            value=float(r["value"]),
            unit=r["unit"],
            region=r["region"],
            level=r["level"],
            year=int(r["year"]) if r["year"] else None,
            scope=r["scope"],  # type: ignore[arg-type]
            publication=r["publication"],
            table=r["table"],
            verification=r["verification"],
            note=r["note"],
        )
        for r in _rows(files["factors.csv"])
    )
    gwp = tuple(
        GwpValue(
            gas=r["gas"],
            set=r["set"],
            value=float(r["value"]),
            publication=r["publication"],
            table=r["table"],
            year=int(r["year"]),
            verification=r["verification"],
        )
        for r in _rows(files["gwp.csv"])
    )
    blends = tuple(
        BlendPart(
            refrigerant=r["refrigerant"],
            component=r["component"],
            mass_fraction=float(r["mass_fraction"]),
            publication=r["publication"],
            table=r["table"],
        )
        for r in _rows(files["refrigerants.csv"])
    )
    grid_of_area = {canonical_area(r["area"]): r["grid"] for r in _rows(files["grids.csv"])}
    gaps = {r["item"]: Gap(item=r["item"], zh=r["zh"], en=r["en"]) for r in _rows(files["gaps.csv"])}
    by_item: dict[str, list[Factor]] = {}
    for f in factors:
        by_item.setdefault(f.item, []).append(f)
    digest = hashlib.sha256("\0".join(files[k] for k in sorted(files)).encode()).hexdigest()[:12]
    return Library(
        version=files.get("VERSION", "dev").strip(),
        digest=digest,
        factors=factors,
        gwp=gwp,
        blends=blends,
        grid_of_area=grid_of_area,
        gaps=gaps,
        by_item={k: tuple(v) for k, v in by_item.items()},
    )


@lru_cache(maxsize=1)
def default_library() -> Library:
    """The library shipped with this version of milkprint."""
    root = resources.files(_DATA)
    return build_library({name: (root / name).read_text(encoding="utf-8") for name in _FILES})
