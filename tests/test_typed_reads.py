"""The report and the pages read the typed results (Result, QualityReport, Interpretation, ValidityStatus and their
parts) by their attributes, not through their `to_dict(lang)` JSON.

Found by parsing every module of src/milkprint/report and src/milkprint/web with `ast`: a call `x.to_dict(…)` is
flagged unless a line of it says why with a `# json:` comment (e.g. a row handed to a template that reads the
JSON shape). A translated label the JSON carries has a method of its own on the typed object (`name(lang)`,
`status_text(lang)`, `significant_issues(lang)` …) that `to_dict` calls too.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
SCANNED = ("milkprint/report", "milkprint/web")
JUSTIFIED = "# json:"


def json_reads(path: Path) -> list[int]:
    """The lines of `path` that call `.to_dict(` without a `# json:` reason on the call's lines."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found: list[int] = []
    for node in ast.walk(ast.parse(text, str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "to_dict":
            end = node.end_lineno or node.lineno
            if not any(JUSTIFIED in lines[i - 1] for i in range(node.lineno, end + 1)):
                found.append(node.lineno)
    return found


def test_report_and_pages_read_typed_objects() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}"
        for folder in SCANNED
        for path in sorted((SRC / folder).rglob("*.py"))
        for line in json_reads(path)
    ]
    assert not found, (
        "reads a typed result through its to_dict() JSON (read its attributes, or say why with '# json:'):\n"
        + "\n".join(found)
    )


def test_the_check_sees_a_json_read(tmp_path: Path) -> None:
    code = tmp_path / "m.py"
    code.write_text(
        "d = it.to_dict(lang)\n"
        "e = q.to_dict(\n    lang,\n)['dqr']\n"
        "f = v.to_dict(lang)  # json: a template reads it\n"
        "def to_dict(self): return {}\n",
        encoding="utf-8",
    )
    assert json_reads(code) == [1, 2]
