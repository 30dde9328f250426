"""The 'descr is NULL' crash with the package's own kernels: ``calendar.take_due`` called from
Python after the cached ``core_kernels.take_kind``, which calls it (or its body) inside.

Usage: ``python bench/numba_env_collision_take_due.py`` with the tree to check first on
``PYTHONPATH`` (about 40 s of CPU: four processes on a new ``NUMBA_CACHE_DIR``, the first
compiling a 1:100,000 run's kernels). Prints each process's result and exits 1 if the last
one crashed. bench/numba_env_collision.py explains the mechanism; this script repeats its
order with the package:

1. a fresh process calls ``take_due`` from Python first (so it is the first function that
   process compiles), then runs a 1:100,000 simulation, which compiles ``take_kind``;
2. the own cache entries of ``take_due`` (and of ``take_due_body``, where it exists) are
   deleted;
3. a process loads ``take_kind`` from the cache, then calls ``take_due``, which it compiles
   again as its first function: the same environment name as in process 1;
4. a process loads ``take_kind``, then calls ``take_due`` from the cache.

On ``45727a0`` (``take_due`` called both ways) process 4 fails with "'descr' is NULL"; with
the body/entry split it returns the day's (empty) list. The environments of that name and
their number of constants are printed after each step.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile

STEP = """
import glob, os, re, sys
import numpy as np
from greatterror.model import compiled

compiled.drop_stale_caches()  # first: a first stamp would empty the entries saved below
from numba.core.environment import Environment
from greatterror.model import calendar, core_kernels


def take_due():
    lists = np.full((2, 3, 10), -1, dtype=np.int64)
    lists[:, 2, :] = 0
    entries = np.zeros((2, 10), dtype=np.int64)
    state = np.array([0, -1, 0], dtype=np.int64)
    return calendar.take_due(lists, entries, state, np.zeros(10, dtype=np.uint8), 3).tolist()


step = sys.argv[1]
if step == "first":
    print("take_due", take_due())
    import greatterror as gt

    gt.Sim("historical", seed=1, population=gt.Population.build(0.00001, 1)).run()
elif step == "drop":
    folder = os.path.dirname(calendar.take_due._cache._cache_file._index_path)
    for index in glob.glob(os.path.join(folder, "calendar.take_due*.nbi")):
        os.unlink(index)
        print("deleted", os.path.basename(index))
else:
    kernel = core_kernels.take_kind
    key = next(iter(kernel._cache._cache_file._load_index()))
    kept = kernel._cache.load_overload(key[0], kernel.targetctx)  # kept: its environments live
    print("take_due", take_due(), "from the cache" if calendar.take_due.stats.cache_hits else "")
for name, env in list(Environment._memo.items()):
    if "take_due" in name:
        print("  environment", re.search(r"take_due\\w*?B\\d+v\\d+", name).group(0),
              "constants", len(env.consts))
"""


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="numba-take-due-") as tmp:
        env = dict(os.environ, NUMBA_CACHE_DIR=tmp, GREATTERROR_HOME=os.path.join(tmp, "home"))
        last = None
        for step in ("first", "drop", "second", "third"):
            last = subprocess.run(
                [sys.executable, "-c", STEP, step], env=env, capture_output=True, text=True
            )
            error = last.stderr.strip().splitlines()[-1:] if last.returncode else []
            print(f"{step}: {last.stdout.strip()} {' '.join(error)}")
    crashed = last is not None and bool(re.search("'descr' is NULL", last.stderr))
    print("crashed: 'descr' is NULL" if crashed else "no crash")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
