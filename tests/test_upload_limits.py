"""Every upload path is bounded, and malformed input is an InputError naming its place (security review F2, F4, F12,
F13, F15, uploads U1-U37).

The bombs are real: members that inflate to a GiB or more. `packed` builds them in milliseconds from one independent
deflate block repeated (a full flush leaves no reference to earlier data, so every copy is the same bytes), and
`zip_of` writes them into a zip as they are, so a test costs what the code under test spends. That is the point:
each bomb must be refused within seconds and leave (almost) nothing on disk. Uploads go through
`service.assessments.parse_upload`, which both HTTP doors call; the CLI is checked for exit code 2.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import re
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomli_w

from milkprint.bundle.archive import BUNDLE_FILES, MAX_MEMBERS, open_bundle
from milkprint.bundle.reader import TABLES, read_assessment
from milkprint.errors import InputError
from milkprint.pipeline import assess_bundle
from milkprint.report.label import LabelData, format_footprint, label_svg
from milkprint.safezip import MAX_RATIO, MAX_UNPACKED, MiB
from milkprint.scratch import scratch_dir, scratch_root, sweep_stale
from milkprint.service.assessments import MAX_UPLOAD, parse_upload
from milkprint.workbook.package import MAX_PARTS
from milkprint.workbook.sheetxml import MAX_CELL_CHARS, MAX_ROWS, WORKBOOK, WORKBOOK_RELS, sheet_parts
from milkprint.workbook.template import write_template
from tests.bundles import CASES, REPO, assessment_dict, write_bundle

SAMPLE = REPO / "src" / "milkprint" / "samples" / "sample_plant"
PLANT_2024 = CASES / "plant-2024"
TINY = CASES / "tiny"
GiB = 1024 * MiB
FAST_S = 3.0  # what "refused quickly" means here: the probe saw 101 s for the same workbook


# --- building zips ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Packed:
    """A member as raw deflate data with its CRC-32 and size, written into a zip as it is."""

    data: bytes
    crc: int
    size: int


@functools.cache
def packed(*parts: bytes | tuple[bytes, int]) -> Packed:
    """The deflate of `parts` in order; a part (block, n) is `block` n times, deflated once (only its CRC-32 is
    computed n times: about 0.5 s a GiB)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    out, crc, size = [], 0, 0
    for part in parts:
        block, n = part if isinstance(part, tuple) else (part, 1)
        out.append((c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)) * n)
        for _ in range(n):
            crc = zlib.crc32(block, crc)
        size += len(block) * n
    out.append(c.flush())
    return Packed(b"".join(out), crc, size)


def zip_of(members: dict[str, bytes | Packed], declared: dict[str, int] | None = None) -> bytes:
    """A zip of the members (deflated, UTF-8 names); `declared` overrides a member's stated size (a lying header)."""
    out, central = bytearray(), bytearray()
    for name, content in members.items():
        p = content if isinstance(content, Packed) else packed(content)
        size = (declared or {}).get(name, p.size)
        raw = name.encode("utf-8")
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, p.crc, len(p.data), size, len(raw), 0)
        out += raw + p.data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            *(0x02014B50, 0x314, 20, 0x800, 8, 0, 0x21, p.crc, len(p.data), size, len(raw), 0, 0, 0, 0),
            *(0o100644 << 16, offset),  # a regular file, rw-r--r--
        )
        central += raw
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
    return bytes(out)


def folder_files(folder: Path, prefix: str = "") -> dict[str, bytes | Packed]:
    return {prefix + p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "expected.json"}


def minute_readings() -> bytes:
    """A year of minute readings of one constant meter: the most compressible readings a plant can have (13:1)."""
    minutes = [f"T{h:02d}:{m:02d}:00,E-DRY-01,0\n" for h in range(24) for m in range(60)]
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=d) for d in range(366)]
    body = "".join(day.isoformat() + minute for day in days for minute in minutes)
    return ("timestamp,meter_id,value\n" + body).encode()


# --- the scratch folder ------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's scratch root is its own, so what a refusal leaves on disk can be measured."""
    monkeypatch.setenv("MILKPRINT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def scratch_bytes() -> int:
    return sum(p.stat().st_size for p in scratch_root().rglob("*") if p.is_file())


def refused(filename: str, data: bytes, *words: str) -> InputError:
    """parse_upload refuses `data` within FAST_S seconds, naming every word, leaving under 1 MiB in scratch."""
    start = time.monotonic()
    with pytest.raises(InputError) as info:
        parse_upload(filename, data)
    elapsed = time.monotonic() - start
    message = info.value.message("en") + "\n" + info.value.message("zh")
    for w in words:
        assert w in message, message
    assert elapsed < FAST_S, (elapsed, message)
    assert scratch_bytes() < MiB
    return info.value


# --- F2: bundle zips ----------------------------------------------------------------------------------------------


def test_the_limits_are_the_documented_ones() -> None:
    assert MAX_UNPACKED == 4 * MAX_UPLOAD
    assert MAX_RATIO == 200
    assert set(TABLES) | {"assessment.toml", "readings.csv"} == BUNDLE_FILES  # exactly what the reader reads


def test_legitimate_bundles_unpack_whole_and_alone() -> None:
    """The sample plant, plant-2024 zipped in a folder by a Mac (with __MACOSX), and a year of minute readings of a
    constant meter (13:1, the most compressible readings) all pass, and only the bundle's files are unpacked."""
    minute = minute_readings()
    assert len(minute) / len(packed(minute).data) < MAX_RATIO / 10  # the ratio limit leaves a margin of 10 at least
    mac = {"__MACOSX/plant/._assessment.toml": b"\0" * 300, "__MACOSX/._plant": b"x", "plant/notes.txt": b"hi"}
    cases = [
        folder_files(SAMPLE),
        {**folder_files(PLANT_2024, "plant/"), **mac},
        {**folder_files(SAMPLE), "readings.csv": minute},
    ]
    for members in cases:
        data = zip_of(members)
        parse_upload("ok.zip", data)
        path = scratch_root() / "ok.zip"
        path.write_bytes(data)
        with open_bundle(path) as root:
            unpacked = {p.name: p.read_bytes() for p in root.iterdir()}
            assert set(root.parent.rglob("*")) == {root, *root.iterdir()}  # nothing else was written
        expected = {Path(k).name: v for k, v in members.items() if Path(k).name in BUNDLE_FILES}
        assert unpacked == expected


SAMPLES_HEADER = b"timestamp,process,item,value,unit\n"
BOMBS: list[tuple[str, str, bytes | Packed]] = [
    ("readings.csv of 1 GiB", "readings.csv", packed((b"\0" * MiB, 1024))),  # over its limit
    ("readings.csv of 700 MiB", "readings.csv", packed((b"\0" * MiB, 700))),  # within its limit, over the ratio
    # blank lines: a CSV reader skips them, so without limits these were read whole and accepted
    ("samples.csv of 1 GiB", "samples.csv", packed(SAMPLES_HEADER, (b"\n" * MiB, 1024))),
    ("samples.csv of 20 MiB", "samples.csv", packed(SAMPLES_HEADER, (b"\n" * MiB, 20))),  # within, over the ratio
]


@pytest.mark.parametrize(("member", "bomb"), [b[1:] for b in BOMBS], ids=[b[0] for b in BOMBS])
def test_zip_bombs_are_refused_at_once_and_leave_no_disk(member: str, bomb: Packed) -> None:
    """U6: 1.2 MB of zip asked for 1 GiB in /tmp and was accepted after 1.65 s."""
    refused("bomb.zip", zip_of({**folder_files(SAMPLE), member: bomb}), f"bomb.zip:{member}", "refused")


def test_a_huge_table_of_contents_is_refused_before_it_is_read() -> None:
    """U8: 100 000 empty members took 10.8 s and 394 MB. zipfile turns the whole table of contents into objects when
    it opens a zip, so its size is checked from the end record first."""
    members: dict[str, bytes | Packed] = {**folder_files(TINY)}
    for k in range(30_000):
        members[f"empty/{k:040d}"] = b""
    refused("toc.zip", zip_of(members), "toc.zip", "table of contents")


def test_unknown_members_are_never_unpacked() -> None:
    """U7: 8 × 1 GiB of padding took 31 s and 8.2 GB of /tmp. Members that are not bundle files stay packed."""
    members: dict[str, bytes | Packed] = {**folder_files(SAMPLE)}
    for k in range(8):
        members[f"pad{k}.bin"] = packed((b"\0" * MiB, 1024))
    data = zip_of(members)
    path = scratch_root() / "padded.zip"
    path.write_bytes(data)
    start = time.monotonic()
    with open_bundle(path) as root:
        assert {p.name for p in root.iterdir()} == set(folder_files(SAMPLE))
        assert sum(p.stat().st_size for p in root.parent.rglob("*") if p.is_file()) < 3 * MiB
    assert time.monotonic() - start < FAST_S
    stored = zipfile.ZipFile(io.BytesIO(parse_upload("padded.zip", data).bundle_zip)).namelist()
    assert sorted(stored) == sorted(folder_files(SAMPLE))  # the upload is accepted, without its padding


def test_the_total_is_refused_from_the_headers_before_inflating() -> None:
    """Each member within its own limit, together past MAX_UNPACKED: refused before a byte is inflated (the data
    here is not even valid deflate, so reading any of it would fail differently)."""
    junk = Packed(b"\xff" * (5 * MiB), 0, 0)
    members = {**folder_files(TINY), "readings.csv": junk, "samples.csv": Packed(b"\xff" * MiB, 0, 0)}
    declared = {"readings.csv": MAX_UNPACKED - 10 * MiB, "samples.csv": 30 * MiB}
    refused("big.zip", zip_of(members, declared), "big.zip", f"more than {MAX_UNPACKED // MiB} MiB in total")


def test_a_header_that_understates_a_member_is_caught_by_the_stream() -> None:
    """The header's size is not trusted: 64 MiB of data stated as 1 000 bytes is a damaged member, not 1 000 bytes."""
    members = {**folder_files(TINY), "samples.csv": packed((b"timestamp," * 100_000, 64))}
    refused("liar.zip", zip_of(members, {"samples.csv": 1000}), "liar.zip:samples.csv", "damaged")


def test_too_many_members_are_refused() -> None:
    """Past MAX_MEMBERS nothing is read, however small the members."""
    members: dict[str, bytes | Packed] = {**folder_files(TINY)}
    for k in range(MAX_MEMBERS):
        members[f"empty/{k}"] = b""
    refused("many.zip", zip_of(members), "many.zip", f"more than the {MAX_MEMBERS} allowed")


HOSTILE: list[tuple[str, dict[str, bytes], int, str, str]] = [
    ("symlink (U4)", {"notes": b"/etc/passwd"}, 0o120777, "notes", "symbolic link"),
    ("file and folder (U5)", {"x": b"1", "x/y": b"2"}, 0o644, "x/y", "'x' is both a file and a folder"),
    ("backslash traversal (U3)", {"..\\..\\tmp\\pwned.txt": b"x"}, 0o644, "..\\..\\tmp\\pwned.txt", "escapes"),
    ("absolute (U2)", {"/tmp/pwned_abs.txt": b"x"}, 0o644, "/tmp/pwned_abs.txt", "escapes"),
    ("drive", {"C:/pwned.txt": b"x"}, 0o644, "C:/pwned.txt", "escapes"),
]


@pytest.mark.parametrize(("members", "mode", "member", "words"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_member_names_are_refused_by_name(
    members: dict[str, bytes], mode: int, member: str, words: str
) -> None:
    """A symlink, a name that is both a file and a folder, a path out of the folder: an InputError naming the zip
    and the member (U4 and U5 were 500s; U3 and a symlink elsewhere in the zip were accepted)."""
    data = zip_of({**folder_files(TINY), **members}) if mode == 0o644 else _with_mode(members, mode)
    refused("evil.zip", data, f"evil.zip:{member}", words)


def _with_mode(members: dict[str, bytes], mode: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in folder_files(TINY).items():
            assert isinstance(data, bytes)
            zf.writestr(name, data)
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = mode << 16
            zf.writestr(info, data)
    return buf.getvalue()


def test_a_name_twice_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        for name, data in folder_files(TINY).items():
            assert isinstance(data, bytes)
            zf.writestr(name, data)
        zf.writestr("activities.csv", "process,item,amount,unit\ndrying,energy.electricity,1,kWh\n")
    refused("twice.zip", buf.getvalue(), "twice.zip:activities.csv", "this name twice")


# --- F15: scratch folders ----------------------------------------------------------------------------------------


def test_scratch_lives_in_a_private_root_per_process(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with scratch_dir("t-") as d:
        assert d.parent.parent == home / "tmp" == scratch_root()
        assert d.parent.name == str(os.getpid())
        assert (scratch_root().stat().st_mode & 0o777) == 0o700
    assert not d.exists()
    monkeypatch.delenv("MILKPRINT_HOME")
    assert scratch_root().name == f"milkprint-{os.getuid()}"


_WORKER = """
import os, signal, sys
from milkprint.scratch import scratch_dir
with scratch_dir("upload-") as d:
    (d / "half-unpacked.csv").write_bytes(b"x" * 100_000)
    print(d, flush=True)
    if sys.argv[1] == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    sys.stdin.readline()
"""


def test_sweep_removes_the_folders_of_dead_processes_only(home: Path) -> None:
    """F15: a server killed mid-upload left 648 MB in /tmp for ever. Its folder is swept; a live one's is not."""
    env = {**os.environ, "MILKPRINT_HOME": str(home)}

    def worker(how: str) -> tuple[subprocess.Popen[str], Path]:
        proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER, how], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        assert proc.stdout is not None
        return proc, Path(proc.stdout.readline().strip())

    crashed, crashed_dir = worker("crash")
    assert crashed.wait(timeout=30) == -signal.SIGKILL
    alive, alive_dir = worker("wait")
    try:
        with scratch_dir("mine-") as mine:
            assert crashed_dir.exists() and alive_dir.exists()
            assert sweep_stale() == 1
            assert not crashed_dir.parent.exists()  # the dead process's whole folder
            assert alive_dir.exists() and mine.exists()
            assert sweep_stale() == 0
    finally:
        assert alive.stdin is not None
        alive.stdin.write("\n")
        alive.stdin.close()
        alive.wait(timeout=30)
    assert not alive_dir.parent.exists()  # a normal exit removes its own folder


def test_uploads_leave_nothing_in_scratch() -> None:
    data = zip_of(folder_files(TINY))
    parse_upload("tiny.zip", data)
    with pytest.raises(InputError):
        parse_upload("bad.zip", zip_of({**folder_files(TINY), "activities.csv": b"process,item\n"}))
    assert scratch_bytes() == 0


# --- F4: workbooks ------------------------------------------------------------------------------------------------


@functools.cache
def template(case: Path) -> dict[str, bytes]:
    """`milkprint template --from case`: the workbook a plant fills, as its parts."""
    path = Path(os.environ["MILKPRINT_HOME"]).parent / f"{case.name}.xlsx"
    write_template(path, None, "zh", case)
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i.filename) for i in zf.infolist()}


def sheet(parts: dict[str, bytes], title: str) -> str:
    """The part that holds the sheet `title`."""
    return sheet_parts(parts[WORKBOOK], parts[WORKBOOK_RELS])[title]


def workbook(case: Path, change: Callable[[dict[str, bytes | Packed]], None]) -> bytes:
    parts: dict[str, bytes | Packed] = dict(template(case))
    change(parts)
    return zip_of(parts)


NAME = "".join(f"&#{ord(c)};" for c in "全脂乳粉")  # the product name as the template writes it (C6)


def _split_at_name(xml: bytes) -> tuple[bytes, bytes]:
    head, _, tail = xml.partition(NAME.encode())
    assert tail, "the product name is in the assessment sheet"
    return head, tail


def test_a_cell_bomb_is_refused_in_seconds() -> None:
    """U23: a 1.09 MB workbook whose product name is 512 MiB took 101 s and 2.3 GB of memory."""
    part = sheet(template(TINY), "评价信息")

    def bomb(parts: dict[str, bytes | Packed]) -> None:
        head, tail = _split_at_name(template(TINY)[part])
        parts[part] = packed(head, (b"A" * MiB, 512), tail)

    refused("cell.xlsx", workbook(TINY, bomb), f"cell.xlsx:{part}", "refused")


def test_a_whitespace_bomb_in_the_readings_is_refused_in_seconds() -> None:
    """U24: 2 GiB of whitespace in the readings sheet of a 2.6 MB workbook was accepted after 10.9 s."""
    part = sheet(template(PLANT_2024), "读数")

    def bomb(parts: dict[str, bytes | Packed]) -> None:
        head, sep, tail = template(PLANT_2024)[part].partition(b"</sheetData>")
        parts[part] = packed(head, (b" " * MiB, 2048), sep + tail)

    refused("blank.xlsx", workbook(PLANT_2024, bomb), f"blank.xlsx:{part}", "refused")


_MEASURE = """
import resource, sys
import milkprint.pipeline, milkprint.workbook.importer  # what a server has loaded already
from milkprint.errors import InputError
from milkprint.service.assessments import parse_upload
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for path in sys.argv[1:]:
    try:
        parse_upload(path.rsplit("/", 1)[-1], open(path, "rb").read())
        print("accepted", path)
    except InputError:
        pass
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024)
"""


def test_workbook_bombs_are_refused_with_bounded_memory(tmp_path: Path, home: Path) -> None:
    """U23 drove the server to 2.3 GB: both probe workbooks are refused with a few MiB more than an idle process."""
    info, readings = sheet(template(TINY), "评价信息"), sheet(template(PLANT_2024), "读数")

    def cell(parts: dict[str, bytes | Packed]) -> None:
        head, tail = _split_at_name(template(TINY)[info])
        parts[info] = packed(head, (b"A" * MiB, 512), tail)

    def blank(parts: dict[str, bytes | Packed]) -> None:
        head, sep, tail = template(PLANT_2024)[readings].partition(b"</sheetData>")
        parts[readings] = packed(head, (b" " * MiB, 2048), sep + tail)

    (tmp_path / "cell.xlsx").write_bytes(workbook(TINY, cell))
    (tmp_path / "blank.xlsx").write_bytes(workbook(PLANT_2024, blank))
    env = {**os.environ, "MILKPRINT_HOME": str(home)}
    args = [sys.executable, "-c", _MEASURE, str(tmp_path / "cell.xlsx"), str(tmp_path / "blank.xlsx")]
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=True).stdout
    assert "accepted" not in out
    assert int(out.split()[-1]) < 64 * MiB, out


def test_a_cell_past_excels_limit_is_refused_at_the_cell() -> None:
    """One character past Excel's 32 767 is enough: the cell is named, in a sheet openpyxl reads and in the readings
    sheet that sheetxml streams."""
    info = sheet(template(TINY), "评价信息")

    def long_name(parts: dict[str, bytes | Packed]) -> None:
        head, tail = _split_at_name(template(TINY)[info])
        parts[info] = head + b"A" * (MAX_CELL_CHARS + 1) + tail

    refused("long.xlsx", workbook(TINY, long_name), "long.xlsx, 评价信息!C6", f"more than {MAX_CELL_CHARS} characters")

    readings = sheet(template(PLANT_2024), "读数")

    def long_reading(parts: dict[str, bytes | Packed]) -> None:
        xml = template(PLANT_2024)[readings]
        parts[readings] = xml.replace(b"<t>E-CONC-01</t>", b"<t>" + b"E" * (MAX_CELL_CHARS + 1) + b"</t>", 1)

    refused("long.xlsx", workbook(PLANT_2024, long_reading), "long.xlsx, 读数!B3", "characters")


def test_rows_and_columns_past_excels_limits_are_refused() -> None:
    """U25: rows past 1 048 576 were accepted. A row past Excel's last, and a cell past XFD, are refused."""
    readings = sheet(template(PLANT_2024), "读数")
    last = MAX_ROWS + 1
    row = (
        f'<row r="{last}"><c r="A{last}" t="inlineStr"><is><t>2024-06-01T00:00:00</t></is></c>'
        f'<c r="B{last}" t="inlineStr"><is><t>E-CONC-01</t></is></c><c r="C{last}"><v>1</v></c></row>'
    ).encode()

    def past_rows(parts: dict[str, bytes | Packed]) -> None:
        parts[readings] = template(PLANT_2024)[readings].replace(b"</sheetData>", row + b"</sheetData>")

    refused(
        "rows.xlsx", workbook(PLANT_2024, past_rows), "rows.xlsx, sheet 读数", f"past Excel's last row ({MAX_ROWS})"
    )

    info = sheet(template(TINY), "评价信息")

    def past_xfd(parts: dict[str, bytes | Packed]) -> None:
        parts[info] = template(TINY)[info].replace(b'<c r="C6"', b'<c r="XFE6"', 1)

    refused("cols.xlsx", workbook(TINY, past_xfd), "cols.xlsx, sheet 评价信息, row 6", "past Excel's last column (XFD)")


def test_too_many_parts_and_lying_parts_are_refused() -> None:
    def many(parts: dict[str, bytes | Packed]) -> None:
        for k in range(MAX_PARTS):
            parts[f"customXml/item{k}.xml"] = b"<a/>"

    refused("many.xlsx", workbook(TINY, many), "many.xlsx", f"more than the {MAX_PARTS} allowed")
    info = sheet(template(TINY), "评价信息")
    data = zip_of(dict(template(TINY)), declared={info: 1000})
    refused("liar.xlsx", data, f"liar.xlsx:{info}", "damaged")


def test_a_long_product_name_is_refused_before_the_readings_are_read() -> None:
    """The store's 200 characters are checked when the assessment sheet has been read: a readings sheet that is
    broken further on is not reached."""
    info, readings = sheet(template(PLANT_2024), "评价信息"), sheet(template(PLANT_2024), "读数")

    def change(parts: dict[str, bytes | Packed]) -> None:
        head, tail = _split_at_name(template(PLANT_2024)[info])
        parts[info] = head + "乳".encode() * 201 + tail
        parts[readings] = template(PLANT_2024)[readings][:-2000]  # truncated XML: unreadable if it were read

    refused("name.xlsx", workbook(PLANT_2024, change), "评价信息!C6", "product.name may have at most 200 characters")


# --- F12: malformed input that gave 500s ---------------------------------------------------------------------------


def _xml_case(target: str, edit: Callable[[bytes], bytes]) -> Callable[[dict[str, bytes | Packed]], None]:
    def change(parts: dict[str, bytes | Packed]) -> None:
        part = sheet(template(PLANT_2024), target) if not target.startswith("xl/") else target
        parts[part] = edit(template(PLANT_2024)[part])

    return change


def _doctype(dtd: str, name_to: bytes) -> Callable[[bytes], bytes]:
    def edit(xml: bytes) -> bytes:
        root = xml.find(b"<worksheet")
        head, tail = _split_at_name(xml[:root] + f"<!DOCTYPE worksheet [{dtd}]>".encode() + xml[root:])
        return head + name_to + tail

    return edit


LAUGHS = '<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' + "".join(
    f'<!ENTITY {chr(99 + i)} "{("&" + chr(98 + i) + ";") * 10}">' for i in range(8)
)
XML_CASES: list[tuple[str, Callable[[dict[str, bytes | Packed]], None], str]] = [
    ("undefined entity", _xml_case("评价信息", lambda x: x.replace(NAME.encode(), b"&xxe;", 1)), "undefined entity"),
    (
        "external entity (U18)",
        _xml_case("评价信息", _doctype('<!ENTITY xxe SYSTEM "file:///etc/hostname">', b"&xxe;")),
        "DTD",
    ),
    ("billion laughs (U22)", _xml_case("评价信息", _doctype(LAUGHS, b"&j;")), "DTD"),
    (
        "external entity in workbook.xml (U19)",
        _xml_case(
            "xl/workbook.xml",
            lambda x: x.replace(
                b"<workbook ", b'<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/hostname">]><workbook ', 1
            ),
        ),
        "DTD",
    ),
    ("DTD in styles.xml", _xml_case("xl/styles.xml", lambda x: b"<!DOCTYPE s [<!ENTITY a 'b'>]>" + x), "DTD"),
    ("truncated assessment sheet", _xml_case("评价信息", lambda x: x[: len(x) // 2]), "sheet 评价信息"),
    ("truncated readings sheet (U26)", _xml_case("读数", lambda x: x[: len(x) // 2]), "sheet 读数"),
    ("garbage in a number cell", _xml_case("读数", lambda x: x.replace(b"<v>", b"<v>x1y", 1)), "读数!C3"),
]


@pytest.mark.parametrize(("change", "words"), [c[1:] for c in XML_CASES], ids=[c[0] for c in XML_CASES])
def test_workbooks_with_bad_xml_are_input_errors(
    change: Callable[[dict[str, bytes | Packed]], None], words: str
) -> None:
    """U18, U19, U22, U26: entities, billion laughs and truncated sheets were 500s (ParseError, XMLSyntaxError)."""
    refused("bad.xlsx", workbook(PLANT_2024, change), "bad.xlsx", words)


def _deep(levels: int) -> str:
    return "[extra]\ndeep = " + "[" * levels + "]" * levels + "\n"


@pytest.mark.parametrize("levels", [5000, 450, 33])
def test_deeply_nested_toml_is_an_input_error(tmp_path: Path, levels: int) -> None:
    """U28: 5 000 levels were a RecursionError in the parser; 450 pass the parser and broke the writer."""
    toml = (TINY / "assessment.toml").read_text(encoding="utf-8") + _deep(levels)
    refused("deep.zip", zip_of({**folder_files(TINY), "assessment.toml": toml.encode()}), "assessment.toml", "nested")
    path = tmp_path / "assessment.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(InputError, match="nested too deeply"):
        read_assessment(path)


def test_toml_as_deep_as_allowed_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "assessment.toml"
    path.write_text((TINY / "assessment.toml").read_text(encoding="utf-8") + _deep(31), encoding="utf-8")
    assert read_assessment(path).product.name == "全脂乳粉"


def _bad_byte_at(offset: int) -> bytes:
    data = bytearray((PLANT_2024 / "readings.csv").read_bytes() * (1 + offset // 600_000))
    data[offset] = 0xFF
    return bytes(data)


@pytest.mark.parametrize("offset", [100, 1_500_000])
def test_readings_that_are_not_utf8_are_refused_at_upload_and_at_run(tmp_path: Path, offset: int) -> None:
    """U16: invalid UTF-8 in readings.csv was accepted, then every run, check, report and label was a 500. Past the
    first chunk DuckDB reads such bytes silently; both are refused by byte offset (and row) now."""
    bad = _bad_byte_at(offset)
    row = bad[:offset].count(b"\n") + 1
    members = {**folder_files(PLANT_2024), "readings.csv": bad}
    refused("utf.zip", zip_of(members), f"readings.csv, row {row}", f"not UTF-8 encoded (byte {offset})")
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name, data in members.items():
        assert isinstance(data, bytes)
        (folder / name).write_bytes(data)
    with pytest.raises(InputError, match=f"byte {offset}"):
        assess_bundle(folder)


FACTOR = [["energy.electricity", "CO2", 2.0, "kg/kWh", "test"]]
NON_FINITE = [
    (
        "main_product_t = inf (U29)",
        {"output": {"main_product_t": float("inf")}},
        [["drying", "energy.electricity", 1, "kWh"]],
        "main_product_t",
    ),
    (
        "main_product_t = 1e-320 (U30)",
        {"output": {"main_product_t": 1e-320}},
        [["drying", "energy.electricity", 1, "kWh"]],
        "output.main_product_t",
    ),
    (
        "amount 1e308 (U32)",
        {},
        [["drying", "energy.electricity", 1e308, "kWh"]],
        "activities.csv, row 2, column amount",
    ),
    ("rows that overflow the sum", {}, [["drying", "energy.electricity", 8e307, "kWh"]] * 2, "the totals exceed"),
]


@pytest.mark.parametrize(("output", "rows", "words"), [c[1:] for c in NON_FINITE], ids=[c[0] for c in NON_FINITE])
def test_non_finite_results_are_refused_before_anything_is_stored(
    tmp_path: Path, output: dict[str, object], rows: list[list[object]], words: str
) -> None:
    """U29, U30, U32: inf or a tiny production were accepted, then a 500 (NOT NULL) or a stored null."""
    root = write_bundle(tmp_path / "b", rows, assessment=assessment_dict(**output), factors=FACTOR)
    refused("nf.zip", zip_of(folder_files(root)), words)
    with pytest.raises(InputError, match=re.escape(words)):  # the CLI's and every door's pipeline
        assess_bundle(root)


def test_the_cli_exits_2_on_non_finite_results_and_deep_toml(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`milkprint assess` printed `"kgco2e_per_t": Infinity` (not JSON) with exit 0 for a production of 1e-320,
    and crashed on deep TOML."""
    bundle = write_bundle(
        tmp_path / "tiny",
        [["drying", "energy.electricity", 1, "kWh"]],
        assessment=assessment_dict(output={"main_product_t": 1e-320}),
        factors=FACTOR,
    )
    code, out, err = cli("assess", bundle, "--lang", "en")
    assert code == 2 and "output.main_product_t" in err and "Traceback" not in err, (out, err)
    (bundle / "assessment.toml").write_text(tomli_w.dumps(assessment_dict()) + _deep(5000), encoding="utf-8")
    code, out, err = cli("assess", bundle, "--lang", "en")
    assert code == 2 and "nested too deeply" in err and "Traceback" not in err, (out, err)


def test_a_huge_footprint_renders_or_is_refused_never_crashes() -> None:
    """U32: the label of a 5.3e303 result raised decimal.InvalidOperation. The number renders in full; it does not
    fit on a 60 mm label, which is an InputError saying so."""
    assert format_footprint(5.3e303) == "5,300" + ",000" * 100
    assert format_footprint(1.7976931348623157e308).startswith("179,769,313,486,231,570,000,")
    data = LabelData(
        "全脂乳粉",
        "25 kg/袋",
        5.3e303,
        "某机构",
        "self",
        None,
        None,
        dt.date(2026, 1, 1),
        "R-1",
        "https://x.example/r/1",
    )
    with pytest.raises(InputError, match="too long"):
        label_svg(data)


# --- F13: uploads that could never run ----------------------------------------------------------------------------


def test_readings_the_run_would_refuse_are_refused_at_upload() -> None:
    """A reading that is not a number was accepted (201) and failed every run; the upload names its row now."""
    lines = (PLANT_2024 / "readings.csv").read_text(encoding="utf-8").splitlines()
    middle = len(lines) // 2
    ts, meter, _ = lines[middle].split(",")
    lines[middle] = f"{ts},{meter},not-a-number"
    members = {**folder_files(PLANT_2024), "readings.csv": ("\n".join(lines) + "\n").encode()}
    refused("r.zip", zip_of(members), f"readings.csv, row {middle + 1}, column value")
