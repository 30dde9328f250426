"""The first run after a fresh install: what Numba's compilation costs, and a warm run beside it.

Usage: ``python bench/bench_coldstart.py [scale]`` (default 0.001).

Runs the same job (build a population, run the historical scenario, build
the summary) twice, each in a fresh subprocess: first with an empty Numba
cache directory (``NUMBA_CACHE_DIR``), as after a fresh install, then again
with the cache the first job filled. The difference is the compile cost. CPU
seconds (user + system of the subprocess) are printed beside wall seconds,
because the wall time depends on what else runs on the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time

JOB = """
import greatterror as gt
pop = gt.Population.build({scale}, 1)
gt.Sim("historical", seed=1, population=pop).run().results.summary
"""


def _run(scale: float, cache: str) -> tuple[float, float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", JOB.format(scale=scale)], env=env, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.001
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        cold = _run(scale, cache)
        warm = _run(scale, cache)
    print(f"scale {scale:g}, one process each (import, build, run, summary):")
    print(f"  empty Numba cache:  wall {cold[0]:.1f} s, cpu {cold[1]:.1f} s")
    print(f"  filled Numba cache: wall {warm[0]:.1f} s, cpu {warm[1]:.1f} s")
    print(f"  compile cost:       cpu {cold[1] - warm[1]:.1f} s")


if __name__ == "__main__":
    main()
