"""The service's tables (SQLAlchemy 2, typed declarative): tenants, people, plants, assessments and their history.

Every row that belongs to a customer carries `org_id`, so every query can be scoped to one organisation. An
assessment is a chain of immutable versions (each a case bundle as a zip, with the raw upload it came from);
results are immutable and keep the factor library version and the exact factors used. Alembic migrations in
store/migrations create these tables; a test checks the two never drift apart.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

ROLES = ("admin", "engineer", "reviewer", "viewer")
ASSESSMENT_STATUSES = ("draft", "approved")
MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases: the doors refuse a larger one before a query

# Stable constraint names on SQLite and PostgreSQL alike (Alembic needs them to alter or drop constraints).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Timestamps are stored in UTC (timezone-aware on PostgreSQL, naive UTC on SQLite)."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012  # SQLAlchemy reads it


Stamp = DateTime(timezone=True)


class Organisation(Base):
    """A tenant: a dairy group or a plant operator; it sees only its own rows."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


def username_key(name: str) -> str:
    """The form in which usernames are unique and looked up: NFKC, stripped, case-folded (and NFKC again, since
    case folding can leave a string that is not). `DEMO`, `ＤＥＭＯ` and `  demo ` are all `demo`, so nobody can
    register a name that only looks different, and login finds the account however the name is typed."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).strip().casefold())


class User(Base):
    """A person of one organisation. `username` is shown (NFKC, stripped, as typed otherwise); `username_key` is
    `username_key(username)`, unique across all organisations and what login looks up."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    # server_default only so migration 0004 could add the column to existing rows on SQLite (which adds a NOT NULL
    # column only with a default, and cannot drop it again without rebuilding a table that others reference)
    username_key: Mapped[str] = mapped_column(String(100), unique=True, index=True, server_default=text("''"))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # one of ROLES
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)

    @validates("username")
    def _keyed(self, _attribute: str, value: str) -> str:
        """Setting the username sets its key, so no code path can store one without the other."""
        self.username_key = username_key(value)
        return value


class WebSession(Base):
    """A browser session: the cookie carries a random id; only its SHA-256 is stored, with the CSRF token."""

    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(Stamp)


class ApiToken(Base):
    """A bearer token for machines: shown once, stored as SHA-256, revocable."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists to tell tokens apart
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(Stamp, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Stamp, nullable=True)


class LoginAttempt(Base):
    """Failed and successful logins, for the rate limit (kept in the database: it holds across restarts)."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_client_at", "client", "at"),)  # the per-client limit's query
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    client: Mapped[str] = mapped_column(String(64), default="")
    success: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, index=True)


class Plant(Base):
    __tablename__ = "plants"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(50), default="")
    grid: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class Meter(Base):
    """A plant's meter as its latest bundle registered it (meters.csv)."""

    __tablename__ = "meters"
    __table_args__ = (UniqueConstraint("plant_id", "meter_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    plant_id: Mapped[int] = mapped_column(ForeignKey("plants.id", ondelete="CASCADE"), index=True)
    meter_id: Mapped[str] = mapped_column(String(100))
    process: Mapped[str] = mapped_column(String(50))
    item: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200), default="")


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("org_id", "name", "spec"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class Upload(Base):
    """A file exactly as received (bundle zip or workbook), kept for audit."""

    __tablename__ = "uploads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class Assessment(Base):
    """An assessment of one plant and product over a period; `row_version` detects concurrent edits."""

    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    plant_id: Mapped[int] = mapped_column(ForeignKey("plants.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")  # one of ASSESSMENT_STATUSES
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    approved_version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the version approved and locked
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(Stamp, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    versions: Mapped[list[AssessmentVersion]] = relationship(
        back_populates="assessment", order_by="AssessmentVersion.number"
    )
    __mapper_args__ = {"version_id_col": row_version}  # noqa: RUF012  # SQLAlchemy's optimistic concurrency


class AssessmentVersion(Base):
    """One immutable version: the validated case bundle (zip) and the upload it came from."""

    __tablename__ = "assessment_versions"
    __table_args__ = (UniqueConstraint("assessment_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    bundle_zip: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # loaded only when a bundle is read
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)
    assessment: Mapped[Assessment] = relationship(back_populates="versions")


class ResultRecord(Base):
    """An immutable result of one version: the JSON contract, the library version and the exact factors used."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("version_id", "library_digest"),)  # one result per version and library
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("assessment_versions.id"), index=True)
    kgco2e_per_t: Mapped[float] = mapped_column(Float)
    m3_per_t: Mapped[float] = mapped_column(Float)
    library_version: Mapped[str] = mapped_column(String(50))
    library_digest: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    factors: Mapped[list[Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow)


class AuditEntry(Base):
    """Who did what, when, to which row, with the row before and after (JSON)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), nullable=True, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(Stamp, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(50), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    client: Mapped[str] = mapped_column(String(64), default="")
