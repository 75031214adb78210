"""Running an assessment and its results: a run stores an immutable result of one version; the check findings.

A version's result from a given factor library (by digest) is stored once and never overwritten. `create_and_run`
and `add_version_and_run` are what a person uploading data expects: the upload stored and assessed in one
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from milkprint.engine.contract import result_document
from milkprint.errors import InputError, Lang, Location, Text
from milkprint.service.actor import Actor
from milkprint.service.common import audit, flush, owned
from milkprint.service.errors import NotFoundError, not_found
from milkprint.service.uploads import parse_upload
from milkprint.service.versions import add_version, create_assessment, get_assessment, version_row
from milkprint.store.audit import snapshot
from milkprint.store.models import Assessment, AssessmentVersion, ResultRecord

if TYPE_CHECKING:
    from milkprint.engine.result import Result


def run_assessment(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    version: int | None = None,
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

    org_id = actor.org_id
    a = get_assessment(session, actor=actor, assessment_id=assessment_id)
    v = version_row(session, a, version)
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
        as_stored = json.loads(json.dumps(result_document(result, lang="zh"), allow_nan=False))  # as the database gives it
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
        created_by=actor.user_id,
    )
    session.add(rec)
    flush(session)
    after = snapshot(rec)
    after.pop("result", None)  # the result itself is in its immutable row; the audit names it
    after["factors"] = len(rec.factors)
    after["version_number"] = v.number
    audit(session, actor, action="create", entity="result", entity_id=rec.id, after=after)
    return rec


def create_and_run(
    session: Session,
    *,
    actor: Actor,
    plant_id: int,
    title: str,
    filename: str,
    content_type: str,
    data: bytes,
) -> Assessment:
    """A new assessment with its result, in the caller's transaction: what a person uploading data expects (the web
    page); bad input anywhere, the readings included, raises InputError before the caller commits anything. The
    upload is validated and assessed before the first write, so a database's write lock is held only for the
    inserts (SQLite has one writer: a long assessment inside the transaction would stall every other writer)."""
    parsed = parse_upload(filename, data)
    a = create_assessment(
        session,
        actor=actor,
        plant_id=plant_id,
        title=title,
        filename=filename,
        content_type=content_type,
        data=data,
        parsed=parsed,
    )
    flush(session)
    run_assessment(session, actor=actor, assessment_id=a.id, computed=parsed.result)
    return a


def add_version_and_run(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    expected_row_version: int,
    filename: str,
    content_type: str,
    data: bytes,
    note: str = "",
) -> AssessmentVersion:
    """A new version with its result, in the caller's transaction (see create_and_run: assessed before any write)."""
    parsed = parse_upload(filename, data)
    v = add_version(
        session,
        actor=actor,
        assessment_id=assessment_id,
        expected_row_version=expected_row_version,
        filename=filename,
        content_type=content_type,
        data=data,
        note=note,
        parsed=parsed,
    )
    flush(session)
    run_assessment(session, actor=actor, assessment_id=assessment_id, computed=parsed.result)
    return v


def latest_result_id(session: Session, *, actor: Actor, assessment_id: int, version: int | None = None) -> int:
    """The id of the newest result of one version (default: the current one), by ids alone: the hot path of the API,
    which never touches the versions' bundle blobs. NotFoundError when absent or not run yet."""
    org_id = actor.org_id
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


def latest_result(session: Session, *, actor: Actor, assessment_id: int, version: int | None = None) -> ResultRecord:
    """The newest result of one version (default: the current one); NotFoundError when it was not run yet."""
    rid = latest_result_id(session, actor=actor, assessment_id=assessment_id, version=version)
    return get_result(session, actor=actor, result_id=rid)


def get_result(session: Session, *, actor: Actor, result_id: int) -> ResultRecord:
    return owned(session, ResultRecord, result_id, actor.org_id, "计算结果", "result")


def version_figures(
    session: Session, *, actor: Actor, versions: list[AssessmentVersion]
) -> dict[int, tuple[float, float]]:
    """kgCO2e/t and m3/t of each version's newest result, by version number (versions not run are absent)."""
    numbers = {v.id: v.number for v in versions}
    rows = session.execute(
        select(ResultRecord.version_id, ResultRecord.kgco2e_per_t, ResultRecord.m3_per_t)
        .where(ResultRecord.org_id == actor.org_id, ResultRecord.version_id.in_(list(numbers) or [-1]))
        .order_by(ResultRecord.id)
    ).all()
    return {numbers[vid]: (kg, m3) for vid, kg, m3 in rows}


def check_findings(
    session: Session, *, actor: Actor, assessment_id: int, version: int | None = None, lang: Lang = "zh"
) -> dict[str, Any]:
    """The data-quality verdict of one version (default: the current one), as `milkprint check` prints it."""
    from milkprint.pipeline import check_bundle

    a = get_assessment(session, actor=actor, assessment_id=assessment_id)
    v = version_row(session, a, version)
    with _bundle_file(a, v) as path:
        report = check_bundle(path)
        out = report.to_dict(lang)
        out["bundle"] = path.name  # not the temporary folder it was checked in
    return out


@contextmanager
def _bundle_file(a: Assessment, v: AssessmentVersion) -> Iterator[Path]:
    """The version's bundle zip as a file (the pipeline reads bundles from disk), removed afterwards (also after a
    crash: it is in this process's scratch folder, which milkprint.scratch.sweep_stale removes)."""
    from milkprint.scratch import scratch_dir

    with scratch_dir("run-") as tmp:
        path = tmp / f"assessment-{a.id}-v{v.number}.zip"
        path.write_bytes(v.bundle_zip)
        yield path
