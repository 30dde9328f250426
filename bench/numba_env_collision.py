"""A standalone reproduction of the 'descr is NULL' crash: a cached kernel that Python calls
and that another cached kernel also calls (docs/design/compiled-core.md, "Known problem").

Usage: ``python bench/numba_env_collision.py [--fixed]`` (about 5 s of CPU: four Python
processes, each compiling or loading two small kernels). Prints what each process did and
exits 1 if the last one failed with ``RuntimeError: In 'NRT_adapt_ndarray_to_python',
'descr' is NULL``, 0 if it did not.

**Why it happens** (Numba 0.68.1, read in numba/core/{environment,funcdesc,bytecode,
compiler,pythonapi}.py). A compiled function's environment (``Environment``: its module's
globals and ``consts``, the Python objects its wrapper needs, such as the dtype with which a
returned array is boxed) has a name, ``_ZN08NumbaEnv<module><function>B..v<uid>...<args>``,
where ``uid`` counts the functions compiled so far *in this process*. Two processes that
compile the same kernel after the same number of functions give two compilations one name.
A cached entry pickles the environments its code refers to: its own, and those of every
kernel linked into it (a kernel it calls). Unpickling an environment returns the one of that
name already loaded in the process, if any (``environment._rebuild_env``,
``Environment._memo``); so does compiling (``Environment.from_fndesc``). The wrapper reads
its constants by position (``read_const(index)``), compiled into its code.

Process 1 compiles the callee ``first`` (called from Python; uid 1) and the caller
``outer``, which calls it. Process 2 loads ``outer`` from the cache, which brings process 1's
environment of ``first`` (one constant, the dtype ``int64``, unpickled), then compiles
``first`` because its own entry is missing (here deleted; in the failing test suite for a
reason not established): again uid 1, so the same name, so ``from_fndesc`` returns process
1's environment, and the wrapper's dtype is appended at position 1 (``add_const`` compares
by identity, and an unpickled dtype is not NumPy's own object). Process 2 saves ``first``
with that two-constant environment and a wrapper that reads position 1. Process 3 loads
``outer`` first (process 1's environment, one constant, is now the one of that name), then
``first``: its wrapper reads position 1 of a one-element list, gets NULL, and NumPy's
boxing raises "'descr' is NULL". A process that loads ``first`` before ``outer`` is not
affected, which is why the crash depends on the order of the calls.

With ``--fixed`` the callers call ``first_body`` and Python calls the thin entry ``first``,
which no cached kernel calls: its environment is then only ever in its own entry, and the
last process returns the right result. The same is numba/numba#10486 (open): per-process
uids make two compilations share one name.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

#: the callee called both ways (the pattern that fails)
UNFIXED = """
import numpy as np
from numba import njit


@njit(cache=True)
def first(values):
    out = np.empty(values.shape[0], dtype=np.int64)
    for i in range(values.shape[0]):
        out[i] = values[i] + 1
    return out


@njit(cache=True)
def outer(values):
    return first(values).sum()
"""

#: compiled callers call the body; Python calls the thin entry, which nothing compiled calls
FIXED = """
import numpy as np
from numba import njit


@njit(cache=True)
def first_body(values):
    out = np.empty(values.shape[0], dtype=np.int64)
    for i in range(values.shape[0]):
        out[i] = values[i] + 1
    return out


@njit(cache=True)
def first(values):
    return first_body(values)


@njit(cache=True)
def outer(values):
    return first_body(values).sum()
"""

#: one process: call the named kernels in order, print how each was obtained and its result
STEP = """
import sys
import numpy as np
import kernels_under_test as k

values = np.arange(4, dtype=np.int64)
for name in sys.argv[1:]:
    kernel = getattr(k, name)
    result = kernel(values)
    how = "loaded" if kernel.stats.cache_hits else "compiled"
    print(name, how, np.asarray(result).tolist())
"""


def _run(folder: Path, *calls: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH", "")]))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(folder / "cache"), PYTHONPATH=path)
    return subprocess.run(
        [sys.executable, "-c", STEP, *calls], env=env, capture_output=True, text=True
    )


def _drop_entry(folder: Path, kernel: str) -> None:
    """Delete one kernel's cache index: its next call compiles it again."""
    for index in (folder / "cache").rglob(f"kernels_under_test.{kernel}-*.nbi"):
        index.unlink()


def reproduce(fixed: bool, folder: Path) -> list[subprocess.CompletedProcess[str]]:
    """The four processes on one fresh cache; the last one's result is the verdict."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernels_under_test.py").write_text(textwrap.dedent(FIXED if fixed else UNFIXED))
    runs = [_run(folder, "first", "outer")]  # process 1 compiles both, `first` first
    _drop_entry(folder, "first")  # the callee's own entry lost
    runs.append(_run(folder, "outer", "first"))  # process 2: loads outer, compiles first
    runs.append(_run(folder, "first", "outer"))  # loads first before outer: unaffected
    runs.append(_run(folder, "outer", "first"))  # loads outer before first
    return runs


def crashed(run: subprocess.CompletedProcess[str]) -> bool:
    return run.returncode != 0 and "'descr' is NULL" in run.stderr


def main() -> int:
    fixed = "--fixed" in sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix="numba-env-collision-") as tmp:
        runs = reproduce(fixed, Path(tmp))
    for i, run in enumerate(runs, 1):
        last = run.stderr.strip().splitlines()[-1:] if run.returncode else []
        print(f"process {i}: {run.stdout.strip()!r} {' '.join(last)}")
    failed = crashed(runs[-1])
    print("crashed: 'descr' is NULL" if failed else "no crash")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
