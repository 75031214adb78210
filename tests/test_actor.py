"""The service takes who acts as one `Actor` (organisation, user, client), never as loose ids: a public function of
a service module that takes `org_id` with `user_id`, or a loose `client`, has slipped back into the old shape."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import milkprint.service
from milkprint.service.actor import Actor

# Where the ids are not who acts but what is acted on (the organisation a new user joins, the member looked up), or
# where no actor exists yet (the operator making an organisation names only the client).
NOT_THE_ACTOR = {
    ("milkprint.service.organisations", "create_user"),
    ("milkprint.api.accounts", "member"),
    ("milkprint.api.accounts", "create_organisation"),
}


def service_modules() -> list[ModuleType]:
    """The service's modules, and api/accounts.py: accounts as every door changes them."""
    names = [m.name for m in pkgutil.iter_modules(milkprint.service.__path__)]
    modules = [importlib.import_module(f"milkprint.service.{n}") for n in sorted(names)]
    return [*modules, importlib.import_module("milkprint.api.accounts")]


def public_functions(module: ModuleType) -> list[tuple[str, object]]:
    return [
        (name, f)
        for name, f in vars(module).items()
        if inspect.isfunction(f) and not name.startswith("_") and f.__module__ == module.__name__
    ]


def test_no_service_function_takes_loose_ids() -> None:
    loose: list[str] = []
    assert len(service_modules()) > 10
    for module in service_modules():
        for name, f in public_functions(module):
            params = set(inspect.signature(f).parameters)  # type: ignore[arg-type]
            if (module.__name__, name) in NOT_THE_ACTOR:
                continue
            if {"org_id", "user_id"} <= params or "client" in params or "by_user_id" in params:
                loose.append(f"{module.__name__}.{name}{inspect.signature(f)}")  # type: ignore[arg-type]
    assert loose == [], "take `actor: Actor` instead of org_id/user_id/client:\n" + "\n".join(loose)


@pytest.mark.parametrize(
    "module",
    ["plants", "versions", "runs", "audit_log", "dashboard", "renders"],
)
def test_org_scoped_functions_take_an_actor(module: str) -> None:
    """Every public function of these modules that reads or writes an organisation's rows says who acts with one
    `actor`, not a loose `org_id`."""
    mod = importlib.import_module(f"milkprint.service.{module}")
    with_org_id = [name for name, f in public_functions(mod) if "org_id" in inspect.signature(f).parameters]  # type: ignore[arg-type]
    assert with_org_id == []


def test_actor_is_one_frozen_value() -> None:
    actor = Actor(org_id=1, user_id=None, client="cli")
    with pytest.raises(dataclasses.FrozenInstanceError):
        actor.org_id = 2  # type: ignore[misc]
    assert actor == Actor(1, None, "cli") and hash(actor) == hash(Actor(1, None, "cli"))


def test_the_doors_build_the_actor_from_the_caller() -> None:
    from milkprint.api.deps import Caller, Who
    from milkprint.web.core import Viewer

    caller = Caller(Who(7, 3, "u", "U", "engineer"), None, None, "10.0.0.1")
    assert caller.actor == Actor(org_id=3, user_id=7, client="10.0.0.1")
    viewer = Viewer(7, 3, "甲乳业", "u", "U", "engineer", "csrf", "10.0.0.2")
    assert viewer.actor == Actor(org_id=3, user_id=7, client="10.0.0.2")
