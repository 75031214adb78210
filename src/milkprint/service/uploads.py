"""Uploads: a bundle .zip or a filled .xlsx workbook validated into a canonical bundle zip, and the raw upload kept.

`parse_upload` refuses whatever a run would refuse later, so an accepted upload can be run; `canonical_zip` gives the
same bytes for the same bundle; `add_upload` keeps the raw bytes as they came (nothing is lost).
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy.orm import Session

from milkprint.errors import Collector, InputError, Location
from milkprint.service.actor import Actor
from milkprint.store.models import Upload

if TYPE_CHECKING:
    from milkprint.bundle.models import Meter as BundleMeter
    from milkprint.bundle.models import Product as BundleProduct
    from milkprint.bundle.reader import Bundle
    from milkprint.engine.result import Result


MAX_UPLOAD = 200 * 1024 * 1024  # bytes, for every door; a year of 15-minute readings of 120 meters is ~150 MiB
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every member of a stored bundle zip: same content, same bytes


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


def add_upload(session: Session, actor: Actor, filename: str, content_type: str, data: bytes) -> Upload:
    """Keep the raw upload as it came (its bytes, size and SHA-256), in the caller's transaction."""
    upload = Upload(
        org_id=actor.org_id,
        filename=(filename or "upload")[:255],
        content_type=(content_type or "")[:100],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        data=data,
        created_by=actor.user_id,
    )
    session.add(upload)
    return upload
