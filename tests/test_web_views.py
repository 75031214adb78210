"""The pages' per-version cache: computed once, also when several requests (or the warm-up) ask at the same time."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from milkprint.api.demo import sample_zip
from milkprint.errors import InputError
from milkprint.server import create_app
from milkprint.web.views import Views


def test_a_view_is_computed_once_for_concurrent_askers() -> None:
    data = sample_zip()
    reads: list[int] = []
    lock = threading.Lock()

    def bundle() -> bytes:
        with lock:
            reads.append(1)
        return data

    views = Views(size=2)
    day = dt.date(2026, 1, 15)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(views.get(1, 7, bundle, day))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(reads) == 1  # one computation served all four
    assert len(got) == 4 and all(v is got[0] for v in got)
    assert views.get(1, 7, bundle, day) is got[0] and len(reads) == 1
    assert views.get(1, 7, bundle, dt.date(2026, 1, 16)) is not got[0]  # validity depends on the day
    assert views.get(2, 7, bundle, day) is not got[0]  # another organisation never gets this one's view
    views.get(1, 8, bundle, day)
    views.get(1, 9, bundle, day)
    assert views.get(1, 7, bundle, day) is not got[0]  # the oldest of size 2 went


def test_a_failed_view_is_not_kept() -> None:
    views = Views()
    with pytest.raises(InputError):
        views.get(1, 1, lambda: b"not a zip", dt.date(2026, 1, 15))
    with pytest.raises(InputError):  # asked again: computed again (and failing again), not a cached failure
        views.get(1, 1, lambda: b"not a zip", dt.date(2026, 1, 15))


def test_a_bug_gives_a_page_not_a_traceback(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'x.db'}")

    @app.get("/broken-page")
    def broken_page() -> None:
        raise RuntimeError("a bug")

    @app.get("/api/v1/broken")
    def broken_api() -> None:
        raise RuntimeError("a bug")

    client = TestClient(app, raise_server_exceptions=False)
    page = client.get("/broken-page")
    assert page.status_code == 500
    assert "服务器内部错误" in page.text and "Traceback" not in page.text and "<!doctype html>" in page.text
    api = client.get("/api/v1/broken", params={"lang": "en"})
    assert (
        api.status_code == 500
        and api.json()["error"] == "internal"
        and "internal server error" in api.json()["message"]
    )
    app.state.engine.dispose()
