"""What the application layer refuses, in both languages; each class states its HTTP status and code (errors.py).

NotFoundError → 404 (absent, or another organisation's: existence is never revealed), ConflictError → 409 (a stale
row version, or a change to a locked assessment), ForbiddenError → 403 (the role may not do it), TooManyRequestsError
→ 429 and BusyError → 503 (both with Retry-After: the caller, or the whole service, is doing too much at once).
"""

from __future__ import annotations

from milkprint.errors import MilkprintError, Text


class NotFoundError(MilkprintError):
    """No such row in the caller's organisation (whether it exists elsewhere is not said)."""

    status = 404
    code = "not_found"


class ConflictError(MilkprintError):
    """The row changed since the caller read it, or it is locked (approved); nothing was changed."""

    status = 409
    code = "conflict"


class ForbiddenError(MilkprintError):
    """The caller is known but may not do this."""

    status = 403
    code = "forbidden"


class TooManyRequestsError(MilkprintError):
    """This caller already has such work running; retry after `retry_after` seconds."""

    status = 429
    code = "too_many_requests"

    def __init__(self, text: Text, retry_after: int) -> None:
        super().__init__(text)
        self.retry_after = retry_after


class BusyError(MilkprintError):
    """The service's capacity for this kind of work is taken; retry after `retry_after` seconds."""

    status = 503
    code = "busy"

    def __init__(self, text: Text, retry_after: int) -> None:
        super().__init__(text)
        self.retry_after = retry_after


def not_found(zh_what: str, en_what: str, key: object) -> NotFoundError:
    """'no assessment 12' in both languages."""
    return NotFoundError(Text(f"找不到{zh_what}（编号 {key}）", f"no {en_what} {key}"))
