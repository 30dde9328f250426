"""Where a small fit's worker time goes: CPU per simulation, idle share, and the split.

Usage: ``python bench/bench_calibrate_workers.py [--scale 0.001] [--particles 6]
[--generations 2] [--workers 2]`` (docs/performance-log.md, "A reference table of the nine
hypotheses").

Runs ``calibration.abc.run_fit`` (as ``greatterror calibrate historical`` does, with every
free parameter, pyabc's multicore sampler) with the timers of bench/bench_reference_build.py
put in before pyabc forks its workers (it forks them again for every generation), and
``FitModel.__call__`` timed per particle: its wall time, CPU and run-queue wait, and the
split (``warm``, set-up, run, summary, the rest: the statistics and the collection). A
worker's *idle* time is the fit's wall time less the wall time it held a particle: between
generations (pyabc's own work in the parent: weights, distance, transition, database; and
the workers' fork), the tail of a generation (workers that stopped while the last particles
ran) and start-up. Worker CPU in all is the children's CPU (``os.times``): pyabc joins its
workers at the end of each generation.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import tempfile
import time
from pathlib import Path
from typing import Any

import bench_reference_build as brb


def instrument() -> None:
    from greatterror.calibration import reference_build as rb
    from greatterror.calibration import simulator

    brb.instrument()  # warm, set-up, run, summary (and the build's own, unused here)
    rb.run_job = brb._ORIGINAL.pop()
    call = simulator.FitModel.__call__

    def timed_call(self: Any, parameters: Any) -> dict[str, float]:
        brb._PHASES.clear()
        w0, c0, q0 = time.perf_counter(), time.process_time(), brb._run_queue_ns()
        out = call(self, parameters)
        c1 = time.process_time()
        blob = pickle.dumps(out)
        record = {
            "pid": os.getpid(),
            "start": w0,
            "end": time.perf_counter(),
            "cpu": c1 - c0,
            "queue": (brb._run_queue_ns() - q0) / 1e9,
            "pickle_cpu": time.process_time() - c1,
            "pickle_bytes": len(blob),
            "runaway": out == dict.fromkeys(self.ids, simulator.RUNAWAY_STATISTIC),
            "phases": dict(brb._PHASES),
        }
        with open(brb.LOG / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return out

    simulator.FitModel.__call__ = timed_call  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.001)
    parser.add_argument("--particles", type=int, default=6)
    parser.add_argument("--generations", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from greatterror.calibration.abc import FitSettings, run_fit
    from greatterror.model.params import FREE_PARAMETERS

    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    instrument()
    settings = FitSettings("historical", args.scale, args.seed, args.particles, FREE_PARAMETERS)
    db = Path(tempfile.mkdtemp(prefix="bench_fit_")) / "fit.db"
    children0, c0, w0 = os.times(), time.process_time(), time.perf_counter()
    history = run_fit(settings, db, args.generations, workers=args.workers)
    wall = time.perf_counter() - w0
    children1 = os.times()
    worker_cpu = (children1.children_user - children0.children_user) + (
        children1.children_system - children0.children_system
    )
    n = sum(len(f.read_text().splitlines()) for f in brb.LOG.glob("*.jsonl"))
    args.hypotheses, args.draws, args.blocks = ["historical"], args.particles, 1
    print(
        f"fit: {args.generations} generations of {args.particles} particles, {n} model calls "
        f"(pyabc counts {history.total_nr_simulations})"
    )
    brb.report(args, n, wall, worker_cpu, time.process_time() - c0, (0.0, 0.0), w0)
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
