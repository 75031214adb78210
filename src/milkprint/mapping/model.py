"""Propose the (process, item) of a meter from its free-text name, with a confidence.

Plants name meters freely (`浓缩车间真空泵电表`, `EVAP_VAC_P01_kWh`, `Dryer ID fan`), so the importer
asks this model for a first guess and the user confirms or edits it. The model is small and is trained
when loaded (no pickles: nothing opaque ships, and it always matches the installed scikit-learn):
character 1-3-grams (plus English word tokens) -> TF-IDF -> two logistic regressions, P(process) and
P(item). The answer is a joint label `process|item` among the pairs seen in training (and in the user's
confirmations), scored P(process) x P(item) and renormalised over those pairs. Why factored, not one
classifier on the joint label: a name's process words (真空泵, dryer) and item words (电表, 水表, steam)
are mostly independent, and two classifiers learn each cue from every example instead of once per
joint class. On a scratch dev set (97 names, not shipped) the joint classifier alone scored 83 % joint
top-1, the factored pair 96 %, and adding the joint classifier as a third expert gained nothing while
doubling the fit time. A unit in the name or header (`(kWh)`, `m³`, `(万kWh)`: a 万/亿 magnitude does not change
what is measured) then restricts the items it can be; `written_unit` gives the importer the unit a name writes
without brackets (`BOIL_BF09_MWh`), so the hint and the meter's unit always agree.
The user's confirmations are a CSV (`name,process,item`): an exact name returns the confirmed label,
and every confirmation joins the training data with extra weight, so similar names improve too.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from milkprint.errors import Collector, InputError, Location
from milkprint.methods.items import split_item
from milkprint.methods.processes import process_id
from milkprint.units import normalise as normalise_unit
from milkprint.units import split_magnitude

__all__ = [
    "LabelledName",
    "NameModel",
    "Proposal",
    "confirm",
    "default_store",
    "default_unit",
    "load_model",
    "normalise",
    "read_labelled",
    "training_rows",
    "unit_items",
    "written_unit",
]

# A confirmation counts this many times a shipped example: the user knows their plant.
CONFIRM_WEIGHT = 8.0
# Factor on items a unit in the name rules out: a written unit outweighs any wording (`XJ-07 主表 (Nm3)` is gas
# even if 主表 reads like electricity), but not zero, so a wrong unit still leaves the label reachable.
UNIT_PENALTY = 1e-4
# Regularisation of both classifiers; chosen on a scratch dev set, not on the held-out set.
C_REG = 30.0
_ALTERNATIVES = 3
_MIN_ALTERNATIVE_P = 1e-3
_FIELDS = ("name", "process", "item")

_WATER = frozenset({"water.fresh", "water.reused", "water.rain"})
_ELEC = frozenset({"energy.electricity"})
_GAS = frozenset({"energy.natural_gas"})
_HEAT = frozenset({"energy.heat", "energy.steam"})
# unit as written (lower case, NFKC, no spaces, rate suffix removed) -> the meter items it can measure
_UNIT_ITEMS: dict[str, frozenset[str]] = {
    **dict.fromkeys(["kwh", "kw·h", "kw.h", "kw-h", "mwh", "gwh", "kw", "mw", "度", "千瓦时", "万kwh", "万度"], _ELEC),
    **dict.fromkeys(["nm3", "标方", "标立方", "标准立方米", "万nm3", "scm"], _GAS),
    **dict.fromkeys(["m3", "立方", "立方米", "方", "万m3"], _WATER | _GAS),
    **dict.fromkeys(["吨水", "m3水"], _WATER),
    **dict.fromkeys(
        ["t", "吨", "万吨", "ton", "tons", "tonne", "tonnes", "mt"], _WATER | {"energy.steam", "energy.coal"}
    ),
    **dict.fromkeys(["kg", "公斤", "千克"], frozenset({"energy.coal", "energy.steam", "energy.diesel"})),
    **dict.fromkeys(["l", "升", "公升"], _WATER | {"energy.diesel"}),
    **dict.fromkeys(["gj", "mj", "gcal", "吉焦", "兆焦", "mwh热", "kj", "千焦", "kcal", "大卡", "千卡"], _HEAT),
}
_DEFAULT_UNITS: dict[str, str] = {
    "energy.electricity": "kWh",
    "energy.natural_gas": "Nm3",
    "energy.coal": "kg",
    "energy.diesel": "L",
    "energy.gasoline": "L",
    "energy.lpg": "kg",
    "energy.steam": "t",
    "energy.heat": "GJ",
    "water.fresh": "m3",
    "water.reused": "m3",
    "water.rain": "m3",
}

_BRACKETED = re.compile(r"[(\[【{]\s*([^()\[\]【】{}]{1,16}?)\s*[)\]】}]")
# units written without brackets: unambiguous ones anywhere; `m3`/`kw` only last, since `DRY_M3_FAN` is motor 3
_FREE_UNIT = re.compile(r"(?<![a-z0-9])(kw[·.\-]?h|mwh|nm3|gj|gcal)(?![a-z0-9])|(?<![a-z0-9])(m3|kw)(?:/h|/d)?\W*$")
# the same units as the importer reads them: with a 万/亿 before and a rate after (`总电表万kWh`, `FT101_m3/h`)
_WRITTEN_UNIT = re.compile(
    r"(?<![a-z0-9])((?:[万亿]\s*)?(?:kw[·.\-]?h|mwh|nm3|gj|gcal)(?:/(?:h|d))?)(?![a-z0-9])"
    r"|(?<![a-z0-9])((?:[万亿]\s*)?(?:m3|kw)(?:/h|/d)?)\W*$",
    re.IGNORECASE,
)
_RATE = re.compile(r"/(h|hr|d|day|min|s|小时|天|时)$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[0-9])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[_\-./:\\|,;=+~@'\"`()\[\]{}【】<>]+")
_DIGITS = re.compile(r"\d+")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_LATIN = re.compile(rf"(?<=[{_CJK}])(?=[a-z])|(?<=[a-z])(?=[{_CJK}])")


@dataclass(frozen=True)
class Proposal:
    """The model's guess for one meter name; alternatives let a UI offer the next best in one click."""

    name: str
    process: str
    item: str
    confidence: float  # probability of the top label, 0..1
    alternatives: tuple[tuple[str, str, float], ...]  # next best (process, item, p), up to 3
    confirmed: bool  # True when it came from the user's confirmations verbatim


@dataclass(frozen=True)
class LabelledName:
    """One row of a labelled names CSV (the shipped sets and the user's confirmations share the format)."""

    name: str
    process: str
    item: str


def _unit_key(text: str) -> str:
    key = "".join(split_magnitude(text.strip())[1].split()).lower().replace("³", "3").replace("㎥", "m3")
    return _RATE.sub("", key)


def unit_items(name: str) -> frozenset[str] | None:
    """The items a unit written in the name allows (`干燥塔风机 (kWh)` -> electricity); None if it names no unit."""
    text = unicodedata.normalize("NFKC", name)
    allowed: frozenset[str] | None = None
    found = [_UNIT_ITEMS.get(_unit_key(m.group(1))) for m in _BRACKETED.finditer(text)]
    found += [_UNIT_ITEMS.get(_unit_key(m.group(1) or m.group(2))) for m in _FREE_UNIT.finditer(text.lower())]
    for items in found:
        if items is not None:
            allowed = items if allowed is None else (allowed & items) or allowed
    return allowed


def written_unit(name: str) -> str | None:
    """The unit a meter name writes without brackets, as the registry spells it (`BOIL_BF09_MWh` -> 'MWh',
    `总电表万kWh` -> '万kWh', `FT101_m3/h` -> 'm3/h'); None if it writes none. `unit_items` reads the same units as
    hints, so an importer that gave such a meter its item's default unit (kWh for a meter in MWh) would be wrong by
    the factor between them."""
    text = unicodedata.normalize("NFKC", name)
    m = _WRITTEN_UNIT.search(text)
    if m is None:
        return None
    return normalise_unit(m.group(1) or m.group(2))


def _strip_units(text: str) -> str:
    return _BRACKETED.sub(lambda m: " " if _unit_key(m.group(1)) in _UNIT_ITEMS else m.group(0), text)


def _key(name: str) -> str:
    """The key an exact confirmation matches on: NFKC, case-folded, unit brackets and extra spaces dropped."""
    text = _strip_units(unicodedata.normalize("NFKC", name))
    return " ".join(text.casefold().split())


def normalise(name: str) -> str:
    """The text the features see: NFKC, camelCase split, lower case, unit brackets gone, separators as
    spaces, digits as one placeholder (so `1#` and `2#` look alike), Chinese and Latin runs apart."""
    text = _strip_units(unicodedata.normalize("NFKC", name))
    text = _CAMEL.sub(" ", text).lower()
    text = _SEPARATORS.sub(" ", text)
    text = _DIGITS.sub("0", text)
    text = _CJK_LATIN.sub(" ", text)
    return " ".join(text.split())


def read_labelled(path: Path | Iterable[str], *, file: str | None = None) -> list[LabelledName]:
    """Rows of a `name,process,item` CSV, validated; bad rows are reported together with their row numbers."""
    if isinstance(path, Path):
        with path.open(encoding="utf-8-sig", newline="") as f:
            return read_labelled(f.read().splitlines(), file=file or str(path))
    where = file or "meter_names.csv"
    reader = csv.DictReader(path)
    missing = [c for c in _FIELDS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError.at(
            Location(file=where, row=1),
            f"缺少列：{', '.join(missing)}（需要 name,process,item）",
            f"missing columns: {', '.join(missing)} (need name,process,item)",
        )
    rows: list[LabelledName] = []
    problems = Collector()
    for i, raw in enumerate(reader, start=2):
        name = (raw.get("name") or "").strip()
        proc = process_id(raw.get("process") or "")
        item = (raw.get("item") or "").strip()
        if not name:
            problems.add(Location(where, i, "name"), "表名为空", "the meter name is empty")
        elif proc is None:
            problems.add(
                Location(where, i, "process"),
                f"未知工序：{raw.get('process')}",
                f"unknown process: {raw.get('process')}",
            )
        elif split_item(item) is None:
            problems.add(Location(where, i, "item"), f"无效的项目：{item}", f"invalid item: {item}")
        else:
            rows.append(LabelledName(name, proc, item))
    problems.raise_if_any()
    return rows


@cache
def training_rows() -> tuple[LabelledName, ...]:
    """The shipped labelled names (read once per process)."""
    text = resources.files("milkprint.mapping").joinpath("data/meter_names.csv").read_text(encoding="utf-8-sig")
    return tuple(read_labelled(text.splitlines(), file="meter_names.csv"))


def _features() -> Any:
    return FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, lowercase=False)),
            ("words", TfidfVectorizer(analyzer="word", token_pattern=r"[a-z]{2,}", sublinear_tf=True, lowercase=False)),
        ]
    )


def _classifier() -> Any:
    # newton-cg with a loose tolerance: the same accuracy as the defaults at a small fraction of the time
    return LogisticRegression(C=C_REG, solver="newton-cg", tol=1e-3, max_iter=200)


class NameModel:
    """A trained name -> (process, item) classifier plus the user's exact confirmations."""

    def __init__(self, rows: Sequence[LabelledName], confirmations: Sequence[LabelledName] = ()) -> None:
        started = time.perf_counter()
        examples = [*rows, *confirmations]
        weights = np.array([1.0] * len(rows) + [CONFIRM_WEIGHT] * len(confirmations))
        self._features = _features()
        x = self._features.fit_transform([normalise(r.name) for r in examples])
        # one BLAS/OpenMP thread: these fits are small, and extra threads on a busy machine cost 3-4x the time
        with threadpool_limits(limits=1):
            self._process = _classifier().fit(x, [r.process for r in examples], sample_weight=weights)
            self._item = _classifier().fit(x, [r.item for r in examples], sample_weight=weights)
        self.labels: tuple[tuple[str, str], ...] = tuple(sorted({(r.process, r.item) for r in examples}))
        process_index = {str(c): i for i, c in enumerate(self._process.classes_)}
        item_index = {str(c): i for i, c in enumerate(self._item.classes_)}
        self._label_process = np.array([process_index[p] for p, _ in self.labels])
        self._label_item = np.array([item_index[i] for _, i in self.labels])
        self._items = np.array([item for _, item in self.labels])
        self._exact: dict[str, LabelledName] = {_key(c.name): c for c in confirmations}
        self.train_seconds = time.perf_counter() - started

    def probabilities(self, names: Sequence[str]) -> NDArray[np.float64]:
        """P(label | name) for each name over `self.labels`, after the unit hint."""
        if not names:
            return np.zeros((0, len(self.labels)))
        x = self._features.transform([normalise(n) for n in names])
        p_process = np.asarray(self._process.predict_proba(x), dtype=np.float64)[:, self._label_process]
        p_item = np.asarray(self._item.predict_proba(x), dtype=np.float64)[:, self._label_item]
        p: NDArray[np.float64] = p_process * p_item
        for i, name in enumerate(names):
            allowed = unit_items(name)
            if allowed is None:
                continue
            fits = np.isin(self._items, list(allowed))
            if fits.any():
                p[i] = np.where(fits, p[i], p[i] * UNIT_PENALTY)
        total = p.sum(axis=1, keepdims=True)
        return np.asarray(p / np.where(total > 0, total, 1.0), dtype=np.float64)

    def propose(self, names: Sequence[str]) -> list[Proposal]:
        """One proposal per name, in order; a confirmed name comes back as confirmed with confidence 1."""
        p = self.probabilities(names)
        out: list[Proposal] = []
        for name, row in zip(names, p, strict=True):
            order = np.argsort(-row, kind="stable")
            confirmed = self._exact.get(_key(name))
            if confirmed is not None:
                top: tuple[str, str] = (confirmed.process, confirmed.item)
                confidence = 1.0
            else:
                top = self.labels[int(order[0])]
                confidence = float(row[order[0]])
            alternatives = tuple(
                (*self.labels[int(j)], float(row[j]))
                for j in order
                if self.labels[int(j)] != top and row[j] >= _MIN_ALTERNATIVE_P
            )[:_ALTERNATIVES]
            out.append(Proposal(name, top[0], top[1], confidence, alternatives, confirmed is not None))
        return out


def default_store() -> Path:
    """Where a user's confirmations live: $MILKPRINT_HOME/meter_names.csv, else ~/.local/share/milkprint/."""
    home = os.environ.get("MILKPRINT_HOME")
    base = Path(home) if home else Path.home() / ".local" / "share" / "milkprint"
    return base / "meter_names.csv"


def default_unit(item: str) -> str:
    """The unit a new meter of this item gets by default (what its readings are most often in)."""
    try:
        return _DEFAULT_UNITS[item]
    except KeyError:
        raise ValueError(f"no default unit for item {item!r}") from None


_lock = threading.Lock()
_models: dict[tuple[str, int, int, int], NameModel] = {}
_MAX_CACHED = 4


def load_model(store: Path | None = None) -> NameModel:
    """The model trained on the shipped names plus the confirmations in `store` (default: default_store()).

    Cached per (store path, mtime, size, inode): training is fast, but an importer asks once per file, not per
    row; `confirm` replaces the file, so the inode changes even where mtimes are coarse.
    """
    path = (store if store is not None else default_store()).expanduser().absolute()
    try:
        stat = path.stat()
        signature = (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except FileNotFoundError:
        signature = (str(path), -1, -1, -1)
    with _lock:
        model = _models.get(signature)
        if model is None:
            confirmations = read_labelled(path) if signature[1] >= 0 else []
            model = NameModel(training_rows(), confirmations)
            while len(_models) >= _MAX_CACHED:
                _models.pop(next(iter(_models)))
            _models[signature] = model
        return model


def confirm(store: Path, name: str, process: str, item: str) -> None:
    """Record the user's label for a meter name: replaces a row with the same name (normalised), else appends.

    The file is rewritten atomically (temporary file + rename), so a crash never leaves half a store.
    """
    where = Location(file=str(store))
    pid = process_id(process)
    if not name.strip():
        raise InputError.at(where, "表名为空", "the meter name is empty")
    if pid is None:
        raise InputError.at(where, f"未知工序：{process}", f"unknown process: {process}")
    if split_item(item.strip()) is None:
        raise InputError.at(where, f"无效的项目：{item}", f"invalid item: {item}")
    rows = read_labelled(store) if store.exists() else []
    key = _key(name)
    rows = [r for r in rows if _key(r.name) != key]
    rows.append(LabelledName(name.strip(), pid, item.strip()))
    store.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".meter_names.", suffix=".tmp", dir=store.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(_FIELDS)
            writer.writerows((r.name, r.process, r.item) for r in rows)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, store)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
