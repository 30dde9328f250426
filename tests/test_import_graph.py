"""The package's import graph has no cycles, and the vocabulary sits at its bottom.

Module-level imports are read from the source (including those under
``if TYPE_CHECKING:``, which are a dependency too); imports inside
functions are deliberate lazy imports and are not counted. The package
root (``greatterror/__init__.py``) is left out: it is the facade that
offers the API, and modules import only ``__version__`` from it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import greatterror

ROOT = Path(greatterror.__file__).parent
PACKAGE = "greatterror"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    out: set[str] = set()
    nodes: list[ast.stmt] = list(tree.body)
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.If | ast.Try):
            nodes += node.body + node.orelse
            if isinstance(node, ast.Try):
                nodes += [s for h in node.handlers for s in h.body] + node.finalbody
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")
                parent = parent if is_package else parent[:-1]
                parent = parent[: len(parent) - (node.level - 1)]
                base = ".".join(parent + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in out if m == PACKAGE or m.startswith(PACKAGE + ".")}


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deps = _imports(tree, name, path.name == "__init__.py")
        # 'from pkg import module' names a module; 'from module import name' does not
        graph[name] = {d for d in deps if d in files and d not in (name, PACKAGE)}
    graph.pop(PACKAGE, None)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_scan_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_in_the_package() -> None:
    graph = import_graph()
    assert "greatterror.model.sim" in graph
    assert cycles(graph) == []


def test_the_vocabulary_is_at_the_bottom() -> None:
    graph = import_graph()
    assert graph["greatterror.vocabulary"] <= {"greatterror.population.codes"}
    assert graph["greatterror.population.codes"] == set()
    for module in ("greatterror.model.state", "greatterror.results.tables"):
        assert "greatterror.vocabulary" in graph[module]


def test_status_codes_match_their_names() -> None:
    from greatterror.vocabulary import STATUSES, Status

    codes = {k.lower(): v for k, v in vars(Status).items() if k.isupper()}
    assert codes == {name: i for i, name in enumerate(STATUSES)}


def test_the_command_line_starts_without_numba() -> None:
    """Starting ``greatterror`` (its help, a bad option's error) must not compile or load the
    model's kernels: Numba's import alone took about 1.8 s of the CLI's 2.4 s start (chores21,
    5 Dec 2026), when cli/compare_hypotheses.py took the scale bounds from population.build."""
    import subprocess
    import sys

    code = "import sys, greatterror.cli.app; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_only_the_command_line_imports_the_cli_package() -> None:
    """The layers run cli -> calibration, api, model: no module outside greatterror.cli (and
    ``python -m greatterror``'s entry point) imports it, at module level or inside a function (review23 F12: the interrupt handling the
    calibration's scripts use is greatterror/interrupt.py)."""
    found = []
    for path in ROOT.rglob("*.py"):
        name = _module_name(path)
        if name in (f"{PACKAGE}.cli", f"{PACKAGE}.__main__") or name.startswith(f"{PACKAGE}.cli."):
            continue  # the command line and its entry point
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            found += [f"{name}: {n}" for n in names if n.startswith(f"{PACKAGE}.cli")]
    assert found == []
