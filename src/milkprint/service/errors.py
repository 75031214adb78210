"""What the application layer refuses, in both languages; the doors map each class to one HTTP status.

NotFoundError → 404 (absent, or another organisation's: existence is never revealed), ConflictError → 409 (a stale
row version, or a change to a locked assessment), ForbiddenError → 403 (the role may not do it).
"""

from __future__ import annotations

from milkprint.errors import MilkprintError, Text


class NotFoundError(MilkprintError):
    """No such row in the caller's organisation (whether it exists elsewhere is not said)."""


class ConflictError(MilkprintError):
    """The row changed since the caller read it, or it is locked (approved); nothing was changed."""


class ForbiddenError(MilkprintError):
    """The caller is known but may not do this."""


def not_found(zh_what: str, en_what: str, key: object) -> NotFoundError:
    """'no assessment 12' in both languages."""
    return NotFoundError(Text(f"找不到{zh_what}（编号 {key}）", f"no {en_what} {key}"))
