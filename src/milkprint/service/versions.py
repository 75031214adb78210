"""Assessments and their versions: creating, appending a version, renaming and approving.

The lifecycle: `create_assessment` stores version 1; `add_version` appends a version (also to an approved
assessment: the approved version stays recorded and locked, the assessment becomes a draft again at the new
version); `runs.run_assessment` stores a result of one version; `approve` locks the current version once it has a
result. Edits carry the `row_version` the caller read; a stale one is refused (ConflictError), never overwritten.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from milkprint.errors import InputError, Location, Text
from milkprint.service.actor import Actor
from milkprint.service.common import audit_changed, audit_created, flush, owned, page, text_field
from milkprint.service.errors import ConflictError, NotFoundError, not_found
from milkprint.service.plants import get_plant, product_of, refresh_meters
from milkprint.service.uploads import ParsedUpload, add_upload, parse_upload
from milkprint.store.audit import snapshot
from milkprint.store.models import (
    ASSESSMENT_STATUSES,
    Assessment,
    AssessmentVersion,
    ResultRecord,
    Upload,
    utcnow,
)


def create_assessment(
    session: Session,
    *,
    actor: Actor,
    plant_id: int,
    title: str,
    filename: str,
    content_type: str,
    data: bytes,
    parsed: ParsedUpload | None = None,
) -> Assessment:
    """A new assessment from a bundle .zip or a filled .xlsx workbook: the raw upload, version 1 (the validated
    bundle as a canonical zip), its product and the plant's meters. Bad input raises InputError; nothing is added.
    `parsed`: the upload already validated by `parse_upload` (then not parsed again)."""
    get_plant(session, actor=actor, plant_id=plant_id)
    clean_title = _title(title)
    parsed = parsed or parse_upload(filename, data)
    upload = add_upload(session, actor, filename, content_type, data)
    product = product_of(session, actor, parsed.product_name, parsed.product_spec)
    a = Assessment(
        org_id=actor.org_id,
        plant_id=plant_id,
        product_id=product.id,
        title=clean_title,
        status="draft",
        current_version=1,
        updated_at=utcnow(),
    )
    session.add(a)
    flush(session)
    version = _add_version_row(session, a, upload, parsed, actor.user_id, "")
    refresh_meters(session, actor, plant_id, parsed.meters)
    for entity, row in (("upload", upload), ("assessment", a), ("assessment_version", version)):
        audit_created(session, row, entity, actor)
    return a


def add_version(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    expected_row_version: int,
    filename: str,
    content_type: str,
    data: bytes,
    note: str = "",
    parsed: ParsedUpload | None = None,
) -> AssessmentVersion:
    """Append a version from a new upload; the assessment's current version moves to it.

    An approved assessment accepts a new version too: its approved version stays as `approved_version` (with
    approved_by/at), locked like every version, and the assessment is a draft again until the new version is
    approved. A stale `expected_row_version` raises ConflictError.
    """
    a = _assessment_for_update(session, actor.org_id, assessment_id)
    _check_row_version(a, expected_row_version)
    parsed = parsed or parse_upload(filename, data)
    before = snapshot(a)
    upload = add_upload(session, actor, filename, content_type, data)
    product = product_of(session, actor, parsed.product_name, parsed.product_spec)
    a.current_version += 1
    a.status = "draft"
    a.product_id = product.id
    a.updated_at = utcnow()
    flush(session)  # the UPDATE checks the row version: an edit committed since we read the row fails here
    version = _add_version_row(session, a, upload, parsed, actor.user_id, note)
    refresh_meters(session, actor, a.plant_id, parsed.meters)
    audit_created(session, upload, "upload", actor)
    audit_changed(session, a, "assessment", before, actor)
    audit_created(session, version, "assessment_version", actor)
    return version


def update_title(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    title: str,
    expected_row_version: int,
) -> Assessment:
    """Rename a draft; an approved assessment is locked (ConflictError), as is a stale row version."""
    a = _assessment_for_update(session, actor.org_id, assessment_id)
    _check_row_version(a, expected_row_version)
    if a.status == "approved":
        raise ConflictError(
            Text(
                f"评价 {a.id} 已批准（第 {a.approved_version} 版）并锁定：如需修改，请上传新版本",
                f"assessment {a.id} is approved (version {a.approved_version}) and locked; upload a new version to "
                "change it",
            )
        )
    clean = _title(title)
    if clean == a.title:
        return a
    before = snapshot(a)
    a.title = clean
    a.updated_at = utcnow()
    flush(session)
    audit_changed(session, a, "assessment", before, actor)
    return a


def approve(session: Session, *, actor: Actor, assessment_id: int, expected_row_version: int) -> Assessment:
    """Approve and lock the current version; it must have a result (ConflictError otherwise)."""
    org_id = actor.org_id
    a = _assessment_for_update(session, org_id, assessment_id)
    _check_row_version(a, expected_row_version)
    if a.status == "approved" and a.approved_version == a.current_version:
        raise ConflictError(
            Text(
                f"评价 {a.id} 第 {a.current_version} 版已批准",
                f"assessment {a.id} version {a.current_version} is approved already",
            )
        )
    version = version_row(session, a, None)
    has_result = session.scalar(
        select(ResultRecord.id).where(ResultRecord.org_id == org_id, ResultRecord.version_id == version.id).limit(1)
    )
    if has_result is None:
        raise ConflictError(
            Text(
                f"评价 {a.id} 第 {version.number} 版尚无计算结果：请先运行评价，再批准",
                f"assessment {a.id} version {version.number} has no result yet: run it before approving",
            )
        )
    before = snapshot(a)
    now = utcnow()
    a.status = "approved"
    a.approved_version = version.number
    a.approved_by = actor.user_id
    a.approved_at = now
    a.updated_at = now
    flush(session)
    audit_changed(session, a, "assessment", before, actor, action="approve")
    return a


def get_assessment(session: Session, *, actor: Actor, assessment_id: int) -> Assessment:
    return owned(session, Assessment, assessment_id, actor.org_id, "评价", "assessment")


def list_assessments(
    session: Session,
    *,
    actor: Actor,
    plant_id: int | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Assessment], int]:
    """A page of the organisation's assessments, newest first, and how many match in all."""
    query = select(Assessment).where(Assessment.org_id == actor.org_id)
    if plant_id is not None:
        query = query.where(Assessment.plant_id == plant_id)
    if status is not None:
        if status not in ASSESSMENT_STATUSES:
            raise InputError.at(
                Location(column="status"),
                f"未知的状态“{status}”，应为：{'、'.join(ASSESSMENT_STATUSES)}",
                f"unknown status '{status}'; expected one of {', '.join(ASSESSMENT_STATUSES)}",
            )
        query = query.where(Assessment.status == status)
    return page(session, query.order_by(Assessment.id.desc()), offset, limit)


def list_versions(session: Session, *, actor: Actor, assessment_id: int) -> list[AssessmentVersion]:
    """The assessment's versions, oldest first (their bundle zips load only when read)."""
    get_assessment(session, actor=actor, assessment_id=assessment_id)
    query = (
        select(AssessmentVersion)
        .where(AssessmentVersion.org_id == actor.org_id, AssessmentVersion.assessment_id == assessment_id)
        .options(defer(AssessmentVersion.bundle_zip))
        .order_by(AssessmentVersion.number)
    )
    return list(session.scalars(query))


def get_version(session: Session, *, actor: Actor, assessment_id: int, version: int | None = None) -> AssessmentVersion:
    """One version of the assessment (default: the current one)."""
    a = get_assessment(session, actor=actor, assessment_id=assessment_id)
    return version_row(session, a, version)


def version_row(session: Session, a: Assessment, number: int | None) -> AssessmentVersion:
    """Version `number` of an assessment already read in its organisation (None: its current one); NotFoundError
    when it has no such version."""
    wanted = a.current_version if number is None else number
    v = session.scalar(
        select(AssessmentVersion).where(
            AssessmentVersion.org_id == a.org_id,
            AssessmentVersion.assessment_id == a.id,
            AssessmentVersion.number == wanted,
        )
    )
    if v is None:
        raise NotFoundError(Text(f"找不到评价 {a.id} 的第 {wanted} 版", f"assessment {a.id} has no version {wanted}"))
    return v


def _add_version_row(
    session: Session, a: Assessment, upload: Upload, parsed: ParsedUpload, user_id: int | None, note: str
) -> AssessmentVersion:
    version = AssessmentVersion(
        org_id=a.org_id,
        assessment_id=a.id,
        number=a.current_version,
        bundle_zip=parsed.bundle_zip,
        upload_id=upload.id,
        note=note,
        created_by=user_id,
    )
    session.add(version)
    flush(session)
    return version


def _assessment_for_update(session: Session, org_id: int, assessment_id: int) -> Assessment:
    """The assessment as the database has it now (not as this session saw it earlier): the version check compares
    against the newest row."""
    query = (
        select(Assessment)
        .where(Assessment.id == assessment_id, Assessment.org_id == org_id)
        .execution_options(populate_existing=True)
    )
    a = session.scalar(query)
    if a is None:
        raise not_found("评价", "assessment", assessment_id)
    return a


def _check_row_version(a: Assessment, expected: int) -> None:
    if a.row_version != expected:
        raise ConflictError(
            Text(
                f"评价 {a.id} 已被修改（当前行版本 {a.row_version}，提交的是 {expected}）：请重新读取后再试",
                f"assessment {a.id} has changed (row version {a.row_version}, you sent {expected}): reload it and "
                "try again",
            )
        )


def _title(title: str) -> str:
    return text_field(title, "title", "标题", 200)
