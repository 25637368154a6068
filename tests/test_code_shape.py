"""The shape the codebase keeps so a newcomer can read it: small modules and layers without cycles.

Read from the source with `ast`, so a lazy import inside a function counts like any other (an
import hidden in a function to dodge a cycle is still a cycle); imports under `if TYPE_CHECKING:`
do not run and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dateline", "flows", "transforms", "expectations", "warehouse")
MAX_LINES = 400
# Lower layers never import higher ones: the CLI drives flows, flows drive the pure parts.
LAYERS = {"dateline": 3, "flows": 2, "expectations": 1, "warehouse": 1, "transforms": 0}
SETTINGS = "dateline.settings"  # configuration, passed down; the one module flows may read from the CLI's package


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name → file, for every module of the project's packages."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module → the project modules it imports (`from a import b` counts a.b when that is a module)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}" if base else alias.name
                targets.add(full if full in modules else base)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_cycle_finder_sees_a_cycle_through_a_lazy_import(tmp_path: Path) -> None:
    pkg = tmp_path / "flows"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from flows.b import thing\n")
    (pkg / "b.py").write_text("def f():\n    from flows import a\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from flows.a import x\n")
    (pkg / "d.py").write_text("from . import c\nfrom .b import f\n")
    graph = import_graph(project_modules(tmp_path))
    assert graph["flows.c"] == set()  # TYPE_CHECKING imports do not run
    assert graph["flows.d"] == {"flows.c", "flows.b"}  # relative imports resolved
    assert cycles(graph) == [["flows.a", "flows.b"]]


def test_no_module_over_the_line_limit() -> None:
    long = {name: n for name, path in project_modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"split these by concern (over {MAX_LINES} lines): {long}"


def test_no_import_cycle_between_modules() -> None:
    assert cycles(import_graph(project_modules())) == []


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_no_package_imports_a_higher_layer(package: str) -> None:
    graph = import_graph(project_modules())
    upward = sorted(f"{src} → {dst}" for src, targets in graph.items() if src.split(".")[0] == package
                    for dst in targets if dst != SETTINGS and LAYERS[dst.split(".")[0]] > LAYERS[package])
    assert upward == []
