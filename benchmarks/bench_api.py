"""Benchmark: the REST API on loopback, N concurrent clients fetching an assessment's result (target p99 < 100 ms).

Usage: .venv/bin/python benchmarks/bench_api.py [--clients 50] [--seconds 10] [--rounds 3] [--database URL]
                                                [--password PW] [--json]

Starts `milkprint serve --demo` as a subprocess (uvicorn, one process) on a fresh SQLite file in a temporary folder,
or on `--database URL` (an empty database: the demo password is printed only when the demo account is created;
for a database seeded before, pass `--password`). It logs in as the demo admin, creates a bearer token and finds the
demo assessment; then, for each round and in a rotating order, `--clients` closed-loop clients (each sends its next
request as soon as the last one is answered, over one keep-alive connection) load one endpoint for `--seconds`:

  healthz  GET /healthz                                  no authentication, no database (the baseline)
  me       GET /api/v1/auth/me                            the bearer-token lookup alone
  result   GET /api/v1/assessments/{id}/result            the token lookup plus the stored result as JSON

The clients are one asyncio loop writing raw HTTP/1.1 requests and reading responses by Content-Length (a few tens
of microseconds of client CPU per request, against the server's milliseconds): the machine has two cores that the
client and the server share, and an HTTP client library would spend more CPU per request than the server's
baseline does and so measure itself. Every response must be 200 (and the result's body the same length as the one
checked with httpx first); any other answer is counted as an error and fails the run.

Prints, per endpoint, the median over rounds of p50 / p90 / p99 latency and throughput, the server's CPU time per
request (from /proc), the ratio to the healthz baseline, and PASS/FAIL for the result's p99 < 100 ms (exit 1 on
FAIL or on any error). `--json` adds one JSON object with every figure as the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "milkprint"
API = "/api/v1"
TARGET_P99_MS = 100.0
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Figures:
    """One endpoint under load for one round."""

    endpoint: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    per_s: float
    server_cpu_ms: float  # server process CPU time (user + system) per request


def percentile(ordered: list[int], q: float) -> float:
    """Nearest rank (no interpolation), in milliseconds from nanoseconds."""
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] / 1e6


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc/<pid>/stat (fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def one_client(
    port: int, request: bytes, length: int | None, until: float, latencies: list[int], errors: list[str]
) -> None:
    """A closed loop over one keep-alive connection until `until` (perf_counter); latencies in nanoseconds."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            t0 = time.perf_counter_ns()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            found = CONTENT_LENGTH.search(head)
            n = int(found.group(1)) if found else 0
            await reader.readexactly(n)
            t1 = time.perf_counter_ns()
            status = int(head[9:12])
            if status != 200 or (length is not None and n != length):
                errors.append(f"{status} ({n} bytes)")
            else:
                latencies.append(t1 - t0)
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        writer.close()


async def load(
    port: int, path: str, token: str | None, length: int | None, clients: int, seconds: float
) -> tuple[list[int], list[str], float]:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}Accept: application/json\r\n\r\n".encode()
    latencies: list[int] = []
    errors: list[str] = []
    t0 = time.perf_counter()
    await asyncio.gather(*(one_client(port, request, length, t0 + seconds, latencies, errors) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - t0


def measure(
    name: str, pid: int, port: int, path: str, token: str | None, length: int | None, clients: int, seconds: float
) -> Figures:
    cpu0 = cpu_seconds(pid)
    latencies, errors, took = asyncio.run(load(port, path, token, length, clients, seconds))
    cpu = cpu_seconds(pid) - cpu0
    if errors:
        kinds = ", ".join(f"{n} x {e}" for e, n in Counter(errors).most_common(3))
        print(f"  {name}: {len(errors)} errors ({kinds})", flush=True)
    latencies.sort()
    n = len(latencies)
    return Figures(
        endpoint=name,
        requests=n,
        errors=len(errors),
        seconds=took,
        p50_ms=percentile(latencies, 0.50),
        p90_ms=percentile(latencies, 0.90),
        p99_ms=percentile(latencies, 0.99),
        max_ms=latencies[-1] / 1e6 if latencies else math.nan,
        per_s=n / took,
        server_cpu_ms=1000 * cpu / max(n, 1),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(database: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "MILKPRINT_DATABASE_URL"}}
    env.update({"COLUMNS": "200", "NO_COLOR": "1"})
    cmd = [str(CLI), "serve", "--demo", "--port", str(port), "--database", database]
    with log.open("wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    sys.exit(f"the server did not answer /healthz within 120 s:\n{log.read_text(errors='replace')}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server as Ctrl-C would, and kill it if it does not go within 15 s."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def prepare(base: str, password: str) -> tuple[str, int, int]:
    """Log in as the demo admin, create a bearer token, find the demo assessment; returns (token, id, body length)."""
    with httpx.Client(base_url=base, timeout=30) as c:
        r = c.post(f"{API}/auth/login", json={"username": "demo", "password": password})
        r.raise_for_status()
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        r = c.post(f"{API}/tokens", json={"name": "bench_api"})
        r.raise_for_status()
        token: str = r.json()["token"]
    with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as c:
        items = c.get(f"{API}/assessments").raise_for_status().json()["items"]
        if not items:
            sys.exit("the demo organisation has no assessment")
        aid: int = items[0]["id"]
        r = c.get(f"{API}/assessments/{aid}/result").raise_for_status()
        body = r.json()
        if body["result"]["carbon"]["kgco2e_per_t"] != body["kgco2e_per_t"]:
            sys.exit("the result's JSON and its column disagree")
        return token, aid, len(r.content)


def show(f: Figures, base: Figures) -> str:
    return (
        f"{f.endpoint:8s} p50 {f.p50_ms:7.2f} ms  p90 {f.p90_ms:7.2f} ms  p99 {f.p99_ms:7.2f} ms  "
        f"{f.per_s:7.0f} req/s  server CPU {f.server_cpu_ms:5.2f} ms/req  "
        f"p50 x{f.p50_ms / base.p50_ms:.1f}, p99 x{f.p99_ms / base.p99_ms:.1f}, throughput x{f.per_s / base.per_s:.2f}"
    )


def median_figures(name: str, rounds: list[Figures]) -> Figures:
    def med(key: str) -> float:
        return float(statistics.median(getattr(r, key) for r in rounds))

    return Figures(
        endpoint=name,
        requests=sum(r.requests for r in rounds),
        errors=sum(r.errors for r in rounds),
        seconds=sum(r.seconds for r in rounds),
        p50_ms=med("p50_ms"),
        p90_ms=med("p90_ms"),
        p99_ms=med("p99_ms"),
        max_ms=max(r.max_ms for r in rounds),
        per_s=med("per_s"),
        server_cpu_ms=med("server_cpu_ms"),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10.0, help="per endpoint and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=1.0, help="seconds of untimed load per endpoint first")
    ap.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--password", help="the demo account's password, for a database seeded before")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally` below: never leave the server behind

    with tempfile.TemporaryDirectory(prefix="bench_api-") as tmp:
        database = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        log = Path(tmp) / "server.log"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        t0 = time.perf_counter()
        proc = start_server(database, port, log)
        try:
            started = time.perf_counter() - t0
            found = re.search(r"password:\s*(\S+)", log.read_text(encoding="utf-8", errors="replace"))
            password = args.password or (found.group(1) if found else None)
            if password is None:
                sys.exit("the demo account existed already: pass --password, or use an empty database")
            token, aid, length = prepare(base, password)
            endpoints: dict[str, tuple[str, str | None, int | None]] = {
                "healthz": ("/healthz", None, None),
                "me": (f"{API}/auth/me", token, None),
                "result": (f"{API}/assessments/{aid}/result", token, length),
            }
            shown = database.split("@")[-1]
            print(f"server: milkprint serve (uvicorn, 1 process) on {shown}, ready in {started:.1f} s")
            print(
                f"load: {args.clients} closed-loop clients, {args.seconds:g} s per endpoint and round, "
                f"{args.rounds} rounds; result body {length:,} bytes (assessment {aid}); cores: {os.cpu_count()}"
            )
            for name, (path, tok, size) in endpoints.items():
                measure(name, proc.pid, port, path, tok, size, args.clients, args.warmup)
            names = list(endpoints)
            per: dict[str, list[Figures]] = {n: [] for n in names}
            for r in range(args.rounds):
                order = names[r % len(names) :] + names[: r % len(names)]
                if r % 2:
                    order.reverse()
                for name in order:
                    path, tok, size = endpoints[name]
                    fig = measure(name, proc.pid, port, path, tok, size, args.clients, args.seconds)
                    per[name].append(fig)
                    print(
                        f"  round {r + 1} {name:8s} p50 {fig.p50_ms:7.2f}  p90 {fig.p90_ms:7.2f}  "
                        f"p99 {fig.p99_ms:7.2f}  max {fig.max_ms:7.1f} ms  {fig.per_s:7.0f} req/s  "
                        f"{fig.requests} ok, {fig.errors} errors",
                        flush=True,
                    )
        finally:
            stop_server(proc)

    summary = {n: median_figures(n, figs) for n, figs in per.items()}
    base_fig = summary["healthz"]
    print(f"medians over {args.rounds} rounds (ratios to the healthz baseline):")
    for fig in summary.values():
        print("  " + show(fig, base_fig))
    res = summary["result"]
    errors = sum(f.errors for f in summary.values())
    ok = res.p99_ms < TARGET_P99_MS and errors == 0
    verdict = "PASS" if ok else "FAIL"
    print(
        f"result p99 {res.p99_ms:.1f} ms, target < {TARGET_P99_MS:g} ms: {verdict}"
        + (f" ({errors} errors)" if errors else "")
    )
    if args.json:
        out: dict[str, Any] = {
            "clients": args.clients,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "result_bytes": length,
            "medians": {n: asdict(f) for n, f in summary.items()},
            "rounds_figures": {n: [asdict(f) for f in figs] for n, figs in per.items()},
            "pass": ok,
        }
        print(json.dumps(out))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
