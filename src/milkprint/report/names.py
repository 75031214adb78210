"""Names a reader understands for stages and processes (items: methods/item_names.py), in Chinese and
English (the ids stay in the tables too)."""

from __future__ import annotations

from milkprint.errors import Lang, Text
from milkprint.methods.processes import label as process_label

# The standard's three collection tables are its stages of the production (生产加工) life-cycle stage.
STAGES: tuple[tuple[str, Text, tuple[str, ...]], ...] = (
    (
        "pretreatment",
        Text("原料乳预处理", "Raw milk pretreatment"),
        ("reception", "pretreatment", "standardization", "sterilization"),
    ),
    ("concentration_drying", Text("浓缩与干燥", "Concentration and drying"), ("concentration", "drying")),
    (
        "packaging_auxiliary",
        Text("包装与辅助系统", "Packaging and auxiliaries"),
        (
            "packaging",
            "transport",
            "storage",
            "cip",
            "boiler",
            "refrigeration",
            "compressed_air",
            "wastewater",
            "other",
        ),
    ),
)
STAGE_OF: dict[str, str] = {p: sid for sid, _, procs in STAGES for p in procs}
STAGE_NAME: dict[str, Text] = {sid: name for sid, name, _ in STAGES}
PROCESS_ORDER: tuple[str, ...] = tuple(p for _, _, procs in STAGES for p in procs)


def process_name(process: str, lang: Lang) -> str:
    return process_label(process, lang)


def stage_name(process: str, lang: Lang) -> str:
    """The stage (collection table) a process belongs to."""
    return STAGE_NAME[STAGE_OF.get(process, "packaging_auxiliary")](lang)
