"""Turn pydantic's validation errors into problems that name the place and speak Chinese too."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from milkprint.errors import Location, Problem, Text

# pydantic error type -> (zh, en) with {input} and {ctx...} filled in.
_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填值", "a value is required"),
    "float_parsing": ("应为数字，实际为“{input}”", "expected a number, got '{input}'"),
    "float_type": ("应为数字，实际为“{input}”", "expected a number, got '{input}'"),
    "int_parsing": ("应为整数，实际为“{input}”", "expected a whole number, got '{input}'"),
    "int_from_float": ("应为整数，实际为“{input}”", "expected a whole number, got '{input}'"),
    "greater_than_equal": ("应不小于 {ge}，实际为 {input}", "expected a value of at least {ge}, got {input}"),
    "greater_than": ("应大于 {gt}，实际为 {input}", "expected a value above {gt}, got {input}"),
    "less_than_equal": ("应不大于 {le}，实际为 {input}", "expected a value of at most {le}, got {input}"),
    "less_than": ("应小于 {lt}，实际为 {input}", "expected a value below {lt}, got {input}"),
    "finite_number": ("应为有限数值，实际为“{input}”", "expected a finite number, got '{input}'"),
    "literal_error": ("应为以下之一：{expected}，实际为“{input}”", "expected one of {expected}, got '{input}'"),
    "date_from_datetime_parsing": (
        "应为日期（YYYY-MM-DD），实际为“{input}”",
        "expected a date (YYYY-MM-DD), got '{input}'",
    ),
    "date_parsing": ("应为日期（YYYY-MM-DD），实际为“{input}”", "expected a date (YYYY-MM-DD), got '{input}'"),
    "date_type": ("应为日期（YYYY-MM-DD），实际为“{input}”", "expected a date (YYYY-MM-DD), got '{input}'"),
    "string_too_short": ("不能为空", "must not be empty"),
    "string_type": ("应为文本，实际为“{input}”", "expected text, got '{input}'"),
    "bool_parsing": ("应为 true 或 false，实际为“{input}”", "expected true or false, got '{input}'"),
    "bool_type": ("应为 true 或 false，实际为“{input}”", "expected true or false, got '{input}'"),
    "model_type": ("应为一个表（[section]），实际为“{input}”", "expected a table ([section]), got '{input}'"),
    "list_type": ("应为列表，实际为“{input}”", "expected a list, got '{input}'"),
}

# Messages our own validators raise, in Chinese.
_OWN: list[tuple[str, str]] = [
    ("unknown unit", "无法识别的单位"),
    ("unknown process", "无法识别的工序名称（应为 reception、drying 等英文名或 原料乳接收、干燥 等中文名）"),
    (
        "item must be",
        "项目应为“类别.名称”，类别为 energy、transport、material、refrigerant、direct、wastewater、water、"
        "feed、fertiliser、bedding 或 eol",
    ),
    ("factor unit must be", "因子单位应为“气体质量/活动单位”，如 kg/kWh"),
    ("expected true or false", "应为 true 或 false（1/yes/是，0/no/否，或留空）"),
    ("give load_kg", "应填写 load_kg，或同时填写 volume_m3 与 concentration_mg_per_l"),
    ("must be above c_nat", "最大允许浓度 c_max_mg_per_l 必须高于自然本底浓度 c_nat_mg_per_l"),
    ("period end is before", "核算期结束日期早于开始日期"),
    ("dry_matter allocation needs", "按干物质分配需要主产品与各副产品的干物质含量"),
    ("economic allocation needs", "按经济价值分配需要主产品与各副产品的价格"),
    (
        "given without uncertainty",
        "填写了分布参数但未填写 uncertainty（分布类型：对数正态 lognormal、正态 normal、三角 triangular、均匀 uniform 或 无 none）",
    ),
    ("distribution needs", "所选分布缺少参数（对数正态需 gsd95，正态需 sd，三角与均匀需 low 与 high）"),
    ("does not apply to a", "该参数不适用于所选分布"),
    ("a lognormal needs", "对数正态分布以本行数值为中位数，不能为负；负值请用正态分布"),
    ("must be below high", "下限 low 必须小于上限 high"),
    ("must lie between low", "本行数值必须位于下限 low 与上限 high 之间"),
    ("a third-party certified declaration needs", "独立第三方认证的声明需填写认证机构 declaration.body 与证书编号 declaration.certificate"),
    (
        "an other-party verified declaration needs",
        "其他方核证的声明需填写核证机构 declaration.body、其资质 declaration.qualification 与核证过程 declaration.process",
    ),
    ("core results cannot be withheld", "核心评价结果（单位产品碳水双足迹、主要排放/消耗环节）必须完整公开，不能列为保密"),
    ("unknown confidential field", "无法识别的保密字段"),
    ("valid_until is before", "有效期截止日期早于报告出具日期"),
    ("validity may not exceed 3 years", "评价结果有效期最长不超过 3 年"),
    ("net_content needs net_content_unit", "填写了净含量 net_content，还需填写其单位 net_content_unit（g、kg、ml 或 L）"),
    ("needs density_kg_per_l", "净含量为体积时需要填写密度 density_kg_per_l（kg/L），以得到一个包装的质量"),
    ("steam needs", "蒸汽需要 enthalpy_kj_per_kg，或 pressure_mpa（绝对压力）及可选的 temperature_c"),
]


def _fill(template: str, err: Any) -> str:
    ctx = {k: v for k, v in (err.get("ctx") or {}).items()}
    raw = err.get("input")
    shown = "" if isinstance(raw, dict) else str(raw)
    try:
        return template.format(input=shown, **ctx)
    except (KeyError, IndexError, ValueError):
        return template


def translate(err: Any) -> Text:
    """A pydantic error dict as a bilingual text."""
    kind = err.get("type", "")
    if kind in _MESSAGES:
        zh, en = _MESSAGES[kind]
        return Text(_fill(zh, err), _fill(en, err))
    msg = str(err.get("msg", "invalid value"))
    en = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    for key, zh in _OWN:
        if key in en:
            return Text(f"{zh}（{en}）", en)
    return Text(en, en)


def problems(exc: ValidationError, file: str, row: int | None = None, prefix: str = "") -> list[Problem]:
    """Problems located by file, row and column (or TOML key path)."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p != "__root__"]
        column = ".".join(([prefix] if prefix else []) + loc) or None
        out.append(Problem(Location(file=file, row=row, column=column), translate(err)))
    return out
