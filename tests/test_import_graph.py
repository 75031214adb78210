"""No import cycles in milkprint (docs: DESIGN.md, "Boundaries").

The graph is built by parsing every module of src/milkprint with `ast`, not by importing it: an edge A → B for each
`import`/`from … import` in A that names a milkprint module B, at module level or inside a function (a deferred
import is still a dependency), or under `if TYPE_CHECKING:` (a cycle the type checker sees is still a knot in the
design; DESIGN.md, Boundaries).
`from pkg import name` counts as an import of `pkg.name` when that is a module, else of `pkg`. Importing a module
also runs its packages' `__init__`, so it is an edge to those too, except to the importer's own packages (already
running when it is imported). Any strongly connected component of more than one module is a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "milkprint"


def modules() -> dict[str, Path]:
    """Every module under src/milkprint by dotted name (a package by its name, its file being __init__.py)."""
    found: dict[str, Path] = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """All import statements, at any depth, those for the type checker only included."""
    out: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return out


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module that `name` is or is inside."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {m: set() for m in known}
    for mod, path in known.items():
        is_package = path.name == "__init__.py"
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base_parts = mod.split(".") if is_package else mod.split(".")[:-1]
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                    base = ".".join(base_parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in known else base)
            for target in targets:
                resolved = _resolve(target, known)
                if resolved is None:
                    continue
                parts = resolved.split(".")
                for depth in range(1, len(parts) + 1):
                    name = ".".join(parts[:depth])
                    own_package = mod.startswith(name + ".")
                    if name in known and name != mod and not own_package:
                        edges[mod].add(name)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(edges[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def test_the_graph_sees_deferred_imports_and_skips_type_checking_ones() -> None:
    edges = graph()
    assert "milkprint.api.server" in edges
    # pipeline.py imports the report's monthly series inside a function and the bundle reader under TYPE_CHECKING
    assert "milkprint.report.monthly" in edges["milkprint.pipeline"]


def test_no_import_cycles() -> None:
    found = cycles(graph())
    assert not found, "import cycles (each line one strongly connected component):\n" + "\n".join(
        " ↔ ".join(component) for component in found
    )


# (importer prefix, imported prefix, why not): layering the graph must respect beyond having no cycles.
FORBIDDEN = [
    ("milkprint.web", "milkprint.api.app", "a door never imports another door (shared code: api/sessions.py …)"),
    ("milkprint.web", "milkprint.api.errors", "the pages' errors are theirs; the app's handlers call the page"),
    ("milkprint.web", "milkprint.server", "the server mounts the pages, not the reverse"),
    ("milkprint.api", "milkprint.web", "a door never imports another door"),
    ("milkprint.api", "milkprint.server", "the server mounts the API, not the reverse"),
    ("milkprint.methods", "milkprint.quality", "the standards as data sit below the checks that apply them"),
    ("milkprint.report.monthly", "milkprint.pipeline", "the pipeline calls the monthly results, not the reverse"),
]


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_layers() -> None:
    edges = graph()
    wrong = [
        f"{src} imports {dst}: {why}"
        for src, targets in sorted(edges.items())
        for dst in sorted(targets)
        for above, below, why in FORBIDDEN
        if _under(src, above) and _under(dst, below)
    ]
    assert not wrong, "\n".join(wrong)
