"""Every error class milkprint defines knows its HTTP answer (DESIGN.md: "An error class knows its HTTP status").

All modules of src/milkprint are imported (pkgutil.walk_packages), then every subclass of Exception defined in them
is checked: a MilkprintError must declare `status` and `code` itself or inherit them from an ancestor below
MilkprintError (whose own 400 "error" is only the catch-all for a bare MilkprintError); any other exception must be
in INTERNAL, with the reason it never reaches a door.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import milkprint
from milkprint.errors import InputError, Location, MilkprintError, Text, http_answer

# Exceptions that are not errors of milkprint's doors: raised and caught inside one step, which turns them into an
# InputError (or a finding) with the place in the user's data, or rendered by their own handler.
INTERNAL: dict[str, str] = {
    "milkprint.units.UnitProblem": "a unit that does not convert; the caller adds the location and raises InputError",
    "milkprint.numbers.NumberProblem": "text that is not a number; the bundle and workbook readers make it a Problem",
    "milkprint.workbook.cells.CellProblem": "a cell that cannot be read; the workbook importer makes it a Problem",
    "milkprint.readings.sources.HeaderUnitError": "a header's unknown unit; readings/sources.py makes it a Problem",
    "milkprint.engine.steam.SteamStateError": "a steam state outside IAPWS-IF97; engine/steam_state.py reports it",
    "milkprint.engine.contract.ContractError": "a result that breaks its own JSON contract is a milkprint bug, a 500",
    "milkprint.quality.massbalance._Unreadable": "private: a file the mass balance cannot read becomes a finding",
    "milkprint.report.label._Overflow": "private: text too long for a label's box; the layout tries a smaller size",
    "milkprint.workbook.sheetxml._SheetProblem": "private: a malformed sheet part; sheetxml.py raises InputError",
    "milkprint.api.guard.BodyRefused": "an HTTPException (so FastAPI's body parsing passes it on) whose status and "
    "code are per instance (413 too_large, 408 too_slow); api/errors.py renders it in the error shape",
}

# The answers the API gave before the statuses moved into the classes (then a hand list in api/app.py): pinned, so
# that no client sees a different status or code.
EXPECTED: dict[str, tuple[int, str]] = {
    "milkprint.errors.MilkprintError": (400, "error"),
    "milkprint.errors.InputError": (422, "invalid_input"),
    "milkprint.errors.NotSupportedError": (422, "not_supported"),
    "milkprint.api.uploads.UploadTooLarge": (413, "too_large"),
    "milkprint.service.errors.NotFoundError": (404, "not_found"),
    "milkprint.service.errors.ConflictError": (409, "conflict"),
    "milkprint.service.errors.ForbiddenError": (403, "forbidden"),
    "milkprint.service.errors.TooManyRequestsError": (429, "too_many_requests"),
    "milkprint.service.errors.BusyError": (503, "busy"),
    "milkprint.api.security.RateLimited": (429, "rate_limited"),
    "milkprint.api.sessions.Unauthorized": (401, "unauthorized"),
    "milkprint.api.sessions.CsrfFailed": (403, "csrf"),
    "milkprint.api.sessions.LoginFailed": (401, "login_failed"),
    "milkprint.web.core.FormCsrfFailed": (403, "forbidden"),
    "milkprint.web.core.SignInNeeded": (401, "sign_in_needed"),  # a page redirects to the sign-in page instead
}


def _name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def _all_subclasses(kind: type) -> set[type]:
    found: set[type] = set()
    todo = [kind]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


@pytest.fixture(scope="module")
def error_classes() -> dict[str, type[Exception]]:
    """Every Exception subclass defined in milkprint, after importing every module."""
    failed: list[str] = []
    for info in pkgutil.walk_packages(milkprint.__path__, "milkprint.", onerror=failed.append):
        importlib.import_module(info.name)
    assert not failed, f"packages that could not be walked: {failed}"
    return {_name(k): k for k in _all_subclasses(Exception) if k.__module__.split(".")[0] == "milkprint"}


def test_every_error_class_has_an_http_answer(error_classes: dict[str, type[Exception]]) -> None:
    missing = []
    for name, kind in sorted(error_classes.items()):
        if name in INTERNAL:
            continue
        if not issubclass(kind, MilkprintError):
            missing.append(f"{name}: not a MilkprintError, and not in INTERNAL with a reason")
            continue
        status, code, declared_by = http_answer(kind)
        if declared_by is MilkprintError and kind is not MilkprintError:
            missing.append(f"{name}: no status of its own (only MilkprintError's catch-all 400)")
            continue
        if "code" not in vars(declared_by):
            missing.append(f"{name}: {_name(declared_by)} sets status but not code")
        if not 400 <= status <= 599 or not re.fullmatch(r"[a-z][a-z_]*", code):
            missing.append(f"{name}: {status} {code!r} is not an error status and a snake_case code")
    assert not missing, "error classes without an HTTP answer:\n" + "\n".join(missing)


def test_the_internal_list_names_real_classes(error_classes: dict[str, type[Exception]]) -> None:
    assert not set(INTERNAL) - set(error_classes), "INTERNAL names classes that no longer exist"
    for name in INTERNAL:
        assert not issubclass(error_classes[name], MilkprintError), f"{name} is a MilkprintError: give it a status"


def test_the_answers_are_the_ones_clients_knew(error_classes: dict[str, type[Exception]]) -> None:
    mapped = {n: k for n, k in error_classes.items() if issubclass(k, MilkprintError)}
    mapped[_name(MilkprintError)] = MilkprintError
    assert set(mapped) == set(EXPECTED), "a new error class: add its answer to EXPECTED (and to errors.py's tree)"
    for name, kind in mapped.items():
        assert issubclass(kind, MilkprintError)
        assert http_answer(kind)[:2] == EXPECTED[name], name


def test_sign_in_needed_states_its_status(error_classes: dict[str, type[Exception]]) -> None:
    kind = error_classes["milkprint.web.core.SignInNeeded"]
    assert "status" in vars(kind) and "code" in vars(kind)


def test_one_handler_answers_in_the_documented_shape(error_classes: dict[str, type[Exception]]) -> None:
    from milkprint.api import errors

    service = importlib.import_module("milkprint.service.errors")
    security = importlib.import_module("milkprint.api.security")
    app = FastAPI()
    errors.install(app)

    @app.get("/api/missing")
    def missing() -> None:
        raise service.not_found("评估", "assessment", 7)

    @app.get("/api/invalid")
    def invalid() -> None:
        raise InputError.at(Location(file="a.csv", row=3, column="kwh"), "不是数字", "not a number")

    @app.get("/api/limited")
    def limited() -> None:
        raise security.RateLimited(7)

    @app.get("/api/bare")
    def bare() -> None:
        raise MilkprintError(Text("错", "wrong"))

    client = TestClient(app)
    r = client.get("/api/missing?lang=en")
    assert r.status_code == 404
    assert r.json() == {"error": "not_found", "message": "no assessment 7", "problems": []}
    r = client.get("/api/invalid")
    assert r.status_code == 422 and r.json()["error"] == "invalid_input"
    assert r.json()["problems"][0]["message_en"] == "not a number"
    r = client.get("/api/limited")
    assert (r.status_code, r.json()["error"], r.headers["retry-after"]) == (429, "rate_limited", "7")
    r = client.get("/api/bare")
    assert (r.status_code, r.json()["error"], "retry-after" in r.headers) == (400, "error", False)
