"""A real browser for the web UI tests: Debian's Chromium (/usr/bin/chromium) driven by Playwright, against the
app served by uvicorn on a free loopback port in a thread. No browser download: Playwright's own builds are never
used. Screenshots go to out/screenshots/ (MILKPRINT_SCREENSHOTS overrides), one file per page and database.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("MILKPRINT_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
SHOTS = Path(os.environ.get("MILKPRINT_SCREENSHOTS", Path(__file__).resolve().parent.parent / "out" / "screenshots"))
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}


class LiveServer:
    """The app on a free port in a background thread, for as long as the block runs."""

    def __init__(self, app: Any) -> None:
        # The socket stays bound and is handed to uvicorn: no other test process can take the port in between.
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium (scripts/system-packages.txt)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot kept after the run (people look at these)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    # Written beside and renamed: another run in the same tree (or a reader) never sees half a file.
    partial = path.with_name(f".{name}.{os.getpid()}.png")
    page.screenshot(path=str(partial), full_page=True)
    os.replace(partial, path)
    return path
