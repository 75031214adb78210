"""The factor library page on SQLite and PostgreSQL: listing with citations, search, filters, paging, GWP values,
languages, sign-in, and bad parameters. Expectations come from `default_library()`, never from counts typed in."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from milkprint.factors.gwp import gwp_of
from milkprint.factors.library import default_library
from milkprint.factors.model import Factor
from milkprint.methods.item_names import item_name
from milkprint.web.page_factors import PAGE, catalogue, display_width, exact
from tests.dbs import db_url  # noqa: F401  # the fixture: one SQLite file and one PostgreSQL database
from tests.web import sign_in, web_app  # noqa: F401

LIB = default_library()
ROW = re.compile(r'<tr id="f-[^"]*" data-factor="([^"]*)" data-gas="([^"]*)">(.*?)</tr>', re.S)


def rows(page: str) -> list[tuple[str, str, str]]:
    """(id, gas, the row's text with entities decoded) for each factor row, in page order."""
    return [(html.unescape(i), html.unescape(g), html.unescape(body)) for i, g, body in ROW.findall(page)]


def keys(page: str) -> list[tuple[str, str]]:
    return [(i, g) for i, g, _ in rows(page)]


def expected(factors: list[Factor]) -> list[tuple[str, str]]:
    return [(f.id, f.gas) for f in factors]


def searched(text: str) -> list[Factor]:
    """The documented search: every word in id, item, its names, gas, region, publication, table or note."""
    words = text.casefold().split()
    hits = []
    for f in LIB.factors:
        names = (item_name(f.item, "zh"), item_name(f.item, "en"))
        hay = " ".join((f.id, f.item, *names, f.gas, f.region, f.publication, f.table, f.note)).casefold()
        if all(w in hay for w in words):
            hits.append(f)
    return hits


def count_line(page: str) -> str:
    found = re.search(r'data-testid="count">(.*?)</p>', page, re.S)
    assert found
    return re.sub(r"<[^>]+>", "", found.group(1))


def get(client: Any, **params: str) -> str:
    r = client.get("/factors", params=params)
    assert r.status_code == 200, r.text
    return str(r.text)


def test_lists_factors_with_citations_pages_and_gwp(web_app: Any) -> None:  # noqa: F811
    client = sign_in(web_app, "甲乳业-viewer")
    first = get(client)
    assert len(LIB.factors) > PAGE  # the shipped library needs two pages
    assert keys(first) == expected(list(LIB.factors[:PAGE]))
    assert f"{len(LIB.factors)} 条因子中符合条件 {len(LIB.factors)} 条" in count_line(first)
    assert LIB.version in first and LIB.digest in first
    # every row carries its full citation, value exactly as the library holds it, and a permalink
    by_key = {(f.id, f.gas): f for f in LIB.factors}
    for factor_id, gas, body in rows(first):
        f = by_key[(factor_id, gas)]
        assert f.publication in body and f.table in body and f.note in body, factor_id
        assert item_name(f.item, "zh") in body and f.item in body
        assert f">{exact(f.value)}</td>" in body and f.unit in body
        assert "<details>" in body and f"/factors?id={factor_id}" in body
        assert 'class="badge' in body and f.verification in body
    # the second page holds the rest; the pager links there and back
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = get(client, offset=str(PAGE))
    assert keys(second) == expected(list(LIB.factors[PAGE : 2 * PAGE]))
    assert 'rel="prev"' in second
    # GWP values with their sources, and the blends as the engine weights them
    gwp = html.unescape(first[first.index('id="gwp"') :])
    for g in LIB.gwp:
        assert g.publication in gwp and g.table in gwp
    r404a = gwp_of(LIB, "R404A", "AR5")
    assert r404a is not None and f'<td class="num">{exact(r404a.value)}</td>' in gwp


def test_search_and_filters(web_app: Any) -> None:  # noqa: F811
    client = sign_in(web_app, "乙乳业-reviewer")
    # a Chinese fragment of one publication
    fragment = "碳足迹因子数据"
    want = [f for f in LIB.factors if fragment in f.publication]
    assert 0 < len(want) < len(LIB.factors)
    assert searched(fragment) == want
    page = get(client, q=fragment)
    assert keys(page) == expected(want)
    assert f"{len(LIB.factors)} 条因子中符合条件 {len(want)} 条" in count_line(page)
    # an id, in capitals (case-insensitive); the permalink shows exactly that data set
    factor_id = LIB.factors[-1].id
    assert keys(get(client, q=factor_id.upper())) == expected(searched(factor_id))
    assert keys(get(client, id=factor_id)) == expected(list(LIB.data_set(factor_id)))
    # several words must all match, in any case and any width
    words = "ＤＥＳＮＺ　2025"  # full-width letters and space, as a Chinese input method may type them
    hits = searched("desnz 2025")
    assert 0 < len(hits) < len(LIB.factors)
    assert keys(get(client, q=words)) == expected(hits)
    # region, year, source and group narrow; together they intersect
    region = "内蒙古"
    year = max(f.year for f in LIB.factors if f.region == region and f.year is not None)
    assert keys(get(client, region=region)) == expected([f for f in LIB.factors if f.region == region])
    by_year = [f for f in LIB.factors if f.year == year]
    assert keys(get(client, year=str(year))) == expected(by_year[:PAGE])
    both = [f for f in LIB.factors if f.region == region and f.year == year]
    assert 0 < len(both) < len([f for f in LIB.factors if f.region == region])
    assert keys(get(client, region=region, year=str(year))) == expected(both)
    source = next(
        f.publication for f in LIB.factors if f.publication.startswith("IPCC") and "Wastewater" in f.publication
    )
    page = get(client, source=source)
    assert keys(page) == expected([f for f in LIB.factors if f.publication == source])
    assert f'value="{html.escape(source)}"' in page  # the option's value is the whole publication
    materials = [f for f in LIB.factors if f.item.startswith("material.")]
    assert keys(get(client, group="material")) == expected(materials)
    # the clear link keeps nothing but the language
    page = get(client, q="zzz-nothing-like-this", lang="en")
    assert keys(page) == [] and 'data-testid="empty"' in page
    clear = re.search(r'href="([^"]+)" data-testid="clear-filters"', page)
    assert clear and parse_qs(urlsplit(html.unescape(clear.group(1))).query) == {"lang": ["en"]}


def test_english_roles_sign_in_and_bad_parameters(web_app: Any) -> None:  # noqa: F811
    en = get(sign_in(web_app, "甲乳业-engineer", lang="en"))
    assert "<h1>Factor library</h1>" in en and "因子库" not in en
    for heading in ("Value", "Region", "Verification", "Global warming potentials (GWP-100)"):
        assert heading in en
    assert f"{len(LIB.factors)} of {len(LIB.factors)} factors" in count_line(en)
    names = {item_name(f.item, "en") for f in LIB.factors[:PAGE]} - {f.item for f in LIB.factors}
    assert names and all(name in en for name in names)
    # every role reads it
    for user in ("甲乳业-admin", "乙乳业-viewer"):
        assert keys(get(sign_in(web_app, user))) == expected(list(LIB.factors[:PAGE]))
    # not signed in: to the sign-in page, coming back here afterwards
    r = TestClient(web_app).get("/factors?year=2023", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Ffactors")
    # a value the form never offers is ignored, and the page says so
    client = sign_in(web_app, "甲乳业-viewer")
    for params in ({"year": "abc"}, {"offset": "-1"}, {"offset": "x"}, {"region": "火星"}, {"source": "nope"}):
        page = get(client, **params)
        assert keys(page) == expected(list(LIB.factors[:PAGE])), params
        assert 'data-testid="filter-note"' in page, params
    # a valid filter next to a bad one still applies
    page = get(client, year="abc", region="内蒙古")
    assert keys(page) == expected([f for f in LIB.factors if f.region == "内蒙古"])
    # an offset past the end shows the last page; an unknown id says it is not in this version
    last = get(client, offset="100000")
    assert keys(last) == expected(list(LIB.factors[(len(LIB.factors) - 1) // PAGE * PAGE :]))
    page = get(client, id="no-such-factor")
    assert keys(page) == [] and LIB.version in page and 'data-testid="id-filter"' in page


def test_source_labels_are_short_distinct_and_keep_both_ends() -> None:
    options = catalogue().sources
    assert [o.value for o in options] == list(dict.fromkeys(f.publication for f in LIB.factors))
    labels = [o.label.zh for o in options]
    assert len(set(labels)) == len(labels)
    for o in options:
        assert display_width(o.label.zh) <= 72, o.label.zh
        if " … " in o.label.zh:  # shortened: the publisher and the distinguishing end are both still there
            head, _, tail = o.label.zh.partition(" … ")
            assert o.value.startswith(head) and tail in o.value
        elif o.label.zh.endswith("…"):  # one long word (a Chinese title): cut at its end, the start kept
            assert o.value.startswith(o.label.zh[:-1])
    assert any("…" in label for label in labels)
