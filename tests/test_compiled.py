"""A first run can tell that it must compile the kernels (model/compiled.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def test_an_empty_numba_cache_is_noticed(tmp_path: Path) -> None:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    code = (
        "from greatterror.model.compiled import compile_notice, uncompiled_kernels\n"
        "names = uncompiled_kernels()\n"
        "assert 'greatterror.model.kernels.first_distinct' in names, names\n"
        # inlined into its callers, never compiled on its own (model/njit_options.py)
        "assert 'greatterror.model.kernels.open_cases' not in names, names\n"
        "print(compile_notice())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("Compiling ")
    assert not list(tmp_path.rglob("*.nbc")), "finding out must not compile anything"


def test_a_changed_kernel_module_drops_every_kernel_cache(tmp_path: Path) -> None:
    """A cached kernel keeps the callee it was compiled with; so when any kernel module's
    source changes, every kernel's cache is dropped (model/compiled.py, drop_stale_caches).
    Three processes on one cache folder: the first stamps it; the second, with the sources as
    they are, keeps the caches; the third, after one kernel module's modification time
    changed, drops them all (their indexes are emptied).

    The processes import a copy of the package, and the copy's module is the one touched: a
    touch of the checkout's own source would make every process that starts meanwhile (the
    other test workers' runs) drop and recompile its kernels."""
    import greatterror

    copy = tmp_path / "src" / "greatterror"
    shutil.copytree(
        Path(greatterror.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    pythonpath = os.pathsep.join(filter(None, [str(copy.parent), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=pythonpath)
    code = (
        "import sys\n"
        "from greatterror.model import compiled, sorting\n"
        "assert compiled.__file__.startswith(sys.argv[2]), compiled.__file__\n"
        "dropped = compiled.drop_stale_caches()\n"
        "if sys.argv[1] == 'compile':\n"
        "    import numpy as np\n"
        "    sorting.merge_sorted(np.arange(3), np.arange(2))\n"  # one kernel in the cache
        "print(dropped, 'greatterror.model.sorting.merge_sorted' in "
        "compiled.uncompiled_kernels())\n"
    )

    def run(mode: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", code, mode, str(copy)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    assert run("compile") == "True False"  # no stamp yet: dropped (nothing there), then compiled
    assert run("look") == "False False"  # same sources: the compiled kernel is kept
    source = copy / "model" / "pairwise.py"
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert run("look") == "True True"  # another module changed: sorting's cache dropped


def test_each_test_worker_compiles_into_its_own_cache() -> None:
    """Under pytest-xdist, each worker's kernels are cached in a folder of its own
    (tests/conftest.py): two workers compiling one kernel at once could corrupt a shared
    cache. Serial runs keep Numba's default place."""
    from greatterror.model import sorting

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        pytest.skip("not run by a pytest-xdist worker")
    chosen = os.environ.get("NUMBA_CACHE_DIR", "")
    assert worker in chosen, f"worker {worker} has no cache of its own: {chosen!r}"
    folder = Path(getattr(sorting.merge_sorted, "_cache").cache_path)  # noqa: B009
    assert folder.is_relative_to(chosen)


def _imported(module) -> set[str]:
    """The ``greatterror`` modules that ``module`` imports at its top level (outside
    ``if TYPE_CHECKING``): ``from X import Y`` counts as module ``X.Y`` if that is one."""
    import ast
    import importlib

    found = set()
    for node in ast.parse(Path(module.__file__).read_text()).body:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("greatterror")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("greatterror"):
            for alias in node.names:
                try:
                    importlib.import_module(f"{node.module}.{alias.name}")
                    found.add(f"{node.module}.{alias.name}")
                except ImportError:
                    found.add(str(node.module))
    return found


def test_every_module_a_kernel_module_imports_is_stamped_or_has_no_compiled_constants() -> None:
    """A kernel compiles in the constants it reads from another module (``GF[...]``,
    ``Status.CAMP``, a slot's index), and Numba's cache looks only at the kernel's own
    file: a module it reads them from must be in the stamp (``_kernel_modules``), or a
    reordered ``GULAG_FLOWS`` would leave a cached kernel writing another flow."""
    from greatterror.model.compiled import NO_COMPILED_CONSTANTS, _kernel_modules

    modules = _kernel_modules()
    stamped = {m.__name__ for m in modules}
    for name in ("greatterror.model.gulag", "greatterror.vocabulary"):
        assert name in stamped
    unlisted = {
        (m.__name__, imported)
        for m in modules
        for imported in _imported(m)
        if imported not in stamped and imported not in NO_COMPILED_CONSTANTS
    }
    assert not unlisted
    assert not stamped & set(NO_COMPILED_CONSTANTS)


def test_the_notice_is_not_shown_for_the_kernels_a_run_never_reaches() -> None:
    """A warm cache still lacks the kernels a run never calls (about ten at 1:10,000): no
    notice for them; an empty cache (every kernel missing) gets one."""
    from greatterror.model.compiled import _kernel_count, notice_for

    total = _kernel_count()
    assert total > 60
    assert notice_for(10, total) is None
    assert notice_for(0, total) is None
    notice = notice_for(total, total)
    assert notice is not None and notice.startswith(f"Compiling {total} Numba kernels")
