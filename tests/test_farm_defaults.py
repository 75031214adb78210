"""The dairy label's library data: farm defaults, end-of-life shares and factors, every number with its source."""

from __future__ import annotations

import re

import pytest

from milkprint.factors.eol import MATERIALS, default_eol_shares, material_id
from milkprint.factors.farm_defaults import (
    CATEGORIES,
    CLIMATES,
    DEFAULT_CLIMATE,
    SYSTEMS,
    animal_category,
    climate_of,
    climate_rows,
    default_rows,
    manure_default,
    manure_system,
    tier1_default,
    tier1_manure_ch4,
    tier2_default,
    ym_for_milk_yield,
)
from milkprint.factors.library import default_library
from milkprint.factors.resolve import Place, resolve

LIB = default_library()
INNER_MONGOLIA_2025 = Place("内蒙古", "蒙西", 2025)


def test_every_default_has_a_publication_table_year_region_and_trust_mark() -> None:
    rows = default_rows()
    assert len(rows) > 80
    for r in rows:
        assert r.publication and r.table and r.region and r.unit, r
        assert 1990 < r.year <= 2026, r
        assert r.verification in ("V", "V-2", "C"), r  # memory-only values are not shipped
        assert r.group in ("tier2", "manure", "tier1"), r
        assert not r.subject or r.subject in CATEGORIES + SYSTEMS, r
        assert r.climate in ("", "cool", "temperate", "warm", "wet", "dry", *CLIMATES), r
        assert str(r.year) in r.default().source and r.table in r.default().source


def test_one_row_per_value() -> None:
    keys = [(r.group, r.field, r.subject, r.climate) for r in default_rows()]
    assert len(keys) == len(set(keys))


def test_climate_rows_carry_a_source_and_a_zone() -> None:
    for r in climate_rows():
        assert r.zone in CLIMATES and r.publication and r.table and r.year and r.verification, r


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("泌乳牛", "lactating"),
        ("成母牛", "lactating"),
        ("Lactating cows", "lactating"),
        ("lactating", "lactating"),
        ("干奶牛", "dry"),
        ("dry cows", "dry"),
        ("青年牛", "heifer"),
        ("后备牛", "heifer"),
        ("Heifers", "heifer"),
        ("犊牛", "calf"),
        ("calves", "calf"),
        ("公牛", "bull"),
        ("bull", "bull"),
        ("山羊", None),
    ],
)
def test_animal_categories_in_chinese_and_english(text: str, category: str | None) -> None:
    assert animal_category(text) == category


@pytest.mark.parametrize(
    ("text", "system"),
    [
        ("液态粪浆", "liquid_slurry"),
        ("液体贮存", "liquid_slurry"),
        ("liquid_slurry", "liquid_slurry"),
        ("Liquid/Slurry", "liquid_slurry"),
        ("固体储存", "solid_storage"),
        ("堆粪", "solid_storage"),
        ("solid storage", "solid_storage"),
        ("放牧", "pasture"),
        ("每日施用", "daily_spread"),
        ("干育肥场", "dry_lot"),
        ("粪坑", "pit_storage"),
        ("厌氧消化", "anaerobic_digester"),
        ("沼气", "anaerobic_digester"),
        ("堆肥", "composting"),
        ("composting", "composting"),
        ("深层垫料", "deep_bedding"),
        ("焚烧", None),
    ],
)
def test_manure_systems_in_chinese_and_english(text: str, system: str | None) -> None:
    assert manure_system(text) == system


def test_inner_mongolia_is_cool_temperate_dry_in_any_spelling() -> None:
    assert climate_of("内蒙古") == climate_of("内蒙古自治区") == climate_of("Inner Mongolia") == "cool_temperate_dry"
    assert climate_of("火星") == DEFAULT_CLIMATE


@pytest.mark.parametrize(
    ("field", "value"),
    [("ge_mj_per_kg_dm", 18.45), ("ue", 0.04), ("ash", 0.08), ("gain_kg_per_day", 0.0), ("milk_kg_per_day", 0.0)],
)
def test_spec_tier2_defaults_for_any_category(field: str, value: float) -> None:
    for category in (*CATEGORIES, None):
        d = tier2_default(field, category)
        assert d is not None and d.value == pytest.approx(value) and re.search(r"\(\d{4}, ", d.source), (
            field,
            category,
        )


@pytest.mark.parametrize("field", ["ym_pct", "de_pct"])
def test_tier2_defaults_by_category_are_cited(field: str) -> None:
    for category in ("lactating", "dry", "heifer", "bull"):
        d = tier2_default(field, category)
        assert d is not None and re.search(r"Tables? 10", d.source), (field, category)
    assert tier2_default(field, None) is None  # an unknown animal gets no diet default


def test_lactating_ym_is_the_conservative_dairy_row_and_yield_refines_it() -> None:
    d = tier2_default("ym_pct", "lactating")
    assert d is not None and d.value == 6.5 and "Table 10.12" in d.source
    assert ym_for_milk_yield(10000).value == 6.0
    assert ym_for_milk_yield(10000, ndf_pct=30).value == 5.7
    assert ym_for_milk_yield(7000).value == 6.3
    assert ym_for_milk_yield(4000).value == 6.5


def test_unsourced_crude_protein_is_not_shipped() -> None:
    assert tier2_default("cp_pct", "lactating") is None  # no sourced Asian/Chinese diet CP: the farm gives it


@pytest.mark.parametrize("field", ["mcf_pct", "bo", "ef3", "frac_gas", "frac_leach"])
@pytest.mark.parametrize(
    "system",
    [
        "liquid_slurry",
        "solid_storage",
        "daily_spread",
        "dry_lot",
        "pit_storage",
        "anaerobic_digester",
        "composting",
        "pasture",
        "deep_bedding",
    ],
)
def test_every_manure_field_has_a_default_in_inner_mongolia(field: str, system: str) -> None:
    d = manure_default(field, system, climate_of("内蒙古"))
    assert d is not None and d.source, (field, system)


def test_manure_values_by_system_and_climate() -> None:
    ctd = "cool_temperate_dry"
    mcf = manure_default("mcf_pct", "液态粪浆", ctd)  # Chinese name accepted
    assert mcf is not None and mcf.value == pytest.approx(26.0) and "Table 10.14" in mcf.source
    warm = manure_default("mcf_pct", "liquid_slurry", "warm_temperate_moist")
    assert warm is not None and warm.value > mcf.value
    solid = manure_default("mcf_pct", "solid_storage", ctd)
    assert solid is not None and solid.value == 2.0
    assert manure_default("mcf_pct", "solid_storage", "warm_temperate_dry").value == 4.0  # type: ignore[union-attr]
    bo = manure_default("bo", "solid_storage", ctd)
    assert bo is not None and bo.value == 0.24 and "Table 10.16" in bo.source
    assert manure_default("ef3", "solid_storage", ctd).value == 0.010  # type: ignore[union-attr]
    assert manure_default("ef3", "liquid_slurry", ctd).value == 0.005  # type: ignore[union-attr]
    assert manure_default("frac_gas", "solid_storage", ctd).value == 0.30  # type: ignore[union-attr]
    assert manure_default("frac_leach", "solid_storage", ctd).value == 0.02  # type: ignore[union-attr]
    # pasture N2O follows the climate's moisture (IPCC Ch.11): dry Inner Mongolia vs a wet zone
    assert manure_default("ef3", "pasture", ctd).value == 0.002  # type: ignore[union-attr]
    assert manure_default("ef3", "pasture", "cool_temperate_moist").value == 0.006  # type: ignore[union-attr]
    assert manure_default("mcf_pct", "a lake", ctd) is None


def test_table_10_14_factors_are_mcf_times_bo_times_067() -> None:
    """IPCC 2019 Table 10.14 (g CH4/kg VS) = MCF × Bo 0.24 × 0.67 × 1000: our MCFs reproduce the table."""
    for system, climate, g in (("liquid_slurry", "cool_temperate_dry", 41.8), ("solid_storage", "boreal_dry", 3.2)):
        mcf = manure_default("mcf_pct", system, climate)
        assert mcf is not None and mcf.value / 100 * 0.24 * 0.67 * 1000 == pytest.approx(g, rel=0.01)


def test_tier1_dairy_cattle_asia() -> None:
    ent = tier1_default("enteric_kg_ch4_per_head_yr", "lactating")
    assert ent is not None and ent.value == 78 and "Table 10.11" in ent.source and "Asia" in ent.source
    nex = tier1_default("nex_kg_per_head_yr", animal_category("泌乳牛"))
    assert nex is not None and nex.value == pytest.approx(0.44 * 386 / 1000 * 365, abs=0.05)
    assert tier1_default("enteric_kg_ch4_per_head_yr", "heifer").value == 54  # type: ignore[union-attr]
    assert tier1_default("enteric_kg_ch4_per_head_yr", None) is None
    assert tier1_default("manure_kg_ch4_per_head_yr", "lactating") is None  # depends on the system: see below
    ch4 = tier1_manure_ch4("lactating", [(0.5, "liquid_slurry"), (0.5, "solid_storage")], "cool_temperate_dry")
    assert ch4 is not None and ch4.value == pytest.approx(1268 * 0.24 * 0.67 * (0.5 * 0.26 + 0.5 * 0.02))


def test_label_tiny_case_items_and_categories_are_known() -> None:
    """The worked case names its animals and systems as a farm would; the library understands them."""
    assert animal_category("泌乳牛") == "lactating" and animal_category("青年牛") == "heifer"
    assert {manure_system(s) for s in ("liquid_slurry", "solid_storage")} == {"liquid_slurry", "solid_storage"}


# --- end of life ------------------------------------------------------------------------------------------------


def test_eol_shares_sum_to_one_and_cite_their_source() -> None:
    for material in ("pe", "pp", "pet"):
        shares = default_eol_shares(material)
        assert shares is not None, material
        recycled, incinerated, landfilled, source = shares
        assert recycled + incinerated + landfilled == pytest.approx(1, abs=1e-6)
        assert incinerated > landfilled and source and "CN" in source
    assert default_eol_shares("聚乙烯") == default_eol_shares("PE")


def test_unsourced_eol_shares_are_gaps_not_guesses() -> None:
    for material in ("liquid_carton", "paper", "tinplate", "aluminium"):
        assert default_eol_shares(material) is None
        assert f"eol_shares.{material}" in LIB.gaps
    assert material_id("利乐包") == "liquid_carton" and material_id("马口铁") == "tinplate"


@pytest.mark.parametrize("material", MATERIALS)
def test_every_material_has_incineration_and_landfill_factors(material: str) -> None:
    for route in ("incineration", "landfill"):
        res = resolve(f"eol.{route}.{material}", INNER_MONGOLIA_2025, LIB)
        assert res is not None, (route, material)
        assert all(f.publication and f.table and f.year for f in res.factors)


def test_incinerated_plastic_is_fossil_carbon_and_landfilled_paper_is_methane() -> None:
    pe = {f.gas: f.value for f in LIB.factors_for("eol.incineration.pe")}
    assert pe["CO2"] == pytest.approx(0.75 * 44 / 12) and pe["N2O"] == pytest.approx(50e-6)
    (paper,) = LIB.factors_for("eol.landfill.paper")
    assert paper.gas == "CH4_biogenic" and paper.value == pytest.approx(0.40 * 0.5 * 1.0 * 0.5 * 16 / 12 * 0.9)


# --- factor library rows ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        "feed.corn_silage",
        "feed.alfalfa_hay",
        "feed.concentrate",
        "transport.milk_tanker",
        "transport.refrigerated_truck",
        "water.fresh",
    ],
)
def test_label_items_resolve_for_an_inner_mongolia_plant_in_2025(item: str) -> None:
    res = resolve(item, INNER_MONGOLIA_2025, LIB)
    assert res is not None, item
    assert res.scope in ("life_cycle", "combustion_upstream"), (item, res.scope)


def test_corn_silage_is_per_kg_dry_matter_with_its_source() -> None:
    res = resolve("feed.corn_silage", INNER_MONGOLIA_2025, LIB)
    assert res is not None
    (f,) = res.factors
    assert f.unit == "kg/kg" and f.value == pytest.approx(0.2) and "dry" in f.table and f.year == 2012


def test_transport_adds_well_to_tank_to_tank_to_wheel() -> None:
    res = resolve("transport.refrigerated_truck", INNER_MONGOLIA_2025, LIB)
    assert res is not None and res.scope == "combustion_upstream"
    assert sum(f.value for f in res.factors) == pytest.approx(0.11894 + 0.02769)
