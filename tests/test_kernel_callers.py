"""No Numba kernel is both called from Python and called inside another kernel.

A cached kernel that another cached kernel calls is linked into its caller's cache entry
together with its environment (the Python objects its wrapper reads by position, such as the
dtype of a returned array). Numba names an environment after a per-process count of the
functions compiled, so two processes can give two compilations of the kernel one name, and
a process that loads the caller first then boxes the kernel's own result with the caller's
copy of the environment: ``RuntimeError: In 'NRT_adapt_ndarray_to_python', 'descr' is
NULL`` (a full suite of 6 December; numba/numba#10486; docs/design/compiled-core.md,
"Known problem"; bench/numba_env_collision.py reproduces it). A kernel whose wrapper Python
calls must therefore never be linked into another: compiled callers call ``X_body``, Python
the thin entry ``X``. This file holds that rule over the source by its syntax tree (``src``,
``bench``, ``scripts`` and ``tests`` for the Python side), and runs the reproduction both ways.

The rule, read by name: a kernel is "called from Python" where a file names it outside the
body of an ``@njit`` function, and "called by a kernel" where a body of an ``@njit``
function names it. The tests call the compiled-only kernels through the uncached wrappers of
tests/compiled_calls.py (an uncached function's environment is never pickled, so it cannot
share a name with another process's); a wrapper's body counts as compiled code, which is
harmless since it is never saved, so no ``@njit`` in tests/ may be cached (checked below).
A mere reference that calls nothing (``kernel.signatures``) is listed in ``NOT_CALLS``
with its reason.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
TESTS = ROOT / "tests"
#: where the Python that runs kernels lives, besides the package
PYTHON_ELSEWHERE = (ROOT / "bench", ROOT / "scripts", TESTS)
#: (file, kernel) pairs whose Python names read the kernel without calling it, and why
NOT_CALLS = {
    ("tests/test_stream_pointers.py", "greatterror.model.stream_pointers._fill_random"): (
        "reads ``.signatures`` only"
    ),
    (
        "tests/test_stream_pointers.py",
        "greatterror.model.stream_pointers._choice_without_replacement",
    ): "reads ``.signatures`` only",
    ("tests/test_njit_options.py", "greatterror.model.kernels.first_distinct_body"): (
        "reads ``.signatures`` only (an inlined kernel has none)"
    ),
}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")


def _is_njit(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name in ("njit", "jit")


def _parsed() -> dict[str, tuple[Path, ast.Module]]:
    """Every file: the package's by module name, the others by path."""
    files = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}
    for folder in PYTHON_ELSEWHERE:
        files |= {str(p): p for p in sorted(folder.rglob("*.py"))}
    return {name: (path, ast.parse(path.read_text(), str(path))) for name, path in files.items()}


def _kernels(parsed: dict[str, tuple[Path, ast.Module]]) -> dict[str, ast.FunctionDef]:
    """The package's module-level ``@njit`` functions, by ``module.name``."""
    return {
        f"{module}.{node.name}": node
        for module, (_, tree) in parsed.items()
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(map(_is_njit, node.decorator_list))
    }


def _references(
    module: str, tree: ast.Module, kernels: dict[str, ast.FunctionDef], packages: set[str]
) -> Iterator[tuple[str, bool, int]]:
    """(kernel, inside a kernel's body, line) for each name in ``tree`` that denotes a
    kernel: a local one, one imported by name, or ``module.kernel`` of an imported module."""
    names = {n.name: f"{module}.{n.name}" for n in tree.body if isinstance(n, ast.FunctionDef)}
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):  # absolute (the test below holds it)
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                (modules if full in packages else names)[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name
                else:  # ``import a.b.c`` binds ``a``; ``a.b.c.kernel`` is then read whole
                    root = alias.name.split(".")[0]
                    modules[root] = root
    compiled = {  # the bodies of compiled functions, module-level or nested (a bench's)
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and any(map(_is_njit, node.decorator_list))
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name | ast.Attribute) or not isinstance(node.ctx, ast.Load):
            continue
        if isinstance(node, ast.Name):
            target = names.get(node.id)
        else:  # a.b.kernel with ``a.b`` an imported module
            parts, base = [node.attr], node.value
            while isinstance(base, ast.Attribute):
                parts.append(base.attr)
                base = base.value
            root = modules.get(base.id) if isinstance(base, ast.Name) else None
            target = ".".join([root, *reversed(parts)]) if root else None
        if target in kernels:
            yield target, id(node) in compiled, node.lineno


def callers() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """For each kernel, where Python code names it and where another kernel calls it."""
    parsed = _parsed()
    kernels = _kernels(parsed)
    packages = {m for m in parsed if not m.startswith("/")}
    from_python: dict[str, set[str]] = {}
    from_kernels: dict[str, set[str]] = {}
    for module, (path, tree) in parsed.items():
        for kernel, inside, line in _references(module, tree, kernels, packages):
            if not inside and (str(path.relative_to(ROOT)), kernel) in NOT_CALLS:
                continue
            where = f"{path.relative_to(ROOT)}:{line}"
            (from_kernels if inside else from_python).setdefault(kernel, set()).add(where)
    return from_python, from_kernels


def test_no_kernel_is_called_both_from_python_and_by_another_kernel() -> None:
    from_python, from_kernels = callers()
    # the scan sees both sides (a broken scan would find nothing and pass)
    assert "greatterror.model.kernels.first_distinct" in from_python
    assert "greatterror.model.kernels.first_distinct_body" in from_kernels
    both = {
        kernel: (sorted(from_python[kernel])[:3], sorted(from_kernels[kernel])[:3])
        for kernel in set(from_python) & set(from_kernels)
    }
    assert not both, (
        "kernels called from Python and by other kernels (give compiled callers an "
        "``X_body``, Python the entry ``X``; a test calls through tests/compiled_calls.py): "
        f"{both}"
    )


def test_the_tests_call_kernels_through_uncached_wrappers() -> None:
    """The scan sees the tests' calls (a test that calls ``sorted_copy`` directly would be
    reported), and no compiled function of tests/ is cached: a cached one would carry its
    kernels' environments into the cache, as the package's callers do."""
    from_python, from_kernels = callers()
    wrapped = {k for k, where in from_kernels.items() if any("compiled_calls" in w for w in where)}
    assert "greatterror.model.sorting.sorted_copy" in wrapped
    assert any("tests/" in w for where in from_python.values() for w in where)
    cached = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted(TESTS.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
        if _is_njit(decorator)
        and isinstance(decorator, ast.Call)
        and any(
            k.arg == "cache" and not (isinstance(k.value, ast.Constant) and not k.value.value)
            for k in decorator.keywords
        )
    ]
    assert not cached, f"cached compiled functions in tests/ (drop ``cache=True``): {cached}"


def test_the_scan_reads_every_import() -> None:
    """The scan resolves absolute imports only; a relative one would hide its kernels."""
    relative = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _parsed().values()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level
    ]
    assert not relative, f"relative imports (write them absolute): {relative}"


def _reproduction() -> ModuleType:
    path = ROOT / "bench" / "numba_env_collision.py"
    spec = importlib.util.spec_from_file_location("numba_env_collision", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_body_and_entry_split_survives_the_order_that_crashes(tmp_path: Path) -> None:
    """Four processes on a cache of their own (bench/numba_env_collision.py): the pattern the
    rule forbids crashes in the last one, the split does not. About 10 s of CPU."""
    repro = _reproduction()
    unfixed = repro.reproduce(fixed=False, folder=tmp_path / "unfixed")
    # the first three processes must have done what the reproduction needs (a process that
    # fails for another reason, e.g. Numba's JIT disabled, must not read as "no crash")
    expected = [
        ["first compiled [1, 2, 3, 4]", "outer compiled 10"],
        ["outer loaded 10", "first compiled [1, 2, 3, 4]"],
        ["first loaded [1, 2, 3, 4]", "outer loaded 10"],
    ]
    assert [run.returncode for run in unfixed[:3]] == [0, 0, 0], [
        run.stderr[-300:] for run in unfixed[:3]
    ]
    assert [run.stdout.splitlines() for run in unfixed[:3]] == expected
    if not repro.crashed(unfixed[-1]):
        pytest.skip(
            "this Numba no longer shares one environment between two compilations "
            f"(numba/numba#10486?): {unfixed[-1].stdout!r} {unfixed[-1].stderr[-300:]!r}"
        )
    fixed = repro.reproduce(fixed=True, folder=tmp_path / "fixed")
    assert all(run.returncode == 0 for run in fixed), [run.stderr[-300:] for run in fixed]
    assert fixed[-1].stdout.splitlines() == ["outer loaded 10", "first loaded [1, 2, 3, 4]"]
