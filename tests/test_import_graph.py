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

import pytest

import greatterror

ROOT = Path(greatterror.__file__).parent
PACKAGE = "greatterror"


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
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
            out |= _from_names(node, module, is_package)
    return {m for m in out if m == PACKAGE or m.startswith(PACKAGE + ".")}


def _from_names(node: ast.ImportFrom, module: str, is_package: bool) -> set[str]:
    """What ``from X import a, b`` in ``module`` may import: X (resolved when relative) and
    X.a, X.b, each of which may be a module."""
    base = node.module or ""
    if node.level:
        parent = module.split(".")
        parent = parent if is_package else parent[:-1]
        parent = parent[: len(parent) - (node.level - 1)]
        base = ".".join(parent + ([base] if base else []))
    return {base} | {f"{base}.{a.name}" for a in node.names}


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
    ``python -m greatterror``'s entry point) imports it, at module level or inside a function,
    absolutely, relatively or as ``from greatterror import cli`` (review23 F12: the interrupt
    handling the calibration's scripts use is greatterror/interrupt.py; review24 F6: relative
    imports and ``from greatterror import cli`` were not seen)."""
    assert imports_of_the_cli(ROOT) == []


def imports_of_the_cli(root: Path) -> list[str]:
    """``module: imported name`` for each import of the cli package outside it."""
    cli = f"{PACKAGE}.cli"
    found = []
    for path in root.rglob("*.py"):
        name = _module_name(path, root)
        if name in (cli, f"{PACKAGE}.__main__") or name.startswith(f"{cli}."):
            continue  # the command line and its entry point
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: set[str] = set()
            if isinstance(node, ast.Import):
                names = {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                names = _from_names(node, name, path.name == "__init__.py")
            found += sorted(f"{name}: {n}" for n in names if n == cli or n.startswith(f"{cli}."))
    return found


@pytest.mark.parametrize(
    ("where", "line"),
    [
        ("calibration/a.py", "from greatterror.cli import app"),
        ("calibration/a.py", "import greatterror.cli.app"),
        ("calibration/a.py", "from greatterror import cli"),
        ("calibration/a.py", "def f():\n    from ..cli import app"),
        ("calibration/a.py", "from .. import cli"),
        ("model/__init__.py", "from ..cli.interrupt import MESSAGE"),
    ],
)
def test_every_form_of_an_import_of_the_cli_is_seen(tmp_path: Path, where: str, line: str) -> None:
    """The check above on a package of a few files: each form of import of the cli package,
    absolute, relative, inside a function or as a name of the package, is found; the cli's
    own imports and other names are not (review24 F6)."""
    root = tmp_path / PACKAGE
    for folder in ("calibration", "model", "cli"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "cli" / "app.py").write_text("from greatterror.cli import interrupt\n")
    (root / "model" / "b.py").write_text("from greatterror import model\nfrom . import b\n")
    target = root / where
    target.write_text(target.read_text() + line + "\n" if target.exists() else line + "\n")
    found = imports_of_the_cli(root)
    assert found and all(f.startswith(_module_name(target, root) + ": ") for f in found), found
