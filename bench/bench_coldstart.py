"""The first run after a fresh install: what Numba's compilation costs, and a warm run beside it.

Usage: ``python bench/bench_coldstart.py [scale] [--kernels N]`` (default 0.001).

Runs the same job (build a population, run the historical scenario, build
the summary) twice, each in a fresh subprocess: first with an empty Numba
cache directory (``NUMBA_CACHE_DIR``), as after a fresh install, then again
with the cache the first job filled. The difference is the compile cost. CPU
seconds (user + system of the subprocess) are printed beside wall seconds,
because the wall time depends on what else runs on the machine.

With ``--kernels N`` the first job also records Numba's compile events and
prints the N costliest compilations (CPU seconds, inclusive: a kernel's time
includes the functions it calls that were compiled with it, such as the
sorting helpers or Numba's own implementations of NumPy functions), and how
many functions were compiled in all.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# records each compilation's CPU seconds (inclusive) into the file named by argv[1]
LISTEN = """
import json, sys, time
from numba.core import event
class _Listener(event.Listener):
    def __init__(self):
        self.started, self.done = {}, []
    def on_start(self, ev):
        self.started[id(ev.data["dispatcher"]), str(ev.data["args"])] = time.process_time()
    def on_end(self, ev):
        d = ev.data["dispatcher"]
        t0 = self.started.pop((id(d), str(ev.data["args"])))
        self.done.append((time.process_time() - t0, d.py_func.__module__ + "." + d.py_func.__qualname__))
_listener = _Listener()
event.register("numba:compile", _listener)
import atexit
atexit.register(lambda: json.dump(_listener.done, open(sys.argv[1], "w")))
"""

JOB = """
import greatterror as gt
pop = gt.Population.build({scale}, 1)
gt.Sim("historical", seed=1, population=pop).run().results.summary
"""


def _run(scale: float, cache: str, record: str | None = None) -> tuple[float, float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    code = (LISTEN if record else "") + JOB.format(scale=scale)
    args = [record] if record else []
    subprocess.run([sys.executable, "-c", code, *args], env=env, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    args = sys.argv[1:]
    top = 0
    if "--kernels" in args:
        at = args.index("--kernels")
        top = int(args[at + 1])
        del args[at : at + 2]
    scale = float(args[0]) if args else 0.001
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        record = os.path.join(cache, "compiled.json") if top else None
        cold = _run(scale, cache, record)
        warm = _run(scale, cache)
        compiled = json.loads(Path(record).read_text()) if record else []
    print(f"scale {scale:g}, one process each (import, build, run, summary):")
    print(f"  empty Numba cache:  wall {cold[0]:.1f} s, cpu {cold[1]:.1f} s")
    print(f"  filled Numba cache: wall {warm[0]:.1f} s, cpu {warm[1]:.1f} s")
    print(f"  compile cost:       cpu {cold[1] - warm[1]:.1f} s")
    if compiled:
        print(f"  {len(compiled)} functions compiled; the {top} costliest (cpu s, inclusive):")
        for seconds, name in sorted(compiled, reverse=True)[:top]:
            print(f"    {seconds:6.2f}  {name}")


if __name__ == "__main__":
    main()
