"""The application layer on real SQLite and PostgreSQL databases: uploads, versions, runs, approval, scoping, audit.

Expected numbers come from the reference case's independently computed expected.json and from the case files
themselves (read with csv/tomllib here), not from the service's own output.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from milkprint.bundle.archive import open_bundle
from milkprint.bundle.reader import read_bundle
from milkprint.errors import InputError
from milkprint.factors.library import default_library
from milkprint.pipeline import assess_bundle
from milkprint.service import assessments as svc
from milkprint.service import renders
from milkprint.service.actor import Actor
from milkprint.service.errors import ConflictError, NotFoundError
from milkprint.store.db import transaction
from milkprint.store.models import (
    Assessment,
    AssessmentVersion,
    AuditEntry,
    Meter,
    Organisation,
    Plant,
    Product,
    ResultRecord,
    Upload,
    User,
)
from milkprint.workbook.template import write_template
from tests.bundles import CASES
from tests.dbs import Store, db_url, store  # noqa: F401

PLANT_2024 = CASES / "plant-2024"
TINY = CASES / "tiny"
EXPECTED = json.loads((PLANT_2024 / "expected.json").read_text(encoding="utf-8"))
TINY_EXPECTED = json.loads((TINY / "expected.json").read_text(encoding="utf-8"))


ROWS = (Upload, Assessment, AssessmentVersion, Product, Meter, ResultRecord, AuditEntry)


def zip_folder(folder: Path, change: Callable[[str, bytes], bytes | None] | None = None) -> bytes:
    """A bundle folder zipped as a user would (inside a folder, expected.json left out); `change` may edit a file
    or drop it (None)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            if path.name == "expected.json":
                continue
            data: bytes | None = path.read_bytes()
            if change is not None:
                data = change(path.name, data)
            if data is not None:
                zf.writestr(f"{folder.name}/{path.name}", data)
    return buf.getvalue()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def plant_zip() -> bytes:
    return zip_folder(PLANT_2024)


@pytest.fixture(scope="module")
def tiny_zip() -> bytes:
    return zip_folder(TINY)


@pytest.fixture(scope="module")
def plant_xlsx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """What `milkprint template --from plant-2024` writes: the workbook a plant engineer fills and uploads."""
    path = tmp_path_factory.mktemp("workbook") / "plant-2024.xlsx"
    write_template(path, None, "zh", PLANT_2024)
    return path.read_bytes()


@dataclass
class World:
    """Two organisations, each with a user and a plant (org A has a second plant)."""

    factory: sessionmaker[Session]
    org: int
    user: int
    plant: int
    plant2: int
    other_org: int
    other_user: int
    other_plant: int


@pytest.fixture
def world(store: Store) -> World:  # noqa: F811  # the fixture imported from tests.dbs
    _, factory = store
    with transaction(factory) as s:
        ids: list[int] = []
        for name in ("甲乳业", "乙乳业"):
            org = svc.create_organisation(s, name)
            user = svc.create_user(s, org_id=org.id, username=f"u-{org.id}", password_hash="x", role="engineer")
            plant = svc.create_plant(s, actor=Actor(org.id, user.id, ""), name="示例乳粉厂", province="内蒙古")
            ids += [org.id, user.id, plant.id]
        plant2 = svc.create_plant(s, actor=Actor(ids[0], ids[1], ""), name="二厂")
        return World(factory, ids[0], ids[1], ids[2], plant2.id, ids[3], ids[4], ids[5])


def create(
    w: World, data: bytes, filename: str = "case.zip", title: str = "2024 年度", plant: int | None = None
) -> int:
    with transaction(w.factory) as s:
        a = svc.create_assessment(
            s,
            actor=Actor(w.org, w.user, "127.0.0.1"),
            plant_id=plant or w.plant,
            title=title,
            filename=filename,
            content_type="application/zip",
            data=data,
        )
        return a.id


def run(w: World, assessment_id: int, version: int | None = None) -> ResultRecord:
    with transaction(w.factory) as s:
        return svc.run_assessment(s, actor=Actor(w.org, w.user, ""), assessment_id=assessment_id, version=version)


def row_version(w: World, assessment_id: int) -> int:
    with w.factory() as s:
        return svc.get_assessment(s, actor=Actor(w.org, None, ""), assessment_id=assessment_id).row_version


def counts(w: World) -> dict[str, int]:
    with w.factory() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) or 0 for m in ROWS}


def audits(w: World, entity: str, action: str | None = None) -> list[AuditEntry]:
    with w.factory() as s:
        q = select(AuditEntry).where(AuditEntry.entity == entity)
        if action:
            q = q.where(AuditEntry.action == action)
        return list(s.scalars(q.order_by(AuditEntry.id)))


# --- uploads --------------------------------------------------------------------------------------------------


def test_zip_upload_keeps_raw_bytes_and_stores_the_validated_bundle(
    world: World, plant_zip: bytes, tmp_path: Path
) -> None:
    a_id = create(world, plant_zip)
    with world.factory() as s:
        a = svc.get_assessment(s, actor=Actor(world.org, None, ""), assessment_id=a_id)
        assert (a.status, a.current_version, a.approved_version, a.title) == ("draft", 1, None, "2024 年度")
        (v,) = svc.list_versions(s, actor=Actor(world.org, None, ""), assessment_id=a_id)
        upload = s.get(Upload, v.upload_id)
        assert upload is not None
        assert upload.data == plant_zip
        assert upload.sha256 == hashlib.sha256(plant_zip).hexdigest() and upload.size == len(plant_zip)
        assert (upload.filename, upload.created_by) == ("case.zip", world.user)
        # The stored bundle: files at the top, readings.csv byte for byte, the tables as the case has them.
        with zipfile.ZipFile(io.BytesIO(v.bundle_zip)) as zf:
            stored = {n: zf.read(n) for n in zf.namelist()}
        assert set(stored) == {p.name for p in PLANT_2024.iterdir()} - {"expected.json"}
        assert stored["readings.csv"] == (PLANT_2024 / "readings.csv").read_bytes()
        stored_path = tmp_path / "stored.zip"
        stored_path.write_bytes(v.bundle_zip)
        case = read_bundle(PLANT_2024)
        with open_bundle(stored_path) as root:
            back = read_bundle(root)
        assert back.assessment == case.assessment
        for table in ("activities", "factors", "meters", "effluent", "records", "production", "samples", "coverage"):
            assert getattr(back, table) == getattr(case, table), table
        # Product and meters from the case's own files.
        toml = tomllib.loads((PLANT_2024 / "assessment.toml").read_text(encoding="utf-8"))
        product = s.get(Product, a.product_id)
        assert product is not None and (product.name, product.spec) == (
            toml["product"]["name"],
            toml["product"]["spec"],
        )
        meters = svc.list_meters(s, actor=Actor(world.org, None, ""), plant_id=world.plant)
        case_meters = csv_rows((PLANT_2024 / "meters.csv").read_bytes())
        assert [(m.meter_id, m.process, m.item, m.unit, m.kind) for m in meters] == sorted(
            (r["meter_id"], r["process"], r["item"], r["unit"], r["kind"]) for r in case_meters
        )
    # The same upload again gives the same stored bytes (canonical), and the product is not duplicated.
    b_id = create(world, plant_zip)
    with world.factory() as s:
        v1 = svc.get_version(s, actor=Actor(world.org, None, ""), assessment_id=a_id)
        v2 = svc.get_version(s, actor=Actor(world.org, None, ""), assessment_id=b_id)
        assert v1.bundle_zip == v2.bundle_zip
        assert len(svc.list_products(s, actor=Actor(world.org, None, ""))) == 1
    created = {(e.entity, e.action) for e in audits(world, "upload") + audits(world, "assessment")}
    assert created == {("upload", "create"), ("assessment", "create")}
    assert len(audits(world, "assessment_version", "create")) == 2
    assert len(audits(world, "meter", "create")) == len(case_meters)  # the second upload changed no meter
    (entry,) = audits(world, "product", "create")
    assert entry.after is not None and entry.after["name"] == toml["product"]["name"]
    first = audits(world, "upload")[0]
    assert first.after is not None and first.after["data_bytes"] == len(plant_zip) and "data" not in first.after
    assert (first.user_id, first.org_id, first.client) == (world.user, world.org, "127.0.0.1")


def test_workbook_upload_assesses_like_the_case(world: World, plant_xlsx: bytes) -> None:
    a_id = create(world, plant_xlsx, filename="填报.xlsx")
    rec = run(world, a_id)
    assert rec.kgco2e_per_t == pytest.approx(EXPECTED["carbon"]["kgco2e_per_t"], rel=1e-9)
    assert rec.m3_per_t == pytest.approx(EXPECTED["water"]["m3_per_t"], rel=1e-9)
    with world.factory() as s:
        meters = svc.list_meters(s, actor=Actor(world.org, None, ""), plant_id=world.plant)
        assert len(meters) == len(csv_rows((PLANT_2024 / "meters.csv").read_bytes()))
        (v,) = svc.list_versions(s, actor=Actor(world.org, None, ""), assessment_id=a_id)
        upload = s.get(Upload, v.upload_id)
        assert upload is not None and upload.data == plant_xlsx and upload.filename == "填报.xlsx"


def drop_activities_amount(name: str, data: bytes) -> bytes | None:
    """activities.csv with the amount of its second data row (spreadsheet row 3) made invalid."""
    if name != "activities.csv":
        return data
    lines = data.decode("utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("amount")] = "abc"
    lines[2] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_bad_uploads_raise_input_error_and_store_nothing(world: World, tiny_zip: bytes, plant_xlsx: bytes) -> None:
    before = counts(world)
    broken_xlsx = io.BytesIO()
    with zipfile.ZipFile(broken_xlsx, "w") as zf:
        zf.writestr("xl/workbook.xml", "<not a workbook")
    bad: list[tuple[bytes, str, str]] = [
        (b"plain text, not a zip", "a.zip", "a.zip"),
        (b"", "empty.zip", "empty.zip"),
        (zip_folder(TINY, lambda n, d: None if n == "assessment.toml" else d), "b.zip", "assessment.toml"),
        (zip_folder(TINY, drop_activities_amount), "c.zip", "activities.csv"),
        (broken_xlsx.getvalue(), "d.xlsx", "d.xlsx"),
    ]
    for data, filename, where in bad:
        s = world.factory()
        try:
            with pytest.raises(InputError) as info:
                svc.create_assessment(
                    s,
                    actor=Actor(world.org, world.user, ""),
                    plant_id=world.plant,
                    title="坏数据",
                    filename=filename,
                    content_type="",
                    data=data,
                )
            s.commit()  # even a caller that commits after the error finds nothing added
        finally:
            s.close()
        assert where in info.value.message("en"), (filename, info.value.message("en"))
        assert counts(world) == before
    # The bad row is named: activities.csv row 3, column amount.
    with world.factory() as s, pytest.raises(InputError) as info:
        svc.create_assessment(
            s,
            actor=Actor(world.org, world.user, ""),
            plant_id=world.plant,
            title="坏数据",
            filename="c.zip",
            content_type="",
            data=zip_folder(TINY, drop_activities_amount),
        )
    assert "row 3" in info.value.message("en") and "amount" in info.value.message("en")
    assert "第 3 行" in info.value.message("zh")
    # A version upload that is bad leaves the assessment as it was.
    a_id = create(world, tiny_zip)
    before = counts(world)
    with pytest.raises(InputError), transaction(world.factory) as s:
        svc.add_version(
            s,
            actor=Actor(world.org, world.user, ""),
            assessment_id=a_id,
            expected_row_version=1,
            filename="c.zip",
            content_type="",
            data=zip_folder(TINY, drop_activities_amount),
        )
    assert counts(world) == before
    assert row_version(world, a_id) == 1


# --- results --------------------------------------------------------------------------------------------------


def test_run_stores_the_result_with_the_exact_factors_and_is_idempotent(world: World, plant_zip: bytes) -> None:
    a_id = create(world, plant_zip)
    rec = run(world, a_id)
    direct = assess_bundle(PLANT_2024)
    assert rec.kgco2e_per_t == direct.kgco2e_per_t  # the stored bundle gives the case's numbers, bit for bit
    assert rec.kgco2e_per_t == pytest.approx(EXPECTED["carbon"]["kgco2e_per_t"], rel=1e-9)
    assert rec.m3_per_t == pytest.approx(EXPECTED["water"]["m3_per_t"], rel=1e-9)
    lib = default_library()
    assert (rec.library_version, rec.library_digest) == (lib.version, lib.digest)
    # The factors list holds every factor the lines used, each once, each with its source.
    used = {(f["id"], f["gas"]) for line in rec.result["lines"] for f in line["factors"]}
    assert used and {(f["id"], f["gas"]) for f in rec.factors} == used
    assert len(rec.factors) == len(used)
    assert all(f["source"] and f["unit"] and isinstance(f["value"], float) for f in rec.factors)
    # Stored and read back in another session: the same JSON.
    with world.factory() as s:
        again = svc.get_result(s, actor=Actor(world.org, None, ""), result_id=rec.id)
        assert again.result == rec.result and again.factors == rec.factors
        assert again.result["carbon"]["kgco2e_per_t"] == rec.kgco2e_per_t
        assert svc.latest_result(s, actor=Actor(world.org, None, ""), assessment_id=a_id).id == rec.id
    # Running again returns the same immutable result and writes nothing.
    before = counts(world)
    assert run(world, a_id).id == rec.id
    assert counts(world) == before
    (entry,) = audits(world, "result", "create")
    assert entry.entity_id == str(rec.id) and entry.after is not None and entry.after["factors"] == len(used)


def test_report_label_and_check(world: World, plant_zip: bytes) -> None:
    a_id = create(world, plant_zip)
    with world.factory() as s:
        pdf = renders.render_file(
            s, kind="report", actor=Actor(world.org, None, ""), assessment_id=a_id, fmt="pdf", lang="zh"
        )
        assert pdf.startswith(b"%PDF")
        svg = renders.render_file(
            s, kind="label", actor=Actor(world.org, None, ""), assessment_id=a_id, fmt="svg", lang="zh"
        ).decode("utf-8")
        whole = f"{round(EXPECTED['carbon']['kgco2e_per_t']):,}"  # 1,026: the label declares whole kgCO2e per t
        assert whole in svg
        png = renders.render_file(
            s, kind="label", actor=Actor(world.org, None, ""), assessment_id=a_id, fmt="png", lang="en"
        )
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        with pytest.raises(InputError):
            renders.render_file(
                s, kind="report", actor=Actor(world.org, None, ""), assessment_id=a_id, fmt="odt", lang="zh"
            )
        found = svc.check_findings(s, actor=Actor(world.org, None, ""), assessment_id=a_id, lang="en")
        assert found["bundle"] == f"assessment-{a_id}-v1.zip"
        assert found["method"] == EXPECTED["method"]
        assert json.loads(json.dumps(found)) == found


# --- scoping, versions, approval ------------------------------------------------------------------------------


def test_another_organisation_finds_nothing(world: World, tiny_zip: bytes) -> None:
    a_id = create(world, tiny_zip)
    r_id = run(world, a_id).id
    rv = row_version(world, a_id)
    other = {"actor": Actor(world.other_org, None, "")}
    who = {"actor": Actor(world.other_org, world.other_user, "")}
    upload = {"filename": "t.zip", "content_type": "", "data": tiny_zip}
    calls: list[Callable[[Session], Any]] = [
        lambda s: svc.get_assessment(s, **other, assessment_id=a_id),
        lambda s: svc.list_versions(s, **other, assessment_id=a_id),
        lambda s: svc.get_version(s, **other, assessment_id=a_id),
        lambda s: svc.add_version(s, **who, assessment_id=a_id, expected_row_version=rv, **upload),
        lambda s: svc.update_title(s, **who, assessment_id=a_id, title="x", expected_row_version=rv),
        lambda s: svc.run_assessment(s, **who, assessment_id=a_id),
        lambda s: svc.latest_result(s, **other, assessment_id=a_id),
        lambda s: svc.get_result(s, **other, result_id=r_id),
        lambda s: svc.check_findings(s, **other, assessment_id=a_id),
        lambda s: renders.render_file(s, kind="report", **other, assessment_id=a_id, fmt="pdf"),
        lambda s: renders.render_file(s, kind="label", **other, assessment_id=a_id, fmt="svg"),
        lambda s: svc.approve(s, **who, assessment_id=a_id, expected_row_version=rv),
        lambda s: svc.get_plant(s, **other, plant_id=world.plant),
        lambda s: svc.update_plant(s, **who, plant_id=world.plant, name="偷改"),
        lambda s: svc.list_meters(s, **other, plant_id=world.plant),
        lambda s: svc.create_assessment(s, **who, plant_id=world.plant, title="t", **upload),
    ]
    before = counts(world)
    for call in calls:
        with world.factory() as s, pytest.raises(NotFoundError):
            call(s)
    assert counts(world) == before
    with world.factory() as s:
        assert svc.list_assessments(s, **other) == ([], 0)
        assert svc.list_products(s, **other) == []
        rows, total = svc.list_plants(s, **other)
        assert [p.id for p in rows] == [world.other_plant] and total == 1
        # An absent id reads exactly like another organisation's.
        with pytest.raises(NotFoundError) as absent:
            svc.get_assessment(s, **other, assessment_id=a_id + 1000)
        with pytest.raises(NotFoundError) as foreign:
            svc.get_assessment(s, **other, assessment_id=a_id)
        assert absent.value.message("en").replace(str(a_id + 1000), "#") == foreign.value.message("en").replace(
            str(a_id), "#"
        )


def test_stale_row_version_is_refused(world: World, tiny_zip: bytes) -> None:
    a_id = create(world, tiny_zip)
    run(world, a_id)
    with transaction(world.factory) as s:
        a = svc.update_title(
            s, actor=Actor(world.org, world.user, ""), assessment_id=a_id, title="新标题", expected_row_version=1
        )
        assert a.row_version == 2
    stale = {"actor": Actor(world.org, world.user, ""), "assessment_id": a_id, "expected_row_version": 1}
    before = counts(world)
    for call in (
        lambda s: svc.update_title(s, **stale, title="又一个"),
        lambda s: svc.add_version(s, **stale, filename="t.zip", content_type="", data=tiny_zip),
        lambda s: svc.approve(s, **stale),
    ):
        with pytest.raises(ConflictError) as info, transaction(world.factory) as s:
            call(s)
        assert "row version 2" in info.value.message("en")
    assert counts(world) == before
    with world.factory() as s:
        a = svc.get_assessment(s, actor=Actor(world.org, None, ""), assessment_id=a_id)
        assert (a.title, a.row_version, a.status) == ("新标题", 2, "draft")


def test_a_concurrent_edit_between_read_and_write_is_detected(world: World, tiny_zip: bytes) -> None:
    """Two editors read row version 1; the second one's write must fail, not overwrite the first."""
    a_id = create(world, tiny_zip)
    s = world.factory()

    def other_editor_commits_first(session: Session, *_: Any) -> None:
        with transaction(world.factory) as first:
            svc.update_title(
                first,
                actor=Actor(world.org, world.user, ""),
                assessment_id=a_id,
                title="甲的标题",
                expected_row_version=1,
            )

    event.listen(s, "before_flush", other_editor_commits_first, once=True)
    try:
        with pytest.raises(ConflictError) as info:
            svc.update_title(
                s, actor=Actor(world.org, world.user, ""), assessment_id=a_id, title="乙的标题", expected_row_version=1
            )
        assert "just changed" in info.value.message("en")  # found by the UPDATE's row-version check, not before
        s.rollback()
    finally:
        s.close()
    with world.factory() as check:
        a = svc.get_assessment(check, actor=Actor(world.org, None, ""), assessment_id=a_id)
        assert (a.title, a.row_version) == ("甲的标题", 2)
    assert [e.after["title"] for e in audits(world, "assessment", "update") if e.after] == ["甲的标题"]


def test_approval_locks_and_a_new_version_starts_a_draft(world: World, tiny_zip: bytes) -> None:
    a_id = create(world, tiny_zip)
    with pytest.raises(ConflictError) as info, transaction(world.factory) as s:
        svc.approve(s, actor=Actor(world.org, world.user, ""), assessment_id=a_id, expected_row_version=1)
    assert "no result" in info.value.message("en")
    first = run(world, a_id)
    assert first.kgco2e_per_t == pytest.approx(TINY_EXPECTED["carbon"]["kgco2e_per_t"], rel=1e-9)
    with transaction(world.factory) as s:
        a = svc.approve(s, actor=Actor(world.org, world.user, "c"), assessment_id=a_id, expected_row_version=1)
        assert (a.status, a.approved_version, a.approved_by, a.row_version) == ("approved", 1, world.user, 2)
        assert a.approved_at is not None
    (entry,) = audits(world, "assessment", "approve")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["status"], entry.after["status"]) == ("draft", "approved")
    assert (entry.before["approved_version"], entry.after["approved_version"]) == (None, 1)
    with pytest.raises(ConflictError) as info, transaction(world.factory) as s:
        svc.update_title(
            s, actor=Actor(world.org, world.user, ""), assessment_id=a_id, title="改", expected_row_version=2
        )
    assert "locked" in info.value.message("en")
    with pytest.raises(ConflictError), transaction(world.factory) as s:
        svc.approve(s, actor=Actor(world.org, world.user, ""), assessment_id=a_id, expected_row_version=2)
    # A change to the approved assessment is a new version; the approved one stays approved and its result stays.
    changed = zip_folder(TINY, lambda n, d: d.replace(b"100.0", b"200.0") if n == "assessment.toml" else d)
    with transaction(world.factory) as s:
        v = svc.add_version(
            s,
            actor=Actor(world.org, world.user, ""),
            assessment_id=a_id,
            expected_row_version=2,
            filename="v2.zip",
            content_type="application/zip",
            data=changed,
            note="产量更正",
        )
        assert (v.number, v.note) == (2, "产量更正")
    with world.factory() as s:
        a = svc.get_assessment(s, actor=Actor(world.org, None, ""), assessment_id=a_id)
        assert (a.status, a.current_version, a.approved_version, a.row_version) == ("draft", 2, 1, 3)
        assert [v.number for v in svc.list_versions(s, actor=Actor(world.org, None, ""), assessment_id=a_id)] == [1, 2]
        with pytest.raises(NotFoundError):
            svc.latest_result(s, actor=Actor(world.org, None, ""), assessment_id=a_id)  # version 2 not run yet
        assert svc.latest_result(s, actor=Actor(world.org, None, ""), assessment_id=a_id, version=1).id == first.id
    (update,) = audits(world, "assessment", "update")
    assert update.before is not None and update.after is not None
    assert (update.before["current_version"], update.after["current_version"]) == (1, 2)
    assert (update.before["status"], update.after["status"]) == ("approved", "draft")
    assert run(world, a_id, version=1).id == first.id
    second = run(world, a_id)
    assert second.id != first.id
    # Twice the production of the tiny case (no allocation): half the footprint per tonne.
    assert second.kgco2e_per_t == pytest.approx(first.kgco2e_per_t / 2, rel=1e-12)
    with transaction(world.factory) as s:
        a = svc.update_title(
            s, actor=Actor(world.org, world.user, ""), assessment_id=a_id, title="第二版", expected_row_version=3
        )
        a = svc.approve(s, actor=Actor(world.org, world.user, ""), assessment_id=a_id, expected_row_version=4)
        assert (a.status, a.approved_version) == ("approved", 2)


def test_title_changes_are_audited_with_before_and_after(world: World, tiny_zip: bytes) -> None:
    a_id = create(world, tiny_zip)
    with transaction(world.factory) as s:
        svc.update_title(
            s,
            actor=Actor(world.org, world.user, "c1"),
            assessment_id=a_id,
            title=" 新 ",
            expected_row_version=1,
        )
        with pytest.raises(InputError):
            svc.update_title(
                s, actor=Actor(world.org, world.user, ""), assessment_id=a_id, title="  ", expected_row_version=2
            )
    (entry,) = audits(world, "assessment", "update")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["title"], entry.after["title"]) == ("2024 年度", "新")
    assert (entry.before["row_version"], entry.after["row_version"]) == (1, 2)
    assert (entry.user_id, entry.org_id, entry.client, entry.entity_id) == (world.user, world.org, "c1", str(a_id))
    assert entry.at is not None


# --- lists, plants, products, meters --------------------------------------------------------------------------


def test_lists_page_and_filter(world: World, tiny_zip: bytes) -> None:
    ids = [create(world, tiny_zip, title=f"评价 {i}") for i in range(3)]
    ids.append(create(world, tiny_zip, title="二厂评价", plant=world.plant2))
    run(world, ids[0])
    with transaction(world.factory) as s:
        svc.approve(s, actor=Actor(world.org, world.user, ""), assessment_id=ids[0], expected_row_version=1)
    with world.factory() as s:
        rows, total = svc.list_assessments(s, actor=Actor(world.org, None, ""), limit=2)
        assert total == 4 and [a.id for a in rows] == sorted(ids, reverse=True)[:2]
        rows, total = svc.list_assessments(s, actor=Actor(world.org, None, ""), offset=2, limit=2)
        assert total == 4 and [a.id for a in rows] == sorted(ids, reverse=True)[2:]
        rows, total = svc.list_assessments(s, actor=Actor(world.org, None, ""), status="approved")
        assert (total, [a.id for a in rows]) == (1, [ids[0]])
        rows, total = svc.list_assessments(s, actor=Actor(world.org, None, ""), plant_id=world.plant2, status="draft")
        assert (total, [a.id for a in rows]) == (1, [ids[3]])
        with pytest.raises(InputError):
            svc.list_assessments(s, actor=Actor(world.org, None, ""), status="deleted")
        with pytest.raises(InputError):
            svc.list_assessments(s, actor=Actor(world.org, None, ""), limit=0)
        rows_p, total_p = svc.list_plants(s, actor=Actor(world.org, None, ""), limit=1)
        assert total_p == 2 and [p.id for p in rows_p] == [world.plant]


def test_plants_products_users_and_organisations(world: World) -> None:
    with transaction(world.factory) as s:
        p = svc.update_plant(s, actor=Actor(world.org, world.user, "c"), plant_id=world.plant, grid="蒙西")
        assert (p.name, p.province, p.grid) == ("示例乳粉厂", "内蒙古", "蒙西")
        same = svc.update_plant(s, actor=Actor(world.org, world.user, ""), plant_id=world.plant, grid="蒙西")
        assert same.grid == "蒙西"
    (entry,) = audits(world, "plant", "update")  # the unchanged second call wrote nothing
    assert entry.before is not None and entry.after is not None
    assert (entry.before["grid"], entry.after["grid"]) == ("", "蒙西")
    with pytest.raises(ConflictError), transaction(world.factory) as s:
        svc.update_plant(s, actor=Actor(world.org, world.user, ""), plant_id=world.plant2, name="示例乳粉厂")
    with pytest.raises(ConflictError), transaction(world.factory) as s:
        svc.create_plant(s, actor=Actor(world.org, world.user, ""), name="二厂")
    with transaction(world.factory) as s:  # the same name in another organisation is another plant
        svc.create_plant(s, actor=Actor(world.other_org, world.other_user, ""), name="二厂")
    with pytest.raises(InputError), transaction(world.factory) as s:
        svc.create_user(s, org_id=world.org, username="x", password_hash="h", role="superuser")
    with pytest.raises(ConflictError), transaction(world.factory) as s:
        svc.create_user(s, org_id=world.org, username=f"u-{world.org}", password_hash="h", role="viewer")
    with pytest.raises(ConflictError), transaction(world.factory) as s:
        svc.create_organisation(s, "甲乳业")
    with world.factory() as s:
        assert s.scalar(select(func.count()).select_from(Organisation)) == 2
        assert s.scalar(select(func.count()).select_from(User)) == 2
        assert s.scalar(select(func.count()).select_from(Plant).where(Plant.org_id == world.other_org)) == 2
    assert [e.after["name"] for e in audits(world, "organisation", "create") if e.after] == ["甲乳业", "乙乳业"]


def test_a_new_meter_registry_replaces_the_plants_meters(world: World, plant_zip: bytes) -> None:
    a_id = create(world, plant_zip)
    case_meters = csv_rows((PLANT_2024 / "meters.csv").read_bytes())
    dropped, renamed = case_meters[0]["meter_id"], case_meters[1]["meter_id"]

    def change(name: str, data: bytes) -> bytes:
        if name == "readings.csv":  # the dropped meter's readings go too: an upload that cannot run is refused
            lines = data.decode("utf-8").splitlines(keepends=True)
            return "".join(line for line in lines if f",{dropped}," not in line).encode("utf-8")
        if name != "meters.csv":
            return data
        rows = csv_rows(data)
        out = io.StringIO()
        w = csv.DictWriter(out, [*rows[0].keys(), "name"], lineterminator="\n")
        w.writeheader()
        for r in rows:
            if r["meter_id"] != dropped:
                w.writerow({**r, "name": "干燥塔电表" if r["meter_id"] == renamed else ""})
        return out.getvalue().encode("utf-8")

    with transaction(world.factory) as s:
        svc.add_version(
            s,
            actor=Actor(world.org, world.user, ""),
            assessment_id=a_id,
            expected_row_version=1,
            filename="v2.zip",
            content_type="",
            data=zip_folder(PLANT_2024, change),
        )
    with world.factory() as s:
        meters = {m.meter_id: m for m in svc.list_meters(s, actor=Actor(world.org, None, ""), plant_id=world.plant)}
    assert set(meters) == {r["meter_id"] for r in case_meters} - {dropped}
    assert meters[renamed].name == "干燥塔电表"
    (deleted,) = audits(world, "meter", "delete")
    assert deleted.before is not None and deleted.before["meter_id"] == dropped and deleted.after is None
    (updated,) = audits(world, "meter", "update")
    assert updated.before is not None and updated.after is not None
    assert (updated.before["name"], updated.after["name"]) == ("", "干燥塔电表")


def _row_counts(w: World) -> dict[str, int]:
    with w.factory() as s:
        return {
            m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Assessment, AssessmentVersion, ResultRecord, Upload, AuditEntry)
        }


def test_create_and_run_lands_with_its_result_or_not_at_all(world: World, plant_zip: bytes) -> None:
    """A bad reading is found only when the assessment runs: the upload must not land without its result."""

    def bad_reading(name: str, data: bytes) -> bytes | None:
        if name != "readings.csv":
            return data
        lines = data.decode("utf-8").splitlines()
        middle = len(lines) // 2  # inside the assessed period (file row middle + 1)
        ts, meter, _ = lines[middle].split(",")
        lines[middle] = f"{ts},{meter},not-a-number"
        bad_row.append(middle + 1)
        return ("\n".join(lines) + "\n").encode("utf-8")

    bad_row: list[int] = []
    before = _row_counts(world)
    with pytest.raises(InputError) as err, transaction(world.factory) as s:
        svc.create_and_run(
            s,
            actor=Actor(world.org, world.user, ""),
            plant_id=world.plant,
            title="坏读数",
            filename="bad.zip",
            content_type="application/zip",
            data=zip_folder(PLANT_2024, bad_reading),
        )
    assert any(p.location.file == "readings.csv" and p.location.row == bad_row[0] for p in err.value.problems)
    assert _row_counts(world) == before
    with transaction(world.factory) as s:
        a = svc.create_and_run(
            s,
            actor=Actor(world.org, world.user, ""),
            plant_id=world.plant,
            title="2024",
            filename="ok.zip",
            content_type="application/zip",
            data=plant_zip,
        )
        aid = a.id
    with world.factory() as s:
        rec = svc.latest_result(s, actor=Actor(world.org, None, ""), assessment_id=aid)
        assert rec.kgco2e_per_t == pytest.approx(EXPECTED["carbon"]["kgco2e_per_t"], rel=1e-9)
