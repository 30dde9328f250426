"""Kernels called through ``shared_calls.shared``: the same results and errors as a direct call,
no copy of the callee in the caller's module, and a cached caller loaded first in a new process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from numba import njit

from greatterror.model.shared_calls import shared
from greatterror.model.sorting import shared_sorted_copy, sorted_copy


@njit
def _checked(x):  # pragma: no cover - compiled
    if x < 0:
        raise ValueError("negative")
    return x * 2


_shared_checked = shared(_checked)


@njit
def _caller(values, x):  # pragma: no cover - compiled
    return shared_sorted_copy(values), _shared_checked(x)


def test_same_result_as_a_direct_call() -> None:
    values = np.random.default_rng(3).integers(0, 1000, 500).astype(np.int64)
    out, doubled = _caller(values, np.int64(4))
    np.testing.assert_array_equal(out, np.sort(values))
    np.testing.assert_array_equal(out, sorted_copy(values))
    assert doubled == 8


def test_an_error_in_the_callee_propagates() -> None:
    with pytest.raises(ValueError, match="negative"):
        _caller(np.arange(3, dtype=np.int64), np.int64(-1))


def test_the_caller_holds_no_copy_of_the_callee() -> None:
    _caller(np.arange(3, dtype=np.int64), np.int64(1))
    callee = sorted_copy.overloads[sorted_copy.signatures[0]].fndesc.mangled_name
    module = _caller.overloads[_caller.signatures[0]].library._final_module
    defined = {f.name for f in module.functions if not f.is_declaration}
    assert callee not in defined


def test_not_a_module_level_kernel() -> None:
    @njit
    def local(x):  # pragma: no cover - compiled
        return x

    with pytest.raises(ValueError, match="module-level"):
        shared(local)


_MODULE = """
import numpy as np
from numba import njit
from greatterror.model.sorting import shared_sorted_copy

@njit(cache=True)
def caller(values):
    return shared_sorted_copy(values)[0]

@njit(cache=True)
def caller_of_caller(values):
    return caller(values) + 1
"""


def test_a_cached_caller_loads_first_in_a_new_process(tmp_path: Path) -> None:
    """The second process loads the callers from the cache before anything compiled or loaded
    ``sorted_copy``: the reload hook must register its symbol first."""
    (tmp_path / "shared_probe.py").write_text(textwrap.dedent(_MODULE))
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = dict(
        os.environ,
        NUMBA_CACHE_DIR=str(tmp_path / "cache"),
        PYTHONPATH=os.pathsep.join([str(tmp_path), src]),
    )
    code = (
        "import numpy as np, shared_probe as m\n"
        "v = np.array([5, 3, 9, 1] * 10, dtype=np.int64)\n"
        "print(m.caller_of_caller(v), m.caller(v), m.caller.stats.cache_hits.total())\n"
    )
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["2", "1", "0"]
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["2", "1", "1"]


def test_every_kernel_is_compiled_without_a_c_wrapper() -> None:
    """``**NO_CFUNC_WRAPPER`` on every kernel of the package (a first run compiles no unused
    C-callable wrappers); a new kernel without it fails here."""
    from greatterror.model import compiled

    kernels = dict(compiled._kernels(compiled._kernel_modules()))
    assert len(kernels) > 100
    missing = [name for name, k in kernels.items() if not k.targetoptions.get("no_cfunc_wrapper")]
    assert not missing
