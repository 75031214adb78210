"""Request and response bodies of the REST API (they make the OpenAPI document at /docs)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from milkprint.engine.contract import StoredResultJson

T = TypeVar("T")

Role = Literal["admin", "engineer", "reviewer", "viewer"]


class Problem(BaseModel):
    where: str
    message: str
    message_zh: str
    message_en: str


class ErrorBody(BaseModel):
    """Every error: a code, the message in the asked language (Chinese by default) and, for bad input, each problem
    with its place (file, sheet, row, column) — the same texts the CLI prints."""

    error: str
    message: str
    problems: list[Problem] = Field(default_factory=list)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class Me(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    role: str
    org_id: int


class LoginOut(BaseModel):
    user: Me
    csrf_token: str


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    role: Role
    display_name: str = Field(default="", max_length=200)


class UserOut(Me):
    active: bool
    created_at: dt.datetime


class UserPatch(BaseModel):
    """An admin's change of a member: only the fields given change."""

    role: Role | None = None
    active: bool | None = None
    display_name: str | None = Field(default=None, max_length=200)


class PasswordReset(BaseModel):
    """An admin's new password for a member (who is signed out everywhere)."""

    password: str = Field(min_length=1, max_length=1000)


class PasswordChange(BaseModel):
    """One's own new password, with the current one."""

    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str  # shown once


class PlantIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    province: str = Field(default="", max_length=50)
    grid: str = Field(default="", max_length=50)


class PlantPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    province: str | None = Field(default=None, max_length=50)
    grid: str | None = Field(default=None, max_length=50)


class PlantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    province: str
    grid: str
    created_at: dt.datetime


class MeterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    plant_id: int
    meter_id: str
    process: str
    item: str
    unit: str
    kind: str
    name: str


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    spec: str


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    number: int
    upload_id: int
    note: str
    created_by: int | None
    created_at: dt.datetime


class AssessmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    plant_id: int
    product_id: int | None
    title: str
    status: str
    current_version: int
    row_version: int
    approved_version: int | None
    approved_by: int | None
    approved_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TitlePatch(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    row_version: int = Field(ge=0, le=2**31 - 1)


class Approve(BaseModel):
    row_version: int = Field(ge=0, le=2**31 - 1)


class ResultOut(BaseModel):
    """A stored result. `result` is the result JSON of engine/contract.py (the CLI's `--json`), in its stored variant:
    a result stored by an older milkprint has null for the fields added since (they are optional here)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    version_id: int
    kgco2e_per_t: float
    m3_per_t: float
    library_version: str
    library_digest: str
    created_at: dt.datetime
    result: StoredResultJson  # stored_variant(ResultJson)
    factors: list[Any]


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int | None
    at: dt.datetime
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    client: str
