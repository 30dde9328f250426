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
