"""Cross-file checks of a dairy-carbon-label bundle (spec/dairy-label.md): what no single row can tell.

Each row was validated on its own when read (bundle/label_models.py). Here the files are checked against each
other, so that the engine receives farms it can compute: every problem names its file, row and column, and all of
them are reported together (exit code 2, nothing written). What the engine computes (an AF_milk from F9 outside
(0, 1]) is the engine's to refuse; a farm's own `af_milk` is refused here, where the user typed it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol

from milkprint.bundle.content import Bundle
from milkprint.bundle.label_models import ANIMAL_KINDS, FarmRow, HerdRow, ManureRow
from milkprint.errors import Collector, Location
from milkprint.factors.eol import default_eol_shares, eol_defaults
from milkprint.factors.farm_defaults import animal_category, tier1_default
from milkprint.methods.catalog import DAIRY_LABEL

LABEL_METHOD = DAIRY_LABEL.id
SHARE_TOLERANCE = 1e-6  # shares of a category's manure, and of a material's end-of-life routes, sum to 1 ± this
_TIER2 = (
    "dmi_kg_per_day",
    "de_pct",
    "ym_pct",
    "cp_pct",
    "milk_kg_per_day",
    "milk_protein_pct",
    "gain_kg_per_day",
    "ge_mj_per_kg_dm",
    "ue",
    "ash",
)
# Tier 1 figures a farm may leave empty when the factor library has a cited default (the enteric one never).
_TIER1_DEFAULTABLE = ("manure_kg_ch4_per_head_yr", "nex_kg_per_head_yr")


class _FarmOwned(Protocol):
    """A row of herd.csv, manure.csv or farm_inputs.csv: it names its farm."""

    @property
    def farm(self) -> str: ...

    @property
    def origin(self) -> Location: ...


def check_label_bundle(bundle: Bundle, errors: Collector, *, complete: bool = True) -> None:
    """Add to `errors` every cross-file problem of a label bundle.

    `complete` False leaves out what only the assessment needs (the package's net content), for a bundle that is
    still being collected (the workbook).
    """
    if complete:
        _net_content(bundle, errors)
    farms = _farms(bundle.farms, errors)
    named = {f.farm for f in bundle.farms}
    for file, rows in (
        ("herd.csv", bundle.herd),
        ("manure.csv", bundle.manure),
        ("farm_inputs.csv", bundle.farm_inputs),
        ("animals_sold.csv", bundle.animals_sold),
    ):
        _known_farms(file, rows, farms, named, errors)
    _herds(bundle, farms, errors)
    _manure_shares(bundle.manure, errors)
    _packaging_shares(bundle, errors)
    _animals_sold(bundle, farms, errors)


def _net_content(bundle: Bundle, errors: Collector) -> None:
    """The functional unit is one package: its net mass m_u turns the footprint per t into one per package."""
    product = bundle.assessment.product
    if product.net_content is None:
        errors.add(
            Location(file="assessment.toml", column="product.net_content"),
            "dairy-carbon-label 方法需要 [product] 的 net_content 与 net_content_unit（一个包装的净含量，如 900 g）",
            "the dairy-carbon-label method needs [product] net_content and net_content_unit "
            "(the net content of one package, e.g. 900 g)",
        )
    elif product.net_mass_kg() is None:  # a volume without a density (the model refuses it too)
        errors.add(
            Location(file="assessment.toml", column="product.density_kg_per_l"),
            f"净含量以 {product.net_content_unit} 计时需要 density_kg_per_l（密度，kg/L）",
            f"a net content in {product.net_content_unit} needs density_kg_per_l (kg per litre)",
        )


def _farms(rows: tuple[FarmRow, ...], errors: Collector) -> dict[str, FarmRow]:
    """farms.csv by farm name, after its own checks: names once, a declared footprint, an own AF_milk in (0, 1]."""
    farms: dict[str, FarmRow] = {}
    for f in rows:
        if f.farm in farms:
            errors.add(
                replace(f.origin, column="farm"),
                f"牧场“{f.farm}”重复（首次出现在第 {farms[f.farm].origin.row} 行）：每个牧场一行",
                f"farm '{f.farm}' is listed twice (first on row {farms[f.farm].origin.row}): one row per farm",
            )
            continue
        farms[f.farm] = f
        if f.data == "declared" and f.kgco2e_per_kg_fpcm is None:
            errors.add(
                replace(f.origin, column="kgco2e_per_kg_fpcm"),
                f"牧场“{f.farm}”的数据为 declared，需要填写 kgco2e_per_kg_fpcm（牧场自有的每 kg FPCM 碳足迹）",
                f"farm '{f.farm}' is `declared`: kgco2e_per_kg_fpcm (its own footprint per kg FPCM) is required",
            )
        if f.af_milk is not None and not 0 < f.af_milk <= 1:
            errors.add(
                replace(f.origin, column="af_milk"),
                f"牧场“{f.farm}”的牛奶分配系数 af_milk = {f.af_milk:g} 超出范围，应大于 0 且不大于 1（F9）",
                f"farm '{f.farm}': af_milk = {f.af_milk:g} is out of range; it must be above 0 and at most 1 (F9)",
            )
    if rows and all(f.data == "none" for f in rows):
        errors.add(
            replace(rows[0].origin, column="data"),
            "所有牧场的数据均为 none：至少需要一个有数据的牧场（herd 或 declared）作为其余牧场的替代值（F11）",
            "every farm is `none`: at least one farm with data (herd or declared) is needed to stand in for "
            "the others (F11)",
        )
    return farms


def _known_farms(
    file: str, rows: Iterable[_FarmOwned], farms: dict[str, FarmRow], named: set[str], errors: Collector
) -> None:
    """Rows of herd.csv, manure.csv and farm_inputs.csv belong to a `herd` farm of farms.csv (else they'd be lost)."""
    for r in rows:
        farm = r.farm
        where = replace(r.origin, column="farm")
        if farm not in named:
            errors.add(
                where,
                f"牧场“{farm}”不在 farms.csv 中：请先在 farms.csv 登记该牧场",
                f"farm '{farm}' is not in farms.csv: list the farm in farms.csv first",
            )
        elif farm in farms and farms[farm].data != "herd":
            errors.add(
                where,
                f"牧场“{farm}”在 farms.csv 中的数据为 {farms[farm].data}，{file} 只用于 herd 牧场（本行会被忽略）",
                f"farm '{farm}' is `{farms[farm].data}` in farms.csv; {file} is for `herd` farms only "
                "(this row would be ignored)",
            )


def _herds(bundle: Bundle, farms: dict[str, FarmRow], errors: Collector) -> None:
    """Every `herd` farm has animals; every category is Tier 2 or Tier 1 and complete, and has its manure systems."""
    categories: dict[tuple[str, str], HerdRow] = {}
    for h in bundle.herd:
        key = (h.farm, h.category)
        if key in categories:
            errors.add(
                replace(h.origin, column="category"),
                f"牧场“{h.farm}”的畜群类别“{h.category}”重复（首次出现在第 {categories[key].origin.row} 行）",
                f"farm '{h.farm}': category '{h.category}' is listed twice (first on row {categories[key].origin.row})",
            )
            continue
        categories[key] = h
        _tier(h, errors)
    with_herd = {farm for farm, _ in categories}
    for f in farms.values():
        if f.data == "herd" and f.farm not in with_herd:
            errors.add(
                replace(f.origin, column="data"),
                f"牧场“{f.farm}”的数据为 herd，但 herd.csv 中没有该牧场的畜群",
                f"farm '{f.farm}' is `herd` but herd.csv has no animals of it",
            )
    managed = {(m.farm, _category_key(m.category)) for m in bundle.manure}
    kinds = {(farm, _category_key(category)) for farm, category in categories}
    for (farm, category), h in categories.items():
        if farm in farms and farms[farm].data == "herd" and (farm, _category_key(category)) not in managed:
            errors.add(
                replace(h.origin, column="category"),
                f"牧场“{farm}”的畜群类别“{category}”在 manure.csv 中没有粪便管理方式（计算 N2O 需要）",
                f"farm '{farm}', category '{category}' has no rows in manure.csv (its N2O needs the manure systems)",
            )
    for m in bundle.manure:
        if m.farm in farms and farms[m.farm].data == "herd" and (m.farm, _category_key(m.category)) not in kinds:
            errors.add(
                replace(m.origin, column="category"),
                f"牧场“{m.farm}”没有畜群类别“{m.category}”（herd.csv 中无此类别，本行会被忽略）",
                f"farm '{m.farm}' has no category '{m.category}' in herd.csv (this row would be ignored)",
            )


def _tier(h: HerdRow, errors: Collector) -> None:
    """A Tier 2 row needs its dry matter intake; a Tier 1 row its three figures (or cited defaults), not both sets."""
    if h.tier == 2:
        if h.dmi_kg_per_day is None:
            errors.add(
                replace(h.origin, column="dmi_kg_per_day"),
                f"畜群类别“{h.category}”（Tier 2）需要干物质采食量 dmi_kg_per_day；"
                "或按 Tier 1 填写 enteric_kg_ch4_per_head_yr、manure_kg_ch4_per_head_yr、nex_kg_per_head_yr",
                f"category '{h.category}' (Tier 2) needs dmi_kg_per_day; or give the Tier 1 set "
                "enteric_kg_ch4_per_head_yr, manure_kg_ch4_per_head_yr, nex_kg_per_head_yr",
            )
        return
    mixed = [c for c in _TIER2 if getattr(h, c) is not None]
    if mixed:
        errors.add(
            replace(h.origin, column=", ".join(mixed)),
            f"畜群类别“{h.category}”同时填写了 Tier 1 与 Tier 2 数据：请只填其中一组",
            f"category '{h.category}' gives both Tier 1 and Tier 2 figures: give one set only",
        )
    if h.enteric_kg_ch4_per_head_yr is None:
        errors.add(
            replace(h.origin, column="enteric_kg_ch4_per_head_yr"),
            f"畜群类别“{h.category}”（Tier 1）缺少 enteric_kg_ch4_per_head_yr（每头每年肠道 CH4，kg）",
            f"category '{h.category}' (Tier 1) lacks enteric_kg_ch4_per_head_yr (kg CH4 per head per year)",
        )
    for column in _TIER1_DEFAULTABLE:
        if getattr(h, column) is None and not _has_tier1_default(column, h.category):
            errors.add(
                replace(h.origin, column=column),
                f"畜群类别“{h.category}”（Tier 1）缺少 {column}，因子库中也没有该类别的缺省值",
                f"category '{h.category}' (Tier 1) lacks {column}, and the factor library has no default for it",
            )


def _category_key(text: str) -> str:
    """A category as the engine matches herd.csv to manure.csv: the same words, or the same animal category of the
    factor library (泌乳牛 and lactating are one category)."""
    return animal_category(text) or text.strip()


def _has_tier1_default(column: str, category: str) -> bool:
    """Whether the factor library gives a cited Tier 1 default for this figure and animal category. Manure CH4 is
    computed from the category's manure systems (farm_defaults.tier1_manure_ch4: Tier 1 VS × Bo × 0.67 × MCF), so it
    needs the category's VS default; a system without Bo or MCF is reported by the engine at its manure.csv cell."""
    cat = animal_category(category)
    if column == "manure_kg_ch4_per_head_yr":
        return tier1_default("vs_kg_per_head_yr", cat) is not None
    return tier1_default(column, cat) is not None


def _manure_shares(rows: tuple[ManureRow, ...], errors: Collector) -> None:
    """The systems of one category share all its manure: their shares sum to 1."""
    groups: dict[tuple[str, str], list[ManureRow]] = defaultdict(list)
    for m in rows:
        groups[(m.farm, _category_key(m.category))].append(m)
    for (farm, _), group in groups.items():
        category = group[0].category
        total = sum(m.share for m in group)
        if abs(total - 1) > SHARE_TOLERANCE:
            errors.add(
                replace(group[0].origin, column="share"),
                f"牧场“{farm}”畜群类别“{category}”各粪便管理方式的 share 之和为 {total:g}，应为 1",
                f"farm '{farm}', category '{category}': the shares of its manure systems sum to {total:g}, not 1",
            )


def _animals_sold(bundle: Bundle, farms: dict[str, FarmRow], errors: Collector) -> None:
    """animals_sold.csv feeds the IDF 2022 energy allocation (F9b) only: with idf2015 it would be ignored; with
    idf2022 a `herd` farm that sold meat needs its animals (unless it gives its own af_milk), and each row needs a
    sex (given or from its kind) and a live weight above the birth weight."""
    idf2022 = bundle.assessment.farms.allocation == "idf2022"
    if bundle.animals_sold and not idf2022:
        errors.add(
            Location(file="animals_sold.csv"),
            'animals_sold.csv 仅用于 IDF 2022 能量分配：请在 assessment.toml 中设置 [farms] allocation = "idf2022"，'
            "或删除该文件（默认 idf2015 按 farms.csv 的 meat_sold_kg 计算）",
            'animals_sold.csv is used by the IDF 2022 energy allocation only: set [farms] allocation = "idf2022" '
            "in assessment.toml, or remove the file (the default idf2015 uses farms.csv meat_sold_kg)",
        )
        return
    if not idf2022:
        return
    selling = {a.farm for a in bundle.animals_sold}
    for f in farms.values():
        if f.data == "herd" and f.af_milk is None and f.meat_sold_kg > 0 and f.farm not in selling:
            errors.add(
                replace(f.origin, column="meat_sold_kg"),
                f"牧场“{f.farm}”售出活畜 {f.meat_sold_kg:g} kg，但 animals_sold.csv 中没有它售出的牲畜"
                '（[farms] allocation = "idf2022" 按售出牲畜的类别、头数与活重计算分配）',
                f"farm '{f.farm}' sold {f.meat_sold_kg:g} kg of meat but animals_sold.csv has no animals of it "
                '(allocation = "idf2022" needs the animals sold: kind, head, live weight)',
            )
    for a in bundle.animals_sold:
        if a.farm in farms and farms[a.farm].af_milk is not None:
            errors.add(
                replace(a.origin, column="farm"),
                f"牧场“{a.farm}”在 farms.csv 中给出了自己的 af_milk，本行不会被使用",
                f"farm '{a.farm}' gives its own af_milk in farms.csv: this row would be ignored",
            )
        if a.sex_of() is None:
            errors.add(
                replace(a.origin, column="sex"),
                f"牲畜类别“{a.kind}”不是已知类别（{'、'.join(ANIMAL_KINDS)}）：请填写 sex（female 或 male）",
                f"kind '{a.kind}' is not a known kind ({', '.join(ANIMAL_KINDS)}): give its sex (female or male)",
            )
        if a.live_weight_kg <= a.birth_weight():
            errors.add(
                replace(a.origin, column="live_weight_kg"),
                f"活重 live_weight_kg = {a.live_weight_kg:g} kg 应大于出生重 {a.birth_weight():g} kg",
                f"live_weight_kg = {a.live_weight_kg:g} kg must be above the birth weight {a.birth_weight():g} kg",
            )


def _packaging_shares(bundle: Bundle, errors: Collector) -> None:
    """A material's end-of-life routes (recycled, incinerated, landfilled) take all of it: they sum to 1. A row that
    leaves all three empty takes China's default split of its material, where one is sourced (factors/eol.py)."""
    for p in bundle.packaging:
        shares = p.given_shares()
        if shares is None:
            if default_eol_shares(p.material) is None:
                errors.add(
                    replace(p.origin, column="recycled"),
                    f"包装材料“{p.material}”没有可核验的中国生命末期去向缺省值（可用缺省值的材料："
                    f"{'、'.join(eol_defaults())}）：请填写 recycled、incinerated、landfilled",
                    f"packaging material '{p.material}' has no sourced default end-of-life split for China (defaults "
                    f"exist for {', '.join(eol_defaults())}): give recycled, incinerated and landfilled",
                )
            continue
        total = sum(shares)
        if abs(total - 1) > SHARE_TOLERANCE:
            errors.add(
                replace(p.origin, column="recycled, incinerated, landfilled"),
                f"包装材料“{p.material}”的 recycled + incinerated + landfilled = {total:g}，应为 1",
                f"packaging material '{p.material}': recycled + incinerated + landfilled = {total:g}, not 1",
            )
