"""Shared fixtures, and how the suite runs in parallel.

`make unit` runs pytest with pytest-xdist (`-n`, see the Makefile): each worker is a process with its own session
fixtures (one browser, one PostgreSQL template per worker). What keeps workers apart: every test writes under its
own tmp_path; PostgreSQL databases have random names (tests/dbs.py); servers listen on a port the kernel chose
(tests/browser.py, test_security_probe.py, test_crash.py); screenshots have one name per test and database.
Tests marked `slow` are collected first, so that no worker starts a minute-long test while the others have finished.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from tests.browser import browser  # noqa: F401  # the one Chromium of a test process (session fixture)
from tests.bundles import REPO

# No per-example time limit (hypothesis's default is 200 ms): with a worker per core and servers in subprocesses an
# example can wait for the CPU, and a deadline would then fail a correct property. Tests that set one keep it.
settings.register_profile("milkprint", deadline=None)
settings.load_profile("milkprint")

CLI = REPO / ".venv" / "bin" / "milkprint"


@pytest.fixture
def cli():
    """Run the real CLI in a subprocess; returns (exit code, stdout, stderr)."""

    def invoke(*args: str | Path, lang: str | None = None) -> tuple[int, str, str]:
        env = dict(os.environ)
        if lang:
            env["MILKPRINT_LANG"] = lang
        exe = [str(CLI)] if CLI.exists() else [sys.executable, "-m", "milkprint.cli"]
        proc = subprocess.run([*exe, *map(str, args)], capture_output=True, text=True, env=env, timeout=120)
        return proc.returncode, proc.stdout, proc.stderr

    return invoke


@pytest.fixture(autouse=True)
def _fresh_render_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets an empty render cache. The service keeps rendered outputs per process, keyed by organisation
    and version id; every test database starts its ids at 1, so without this a label rendered by an earlier test in
    the same process (another bundle) would be served to the next one: which test ran before depends on how xdist
    shares the tests out."""
    renders = sys.modules.get("milkprint.service.renders")
    if renders is not None:
        monkeypatch.setattr(renders, "RENDERER", renders.Renderer())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked `slow` first (a stable sort: each module's tests stay together and in order)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop this process's PostgreSQL template database (xdist workers may end without running atexit)."""
    dbs = sys.modules.get("tests.dbs")
    if dbs is not None:
        dbs.drop_template()
