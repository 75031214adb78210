"""A bundle on disk: a folder, or a zip unpacked into a temporary folder (light: no pydantic here)."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from milkprint.errors import InputError, Location


@contextmanager
def open_bundle(path: Path) -> Iterator[Path]:
    """The bundle's folder: the path itself, or a zip unpacked into a temporary folder."""
    if path.is_dir():
        yield path
        return
    if not path.exists():
        raise InputError.at(
            Location(file=str(path)), "找不到案例包（文件夹或 .zip）", "bundle not found (a folder or a .zip)"
        )
    if not zipfile.is_zipfile(path):
        raise InputError.at(
            Location(file=str(path)), "不是文件夹，也不是 .zip 文件", "neither a folder nor a .zip file"
        )
    with tempfile.TemporaryDirectory(prefix="milkprint-") as tmp, zipfile.ZipFile(path) as zf:
        root = Path(tmp)
        for info in zf.infolist():
            target = (root / info.filename).resolve()
            if not str(target).startswith(str(root.resolve())):
                raise InputError.at(
                    Location(file=f"{path.name}:{info.filename}"), "压缩包内路径越界", "path escapes the zip's folder"
                )
        zf.extractall(root)
        yield _bundle_root(root, path)


def _bundle_root(root: Path, origin: Path) -> Path:
    """A zip holds the files at its top or in one folder."""
    if (root / "assessment.toml").exists():
        return root
    found = sorted(p.parent for p in root.rglob("assessment.toml") if "__MACOSX" not in p.parts)
    if len(found) == 1:
        return found[0]
    raise InputError.at(
        Location(file=origin.name),
        "压缩包中找不到 assessment.toml",
        "no assessment.toml in the zip (at its top or in one folder)",
    )
