"""A bundle on disk: a folder, or a zip unpacked into a scratch folder (light: no pydantic here).

Only the bundle's own files are unpacked, from the zip's top or from one folder in it; anything else in the zip (a
`__MACOSX` folder, notes, a second copy) is left packed. Before a byte is written the whole member list is checked:
not too many members, no path that leaves the folder, no symlink, no name twice, no name that is both a file and a
folder. Each kept member is then streamed with bounds (milkprint.safezip): its size, its compression ratio and the
zip's total, so a bomb is refused after at most a bounded amount of disk (security review F2).
"""

from __future__ import annotations

import bisect
import re
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from milkprint.errors import InputError, Location
from milkprint.safezip import MAX_UNPACKED, Budget, MiB, check_count, check_declared, check_directory, stream, where
from milkprint.scratch import scratch_dir

# Every file a bundle may hold (case-bundle.md): exactly the files bundle/reader.py reads (a test keeps them equal).
BUNDLE_FILES = frozenset(
    {
        "assessment.toml",
        "activities.csv",
        "factors.csv",
        "meters.csv",
        "readings.csv",
        "effluent.csv",
        "records.csv",
        "production.csv",
        "samples.csv",
        "coverage.csv",
        # the dairy label's (spec/dairy-label.md)
        "farms.csv",
        "herd.csv",
        "manure.csv",
        "farm_inputs.csv",
        "packaging.csv",
        "animals_sold.csv",
    }
)
READINGS = "readings.csv"
# Members a bundle zip may have: the bundle files, plus what zip tools add (a __MACOSX twin of each, folder entries).
MAX_MEMBERS = 300
# Each file but readings.csv is read whole and validated row by row. The biggest a plant keeps (a year of hourly
# samples.csv) is under 1 MiB; 32 MiB is ~300 000 activity rows.
MAX_TABLE = 32 * MiB
# readings.csv is streamed by DuckDB, never held in memory: it may use the whole budget.
MAX_READINGS = MAX_UNPACKED
_FOLDER_NAME_BYTES = 200  # a file system takes 255 bytes per name; a longer folder name unpacks as "bundle"
_DRIVE = re.compile(r"^[A-Za-z]:")


@contextmanager
def open_bundle(path: Path) -> Iterator[Path]:
    """The bundle's folder: the path itself, or a zip's bundle files unpacked into a scratch folder."""
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
    with path.open("rb") as fh:
        check_directory(fh, path.name)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise InputError.at(
            Location(file=path.name), f"无法读取 .zip 文件：{exc}", f"the .zip cannot be read: {exc}"
        ) from None
    with zf, scratch_dir("bundle-") as tmp:
        folder, kept = _kept_members(zf, path.name)
        root = tmp / (folder or "bundle")
        root.mkdir()
        budget = Budget(path.name)
        for info in kept:
            check_declared(info, path.name, _limit(info))
        budget.declared(kept)
        for info in kept:
            target = root / _parts(info.filename)[-1]
            with target.open("xb") as out:
                for chunk in stream(zf, info, path.name, _limit(info), budget):
                    out.write(chunk)
        yield root


def _limit(info: zipfile.ZipInfo) -> int:
    return MAX_READINGS if _parts(info.filename)[-1] == READINGS else MAX_TABLE


def _parts(name: str) -> list[str]:
    """A member's path as folders and a name; `\\` counts as a separator too (zips made on Windows)."""
    return [p for p in re.split(r"[/\\]", name) if p not in ("", ".")]


def _kept_members(zf: zipfile.ZipFile, zip_name: str) -> tuple[str | None, list[zipfile.ZipInfo]]:
    """The bundle's folder in the zip (None: its top) and the members to unpack, after checking every member."""
    infos = check_count(zf, zip_name, MAX_MEMBERS)
    kinds: dict[str, bool] = {}  # path -> is a folder
    for info in infos:
        name = info.filename
        parts = _parts(name)
        if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts:
            raise InputError.at(where(zip_name, name), "压缩包内路径越界", "path escapes the zip's folder")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise InputError.at(
                where(zip_name, name), "压缩包内有符号链接，不予接受", "the zip holds a symbolic link; refused"
            )
        if not parts:
            continue
        key, is_dir = "/".join(parts), info.is_dir()
        if key in kinds and not (is_dir and kinds[key]):
            raise InputError.at(where(zip_name, name), "压缩包内有重名的文件", "the zip holds this name twice")
        kinds[key] = is_dir
    keys = sorted(kinds)
    for key, is_dir in kinds.items():
        i = bisect.bisect_left(keys, key + "/")
        if not is_dir and i < len(keys) and keys[i].startswith(key + "/"):
            raise InputError.at(
                where(zip_name, keys[i]),
                f"“{key}”在压缩包内既是文件又是文件夹",
                f"'{key}' is both a file and a folder in the zip",
            )
    folder = _bundle_folder(kinds, zip_name)
    prefix = [] if folder is None else [folder]
    kept = []
    for info in infos:
        parts = _parts(info.filename)
        if not info.is_dir() and parts[:-1] == prefix and parts[-1] in BUNDLE_FILES:
            kept.append(info)
    return _safe_folder(folder), kept


def _bundle_folder(kinds: dict[str, bool], zip_name: str) -> str | None:
    """A zip holds the files at its top or in one folder (a __MACOSX folder is not one)."""
    if kinds.get("assessment.toml") is False:
        return None
    found = sorted(
        key.split("/")[0]
        for key, is_dir in kinds.items()
        if not is_dir and key.count("/") == 1 and key.endswith("/assessment.toml") and key.split("/")[0] != "__MACOSX"
    )
    if len(found) == 1:
        return found[0]
    raise InputError.at(
        Location(file=zip_name),
        "压缩包中找不到 assessment.toml",
        "no assessment.toml in the zip (at its top or in one folder)",
    )


def _safe_folder(folder: str | None) -> str | None:
    if folder is None or len(folder.encode("utf-8", "surrogateescape")) > _FOLDER_NAME_BYTES:
        return None
    return folder
