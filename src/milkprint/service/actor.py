"""Who acts: one value every service function takes instead of loose ids.

A change is made by someone, for an organisation, through some door, and the audit row says all three; a read is
scoped to the organisation. Before `Actor` each function took `org_id`, `user_id` and `client` apart, and every
door (REST API, web pages, CLI, the demo seed) had to pass the three in the right places. The doors to come (PACT
clients, the live meter feed) build one `Actor` where they authenticate and pass that one thing on; the service
reads the organisation from it for every query and writes the three into every audit row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """`org_id`: the organisation acted for, which scopes every query (another organisation's row is not found).
    `user_id`: the person acting, None when no person does (the operator's CLI, bootstrap, a background task).
    `client`: the door as the audit row records it (the caller's address for the API and the web pages, "cli" for
    the command line, empty when there is none)."""

    org_id: int
    user_id: int | None
    client: str = ""
