"""What the pages show of a dairy-label result (method dairy-carbon-label): the per-package headline, the four
life-cycle stages and the raw milk's farms. A gate-to-gate result has none of it (`label_figures` gives None), so
its pages stay as they were.

Everything shown is read from the result: the stored JSON's headline (per package, by stage, coverage), so the page
agrees with the API and the downloads; the typed FarmFootprints of the view for a farm's gases. The only arithmetic
here is presentation: a stage's kgCO2e over the period shown per package (÷ packages, as per t is ÷ t), and a gas in
kgCO2e (kg × the GWP of the result's GWP set, from the factor library the view was computed with).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from milkprint.engine.farm import FarmFootprint
from milkprint.engine.result import Result
from milkprint.errors import Lang, Text
from milkprint.report.package import LIFE_STAGES, per_package
from milkprint.web import charts

DATA_NAMES: dict[str, Text] = {
    "herd": Text("牧群数据（初级）", "herd data (primary)"),
    "declared": Text("牧场声明", "declared by the farm"),
    "none": Text("无数据（F11 均值替代）", "no data (F11 stand-in)"),
}


def _text(t: Text, lang: Lang) -> str:
    return t.zh if lang == "zh" else t.en


def label_figures(stored: dict[str, Any], result: Result, lang: Lang) -> dict[str, Any] | None:
    """The label's part of a page's figures; None for a gate-to-gate result (no functional unit stored)."""
    unit = stored.get("functional_unit")
    if not unit or result.label is None:
        return None
    carbon = stored["carbon"]
    units = unit["units"]
    by_stage: dict[str, float] = carbon.get("by_stage") or {}
    total = carbon["total_kgco2e"]
    stages = [
        {
            "key": key,
            "label": _text(name, lang),
            "kg": by_stage.get(key, 0.0),
            "per_t": by_stage.get(key, 0.0) / units,  # per package; `per_t` is the key charts.bars draws
            "share": by_stage.get(key, 0.0) / total if total else 0.0,
        }
        for key, name in LIFE_STAGES
    ]
    raw = stored.get("raw_milk") or {}
    return {
        "per_unit": carbon["kgco2e_per_unit"],
        "per_t": carbon["kgco2e_per_t"],
        "unit_words": per_package(result.context.product, lang),  # as the report and label word it
        "method": _text(result.context.method_name, lang),
        "package": unit.get("package"),
        "net_mass_kg": unit["net_mass_kg"],
        "units": units,
        "stages": stages,
        "coverage": raw.get("coverage"),
        "fpcm_mean": raw.get("kgco2e_per_kg_fpcm"),
        "fpcm_kg": raw.get("fpcm_kg"),
        "farms": [farm_row(n, f, lang) for n, f in enumerate(result.label.farms, start=1)],
        "chart": charts.bars(stages, "kgCO2e/" + (unit.get("package") or "unit"), digits=3),
    }


def farm_row(number: int, f: FarmFootprint, lang: Lang) -> dict[str, Any]:
    """One farm's row of the farms table (FarmFootprint.to_dict, the spec's keys, plus its page number)."""
    return {
        **f.to_dict(),  # json: the farms table shows the spec's per-farm keys, as the result JSON states them
        "number": number,
        "data_name": _text(DATA_NAMES.get(f.data, Text(f.data, f.data)), lang),
        "milk_t": f.milk_t,
    }


@dataclass(frozen=True)
class Gwps:
    """The GWP values of the result's set that F7 multiplied the farm gases by."""

    set: str
    ch4: float | None
    n2o: float | None
    ch4_source: str = ""
    n2o_source: str = ""


def gwps_of(result: Result) -> Gwps:
    """Biogenic CH4 and N2O of the result's GWP set, from the factor library the view was computed with (the
    default library: web/views.py computes with it, as engine/label.py's F7 does)."""
    from milkprint.factors.gwp import gwp_of
    from milkprint.factors.library import default_library

    lib = default_library()
    ch4, n2o = gwp_of(lib, "CH4_biogenic", result.gwp), gwp_of(lib, "N2O", result.gwp)
    return Gwps(
        result.gwp,
        ch4.value if ch4 else None,
        n2o.value if n2o else None,
        ch4.source if ch4 else "",
        n2o.source if n2o else "",
    )


def farm_page(result: Result, number: int, lang: Lang) -> dict[str, Any] | None:
    """A farm's page (1-based `number` in farms.csv order): its f, FPCM, AF_milk, E_farm and gases, each gas in kg
    and in kgCO2e; None when the result has no such farm."""
    if result.label is None or not 1 <= number <= len(result.label.farms):
        return None
    f = result.label.farms[number - 1]
    g = gwps_of(result)
    gases = [
        ("enteric", Text("肠道发酵 CH4", "enteric CH4"), f.ch4_enteric_kg, g.ch4, "CH4_biogenic"),
        ("manure_ch4", Text("粪便管理 CH4", "manure CH4"), f.ch4_manure_kg, g.ch4, "CH4_biogenic"),
        ("n2o", Text("粪便管理 N2O", "manure N2O"), f.n2o_kg, g.n2o, "N2O"),
    ]
    raw_line = next((ln for ln in result.lines if ln.data_set == f"farm:{f.farm}"), None)
    return {
        "farm": farm_row(number, f, lang),
        "fpcm_produced_kg": f.fpcm_produced_kg,
        "e_farm": f.e_farm_kgco2e,
        "gwp": g,
        "gases": [
            {
                "key": key,
                "label": _text(name, lang),
                "gas": gas,
                "kg": kg,
                "gwp": value,
                "kgco2e": kg * value if value is not None else None,
            }
            for key, name, kg, value, gas in gases
        ],
        "defaults": [{"field": d.field, "value": d.value, "unit": d.unit, "source": d.source} for d in f.defaults],
        "raw_milk_kgco2e": raw_line.kgco2e if raw_line is not None else None,
        "count": len(result.label.farms),
    }
