"""A first run can tell that it must compile the kernels (model/compiled.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_an_empty_numba_cache_is_noticed(tmp_path: Path) -> None:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    code = (
        "from greatterror.model.compiled import compile_notice, uncompiled_kernels\n"
        "names = uncompiled_kernels()\n"
        "assert 'greatterror.model.kernels.open_cases' in names, names\n"
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
    changed, drops them all (their indexes are emptied)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    code = (
        "import sys\n"
        "from greatterror.model import compiled, sorting\n"
        "dropped = compiled.drop_stale_caches()\n"
        "if sys.argv[1] == 'compile':\n"
        "    import numpy as np\n"
        "    sorting.merge_sorted(np.arange(3), np.arange(2))\n"  # one kernel in the cache
        "print(dropped, 'greatterror.model.sorting.merge_sorted' in "
        "compiled.uncompiled_kernels())\n"
    )

    def run(mode: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", code, mode],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    assert run("compile") == "True False"  # no stamp yet: dropped (nothing there), then compiled
    assert run("look") == "False False"  # same sources: the compiled kernel is kept
    import greatterror.model.pairwise as pairwise

    source = Path(str(pairwise.__file__))
    stat = source.stat()
    try:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert run("look") == "True True"  # another module changed: sorting's cache dropped
    finally:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
