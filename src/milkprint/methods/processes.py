"""Unit processes of a milk powder plant (case bundle v1), with their Chinese names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Process:
    id: str
    zh: str
    en: str


PROCESSES: tuple[Process, ...] = (
    Process("reception", "原料乳接收", "Raw milk reception"),
    Process("pretreatment", "预处理", "Pretreatment (filtering, cooling)"),
    Process("standardization", "标准化", "Standardization"),
    Process("sterilization", "杀菌", "Sterilization"),
    Process("concentration", "浓缩", "Concentration (evaporation)"),
    Process("drying", "干燥", "Spray drying"),
    Process("packaging", "包装", "Packaging"),
    Process("transport", "厂内运输", "In-plant transport"),
    Process("storage", "存储", "Storage"),
    Process("cip", "CIP清洗", "Cleaning in place (CIP)"),
    Process("boiler", "锅炉", "Boiler"),
    Process("refrigeration", "制冷", "Refrigeration"),
    Process("compressed_air", "空压", "Compressed air"),
    Process("wastewater", "废水处理", "Wastewater treatment"),
    Process("other", "其他", "Other"),
)

# Processes the engine gives to lines of its own (the dairy label's farm inputs and end of life of the package): they
# have names for the reports, but no row of a bundle may name them (a farm's inputs belong in farm_inputs.csv,
# inside its raw milk footprint, never among the plant's activities).
ENGINE_PROCESSES: tuple[Process, ...] = (
    Process("farm", "牧场", "Farm (raw milk supplier)"),
    Process("end_of_life", "生命末期处置", "End of life"),
)

BY_ID: dict[str, Process] = {p.id: p for p in PROCESSES}
_NAMED: dict[str, Process] = {p.id: p for p in (*PROCESSES, *ENGINE_PROCESSES)}

# Downstream of the co-product split (共生产品分离). In a milk powder plant the cream, the usual co-product, leaves at
# standardisation; concentration, drying, packaging and the storage of the finished product then serve the powder
# alone. The standard allocates by subdivision first (细分法), so a `shared` row of these processes, which gets the
# plant-wide allocation share, gives co-products part of a burden they never caused: quality/allocation.py warns.
AFTER_SPLIT: tuple[str, ...] = ("concentration", "drying", "packaging", "storage")
_ALIASES: dict[str, str] = {
    **{p.id: p.id for p in PROCESSES},
    **{p.zh: p.id for p in PROCESSES},
    "cip清洗": "cip",
    "CIP": "cip",
    "standardisation": "standardization",
    "sterilisation": "sterilization",
}


def process_id(name: str) -> str | None:
    """The process id for an English or Chinese name, or None if it is not one of ours."""
    key = name.strip()
    return _ALIASES.get(key) or _ALIASES.get(key.lower())


def label(process: str, lang: str) -> str:
    """A process's name in `lang` (the engine's own processes included); the id itself when unknown."""
    p = _NAMED.get(process)
    if p is None:
        return process
    return p.zh if lang == "zh" else p.en
