"""What-if scenarios: named changes to the inventory, written as data, re-run through the pure core.

A scenario scales, substitutes, splits, adds or removes activity rows (activities.csv and meter totals alike)
and the result is compared with the base: the new footprint per tonne, the saving, per process, and the rows
touched. The catalogue of common dairy levers (data/levers.toml) uses the same format as a user's file. For the
dairy label a change of kind `label` edits the farms', herds', manure systems' or packaging's rows instead
(interpret/label_edits.py; its levers in data/label_levers.toml), and savings are also given per package.

A scenario changes the assessed inventory, after the meters are aggregated: the user's rows and the meter totals
are one list by then, so the checks of the user's own input (a row in activities.csv for a metered process and
item would count it twice) are not applied again to rows a lever created. A lever never makes a valid bundle
fail: when the changed inventory cannot be assessed (e.g. no factor for the item it introduces) the scenario is
not applicable, with the reasons, and the others still run.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from milkprint.bundle.models import ActivityRow, ItemId, ProcessId, UnitText
from milkprint.bundle.reader import parse_toml
from milkprint.bundle.validation import problems
from milkprint.engine.assess import Inputs
from milkprint.engine.label import LabelRows
from milkprint.engine.result import Result
from milkprint.errors import InputError, Lang, Location, Problem, Text
from milkprint.interpret.label_edits import EditLabel, LabelRowChange, apply_label_change, no_label_rows
from milkprint.methods.catalog import DAIRY_LABEL
from milkprint.methods.items import split_item
from milkprint.methods.processes import label, process_id

_WILD = set("*?[")


def _globs(v: object) -> tuple[str, ...]:
    """One pattern or a list of them; a pattern without wildcards must name a real process or item."""
    raw = [v] if isinstance(v, str) else list(v) if isinstance(v, list | tuple) else None
    if not raw or not all(isinstance(p, str) and p.strip() for p in raw):
        raise ValueError("expected a pattern or a list of patterns, e.g. 'energy.steam*' or ['energy.coal', '*']")
    return tuple(str(p).strip() for p in raw)


def _process_globs(v: object) -> tuple[str, ...]:
    out = []
    for p in _globs(v):
        if _WILD & set(p):
            out.append(p)
            continue
        pid = process_id(p)
        if pid is None:
            raise ValueError(f"unknown process '{p}'")
        out.append(pid)
    return tuple(out)


def _item_globs(v: object) -> tuple[str, ...]:
    pats = _globs(v)
    for p in pats:
        if not (_WILD & set(p)) and split_item(p) is None:
            raise ValueError(
                "item must be <category>.<name> with category energy, transport, material, refrigerant, "
                f"direct, wastewater or water (got '{p}')"
            )
    return pats


ProcessGlobs = Annotated[tuple[str, ...], BeforeValidator(_process_globs)]
ItemGlobs = Annotated[tuple[str, ...], BeforeValidator(_item_globs)]


class _Change(BaseModel):
    """Which rows a change applies to: process and item patterns (shell wildcards), both must match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    process: ProcessGlobs = ("*",)
    item: ItemGlobs
    note: str = ""

    def matches(self, row: ActivityRow) -> bool:
        item = row.item.lower()  # refrigerant names are typed as r404a and R404A alike
        return any(fnmatchcase(row.process, p) for p in self.process) and any(
            fnmatchcase(item, p.lower()) for p in self.item
        )


class Scale(_Change):
    """Amount x factor (e.g. steam of concentration x 0.75)."""

    kind: Literal["scale"]
    factor: float = Field(ge=0, allow_inf_nan=False)


class Substitute(_Change):
    """The item becomes another, amount x ratio, optionally in another unit (R404A leaked -> R717 same kg)."""

    kind: Literal["substitute"]
    to: ItemId
    ratio: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    unit: UnitText | None = None


class Split(_Change):
    """A share of the amount moves to another item in the same unit (30 % of electricity -> wind power)."""

    kind: Literal["split"]
    to: ItemId
    share: float = Field(ge=0, le=1, allow_inf_nan=False)


class Add(BaseModel):
    """A new activity row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["add"]
    process: ProcessId
    item: ItemId
    amount: float = Field(ge=0, allow_inf_nan=False)
    unit: UnitText
    note: str = ""


class Remove(_Change):
    """The matching rows are dropped."""

    kind: Literal["remove"]


Change = Annotated[Scale | Substitute | Split | Add | Remove | EditLabel, Field(discriminator="kind")]


class Source(BaseModel):
    """Where a lever's typical effect comes from (tags as in research/domain-data.md: V, V-2, M, C)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publication: str = Field(min_length=1)
    table: str = ""
    year: int | None = None
    region: str = ""
    verification: Literal["V", "V-2", "M", "C"]
    url: str = ""


class Scenario(BaseModel):
    """A named list of changes, applied in order; levers also state their typical effect and its sources."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    changes: list[Change] = Field(min_length=1)
    assumes_zh: str = ""
    assumes_en: str = ""
    effect_zh: str = ""
    effect_en: str = ""
    sources: list[Source] = Field(default_factory=list)

    def name(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


class ScenarioFile(BaseModel):
    """A TOML file of scenarios: [[scenario]] tables."""

    model_config = ConfigDict(extra="forbid")

    scenario: list[Scenario] = Field(min_length=1)


@dataclass(frozen=True)
class RowChange:
    """One row before and after one change (None: the row did not exist / no longer exists)."""

    step: int
    kind: str
    process: str
    item_before: str | None
    amount_before: float | None
    unit_before: str | None
    item_after: str | None
    amount_after: float | None
    unit_after: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "kind": self.kind,
            "process": self.process,
            "before": None
            if self.item_before is None
            else {"item": self.item_before, "amount": self.amount_before, "unit": self.unit_before},
            "after": None
            if self.item_after is None
            else {"item": self.item_after, "amount": self.amount_after, "unit": self.unit_after},
        }


def _tag(row: ActivityRow, scenario: Scenario, step: int) -> str:
    mark = f"scenario {scenario.id} #{step}"
    return f"{row.source}; {mark}" if row.source else mark


def _apply_one(
    rows: list[ActivityRow], change: Change, step: int, scenario: Scenario, log: list[RowChange]
) -> list[ActivityRow]:
    """The rows after one change; every touched row is logged."""
    if isinstance(change, Add | EditLabel):
        return rows  # added rows go to activities, once, in apply_changes; label rows are not activities
    out: list[ActivityRow] = []
    for r in rows:
        if not change.matches(r):
            out.append(r)
            continue
        new: list[ActivityRow] = []
        if isinstance(change, Scale):
            new = [r.model_copy(update={"amount": r.amount * change.factor, "source": _tag(r, scenario, step)})]
        elif isinstance(change, Substitute):
            new = [
                r.model_copy(
                    update={
                        "item": change.to,
                        "amount": r.amount * change.ratio,
                        "unit": change.unit or r.unit,
                        "source": _tag(r, scenario, step),
                    }
                )
            ]
        elif isinstance(change, Split):
            tag = _tag(r, scenario, step)
            new = [
                r.model_copy(update={"amount": r.amount * (1 - change.share), "source": tag}),
                r.model_copy(update={"item": change.to, "amount": r.amount * change.share, "source": tag}),
            ]
        out.extend(new)
        if not new:
            log.append(RowChange(step, change.kind, r.process, r.item, r.amount, r.unit, None, None, None))
        for n in new:
            if isinstance(change, Split) and n.item != r.item:  # the new share: a row that did not exist
                log.append(RowChange(step, change.kind, r.process, None, None, None, n.item, n.amount, n.unit))
            else:
                log.append(RowChange(step, change.kind, r.process, r.item, r.amount, r.unit, n.item, n.amount, n.unit))
    return out


def apply_changes(
    scenario: Scenario, activities: Sequence[ActivityRow], metered: Sequence[ActivityRow]
) -> tuple[list[ActivityRow], list[ActivityRow], list[RowChange], list[Text]]:
    """Activities and meter rows after the scenario, the rows touched, and warnings for changes that matched
    nothing (a lever written for another plant layout)."""
    acts, mets = list(activities), list(metered)
    log: list[RowChange] = []
    warnings: list[Text] = []
    for step, change in enumerate(scenario.changes, start=1):
        before = len(log)
        if isinstance(change, EditLabel):
            continue  # apply_label_changes
        if isinstance(change, Add):
            added = ActivityRow(
                process=change.process,
                item=change.item,
                amount=change.amount,
                unit=change.unit,
                source=f"scenario {scenario.id} #{step}" + (f": {change.note}" if change.note else ""),
                origin=Location(file=f"scenario {scenario.id}", column=f"changes[{step}]"),
            )
            acts.append(added)
            log.append(RowChange(step, "add", added.process, None, None, None, added.item, added.amount, added.unit))
            continue
        acts = _apply_one(acts, change, step, scenario, log)
        mets = _apply_one(mets, change, step, scenario, log)
        if len(log) == before:
            where = f"{', '.join(change.process)} / {', '.join(change.item)}"
            warnings.append(
                Text(
                    f"情景“{scenario.zh}”第 {step} 项（{change.kind}）没有匹配到任何清单行（{where}），未产生变化",
                    f"scenario '{scenario.en}' change {step} ({change.kind}) matched no inventory row ({where}); "
                    "it changed nothing",
                )
            )
    return acts, mets, log, warnings


def apply_label_changes(
    scenario: Scenario, rows: LabelRows | None
) -> tuple[LabelRows | None, list[LabelRowChange], list[Text]]:
    """The dairy label's rows after the scenario's label changes, the fields touched, and warnings for label changes
    that touched nothing (every one of them, for a gate-to-gate bundle)."""
    log: list[LabelRowChange] = []
    warnings: list[Text] = []
    for step, change in enumerate(scenario.changes, start=1):
        if not isinstance(change, EditLabel):
            continue
        before = len(log)
        if rows is not None:
            rows = apply_label_change(rows, change, step, log)
        if len(log) == before:
            warnings.append(no_label_rows(scenario.zh, scenario.en, step, change))
    return rows, log, warnings


def _pct(saving: float, base: float) -> float | None:
    return saving / base * 100 if base else None


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario against the base: per tonne of main product, savings positive when the footprint falls."""

    scenario: Scenario
    base: Result
    new: Result
    rows: tuple[RowChange | LabelRowChange, ...]
    warnings: tuple[Text, ...] = field(default=())
    problems: tuple[Text, ...] = field(default=())  # why the changed inventory could not be assessed (new = base)

    @property
    def applicable(self) -> bool:
        """False when no change touched any row (the lever does not fit this plant: no saving, not a zero one) or
        when the changed inventory cannot be assessed (`problems`)."""
        return bool(self.rows) and not self.problems

    def reason(self) -> Text | None:
        """Why the scenario is not applicable, in both languages (None when it is)."""
        if self.applicable:
            return None
        if self.problems:
            return Text(
                "该措施改变后的清单无法核算（" + "；".join(p.zh for p in self.problems) + "）",
                "the inventory as the lever changes it cannot be assessed ("
                + "; ".join(p.en for p in self.problems)
                + ")",
            )
        return Text(
            "本厂清单中没有该措施所针对的行（" + "；".join(w.zh for w in self.warnings) + "）",
            "no row of this plant's inventory is what the lever changes ("
            + "; ".join(w.en for w in self.warnings)
            + ")",
        )

    @property
    def saving_kgco2e_per_t(self) -> float:
        return self.base.kgco2e_per_t - self.new.kgco2e_per_t

    @property
    def saving_kgco2e_per_unit(self) -> float | None:
        """The dairy label's saving per package (None for gate to gate)."""
        b, n = self.base.kgco2e_per_unit, self.new.kgco2e_per_unit
        return b - n if b is not None and n is not None else None

    @property
    def saving_m3_per_t(self) -> float:
        return self.base.m3_per_t - self.new.m3_per_t

    @property
    def saving_carbon_pct(self) -> float | None:
        """The carbon saving in percent of the base (None when the base is 0)."""
        return _pct(self.saving_kgco2e_per_t, self.base.kgco2e_per_t)

    @property
    def saving_water_pct(self) -> float | None:
        return _pct(self.saving_m3_per_t, self.base.m3_per_t)

    def by_process(self) -> dict[str, dict[str, float]]:
        """Per process: carbon and water per tonne, before and after (only processes that changed)."""
        b, n = self.base, self.new
        out: dict[str, dict[str, float]] = {}
        for p in sorted({*b.by_process, *n.by_process, *b.water_by_process, *n.water_by_process}):
            c0, c1 = b.by_process.get(p, 0.0) / b.production_t, n.by_process.get(p, 0.0) / n.production_t
            w0, w1 = b.water_by_process.get(p, 0.0) / b.production_t, n.water_by_process.get(p, 0.0) / n.production_t
            if c0 != c1 or w0 != w1:
                out[p] = {
                    "base_kgco2e_per_t": c0,
                    "new_kgco2e_per_t": c1,
                    "saving_kgco2e_per_t": c0 - c1,
                    "base_m3_per_t": w0,
                    "new_m3_per_t": w1,
                    "saving_m3_per_t": w0 - w1,
                }
        return out

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        s = self.scenario
        ok = self.applicable
        return {
            "id": s.id,
            "name": s.name(lang),
            "applicable": ok,
            "not_applicable_reason": None if (why := self.reason()) is None else why(lang),
            "assumes": s.assumes_zh if lang == "zh" else s.assumes_en,
            "typical_effect": s.effect_zh if lang == "zh" else s.effect_en,
            "sources": [src.model_dump() for src in s.sources],
            "carbon": {
                "base_kgco2e_per_t": self.base.kgco2e_per_t,
                "new_kgco2e_per_t": self.new.kgco2e_per_t,
                "saving_kgco2e_per_t": self.saving_kgco2e_per_t if ok else None,
                "saving_pct": self.saving_carbon_pct if ok else None,
                **self._per_unit(ok),
            },
            "water": {
                "base_m3_per_t": self.base.m3_per_t,
                "new_m3_per_t": self.new.m3_per_t,
                "saving_m3_per_t": self.saving_m3_per_t if ok else None,
                "saving_pct": self.saving_water_pct if ok else None,
            },
            "by_process": {p: {"name": label(p, lang), **v} for p, v in self.by_process().items()},
            "rows_changed": [r.to_dict() for r in self.rows],
            "warnings": [w(lang) for w in (*self.warnings, *self.problems)],
        }

    def _per_unit(self, ok: bool) -> dict[str, float | None]:
        """Per package, for the dairy label only (the gate-to-gate keys stay as they were)."""
        if self.base.kgco2e_per_unit is None:
            return {}
        return {
            "base_kgco2e_per_unit": self.base.kgco2e_per_unit,
            "new_kgco2e_per_unit": self.new.kgco2e_per_unit,
            "saving_kgco2e_per_unit": self.saving_kgco2e_per_unit if ok else None,
        }


def _problem_text(p: Problem) -> Text:
    """A problem of the changed inventory with its place (a row of the user's data, or the lever's change)."""
    zh, en = p.location.describe("zh"), p.location.describe("en")
    return Text(f"{zh}：{p.text.zh}" if zh else p.text.zh, f"{en}: {p.text.en}" if en else p.text.en)


def run_scenarios(inputs: Inputs, scenarios: Sequence[Scenario]) -> list[ScenarioResult]:
    """Each scenario applied to the same base inventory (not to each other) and assessed; pure.

    The changed rows are assessed as one inventory (activities and meter totals together, after aggregation), so
    the check of the user's input against the meters is not applied to a lever's rows. A scenario whose inventory
    cannot be assessed is returned as not applicable with its problems (its `new` is the base), never raised:
    a lever never makes a valid bundle fail.
    """
    base = inputs.assess()
    out = []
    for s in scenarios:
        acts, mets, log, warnings = apply_changes(s, inputs.activities, inputs.metered)
        label, label_log, label_warnings = apply_label_changes(s, inputs.label)
        changed: tuple[RowChange | LabelRowChange, ...] = (*log, *label_log)
        warned = (*warnings, *label_warnings)
        try:
            new = replace(inputs, activities=[*acts, *mets], metered=(), label=label).assess()
        except InputError as exc:
            problems = tuple(_problem_text(p) for p in exc.problems)
            out.append(ScenarioResult(s, base, base, changed, warned, problems))
            continue
        out.append(ScenarioResult(s, base, new, changed, warned))
    return out


_KINDS = ("scale", "substitute", "split", "add", "remove", "label")
_OWN_ERRORS: dict[str, tuple[str, str]] = {
    "union_tag_invalid": (
        "未知的变化类型“{tag}”，应为：" + "、".join(_KINDS),
        "unknown change kind '{tag}'; expected one of " + ", ".join(_KINDS),
    ),
    "union_tag_not_found": ("缺少 kind（变化类型）", "kind (the type of change) is missing"),
    "extra_forbidden": ("无法识别的键（是否拼写有误？）", "unknown key (a typo?)"),
}


def _problems(exc: ValidationError, name: str) -> list[Problem]:
    """Pydantic's errors located by key path (without the change-kind tag pydantic inserts), in both languages."""
    out = problems(exc, name)
    for i, err in enumerate(exc.errors()):
        loc = [str(p) for p in err.get("loc", ())]
        loc = [p for j, p in enumerate(loc) if not (p in _KINDS and j >= 1 and loc[j - 1].isdigit())]
        own = _OWN_ERRORS.get(err.get("type", ""))
        tag = str((err.get("ctx") or {}).get("tag", ""))
        text = Text(own[0].format(tag=tag), own[1].format(tag=tag)) if own else out[i].text
        out[i] = Problem(Location(file=name, column=".".join(loc) or None), text)
    return out


def parse_scenarios(data: dict[str, Any], name: str) -> list[Scenario]:
    """Scenarios from parsed TOML; problems name the file and the key path (scenario.0.changes.1.factor)."""
    try:
        scenarios = ScenarioFile.model_validate(data).scenario
    except ValidationError as exc:
        raise InputError(_problems(exc, name)) from exc
    seen: set[str] = set()
    for i, s in enumerate(scenarios):
        if s.id in seen:
            raise InputError.at(
                Location(file=name, column=f"scenario.{i}.id"),
                f"情景编号“{s.id}”重复",
                f"scenario id '{s.id}' appears twice",
            )
        seen.add(s.id)
    return scenarios


def load_scenarios(path: Path | str) -> list[Scenario]:
    """A user's scenario file (same format as the lever catalogue); bad input raises InputError."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError.at(Location(file=p.name), "找不到情景文件", "scenario file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError.at(
            Location(file=p.name), f"不是 UTF-8 编码（第 {exc.start} 字节）", f"not UTF-8 encoded (byte {exc.start})"
        ) from exc
    return parse_scenarios(parse_toml(text, Location(file=p.name)), p.name)


def _catalogue(name: str) -> list[Scenario]:
    text = resources.files("milkprint.interpret").joinpath("data", name).read_text(encoding="utf-8")
    found = parse_scenarios(tomllib.loads(text), name)
    assert all(s.sources for s in found), f"every lever in {name} needs a source"
    return found


def levers() -> list[Scenario]:
    """The built-in catalogue of common dairy levers; every lever names the source of its typical effect."""
    return _catalogue("levers.toml")


def label_levers() -> list[Scenario]:
    """The dairy label's own levers (farms and packaging, data/label_levers.toml)."""
    return _catalogue("label_levers.toml")


def levers_for(method: str) -> list[Scenario]:
    """The levers of a method: for the dairy label its own first, then the plant's (those that find no plant row
    say so); gate to gate the plant's."""
    return [*label_levers(), *levers()] if method == DAIRY_LABEL.id else levers()


def lever(lever_id: str) -> Scenario:
    """One lever of the catalogue by id."""
    every = [*levers(), *label_levers()]
    for s in every:
        if s.id == lever_id:
            return s
    known = ", ".join(s.id for s in every)
    raise InputError.at(
        Location(column="lever"),
        f"未知的减排措施“{lever_id}”，应为：{known}",
        f"unknown lever '{lever_id}'; expected one of {known}",
    )
