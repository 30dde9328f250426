"""Where the time of one ``greatterror run`` goes: wall and CPU seconds by phase.

Usage: ``python bench/bench_cli_phases.py [scale] [out_dir]`` (defaults 0.01 and a
temporary folder). Runs the command line in this process (``cli.app.main``) with
timers around its phases, and prints them with the whole command's wall time:

- imports: ``greatterror.cli.app`` and what it imports (before the command runs);
- population: the population build (it also pays Numba's first use, see below);
- simulation: the daily loop (``model.sim.Simulation.run``);
- summary: ``build_summary``;
- save: ``save_run`` (the two tables, the content hash, summary.json, the report, the
  marker, the registry row), of which the report and the registry row apart;
- Numba loads: the time spent loading cached kernels at their first call (within the
  phases above; the first one also sets Numba's own typing up, about 0.4 s).

What is left of the command's wall time (the pre-run checks, the registry check, printing
the tables) is shown as "other". CPU seconds are this process's only: a forked worker's or
pool's time shows in wall seconds. Set ``GREATTERROR_HOME`` to keep the registry row out of
your own registry. Works with older code too (put its ``src`` first on ``PYTHONPATH``): a
phase whose function that code lacks is left out.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import importlib
import io
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

WALL: collections.Counter[str] = collections.Counter()
CPU: collections.Counter[str] = collections.Counter()


def _timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        w, c = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            WALL[label] += time.perf_counter() - w
            CPU[label] += time.process_time() - c

    return timed


def _wrap(module: str, name: str, label: str) -> None:
    """Time ``module.name`` (a function, or ``Class.method``) if this code has it."""
    try:
        owner: Any = importlib.import_module(module)
    except ImportError:
        return
    *path, attr = name.split(".")
    for part in path:
        owner = getattr(owner, part, None)
    if owner is not None and hasattr(owner, attr):
        setattr(owner, attr, _timed(label, getattr(owner, attr)))


def main() -> None:
    scale = sys.argv[1] if len(sys.argv) > 1 else "0.01"
    out = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="greatterror-bench-")
    start = time.perf_counter()
    from greatterror.cli.app import main as cli

    imported = time.perf_counter() - start
    from numba.core.dispatcher import Dispatcher

    Dispatcher._compile_for_args = _timed("Numba loads", Dispatcher._compile_for_args)
    _wrap("greatterror.population.build", "build_population", "population")
    _wrap("greatterror.model.sim", "Simulation.run", "simulation")
    _wrap("greatterror.model.summary", "build_summary", "summary")
    _wrap("greatterror.model.run", "save_run", "save")
    _wrap("greatterror.results.report", "write_report", "  of it: report")
    _wrap("greatterror.results.output_worker", "write_report", "  of it: report")
    _wrap("greatterror.results.registry", "record_run", "  of it: registry row")
    began = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        cli(["run", "--scale", scale, "--out", out, "--overwrite"])
    total = time.perf_counter() - began + imported
    print(
        f"greatterror run --scale {scale}: {total:.2f} s wall, this process "
        f"{time.process_time():.2f} s CPU"
    )
    print(f"  {'imports':<22} {imported:6.2f} s wall")
    for label in ("population", "simulation", "summary", "save"):
        print(f"  {label:<22} {WALL[label]:6.2f} s wall {CPU[label]:6.2f} s CPU")
        if label == "save":
            for sub in ("  of it: report", "  of it: registry row"):
                print(f"  {sub:<22} {WALL[sub]:6.2f} s wall {CPU[sub]:6.2f} s CPU")
    phases = imported + sum(WALL[k] for k in ("population", "simulation", "summary", "save"))
    print(f"  {'other':<22} {total - phases:6.2f} s wall")
    print(f"  {'Numba loads (within)':<22} {WALL['Numba loads']:6.2f} s wall")


if __name__ == "__main__":
    main()
