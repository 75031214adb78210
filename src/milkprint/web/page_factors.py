"""The factor library browser: which factors, GWP values and refrigerant blends milkprint uses, with their sources.

Energy managers and third-party verifiers check here what a result was computed with. The library is the one in
memory (`default_library()`), so everything derived from it (search text, filter options, labels, the GWP table) is
built once per process. Filters are plain GET parameters, so a filtered view is a bookmarkable URL; a value the
form never offers (year=abc, offset=-1, an unknown region) is ignored and the page says so, never a traceback.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from milkprint import regions
from milkprint.errors import Text
from milkprint.factors.gwp import GWP_SETS, gwp_of
from milkprint.factors.library import Library, default_library
from milkprint.factors.model import Factor
from milkprint.factors.scope import FACTOR_SCOPES
from milkprint.methods.item_names import item_name
from milkprint.web.core import Web

PAGE = 100  # rows per page
MAX_QUERY = 200  # characters of search text kept

GROUPS: dict[str, Text] = {
    "energy": Text("能源", "Energy"),
    "transport": Text("运输", "Transport"),
    "material": Text("物料", "Materials"),
    "refrigerant": Text("制冷剂", "Refrigerants"),
    "direct": Text("直接排放", "Direct emissions"),
    "wastewater": Text("废水处理", "Wastewater treatment"),
    "water": Text("水", "Water"),
}
LEVELS: dict[str, Text] = {
    "grid_local": Text("电网区域", "grid area"),
    "province": Text("省级", "province"),
    "grid": Text("区域电网", "regional grid"),
    "national": Text("全国", "national"),
    "international": Text("国际", "international"),
    "bundle": Text("案例自带", "from the bundle"),
}
SCOPES: dict[str, Text] = FACTOR_SCOPES
# How far a value was checked (README, "The factor library"); the badge colour and words for each tag.
VERIFICATION: dict[str, tuple[str, Text]] = {
    "V": ("ok", Text("已对照原文核对", "checked against the publication")),
    "V-1": ("ok", Text("已对照原文核对", "checked against the publication")),
    "V-2": ("ok", Text("据二手副本核对", "checked in a secondary copy")),
    "C": ("neutral", Text("据已核对数值计算", "computed from checked values")),
    "M": ("warn", Text("未对照原文核对", "not checked against a publication")),
    "bundle": ("neutral", Text("用户提供", "supplied by the user")),
}
GASES: dict[str, Text] = {
    "CO2": Text("CO₂", "CO₂"),
    "CO2e": Text("CO₂e", "CO₂e"),
    "CH4": Text("CH₄", "CH₄"),
    "CH4_biogenic": Text("CH₄（生物源）", "CH₄ (biogenic)"),
    "N2O": Text("N₂O", "N₂O"),
}
_REGION_NAMES: dict[str, Text] = {
    "CN": Text("中国", "China"),
    "GLO": Text("全球", "global"),
    "GB": Text("英国", "United Kingdom"),
    "US": Text("美国", "United States"),
    "华北电网": Text("华北电网", "North China grid"),
    "东北电网": Text("东北电网", "Northeast China grid"),
    "华东电网": Text("华东电网", "East China grid"),
    "华中电网": Text("华中电网", "Central China grid"),
    "西北电网": Text("西北电网", "Northwest China grid"),
    "南方电网": Text("南方电网", "China Southern grid"),
    "西南电网": Text("西南电网", "Southwest China grid"),
}


def _province_english() -> dict[str, str]:
    """English names of provinces from regions.py's one table of spellings (its first spelling of each)."""
    names: dict[str, str] = {}
    for english, chinese in regions._ENGLISH.items():  # the only English names the project keeps
        names.setdefault(chinese, english.title())
    return names


def region_name(region: str) -> Text:
    known = _REGION_NAMES.get(region)
    if known is not None:
        return known
    english = _province_english().get(region)
    return Text(region, f"{region} ({english})" if english else region)


def fold(text: str) -> str:
    """Text as search compares it: full-width forms and spaces made plain (NFKC), case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def exact(value: float) -> str:
    """A value exactly as the library holds it (no rounding, no exponent), with thousands separators."""
    if value.is_integer():
        return f"{int(value):,}"
    return format(Decimal(repr(value)), ",f")


def display_width(text: str) -> int:
    """Columns the text takes: a Chinese character as wide as two Latin letters."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def short_source(publication: str, limit: int = 72) -> str:
    """A publication short enough for a select: a trailing bracketed date or number dropped, then words taken out
    of the middle (the start names the publisher, the end tells editions and volumes apart) until it fits."""
    s = re.sub(r"\s*\([^()]*\)\s*$", "", publication) or publication
    words = s.split(" ")
    gap = -1  # where words were taken out: each time the middle one, so they were next to each other
    while display_width(" ".join(words)) + (2 if gap >= 0 else 0) > limit and len(words) > 2:
        gap = len(words) // 2
        del words[gap]
    if gap < 0:
        return s if display_width(s) <= limit else _cut(s, limit - 1) + "…"
    return " ".join([*words[:gap], "…", *words[gap:]])


def _cut(text: str, width: int) -> str:
    out = ""
    for c in text:
        if display_width(out + c) > width:
            break
        out += c
    return out


@dataclass(frozen=True)
class Row:
    """One factor as the page shows it, with what the filters and search look at."""

    factor: Factor
    anchor: str
    group: str
    item: Text
    gas: Text
    region: Text
    level: Text
    scope: Text
    badge: str
    verification: Text
    value: str
    source: str  # the short publication
    haystack: str


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    title: str = ""


@dataclass(frozen=True)
class GwpCell:
    value: str
    note: int  # the number of its source in the sources list


@dataclass(frozen=True)
class GwpRow:
    gas: str
    cells: dict[str, GwpCell | None]
    note: str


@dataclass(frozen=True)
class GwpSource:
    number: int
    publication: str
    table: str
    year: int
    badge: str
    verification: Text
    verification_code: str


@dataclass(frozen=True)
class Blend:
    refrigerant: str
    parts: str
    gwp: dict[str, str]
    publication: str
    table: str
    badge: str
    verification: Text
    verification_code: str


@dataclass(frozen=True)
class Catalogue:
    """Everything the page needs from one library, built once."""

    library: Library
    rows: tuple[Row, ...]
    groups: tuple[Option, ...]
    regions: tuple[Option, ...]
    years: tuple[Option, ...]
    sources: tuple[Option, ...]
    ids: frozenset[str]
    gwp_sets: tuple[str, ...]
    gwp_rows: tuple[GwpRow, ...]
    gwp_sources: tuple[GwpSource, ...]
    blends: tuple[Blend, ...]
    gaps: tuple[tuple[str, Text, Text], ...]  # item, its name, why it is missing


def _verification(code: str) -> tuple[str, Text]:
    return VERIFICATION.get(code, ("warn", Text(code or "未注明", code or "not stated")))


def _row(f: Factor) -> Row:
    group = f.item.partition(".")[0]
    item = Text(item_name(f.item, "zh"), item_name(f.item, "en"))
    region = region_name(f.region)
    badge, verification = _verification(f.verification)
    fields = (f.id, f.item, item.zh, item.en, f.gas, f.region, region.en, f.publication, f.table, f.note)
    return Row(
        factor=f,
        anchor=f"f-{f.id}-{f.gas}",
        group=group,
        item=item,
        gas=GASES.get(f.gas, Text(f.gas, f.gas)),
        region=region,
        level=LEVELS.get(f.level, Text(f.level, f.level)),
        scope=SCOPES.get(f.scope, Text(f.scope, f.scope)),
        badge=badge,
        verification=verification,
        value=exact(f.value),
        source=short_source(f.publication),
        haystack=fold("\n".join(fields)),
    )


def _first_seen(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def build_catalogue(library: Library) -> Catalogue:
    rows = tuple(_row(f) for f in library.factors)
    groups = _first_seen([r.group for r in rows])
    present_regions = _first_seen([f.region for f in library.factors if f.region])
    years = sorted({f.year for f in library.factors if f.year is not None}, reverse=True)
    publications = _first_seen([f.publication for f in library.factors])
    shorts = [short_source(p) for p in publications]
    unique = len(set(shorts)) == len(shorts)
    sources = tuple(
        Option(p, Text(s if unique else p, s if unique else p), title=p)
        for p, s in zip(publications, shorts, strict=True)
    )

    # GWP: one row per gas, one column per set; each value cites a numbered source listed under the table.
    sets = tuple(s for s in GWP_SETS if any(g.set == s for g in library.gwp)) + tuple(
        _first_seen([g.set for g in library.gwp if g.set not in GWP_SETS])
    )
    numbers: dict[tuple[str, str], int] = {}
    gwp_sources: list[GwpSource] = []
    cells: dict[str, dict[str, GwpCell | None]] = {}
    for g in library.gwp:
        key = (g.publication, g.table)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            badge, verification = _verification(g.verification)
            gwp_sources.append(
                GwpSource(numbers[key], g.publication, g.table, g.year, badge, verification, g.verification)
            )
        cells.setdefault(g.gas, dict.fromkeys(sets))[g.set] = GwpCell(exact(g.value), numbers[key])
    blend_names = {b.component: b.refrigerant for b in library.blends if b.mass_fraction == 1.0}
    gwp_rows = tuple(GwpRow(gas, by_set, blend_names.get(gas, "")) for gas, by_set in cells.items())

    blends: list[Blend] = []
    for name in _first_seen([b.refrigerant for b in library.blends]):
        parts = [b for b in library.blends if b.refrigerant == name]
        if len(parts) < 2:
            continue  # a single-component refrigerant is its gas, already in the GWP table
        values = {}
        for s in sets:
            found = gwp_of(library, name, s)
            values[s] = exact(found.value) if found is not None else "—"
        tag = _blend_tags().get(name, "")
        badge, verification = _verification(tag)
        blends.append(
            Blend(
                refrigerant=name,
                parts=" + ".join(f"{p.component} {exact(round(100 * p.mass_fraction, 6))} %" for p in parts),
                gwp=values,
                publication=parts[0].publication,
                table=parts[0].table,
                badge=badge,
                verification=verification,
                verification_code=tag,
            )
        )
    gaps = tuple(
        (g.item, Text(item_name(g.item, "zh"), item_name(g.item, "en")), Text(g.zh, g.en))
        for g in library.gaps.values()
    )
    return Catalogue(
        library=library,
        rows=rows,
        groups=tuple(Option(g, GROUPS.get(g, Text(g, g))) for g in groups),
        regions=tuple(Option(r, region_name(r)) for r in present_regions),
        years=tuple(Option(str(y), Text(str(y), str(y))) for y in years),
        sources=sources,
        ids=frozenset(f.id for f in library.factors),
        gwp_sets=sets,
        gwp_rows=gwp_rows,
        gwp_sources=tuple(gwp_sources),
        blends=tuple(blends),
        gaps=gaps,
    )


@lru_cache(maxsize=1)
def _blend_tags() -> dict[str, str]:
    """refrigerants.csv's verification per blend: BlendPart does not keep that column, so it is read here."""
    text = (resources.files("milkprint.factors.data") / "refrigerants.csv").read_text(encoding="utf-8")
    tags: dict[str, str] = {}
    for r in csv.DictReader(text.splitlines()):
        tags.setdefault(r["refrigerant"], r.get("verification") or "")
    return tags


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The default library's catalogue, once per process (the library never changes while it runs)."""
    return build_catalogue(default_library())


@dataclass(frozen=True)
class Query:
    """The filters in force after checking the GET parameters against what the form offers."""

    q: str = ""
    group: str = ""
    region: str = ""
    year: str = ""
    source: str = ""
    id: str = ""
    offset: int = 0

    def active(self) -> bool:
        return bool(self.q or self.group or self.region or self.year or self.source or self.id)


def parse_query(params: Mapping[str, str], cat: Catalogue) -> tuple[Query, list[Text]]:
    """Keeps each parameter the form could have sent; drops the rest with a note the page shows."""
    notes: list[Text] = []

    def offered(name: str, label: Text, options: tuple[Option, ...]) -> str:
        raw = (params.get(name) or "").strip()
        if raw and raw not in {o.value for o in options}:
            notes.append(
                Text(
                    f"{label.zh}“{raw[:80]}”不在本因子库中，已忽略该筛选条件。",
                    f"{label.en} '{raw[:80]}' is not in this library: that filter was ignored.",
                )
            )
            return ""
        return raw

    q = " ".join((params.get("q") or "").split())[:MAX_QUERY]
    group = offered("group", Text("类别", "Group"), cat.groups)
    region = offered("region", Text("地区", "Region"), cat.regions)
    year = offered("year", Text("年份", "Year"), cat.years)
    source = offered("source", Text("来源", "Source"), cat.sources)
    factor_id = (params.get("id") or "").strip()[:200]
    raw_offset = (params.get("offset") or "").strip()
    offset = 0
    if raw_offset:
        if raw_offset.isascii() and raw_offset.isdigit():
            offset = int(raw_offset)
        else:
            notes.append(
                Text(
                    f"起始行“{raw_offset[:20]}”不是非负整数，已从第一条开始显示。",
                    f"offset '{raw_offset[:20]}' is not a whole number ≥ 0: showing from the first factor.",
                )
            )
    return Query(q, group, region, year, source, factor_id, offset), notes


def matches(rows: tuple[Row, ...], query: Query) -> list[Row]:
    """Rows passing every filter; the search text must contain every word of `q` (any case, any width)."""
    words = fold(query.q).split()
    year = int(query.year) if query.year else None
    return [
        r
        for r in rows
        if (not query.id or r.factor.id == query.id)
        and (not query.group or r.group == query.group)
        and (not query.region or r.factor.region == query.region)
        and (year is None or r.factor.year == year)
        and (not query.source or r.factor.publication == query.source)
        and all(w in r.haystack for w in words)
    ]


def link(query: Query, lang: str | None, **changes: str | int) -> str:
    """This page's URL with some parameters changed (empty ones dropped; `lang` kept when the URL had it)."""
    params: dict[str, str | int] = {
        "q": query.q,
        "group": query.group,
        "region": query.region,
        "year": query.year,
        "source": query.source,
        "id": query.id,
        "offset": query.offset,
    }
    params.update(changes)
    if lang:
        params["lang"] = lang
    kept = {k: v for k, v in params.items() if v not in ("", 0)}
    return "/factors" + (f"?{urlencode(kept)}" if kept else "")


def register(app: FastAPI, web: Web) -> None:
    """Adds GET /factors."""

    @app.get("/factors", include_in_schema=False)
    def factors_page(request: Request) -> HTMLResponse:
        with web.factory() as s:
            viewer = web.need(request, s, "read")
        cat = catalogue()
        query, notes = parse_query(request.query_params, cat)
        found = matches(cat.rows, query)
        offset = query.offset
        if offset >= len(found):  # past the end (a bookmark from before a filter changed): the last page
            offset = max(0, (len(found) - 1) // PAGE * PAGE)
        page_rows = found[offset : offset + PAGE]
        lang_param = request.query_params.get("lang") or None
        return web.page(
            request,
            "factors.html.j2",
            viewer,
            cat=cat,
            query=query,
            notes=notes,
            rows=page_rows,
            matched=len(found),
            total=len(cat.rows),
            first=offset + 1 if page_rows else 0,
            last=offset + len(page_rows),
            previous=link(query, lang_param, offset=max(0, offset - PAGE)) if offset > 0 else "",
            next=link(query, lang_param, offset=offset + PAGE) if offset + PAGE < len(found) else "",
            clear=link(Query(), lang_param),
            permalink=lambda factor_id: link(Query(), lang_param, id=factor_id),
            lang_param=lang_param or "",
        )
