"""Errors that speak the user's language and point at the place in their data.

Every error a user can cause carries a location (file, sheet, row, column) and a message in
Chinese and English; the doors choose the language and turn it into exit code 2 or an HTTP 4xx.

Each error class states its HTTP answer as class attributes, `status` and `code` (the stable `error` of the JSON
body); a subclass that declares neither answers as its nearest ancestor that does (the class hierarchy, walked by
`http_answer`). The hierarchy (module: status code):

    MilkprintError                      errors: 400 error (the catch-all: a bare MilkprintError)
    ├── InputError                      errors: 422 invalid_input
    │   └── UploadTooLarge              api/uploads: 413 too_large
    ├── NotSupportedError               errors: 422 not_supported
    ├── NotFoundError                   service/errors: 404 not_found
    ├── ConflictError                   service/errors: 409 conflict
    ├── ForbiddenError                  service/errors: 403 forbidden
    │   └── FormCsrfFailed              web/core: 403 forbidden (inherited)
    ├── TooManyRequestsError            service/errors: 429 too_many_requests, Retry-After
    ├── BusyError                       service/errors: 503 busy, Retry-After
    ├── RateLimited                     api/security: 429 rate_limited, Retry-After
    ├── Unauthorized                    api/sessions: 401 unauthorized
    ├── CsrfFailed                      api/sessions: 403 csrf
    ├── LoginFailed                     api/sessions: 401 login_failed
    └── SignInNeeded                    web/core: 401 sign_in_needed (a page redirects to the sign-in page)

tests/test_error_map.py fails on an error class without its own answer (or an ancestor's below MilkprintError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from milkprint.i18n import Lang as Lang  # the language type lives with the language choice

_CELL_COLUMN = re.compile(r"[A-Z]{1,3}")  # a spreadsheet column letter (A … XFD)


@dataclass(frozen=True)
class Text:
    """A message in both of the product's languages."""

    zh: str
    en: str

    def __call__(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Location:
    """Where in the user's data a problem is: file, optional sheet, row (as a spreadsheet shows it), column."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    sheet: str | None = None

    def describe(self, lang: Lang) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet and self.row is not None and self.column and _CELL_COLUMN.fullmatch(self.column):
            parts.append(f"{self.sheet}!{self.column}{self.row}")  # a spreadsheet cell, as Excel names it
            return ("，" if lang == "zh" else ", ").join(parts)
        if self.sheet:
            parts.append(f"工作表 {self.sheet}" if lang == "zh" else f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行" if lang == "zh" else f"row {self.row}")
        if self.column:
            parts.append(f"列 {self.column}" if lang == "zh" else f"column {self.column}")
        return ("，" if lang == "zh" else ", ").join(parts)


class MilkprintError(Exception):
    """Base of every error milkprint raises on purpose."""

    status: ClassVar[int] = 400  # the HTTP status the doors answer with
    code: ClassVar[str] = "error"  # the stable `error` of the API's JSON body
    retry_after: int | None = None  # seconds after which to retry (the answer then carries Retry-After)

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text

    def message(self, lang: Lang = "zh") -> str:
        return self.text(lang)


def http_answer(kind: type[MilkprintError]) -> tuple[int, str, type[MilkprintError]]:
    """The HTTP status and code of an error class and the class that declares them: the nearest in its hierarchy
    (method resolution order) that sets `status` itself."""
    for klass in kind.__mro__:
        if "status" in vars(klass):
            assert issubclass(klass, MilkprintError), klass
            return klass.status, klass.code, klass
    raise TypeError(f"{kind!r} is not a MilkprintError")


@dataclass
class Problem:
    """One thing wrong with the input, at one place."""

    location: Location
    text: Text

    def render(self, lang: Lang) -> str:
        where = self.location.describe(lang)
        sep = "：" if lang == "zh" else ": "
        return f"{where}{sep}{self.text(lang)}" if where else self.text(lang)


class InputError(MilkprintError):
    """The user's input is invalid; doors exit with code 2 and write nothing.

    It can hold several problems so a user fixes a file in one pass, not one error per run.
    """

    status = 422
    code = "invalid_input"

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems = problems
        super().__init__(Text(problems[0].render("zh"), problems[0].render("en")))

    @classmethod
    def at(cls, location: Location, zh: str, en: str) -> InputError:
        return cls([Problem(location, Text(zh, en))])

    def message(self, lang: Lang = "zh") -> str:
        shown = self.problems[:20]
        lines = [p.render(lang) for p in shown]
        if len(self.problems) > len(shown):
            more = len(self.problems) - len(shown)
            lines.append(f"……另有 {more} 处问题" if lang == "zh" else f"... and {more} more problems")
        return "\n".join(lines)


class NotSupportedError(MilkprintError):
    """A recognised request that this version cannot answer yet (exit code 2)."""

    status = 422
    code = "not_supported"


@dataclass
class Collector:
    """Gathers problems while validating many rows, then raises them together."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, location: Location, zh: str, en: str) -> None:
        self.problems.append(Problem(location, Text(zh, en)))

    def extend(self, error: InputError) -> None:
        self.problems.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)
