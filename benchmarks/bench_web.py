"""Benchmark: how long each page of the web UI takes, on the server and in a real browser (target: 1 s).

Usage: .venv/bin/python benchmarks/bench_web.py [--runs 10] [--json]

Seeds the demo data (`milkprint.api.demo.seed`: the sample plant, assessed) into a fresh SQLite file in a temporary
folder, starts the real server on it (`milkprint serve`, uvicorn, one process, loopback, as benchmarks/bench_api.py
does), signs in as the demo administrator through the sign-in form, and times every page:

  server   httpx with the session cookie, one request at a time over one keep-alive connection: the first view
           (the assessment's figures are computed then and kept), then the median and p90 of `--runs` later views
           (nearest rank), from sending the request to the last byte of the body;
  browser  Debian's Chromium through Playwright (headless, no browser download), one tab: the first visit (cold
           cache), then the median and p90 of `--runs` later visits with a warm cache (the page itself is
           `no-store`; CSS, JS and plotly.js come from the cache): `performance.getEntriesByType('navigation')[0]
           .loadEventEnd`, from the start of the navigation to the end of the load event, charts drawn.

The sign-in page is timed as a visitor sees it (no session: a signed-in visitor is sent on). The baseline, measured
the same way in the same run, is GET /healthz (no session, no database, a few bytes of JSON); each page's ratio is
its median over the baseline's. A page passes when both its server and its browser median are within 1 s; the
script exits 1 when one is not (or a page answers other than 200 with the page expected).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import free_port, start_server, stop_server  # the same server start as the API benchmark

CHROMIUM = os.environ.get("MILKPRINT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
TARGET_MS = 1000.0
LOAD_END = "performance.getEntriesByType('navigation')[0].loadEventEnd"


@dataclass(frozen=True)
class Timing:
    """One page: first view and later views, in milliseconds."""

    first_ms: float
    median_ms: float
    p90_ms: float
    runs: int


@dataclass(frozen=True)
class PageFigures:
    name: str
    path: str
    bytes: int
    server: Timing
    browser: Timing

    @property
    def passed(self) -> bool:
        return self.server.median_ms <= TARGET_MS and self.browser.median_ms <= TARGET_MS


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def timing(first: float, later: list[float]) -> Timing:
    return Timing(first, float(statistics.median(later)), nearest_rank(later, 0.9), len(later))


def seed_database(database: str) -> str:
    """The demo organisation, account and assessed sample plant in a new database; returns the password."""
    from milkprint.api.demo import seed
    from milkprint.server import create_app

    app = create_app(database)  # migrates the empty file to the newest schema
    try:
        password = seed(app.state.factory)
    finally:
        app.state.engine.dispose()
    if password is None:
        sys.exit("the database had a demo account already: the benchmark needs a fresh one")
    return password


def sign_in(base: str, password: str) -> httpx.Client:
    """An httpx client with the session cookie of the sign-in form."""
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/login").text  # the form's double-submit token (a cookie and a field)
    token = form.split('name="login_token" value="', 1)[1].split('"', 1)[0]
    r = client.post("/login", data={"username": "demo", "password": password, "next": "/", "login_token": token})
    if r.status_code != 303 or "milkprint_session" not in client.cookies:
        sys.exit(f"sign-in failed: {r.status_code} {r.text[:300]}")
    return client


def check(path: str, r: httpx.Response, signed_in: bool) -> None:
    """A timed answer must be the page itself: 200, HTML, with the signed-in header where a session is used."""
    if path == "/healthz":
        ok = r.status_code == 200 and r.headers.get("content-type", "").startswith("application/json")
    else:
        ok = r.status_code == 200 and r.headers.get("content-type", "").startswith("text/html")
        ok = ok and (('data-testid="who"' in r.text) == signed_in)
    if not ok:
        sys.exit(f"GET {path}: {r.status_code} {r.headers.get('content-type')} {r.text[:300]!r}")


def server_times(client: httpx.Client, path: str, runs: int, signed_in: bool) -> tuple[Timing, int]:
    """First view, then `runs` more, each from sending the request to the whole body received."""
    times: list[float] = []
    size = 0
    for _ in range(runs + 1):
        t0 = time.perf_counter()
        r = client.get(path)
        took = 1000 * (time.perf_counter() - t0)
        check(path, r, signed_in)
        size = len(r.content)
        times.append(took)
    return timing(times[0], times[1:]), size


def browser_times(base: str, password: str, pages: dict[str, str], runs: int) -> dict[str, Timing]:
    """Each page in Chromium: a first visit, then `runs` visits with a warm cache; navigation start to load end."""
    from playwright.sync_api import Page, sync_playwright

    def visit(tab: Page, path: str, signed_in: bool) -> float:
        response = tab.goto(base + path, wait_until="load")
        if response is None or response.status != 200:
            sys.exit(f"browser: {path} answered {response.status if response else 'nothing'}")
        if path != "/healthz" and (tab.locator("[data-testid=who]").count() > 0) != signed_in:
            sys.exit(f"browser: {path} is not the page expected (signed in: {signed_in}): {tab.url}")
        return float(tab.evaluate(LOAD_END))

    out: dict[str, Timing] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            member = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            tab = member.new_page()
            tab.goto(f"{base}/login", wait_until="load")
            tab.fill("input[name=username]", "demo")
            tab.fill("input[name=password]", password)
            with tab.expect_navigation():
                tab.click("button[type=submit]")
            visitor = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            anonymous = visitor.new_page()
            for name, path in pages.items():
                signed_in = name not in ("login", "healthz")
                use = tab if signed_in else anonymous
                first = visit(use, path, signed_in)
                later = [visit(use, path, signed_in) for _ in range(runs)]
                out[name] = timing(first, later)
        finally:
            browser.close()
    return out


def show(rows: list[PageFigures], base: PageFigures) -> str:
    head = (
        f"{'page':<14} {'path':<16} {'KiB':>6} | {'server first':>12} {'median':>8} {'p90':>8} {'x base':>7} | "
        f"{'browser first':>13} {'median':>8} {'p90':>8} {'x base':>7} | {'target':>6}  result"
    )
    lines = [head, "-" * len(head)]
    for f in [base, *rows]:
        s, b = f.server, f.browser
        verdict = "baseline" if f is base else ("PASS" if f.passed else "FAIL")
        lines.append(
            f"{f.name:<14} {f.path:<16} {f.bytes / 1024:6.1f} | {s.first_ms:9.1f} ms {s.median_ms:5.1f} ms "
            f"{s.p90_ms:5.1f} ms {s.median_ms / base.server.median_ms:6.1f}x | {b.first_ms:10.1f} ms "
            f"{b.median_ms:5.1f} ms {b.p90_ms:5.1f} ms {b.median_ms / base.browser.median_ms:6.1f}x | "
            f"{TARGET_MS / 1000:4.0f} s  {verdict}"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=10, help="timed views of each page after the first (default 10)")
    ap.add_argument("--json", action="store_true", help="also print every figure as one JSON object, last line")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing (Debian package chromium)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally` below: never leave the server behind

    with tempfile.TemporaryDirectory(prefix="bench_web-") as tmp:
        database = f"sqlite:///{Path(tmp) / 'bench.db'}"
        t0 = time.perf_counter()
        password = seed_database(database)
        seeded = time.perf_counter() - t0
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        proc = start_server(database, port, Path(tmp) / "server.log")
        try:
            started = time.perf_counter() - t0
            client = sign_in(base, password)
            items = client.get("/api/v1/assessments").raise_for_status().json()["items"]
            if not items:
                sys.exit("the demo organisation has no assessment")
            aid = items[0]["id"]
            pages = {
                "healthz": "/healthz",
                "dashboard": "/",
                "data": "/data",
                "assessments": "/assessments",
                "assessment": f"/assessments/{aid}",
                "factors": "/factors",
                "audit": "/audit",
                "login": "/login",
            }
            print(
                f"demo data seeded in {seeded:.1f} s; server: milkprint serve (uvicorn, 1 process) on SQLite, "
                f"ready in {started:.1f} s; {args.runs} timed views per page after the first; cores: {os.cpu_count()}",
                flush=True,
            )
            server: dict[str, tuple[Timing, int]] = {}
            with httpx.Client(base_url=base, timeout=60) as visitor:
                for name, path in pages.items():
                    signed_in = name not in ("login", "healthz")
                    server[name] = server_times(client if signed_in else visitor, path, args.runs, signed_in)
                    print(f"  server  {name:<12} median {server[name][0].median_ms:7.1f} ms", flush=True)
            client.close()
            browser = browser_times(base, password, pages, args.runs)
            for name in pages:
                print(f"  browser {name:<12} median {browser[name].median_ms:7.1f} ms", flush=True)
        finally:
            stop_server(proc)

    figures = [PageFigures(n, p, server[n][1], server[n][0], browser[n]) for n, p in pages.items()]
    base_fig, rows = figures[0], figures[1:]
    print()
    print(show(rows, base_fig))
    failed = [f.name for f in rows if not f.passed]
    print(
        f"target: every page's server and browser median within {TARGET_MS / 1000:g} s: "
        + ("PASS" if not failed else f"FAIL ({', '.join(failed)})")
    )
    if args.json:
        out: dict[str, Any] = {
            "runs": args.runs,
            "target_ms": TARGET_MS,
            "pages": {f.name: {**asdict(f), "passed": f.passed} for f in figures},
            "pass": not failed,
        }
        print(json.dumps(out))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
