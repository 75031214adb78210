"""Members of a user's zip (a case bundle or an .xlsx workbook) read with bounds, so a zip bomb costs little.

A zip's header states each member's size, but a header is the attacker's to write. So the declared sizes are checked
first (an honest bomb is refused before a byte is inflated), and then every member is streamed with its own running
count of the bytes it really gives, checked against the member's limit, the compression ratio and the archive's
total. A damaged, encrypted or oddly compressed member is an InputError naming the zip and the member, not a crash.

Used by bundle/archive.py (which writes the members it keeps to a scratch folder) and workbook/package.py (which
inspects a workbook's parts before openpyxl opens it).
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from milkprint.errors import InputError, Location

MiB = 1024 * 1024

# What one upload may unpack to, all members together: 4 × the upload limit (service.MAX_UPLOAD, 200 MiB). A year of
# 15-minute readings of 120 meters, the size that limit is made for, is ~150 MiB as CSV (~180 MiB as a sheet).
MAX_UNPACKED = 800 * MiB
# Inflated bytes per compressed byte above which a member is a bomb, not data. Measured: readings.csv 5.3-5.5:1
# (sample plant, plant-2024), a year of minute readings of one constant meter 13:1 (the most compressible readings
# there are: every row has its own timestamp), workbook parts 1.3-10:1; deflate itself cannot pass ~1030:1 (zeros).
# 200:1 leaves legitimate data a margin of 15 and refuses a bomb after at most 200 × its compressed size.
MAX_RATIO = 200
# Members that inflate to less than this are not ratio-checked: tiny files compress oddly and cannot hurt.
RATIO_FLOOR = 1 * MiB
_CHUNK = 1 * MiB  # read size: memory per member in flight stays at about this
# The zip's table of contents, which zipfile reads and turns into objects whole before anyone can count them
# (~400 bytes of memory per member). 1 000 members with long names and extra fields take well under 1 MiB.
MAX_DIRECTORY = 1 * MiB

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


def where(zip_name: str, member: str) -> Location:
    """A member as an error names it: `bundle.zip:activities.csv`."""
    return Location(file=f"{zip_name}:{member}")


def mib(n: int) -> str:
    return f"{n / MiB:g} MiB"


class Budget:
    """The bytes an archive may still unpack, shared by all its members."""

    def __init__(self, zip_name: str, total: int = MAX_UNPACKED) -> None:
        self.zip_name, self.total, self.left = zip_name, total, total

    def declared(self, infos: list[zipfile.ZipInfo]) -> None:
        """Refuse at once when the members' declared sizes already add up to more than the total."""
        if sum(i.file_size for i in infos) > self.total:
            raise self._over()

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise self._over()

    def _over(self) -> InputError:
        return InputError.at(
            Location(file=self.zip_name),
            f"解压后总计超过 {mib(self.total)}，拒绝处理（疑似压缩炸弹）",
            f"unpacks to more than {mib(self.total)} in total; refused (a zip bomb?)",
        )


def check_directory(fp: BinaryIO, zip_name: str) -> None:
    """Refuse a zip whose table of contents is bigger than MAX_DIRECTORY, before zipfile reads it.

    zipfile parses the whole central directory into objects when it opens a zip; 200 MiB of tiny members would be
    millions of them. The size is what the end record states, which is also what zipfile reads.
    """
    stated = _directory_size(fp)
    if stated is not None and stated > MAX_DIRECTORY:
        raise InputError.at(
            Location(file=zip_name),
            f"压缩包的目录有 {mib(stated)}，超过上限 {mib(MAX_DIRECTORY)}（成员过多）",
            f"the zip's table of contents is {mib(stated)}, more than {mib(MAX_DIRECTORY)} (too many members)",
        )


def _directory_size(fp: BinaryIO) -> int | None:
    """The central directory's size in bytes as the end record (or its zip64 twin) states it; None without one."""
    fp.seek(0, os.SEEK_END)
    end = fp.tell()
    start = max(0, end - _EOCD.size - 0xFFFF)  # the record, then a comment of at most 64 KiB
    fp.seek(start)
    tail = fp.read()
    i = tail.rfind(b"PK\x05\x06")
    if i < 0 or len(tail) - i < _EOCD.size:
        return None
    size: int = _EOCD.unpack_from(tail, i)[5]
    j = i - _ZIP64_LOCATOR.size
    if j >= 0 and tail[j : j + 4] == b"PK\x06\x07":
        offset = _ZIP64_LOCATOR.unpack_from(tail, j)[2]
        fp.seek(offset)
        record = fp.read(_ZIP64_EOCD.size)
        if len(record) == _ZIP64_EOCD.size and record[:4] == b"PK\x06\x06":
            size = _ZIP64_EOCD.unpack(record)[8]  # as zipfile does: the zip64 record rules
    return size


def check_count(zf: zipfile.ZipFile, zip_name: str, limit: int) -> list[zipfile.ZipInfo]:
    """The zip's members, refused when there are more than `limit` (each one costs time and a file)."""
    infos = zf.infolist()
    if len(infos) > limit:
        raise InputError.at(
            Location(file=zip_name),
            f"压缩包有 {len(infos)} 个成员，超过上限 {limit}",
            f"the zip has {len(infos)} members, more than the {limit} allowed",
        )
    return infos


def check_declared(info: zipfile.ZipInfo, zip_name: str, limit: int) -> None:
    """Refuse a member whose header already says it is too big or too compressed."""
    _check(info, zip_name, info.file_size, limit)


def stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, zip_name: str, limit: int, budget: Budget) -> Iterator[bytes]:
    """The member's bytes in chunks of about 1 MiB, each counted against its limit, the ratio and the budget."""
    check_declared(info, zip_name, limit)
    seen = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                seen += len(chunk)
                _check(info, zip_name, seen, limit)
                budget.take(len(chunk))
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        # A bad CRC (also what a header that understates the size gives), a truncated or garbled stream.
        raise InputError.at(
            where(zip_name, info.filename), f"压缩包成员已损坏：{exc}", f"the member is damaged: {exc}"
        ) from None
    except RuntimeError:  # zipfile: "File ... is encrypted, password required for extraction"
        raise InputError.at(
            where(zip_name, info.filename), "成员已加密，无法读取", "the member is encrypted and cannot be read"
        ) from None
    except NotImplementedError:  # a compression method zipfile does not know (e.g. 9, deflate64)
        raise InputError.at(
            where(zip_name, info.filename),
            "成员的压缩方式不受支持（请用标准 ZIP 压缩，deflate）",
            "the member's compression method is not supported (use standard ZIP deflate)",
        ) from None


def _check(info: zipfile.ZipInfo, zip_name: str, size: int, limit: int) -> None:
    at = where(zip_name, info.filename)
    if size > limit:
        raise InputError.at(
            at,
            f"解压后超过 {mib(limit)}，拒绝处理",
            f"unpacks to more than {mib(limit)}; refused",
        )
    if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
        raise InputError.at(
            at,
            f"压缩比超过 {MAX_RATIO}:1，拒绝处理（疑似压缩炸弹）",
            f"compressed more than {MAX_RATIO}:1; refused (a zip bomb?)",
        )
