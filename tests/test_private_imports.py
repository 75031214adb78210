"""No module of milkprint imports another module's private name (DESIGN.md, "Boundaries").

A name starting with one underscore (`_scan`, `_PLAIN_LENGTHS`) is its module's own; a module that another one
needs offers it under a public name. Found by parsing every module under src/milkprint with `ast` (imports at
any depth, deferred and `TYPE_CHECKING` ones too); dunder names (`__version__`) are public.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "milkprint"


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    package = parts[-1] == "__init__"
    if package:
        parts = parts[:-1]
    return ".".join(parts), package


def _absolute(node: ast.ImportFrom, module: str, package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def private_imports() -> list[str]:
    """Every `from milkprint.x import _name` in a module other than milkprint.x, as 'file:line: x._name'."""
    found: list[str] = []
    for path in sorted((SRC / ROOT).rglob("*.py")):
        module, package = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = _absolute(node, module, package)
            if source != ROOT and not source.startswith(ROOT + "."):
                continue  # a third-party private (docx.table._Cell) is that library's business
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not name.startswith("__") and source != module:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}: {source}.{name}")
    return found


def test_no_private_name_is_imported_from_another_module() -> None:
    found = private_imports()
    assert not found, "private names imported across modules:\n" + "\n".join(found)


def test_relative_imports_resolve_to_their_module() -> None:
    tree = ast.parse("from milkprint.readings.aggregate import _scan\nfrom .aggregate import _connect, connect\n")
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert [_absolute(n, "milkprint.readings.latest", False) for n in nodes] == [
        "milkprint.readings.aggregate",
        "milkprint.readings.aggregate",
    ]
