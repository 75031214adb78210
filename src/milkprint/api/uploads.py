"""Upload forms, read only after the caller is known: the routes that take a file authenticate first and then call
`read_upload_form`, so no anonymous body is ever parsed or spooled (FastAPI would parse `File()`/`Form()` parameters
before any dependency runs). The form is bounded: one file, a few fields, small text parts; the byte count and the
deadlines of the body are the guard's (api/guard.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from milkprint.api.guard import BodyRefused
from milkprint.errors import InputError, Location, Problem, Text

MAX_FIELD = 64 * 1024  # one text field of an upload form (a note is at most 2 000 characters)


class UploadTooLarge(InputError):
    """The file is larger than the service takes (413 at the API; shown in place on a page)."""

    status = 413
    code = "too_large"

    def __init__(self, filename: str, limit: int) -> None:
        mib = limit // 2**20
        where = Location(file=filename or None, column="file")
        super().__init__([Problem(where, Text(f"上传文件超过 {mib} MiB", f"the upload exceeds {mib} MiB"))])


@dataclass(frozen=True)
class UploadForm:
    """The file's name, type and bytes (empty when none was sent) and the form's text fields."""

    filename: str
    content_type: str
    data: bytes
    fields: dict[str, str] = field(default_factory=dict)

    def text(self, name: str, *, max_length: int, required: bool = False, default: str = "") -> str:
        value = self.fields.get(name, default)
        if (required and not value.strip()) or len(value) > max_length:
            raise InputError.at(
                Location(column=name),
                f"{name} 须为{'非空且' if required else ''}不超过 {max_length} 个字符的文本",
                f"{name} must be {'a non-empty ' if required else ''}text of at most {max_length} characters",
            )
        return value

    def integer(self, name: str, *, low: int, high: int, default: int | None = None) -> int:
        raw = self.fields.get(name)
        if raw is None and default is not None:
            return default
        text = (raw or "").strip()
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            raise InputError.at(
                Location(column=name),
                f"{name} 须为 {low} 到 {high} 之间的整数",
                f"{name} must be a whole number from {low} to {high}",
            )
        return int(text)


async def read_upload_form(request: Request, *, fields: tuple[str, ...], max_upload: int) -> UploadForm:
    """The multipart form of an upload: the part `file` and the named text fields (others refused)."""
    try:
        form = await request.form(max_files=1, max_fields=len(fields) + 1, max_part_size=MAX_FIELD)
    except BodyRefused:
        raise
    except StarletteHTTPException as exc:  # Starlette's multipart errors (too many parts, a bad boundary …)
        raise InputError.at(
            Location(column="file"), f"上传表单格式有误：{exc.detail}", f"malformed upload form: {exc.detail}"
        ) from None
    try:
        values: dict[str, str] = {}
        upload: UploadFile | None = None
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key == "file":
                    upload = value
            elif key in fields:
                values[key] = value
        if upload is None:
            return UploadForm("", "", b"", values)
        data = await upload.read(max_upload + 1)
        if len(data) > max_upload:
            raise UploadTooLarge(upload.filename or "", max_upload)
        return UploadForm(upload.filename or "", upload.content_type or "", data, values)
    finally:
        await form.close()


def _multipart(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": {"type": "object", "properties": properties, "required": required}}
            },
        }
    }


_FILE = {
    "type": "string",
    "format": "binary",
    "description": "案例包 .zip 或填好的工作簿 .xlsx / bundle zip or workbook",
}
UPLOAD_OPENAPI = _multipart(
    {
        "file": _FILE,
        "plant_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
    },
    ["file", "plant_id", "title"],
)
VERSION_OPENAPI = _multipart(
    {
        "file": _FILE,
        "row_version": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        "note": {"type": "string", "maxLength": 2000},
    },
    ["file", "row_version"],
)
