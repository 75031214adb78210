"""Assessments as a service: uploads become versioned case bundles, runs become immutable results, all audited.

Every function takes the caller's `Session` and adds to its transaction; the caller commits, so what one call does
lands whole or not at all (inputs are validated before anything is added, and on any error the caller rolls back).
Every query is scoped by `org_id`: another organisation's row is reported exactly like an absent one.

The lifecycle: `create_assessment` stores version 1; `add_version` appends a version (also to an approved
assessment: the approved version stays recorded and locked, the assessment becomes a draft again at the new
version); `run_assessment` stores a result of one version; `approve` locks the current version once it has a result.
Edits carry the `row_version` the caller read; a stale one is refused (ConflictError), never overwritten.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.exc import StaleDataError

from milkprint.errors import Collector, InputError, Lang, Location, Problem, Text
from milkprint.service.errors import ConflictError, NotFoundError, not_found
from milkprint.store.audit import record, record_created, snapshot
from milkprint.store.models import (
    ASSESSMENT_STATUSES,
    ROLES,
    Assessment,
    AssessmentVersion,
    Base,
    Meter,
    Organisation,
    Plant,
    Product,
    ResultRecord,
    Upload,
    User,
    username_key,
    utcnow,
)

if TYPE_CHECKING:
    from milkprint.bundle.models import Meter as BundleMeter
    from milkprint.bundle.models import Product as BundleProduct
    from milkprint.bundle.reader import Bundle
    from milkprint.engine.result import Result

T = TypeVar("T", bound=Base)

ReportFormat = Literal["pdf", "docx", "html"]
LabelFormat = Literal["svg", "png"]
REPORT_FORMATS: tuple[ReportFormat, ...] = ("pdf", "docx", "html")
LABEL_FORMATS: tuple[LabelFormat, ...] = ("svg", "png")
MAX_UPLOAD = 200 * 1024 * 1024  # bytes, for every door; a year of 15-minute readings of 120 meters is ~150 MiB
MAX_PAGE = 500  # rows per page at most
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every member of a stored bundle zip: same content, same bytes


# --- organisations and users ----------------------------------------------------------------------------------


def create_organisation(session: Session, name: str) -> Organisation:
    """A new tenant (bootstrap: no user exists yet to be named in the audit row)."""
    clean = _text_field(name, "name", "名称", 200)
    if session.scalar(select(Organisation.id).where(Organisation.name == clean)) is not None:
        raise ConflictError(Text(f"组织“{clean}”已存在", f"the organisation '{clean}' exists already"))
    org = Organisation(name=clean)
    session.add(org)
    _flush(session)
    record_created(session, org, "organisation", org_id=org.id, user_id=None)
    return org


USERNAME_LENGTH = 100  # User.username and User.username_key
USERNAME_REFUSED = frozenset("<>\"'&")  # markup characters: a name is shown in pages, lists and the audit log

USERNAME_TAKEN = Text("该用户名不可用，请换一个", "this username cannot be used; choose another")


def clean_username(name: str) -> tuple[str, list[Text]]:
    """The username as stored (NFKC, stripped) and the rule's objections to it (empty if it is acceptable).

    Names are shown to people who must tell them apart (user lists, the audit log), so anything invisible or
    look-alike is refused: whitespace inside a name, control and format characters (a NUL, a zero-width space),
    unassigned or private code points, and markup characters. Full-width letters are folded by NFKC rather than
    refused. Login strips and normalises the same way, so a name is found however it was typed.
    """
    clean = unicodedata.normalize("NFKC", name).strip()
    problems: list[Text] = []
    if not 1 <= len(clean) <= USERNAME_LENGTH or len(username_key(clean)) > USERNAME_LENGTH:
        problems.append(
            Text(f"用户名须为 1 到 {USERNAME_LENGTH} 个字符", f"a username is 1 to {USERNAME_LENGTH} characters")
        )
    if any(ch.isspace() or unicodedata.category(ch)[0] == "Z" for ch in clean):
        problems.append(Text("用户名不能含空格", "a username must not contain spaces"))
    if any(unicodedata.category(ch)[0] == "C" and not ch.isspace() for ch in clean):
        problems.append(
            Text(
                "用户名不能含控制字符或不可见字符（如零宽空格）",
                "a username must not contain control or invisible characters (such as a zero-width space)",
            )
        )
    if USERNAME_REFUSED & set(clean):
        shown = " ".join(sorted(USERNAME_REFUSED))
        problems.append(Text(f"用户名不能含以下字符：{shown}", f"a username must not contain any of: {shown}"))
    return clean, problems


def create_user(
    session: Session, *, org_id: int, username: str, password_hash: str, role: str, display_name: str = ""
) -> User:
    """A user of the organisation with one of ROLES. Not audited here: the caller knows who created the account.

    The username follows `clean_username`; one whose key (`username_key`) is taken, in any organisation, gets the
    same answer as any unusable name, so an administrator cannot learn which names other organisations use.
    """
    name, problems = clean_username(username)
    located = [Problem(Location(column="username"), t) for t in problems]
    if role not in ROLES:
        located.append(
            Problem(
                Location(column="role"),
                Text(
                    f"未知的角色“{role}”，应为：{'、'.join(ROLES)}",
                    f"unknown role '{role}'; expected one of {', '.join(ROLES)}",
                ),
            )
        )
    if located:
        raise InputError(located)
    if session.scalar(select(Organisation.id).where(Organisation.id == org_id)) is None:
        raise not_found("组织", "organisation", org_id)
    if session.scalar(select(User.id).where(User.username_key == username_key(name))) is not None:
        raise ConflictError(USERNAME_TAKEN)
    user = User(
        org_id=org_id,
        username=name,
        password_hash=password_hash,
        role=role,
        display_name=display_name.strip()[:200],
    )
    session.add(user)
    try:
        _flush(session)
    except ConflictError:  # the same name added at the same moment by someone else
        raise ConflictError(USERNAME_TAKEN) from None
    return user


# --- plants, products, meters ---------------------------------------------------------------------------------


def create_plant(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    name: str,
    province: str = "",
    grid: str = "",
    client: str = "",
) -> Plant:
    clean = _text_field(name, "name", "名称", 200)
    _plant_name_free(session, org_id, clean, None)
    plant = Plant(
        org_id=org_id,
        name=clean,
        province=_text_field(province, "province", "省份", 50, empty=True),
        grid=_text_field(grid, "grid", "电网区域", 50, empty=True),
    )
    _add_created(session, plant, "plant", org_id=org_id, user_id=user_id, client=client)
    return plant


def update_plant(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    plant_id: int,
    name: str | None = None,
    province: str | None = None,
    grid: str | None = None,
    client: str = "",
) -> Plant:
    """Change the fields given (None leaves a field as it is); an unchanged plant writes nothing."""
    plant = get_plant(session, org_id=org_id, plant_id=plant_id)
    changes: dict[str, str] = {}
    if name is not None:
        changes["name"] = _text_field(name, "name", "名称", 200)
    if province is not None:
        changes["province"] = _text_field(province, "province", "省份", 50, empty=True)
    if grid is not None:
        changes["grid"] = _text_field(grid, "grid", "电网区域", 50, empty=True)
    changes = {k: v for k, v in changes.items() if getattr(plant, k) != v}
    if not changes:
        return plant
    if "name" in changes:
        _plant_name_free(session, org_id, changes["name"], plant.id)
    before = snapshot(plant)
    for key, value in changes.items():
        setattr(plant, key, value)
    _flush(session)
    record(
        session,
        org_id=org_id,
        user_id=user_id,
        action="update",
        entity="plant",
        entity_id=plant.id,
        before=before,
        after=snapshot(plant),
        client=client,
    )
    return plant


def get_plant(session: Session, *, org_id: int, plant_id: int) -> Plant:
    return _owned(session, Plant, plant_id, org_id, "工厂", "plant")


def list_plants(session: Session, *, org_id: int, offset: int = 0, limit: int = 50) -> tuple[list[Plant], int]:
    """A page of the organisation's plants (by id) and how many there are in all."""
    return _page(session, select(Plant).where(Plant.org_id == org_id).order_by(Plant.id), offset, limit)


def list_products(session: Session, *, org_id: int) -> list[Product]:
    return list(session.scalars(select(Product).where(Product.org_id == org_id).order_by(Product.name, Product.spec)))


def list_meters(session: Session, *, org_id: int, plant_id: int) -> list[Meter]:
    """The plant's meters as its latest bundle with a meters.csv registered them."""
    get_plant(session, org_id=org_id, plant_id=plant_id)
    query = select(Meter).where(Meter.org_id == org_id, Meter.plant_id == plant_id).order_by(Meter.meter_id)
    return list(session.scalars(query))


# --- assessments and versions ---------------------------------------------------------------------------------


def create_assessment(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    plant_id: int,
    title: str,
    filename: str,
    content_type: str,
    data: bytes,
    client: str = "",
    parsed: ParsedUpload | None = None,
) -> Assessment:
    """A new assessment from a bundle .zip or a filled .xlsx workbook: the raw upload, version 1 (the validated
    bundle as a canonical zip), its product and the plant's meters. Bad input raises InputError; nothing is added.
    `parsed`: the upload already validated by `parse_upload` (then not parsed again)."""
    get_plant(session, org_id=org_id, plant_id=plant_id)
    clean_title = _title(title)
    parsed = parsed or parse_upload(filename, data)
    upload = _add_upload(session, org_id, user_id, filename, content_type, data)
    product = _product(session, org_id, user_id, parsed, client)
    a = Assessment(
        org_id=org_id,
        plant_id=plant_id,
        product_id=product.id,
        title=clean_title,
        status="draft",
        current_version=1,
        updated_at=utcnow(),
    )
    session.add(a)
    _flush(session)
    version = _add_version_row(session, a, upload, parsed, user_id, "")
    _refresh_meters(session, org_id, user_id, plant_id, parsed.meters, client)
    for entity, row in (("upload", upload), ("assessment", a), ("assessment_version", version)):
        record_created(session, row, entity, org_id=org_id, user_id=user_id, client=client)
    return a


def create_and_run(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    plant_id: int,
    title: str,
    filename: str,
    content_type: str,
    data: bytes,
    client: str = "",
) -> Assessment:
    """A new assessment with its result, in the caller's transaction: what a person uploading data expects (the web
    page); bad input anywhere, the readings included, raises InputError before the caller commits anything. The
    upload is validated and assessed before the first write, so a database's write lock is held only for the
    inserts (SQLite has one writer: a long assessment inside the transaction would stall every other writer)."""
    parsed = parse_upload(filename, data)
    a = create_assessment(
        session,
        org_id=org_id,
        user_id=user_id,
        plant_id=plant_id,
        title=title,
        filename=filename,
        content_type=content_type,
        data=data,
        client=client,
        parsed=parsed,
    )
    _flush(session)
    run_assessment(session, org_id=org_id, user_id=user_id, assessment_id=a.id, client=client, computed=parsed.result)
    return a


def add_version_and_run(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    assessment_id: int,
    expected_row_version: int,
    filename: str,
    content_type: str,
    data: bytes,
    note: str = "",
    client: str = "",
) -> AssessmentVersion:
    """A new version with its result, in the caller's transaction (see create_and_run: assessed before any write)."""
    parsed = parse_upload(filename, data)
    v = add_version(
        session,
        org_id=org_id,
        user_id=user_id,
        assessment_id=assessment_id,
        expected_row_version=expected_row_version,
        filename=filename,
        content_type=content_type,
        data=data,
        note=note,
        client=client,
        parsed=parsed,
    )
    _flush(session)
    run_assessment(
        session, org_id=org_id, user_id=user_id, assessment_id=assessment_id, client=client, computed=parsed.result
    )
    return v


def add_version(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    assessment_id: int,
    expected_row_version: int,
    filename: str,
    content_type: str,
    data: bytes,
    note: str = "",
    client: str = "",
    parsed: ParsedUpload | None = None,
) -> AssessmentVersion:
    """Append a version from a new upload; the assessment's current version moves to it.

    An approved assessment accepts a new version too: its approved version stays as `approved_version` (with
    approved_by/at), locked like every version, and the assessment is a draft again until the new version is
    approved. A stale `expected_row_version` raises ConflictError.
    """
    a = _assessment_for_update(session, org_id, assessment_id)
    _check_row_version(a, expected_row_version)
    parsed = parsed or parse_upload(filename, data)
    before = snapshot(a)
    upload = _add_upload(session, org_id, user_id, filename, content_type, data)
    product = _product(session, org_id, user_id, parsed, client)
    a.current_version += 1
    a.status = "draft"
    a.product_id = product.id
    a.updated_at = utcnow()
    _flush(session)  # the UPDATE checks the row version: an edit committed since we read the row fails here
    version = _add_version_row(session, a, upload, parsed, user_id, note)
    _refresh_meters(session, org_id, user_id, a.plant_id, parsed.meters, client)
    record_created(session, upload, "upload", org_id=org_id, user_id=user_id, client=client)
    record(
        session,
        org_id=org_id,
        user_id=user_id,
        action="update",
        entity="assessment",
        entity_id=a.id,
        before=before,
        after=snapshot(a),
        client=client,
    )
    record_created(session, version, "assessment_version", org_id=org_id, user_id=user_id, client=client)
    return version


def update_title(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    assessment_id: int,
    title: str,
    expected_row_version: int,
    client: str = "",
) -> Assessment:
    """Rename a draft; an approved assessment is locked (ConflictError), as is a stale row version."""
    a = _assessment_for_update(session, org_id, assessment_id)
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
    _flush(session)
    record(
        session,
        org_id=org_id,
        user_id=user_id,
        action="update",
        entity="assessment",
        entity_id=a.id,
        before=before,
        after=snapshot(a),
        client=client,
    )
    return a


def approve(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    assessment_id: int,
    expected_row_version: int,
    client: str = "",
) -> Assessment:
    """Approve and lock the current version; it must have a result (ConflictError otherwise)."""
    a = _assessment_for_update(session, org_id, assessment_id)
    _check_row_version(a, expected_row_version)
    if a.status == "approved" and a.approved_version == a.current_version:
        raise ConflictError(
            Text(
                f"评价 {a.id} 第 {a.current_version} 版已批准",
                f"assessment {a.id} version {a.current_version} is approved already",
            )
        )
    version = _version_row(session, org_id, a, None)
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
    a.approved_by = user_id
    a.approved_at = now
    a.updated_at = now
    _flush(session)
    record(
        session,
        org_id=org_id,
        user_id=user_id,
        action="approve",
        entity="assessment",
        entity_id=a.id,
        before=before,
        after=snapshot(a),
        client=client,
    )
    return a


def get_assessment(session: Session, *, org_id: int, assessment_id: int) -> Assessment:
    return _owned(session, Assessment, assessment_id, org_id, "评价", "assessment")


def list_assessments(
    session: Session,
    *,
    org_id: int,
    plant_id: int | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Assessment], int]:
    """A page of the organisation's assessments, newest first, and how many match in all."""
    query = select(Assessment).where(Assessment.org_id == org_id)
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
    return _page(session, query.order_by(Assessment.id.desc()), offset, limit)


def list_versions(session: Session, *, org_id: int, assessment_id: int) -> list[AssessmentVersion]:
    """The assessment's versions, oldest first (their bundle zips load only when read)."""
    get_assessment(session, org_id=org_id, assessment_id=assessment_id)
    query = (
        select(AssessmentVersion)
        .where(AssessmentVersion.org_id == org_id, AssessmentVersion.assessment_id == assessment_id)
        .options(defer(AssessmentVersion.bundle_zip))
        .order_by(AssessmentVersion.number)
    )
    return list(session.scalars(query))


def get_version(session: Session, *, org_id: int, assessment_id: int, version: int | None = None) -> AssessmentVersion:
    """One version of the assessment (default: the current one)."""
    a = get_assessment(session, org_id=org_id, assessment_id=assessment_id)
    return _version_row(session, org_id, a, version)


# --- results and outputs --------------------------------------------------------------------------------------


def run_assessment(
    session: Session,
    *,
    org_id: int,
    user_id: int | None,
    assessment_id: int,
    version: int | None = None,
    client: str = "",
    computed: Result | None = None,
) -> ResultRecord:
    """Assess one version (default: the current one) with the shipped factor library and store the result.

    Results are immutable: when this version already has a result from the same library (by digest), that
    result is returned and nothing is written. Bad data found only now (readings) raises InputError. `computed`:
    the result this version's bundle gave when its upload was validated (the same bytes, so the same numbers); used
    when it was made with the current library, instead of assessing again.
    """
    from milkprint.factors.library import default_library
    from milkprint.pipeline import assess_bundle

    a = get_assessment(session, org_id=org_id, assessment_id=assessment_id)
    v = _version_row(session, org_id, a, version)
    library = default_library()
    existing = session.scalar(
        select(ResultRecord)
        .where(
            ResultRecord.org_id == org_id,
            ResultRecord.version_id == v.id,
            ResultRecord.library_digest == library.digest,
        )
        .order_by(ResultRecord.id)
        .limit(1)
    )
    if existing is not None:
        return existing
    if computed is not None and computed.library_digest == library.digest:
        result = computed
    else:
        with _bundle_file(a, v) as path:
            result = assess_bundle(path, library=library)
    try:  # every number finite (the engine sees to it), else nothing is stored: JSON has no inf, a column no NULL
        as_stored = json.loads(json.dumps(result.to_dict(lang="zh"), allow_nan=False))  # as the database gives it
    except ValueError:
        raise InputError.at(
            Location(file="assessment.toml", column="output"),
            "结果含有非有限的数值（无穷大或非数），不予保存",
            "the result holds a number that is not finite (infinity or NaN); it is not stored",
        ) from None
    rec = ResultRecord(
        org_id=org_id,
        version_id=v.id,
        kgco2e_per_t=result.kgco2e_per_t,
        m3_per_t=result.m3_per_t,
        library_version=result.library_version,
        library_digest=result.library_digest,
        result=as_stored,
        factors=result.factors_used(),
        created_by=user_id,
    )
    session.add(rec)
    _flush(session)
    after = snapshot(rec)
    after.pop("result", None)  # the result itself is in its immutable row; the audit names it
    after["factors"] = len(rec.factors)
    after["version_number"] = v.number
    record(
        session,
        org_id=org_id,
        user_id=user_id,
        action="create",
        entity="result",
        entity_id=rec.id,
        after=after,
        client=client,
    )
    return rec


def latest_result_id(session: Session, *, org_id: int, assessment_id: int, version: int | None = None) -> int:
    """The id of the newest result of one version (default: the current one), by ids alone: the hot path of the API,
    which never touches the versions' bundle blobs. NotFoundError when absent or not run yet."""
    wanted_number = Assessment.current_version if version is None else version
    rid = session.scalar(
        select(ResultRecord.id)
        .join(AssessmentVersion, ResultRecord.version_id == AssessmentVersion.id)
        .join(Assessment, AssessmentVersion.assessment_id == Assessment.id)
        .where(
            Assessment.id == assessment_id,
            Assessment.org_id == org_id,
            AssessmentVersion.number == wanted_number,
            ResultRecord.org_id == org_id,
        )
        .order_by(ResultRecord.id.desc())
        .limit(1)
    )
    if rid is not None:
        return rid
    row = session.execute(
        select(Assessment.id, Assessment.current_version).where(
            Assessment.id == assessment_id, Assessment.org_id == org_id
        )
    ).first()
    if row is None:
        raise not_found("评价", "assessment", assessment_id)
    wanted = row.current_version if version is None else version
    raise NotFoundError(  # the assessment exists: that version has no result yet
        Text(
            f"评价 {assessment_id} 第 {wanted} 版尚无计算结果：请先运行评价",
            f"assessment {assessment_id} version {wanted} has no result yet: run the assessment first",
        )
    )


def latest_result(session: Session, *, org_id: int, assessment_id: int, version: int | None = None) -> ResultRecord:
    """The newest result of one version (default: the current one); NotFoundError when it was not run yet."""
    rid = latest_result_id(session, org_id=org_id, assessment_id=assessment_id, version=version)
    return get_result(session, org_id=org_id, result_id=rid)


def get_result(session: Session, *, org_id: int, result_id: int) -> ResultRecord:
    return _owned(session, ResultRecord, result_id, org_id, "计算结果", "result")


def check_findings(
    session: Session, *, org_id: int, assessment_id: int, version: int | None = None, lang: Lang = "zh"
) -> dict[str, Any]:
    """The data-quality verdict of one version (default: the current one), as `milkprint check` prints it."""
    from milkprint.pipeline import check_bundle

    a = get_assessment(session, org_id=org_id, assessment_id=assessment_id)
    v = _version_row(session, org_id, a, version)
    with _bundle_file(a, v) as path:
        report = check_bundle(path)
        out = report.to_dict(lang)
        out["bundle"] = path.name  # not the temporary folder it was checked in
    return out


# --- uploads --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedUpload:
    """An upload validated as a bundle: its canonical zip and what the store keeps beside it."""

    kind: Literal["bundle", "workbook"]
    bundle_zip: bytes
    product_name: str
    product_spec: str
    meters: tuple[BundleMeter, ...]
    result: Result | None = None  # the assessment made while validating (a method milkprint computes)


def parse_upload(filename: str, data: bytes) -> ParsedUpload:
    """Validate a bundle .zip or a filled .xlsx workbook (told apart by content, not by name) into a canonical
    bundle zip; InputError names the file, sheet, row and column of every problem.

    What a run would refuse is refused here, so an upload that is accepted can be run: readings.csv is read as the
    run reads it, and a method milkprint computes is assessed once (a result that is not finite is refused).
    Unpacking is bounded (bundle/archive.py, workbook/package.py) and done in this process's scratch folder.
    """
    from milkprint.bundle.archive import open_bundle
    from milkprint.bundle.writer import bundle_files
    from milkprint.safezip import check_directory
    from milkprint.scratch import scratch_dir
    from milkprint.workbook.source import read_any_bundle

    name = _safe_name(filename)
    where = Location(file=name)
    if not data:
        raise InputError.at(where, "文件为空", "the file is empty")
    check_directory(io.BytesIO(data), name)  # before zipfile reads a table of contents of any size
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputError.at(
            where,
            "既不是案例包（.zip），也不是 Excel 工作簿（.xlsx）",
            "neither a case bundle (.zip) nor an Excel workbook (.xlsx)",
        ) from None
    kind: Literal["bundle", "workbook"] = "workbook" if "xl/workbook.xml" in members else "bundle"
    with scratch_dir("upload-") as tmp:
        received = tmp / "received"
        received.mkdir()
        if kind == "workbook":
            from milkprint.workbook.importer import read_workbook

            path = received / f"{Path(name).stem or 'upload'}.xlsx"  # openpyxl goes by the extension
            path.write_bytes(data)
            stored = canonical_zip(read_workbook(path, _PRODUCT_LIMITS).files())
        else:
            path = received / name
            path.write_bytes(data)
            with open_bundle(path) as root:
                read = read_any_bundle(root)
                _check_product(read.assessment.product)
                stored = canonical_zip(bundle_files(read))
        # What is stored must read back as the same valid bundle (and gives the product and meters), and run.
        back = tmp / "stored.zip"
        back.write_bytes(stored)
        with open_bundle(back) as root:
            bundle = read_any_bundle(root)
            _check_product(bundle.assessment.product)
            _check_meter_lengths(bundle.meters)
            computed = _check_runnable(root, bundle)
    product = bundle.assessment.product
    return ParsedUpload(kind, stored, product.name, product.spec or "", bundle.meters, computed)


# The store's columns for the product (PostgreSQL refuses longer text; SQLite would keep it).
_PRODUCT_LIMITS = {"product.name": 200, "product.spec": 100}


def _check_product(product: BundleProduct) -> None:
    """The product's name and spec fit the store's columns."""
    too_long = [k for k, limit in _PRODUCT_LIMITS.items() if len(getattr(product, k.split(".")[1]) or "") > limit]
    if too_long:
        raise InputError.at(
            Location(file="assessment.toml", column=", ".join(too_long)),
            "产品名称不超过 200 个字符，规格不超过 100 个字符",
            "the product name may have at most 200 characters, its spec at most 100",
        )


def _check_runnable(root: Path, bundle: Bundle) -> Result | None:
    """Refuse now what a run would refuse later (security review F13): readings.csv is read as the run reads it
    (encoding, header, every row), and a method milkprint computes is assessed, which refuses a result that is not
    finite; that result is returned, so a run in the same request stores it instead of computing it again. A method
    that is recognised but not computed yet gets the readings check alone."""
    from milkprint.methods.catalog import METHODS

    if METHODS[bundle.assessment.method].supported:
        from milkprint.factors.library import default_library
        from milkprint.pipeline import assess_bundle

        return assess_bundle(root, library=default_library())
    if bundle.readings is not None and bundle.meters:
        from milkprint.readings.aggregate import meter_totals

        a = bundle.assessment
        meter_totals(bundle.readings, bundle.meters, a.period, a.plant.timezone)
    return None


def canonical_zip(files: Mapping[str, str | bytes | Path]) -> bytes:
    """A bundle's files as a zip with no timestamps and a fixed order: the same bundle gives the same bytes.
    Text is UTF-8; a Path (readings.csv) is copied as it is."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for member in sorted(files):
            content = files[member]
            info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if isinstance(content, Path):
                with content.open("rb") as src, zf.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            else:
                zf.writestr(info, content.encode("utf-8") if isinstance(content, str) else content)
    return buf.getvalue()


_METER_LIMITS = (("meter_id", 100), ("process", 50), ("item", 100), ("unit", 30), ("kind", 20), ("name", 200))


def _check_meter_lengths(meters: Sequence[BundleMeter]) -> None:
    """The meter registry's columns fit the store's (PostgreSQL would refuse them later, SQLite never)."""
    bad = Collector()
    for m in meters:
        for column, limit in _METER_LIMITS:
            if len(str(getattr(m, column))) > limit:
                where = Location(file="meters.csv", row=m.origin.row, column=column)
                bad.add(where, f"超过 {limit} 个字符", f"longer than {limit} characters")
    bad.raise_if_any()


def _safe_name(filename: str) -> str:
    """The upload's file name without folders or control characters, short enough for any file system."""
    base = Path(filename.replace("\\", "/")).name if filename else ""
    base = re.sub(r"[\x00-\x1f]", "_", base).strip().lstrip(".") or "upload"  # no "..", no hidden file
    stem, dot, suffix = base.rpartition(".")
    if dot and len(suffix) <= 10:
        return f"{stem[:60]}.{suffix}" if stem else base[:60]
    return base[:60]  # 60 CJK characters are 180 bytes: within any file system's 255


def _add_upload(
    session: Session, org_id: int, user_id: int | None, filename: str, content_type: str, data: bytes
) -> Upload:
    upload = Upload(
        org_id=org_id,
        filename=(filename or "upload")[:255],
        content_type=(content_type or "")[:100],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        data=data,
        created_by=user_id,
    )
    session.add(upload)
    return upload


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
    _flush(session)
    return version


def _product(session: Session, org_id: int, user_id: int | None, parsed: ParsedUpload, client: str) -> Product:
    """The organisation's product of the bundle's [product] name and spec, created on first sight."""
    product = session.scalar(
        select(Product).where(
            Product.org_id == org_id, Product.name == parsed.product_name, Product.spec == parsed.product_spec
        )
    )
    if product is not None:
        return product
    product = Product(org_id=org_id, name=parsed.product_name, spec=parsed.product_spec)
    _add_created(session, product, "product", org_id=org_id, user_id=user_id, client=client)
    return product


def _refresh_meters(
    session: Session, org_id: int, user_id: int | None, plant_id: int, meters: Sequence[BundleMeter], client: str
) -> None:
    """Make the plant's meter rows those of the bundle's meters.csv; a bundle without meters leaves them alone
    (it was filled from totals, not from the plant's meters)."""
    if not meters:
        return
    existing = {
        m.meter_id: m for m in session.scalars(select(Meter).where(Meter.org_id == org_id, Meter.plant_id == plant_id))
    }
    created: list[Meter] = []
    updated: list[tuple[dict[str, Any], Meter]] = []
    for bm in meters:
        values = {
            "process": str(bm.process),
            "item": str(bm.item),
            "unit": str(bm.unit),
            "kind": str(bm.kind),
            "name": bm.name,
        }
        row = existing.pop(bm.meter_id, None)
        if row is None:
            row = Meter(org_id=org_id, plant_id=plant_id, meter_id=bm.meter_id, **values)
            session.add(row)
            created.append(row)
        elif any(getattr(row, k) != v for k, v in values.items()):
            before = snapshot(row)
            for k, v in values.items():
                setattr(row, k, v)
            updated.append((before, row))
    removed = [(snapshot(row), row) for row in existing.values()]
    for _, row in removed:
        session.delete(row)
    _flush(session)
    for row in created:
        record_created(session, row, "meter", org_id=org_id, user_id=user_id, client=client)
    for before, row in updated:
        record(
            session,
            org_id=org_id,
            user_id=user_id,
            action="update",
            entity="meter",
            entity_id=row.id,
            before=before,
            after=snapshot(row),
            client=client,
        )
    for before, _ in removed:
        record(
            session,
            org_id=org_id,
            user_id=user_id,
            action="delete",
            entity="meter",
            entity_id=before["id"],
            before=before,
            client=client,
        )


# --- helpers --------------------------------------------------------------------------------------------------


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


def _version_row(session: Session, org_id: int, a: Assessment, number: int | None) -> AssessmentVersion:
    wanted = a.current_version if number is None else number
    v = session.scalar(
        select(AssessmentVersion).where(
            AssessmentVersion.org_id == org_id,
            AssessmentVersion.assessment_id == a.id,
            AssessmentVersion.number == wanted,
        )
    )
    if v is None:
        raise NotFoundError(Text(f"找不到评价 {a.id} 的第 {wanted} 版", f"assessment {a.id} has no version {wanted}"))
    return v


@contextmanager
def _bundle_file(a: Assessment, v: AssessmentVersion) -> Iterator[Path]:
    """The version's bundle zip as a file (the pipeline reads bundles from disk), removed afterwards (also after a
    crash: it is in this process's scratch folder, which milkprint.scratch.sweep_stale removes)."""
    from milkprint.scratch import scratch_dir

    with scratch_dir("run-") as tmp:
        path = tmp / f"assessment-{a.id}-v{v.number}.zip"
        path.write_bytes(v.bundle_zip)
        yield path


F = TypeVar("F", bound=str)


def format_of(fmt: str, allowed: tuple[F, ...]) -> F:
    """The format asked for, if it is one of `allowed` (InputError naming the column `format` otherwise)."""
    for f in allowed:
        if fmt == f:
            return f
    raise InputError.at(
        Location(column="format"),
        f"不支持的格式“{fmt}”，应为：{'、'.join(allowed)}",
        f"unsupported format '{fmt}'; expected one of {', '.join(allowed)}",
    )


def _title(title: str) -> str:
    return _text_field(title, "title", "标题", 200)


def _text_field(value: str, column: str, zh: str, limit: int, empty: bool = False) -> str:
    clean = value.strip()
    if (not clean and not empty) or len(clean) > limit:
        raise InputError.at(
            Location(column=column),
            f"{zh}{'' if empty else '不能为空，且'}不超过 {limit} 个字符",
            f"the {column} must {'' if empty else 'not be empty and must '}have at most {limit} characters",
        )
    return clean


def _plant_name_free(session: Session, org_id: int, name: str, plant_id: int | None) -> None:
    query = select(Plant.id).where(Plant.org_id == org_id, Plant.name == name)
    if plant_id is not None:
        query = query.where(Plant.id != plant_id)
    if session.scalar(query) is not None:
        raise ConflictError(Text(f"工厂“{name}”已存在", f"a plant named '{name}' exists already"))


def _page(session: Session, query: Select[T], offset: int, limit: int) -> tuple[list[T], int]:
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InputError.at(
            Location(column="offset" if offset < 0 else "limit"),
            f"分页参数无效：offset ≥ 0，1 ≤ limit ≤ {MAX_PAGE}",
            f"invalid page: offset >= 0 and 1 <= limit <= {MAX_PAGE}",
        )
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return list(session.scalars(query.offset(offset).limit(limit))), total


def _add_created(session: Session, row: Base, entity: str, *, org_id: int, user_id: int | None, client: str) -> None:
    """Add a new row, flush it for its id, and audit its creation (same transaction)."""
    session.add(row)
    _flush(session)
    record_created(session, row, entity, org_id=org_id, user_id=user_id, client=client)


Owned = TypeVar("Owned", Plant, Assessment, ResultRecord)


def _owned(session: Session, model: type[Owned], key: int, org_id: int, zh: str, en: str) -> Owned:
    """The row of `model` with this id in this organisation; another organisation's row is simply not found."""
    row = session.scalar(select(model).where(model.id == key, model.org_id == org_id))
    if row is None:
        raise not_found(zh, en, key)
    return row


def _flush(session: Session) -> None:
    """Write pending changes now, so a concurrent change shows as a ConflictError (never as an overwrite)."""
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(
            Text(
                "该评价刚被他人修改：请重新读取后再试（本次未做任何修改）",
                "the assessment was just changed by someone else: reload it and try again (nothing was changed)",
            )
        ) from None
    except IntegrityError as exc:
        if not _unique_violation(exc):
            raise
        raise ConflictError(
            Text(
                "同时有另一项修改写入了相同的记录：请重试（本次未做任何修改）",
                "another change wrote the same record at the same time: try again (nothing was changed)",
            )
        ) from None


def _unique_violation(exc: IntegrityError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    if code is not None:
        return bool(code == "23505")
    return "UNIQUE constraint failed" in str(exc.orig)
