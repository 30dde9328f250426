"""CPU per simulation of a real ABC run, all processes counted, and where it goes.

Usage: python bench/bench_fit_cpu.py [--scale 0.001] [--particles 8] [--generations 2]
[--workers 2] [--hypotheses H6,H7] [--seed 1] [--out FILE.json]

Runs ``calibration.compare.run_compare`` (what ``greatterror hypotheses compare`` runs: one
repeat, no prior-scaled runs, pyabc's multicore sampler forked per generation, the
calibration sample included) with timers put in before the workers fork, and reports by
CPU time (``time.process_time`` in each process), so that it holds on a loaded machine:

- the parent: before sampling (imports aside: scenario, evidence, population, pyabc's set-up
  and database) and during ``ABCSMC.run`` (waiting on the workers' queue, and between
  generations: weights, distance update, transitions, database writes);
- each forked worker, from its fork to the end of pyabc's ``work``: per simulation pyabc's
  side (the proposal, the distance, the weight, the particle; ``_simulate_one`` less the
  model), the model's mapping of the logistic scale, and in ``FitModel`` the simulation's
  set-up, the days (with the runaway checks), the summary, the statistics and the
  collection; and the rest of the worker (its first kernels' loads from Numba's cache,
  the queue).

A simulation's CPU "all processes" is the parent's and the workers' CPU over the
simulations pyabc made (the calibration sample counted). The hypotheses are given by id
(``H1`` ... ``H7``, as the command takes them), no screen. Nothing is changed in
the run: the timers only read the clock.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import bench_reference_build as brb

LOG = Path(tempfile.mkdtemp(prefix="bench_fit_cpu_"))
# the phase timers of the reference table's benchmark: one wrapper, one record of the phases
_PHASES = brb._PHASES
_timed = brb._timed


def instrument() -> None:
    """Timers on the phases of a particle, put in before pyabc forks its workers."""
    import pyabc.inference_util.inference_util as iu
    import pyabc.sampler.multicore_evaluation_parallel as mep

    from greatterror.calibration import compare, simulator
    from greatterror.model import sim, summary

    simulator.run_or_stop = _timed("days", simulator.run_or_stop)
    summary.build_summary = _timed("summary", summary.build_summary)
    if hasattr(summary, "target_rows"):  # the fit's targets only (branch fitspeed)
        summary.target_rows = _timed("summary", summary.target_rows)
    simulator.excess_log_ratios = _timed("statistics", simulator.excess_log_ratios)
    simulator.gc.collect = _timed("collection", simulator.gc.collect)  # type: ignore[attr-defined]
    init = sim.Simulation.__init__
    sim.Simulation.__init__ = _timed("set-up", init)  # type: ignore[method-assign]
    call = simulator.FitModel.__call__
    simulator.FitModel.__call__ = _timed("model", call)  # type: ignore[method-assign]
    compare.logistic_values = _timed("logistic", compare.logistic_values)
    # pyabc's particle: from the prior for the calibration sample, from the transition after
    iu._simulate_one = _timed("simulate_one", iu._simulate_one)
    iu._simulate_one_from_prior = _timed("simulate_one", iu._simulate_one_from_prior)
    work = mep.work

    def timed_work(*args: Any, **kwargs: Any) -> Any:
        _PHASES.clear()
        start = time.process_time()  # the fork's own cost, in the child
        before = {"simulations": 0}
        inner = args[0]

        def counted() -> Any:
            before["simulations"] += 1
            return inner()

        try:
            return work(counted, *args[1:], **kwargs)
        finally:
            record = {
                "pid": os.getpid(),
                "at_start": start,
                "cpu": time.process_time(),
                "simulations": before["simulations"],
                "phases": dict(_PHASES),
            }
            with open(LOG / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")

    mep.work = timed_work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.001)
    parser.add_argument("--particles", type=int, default=8)
    parser.add_argument("--generations", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hypotheses", default="H6,H7")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    c_import = time.process_time()
    from greatterror.calibration.compare import run_compare
    from greatterror.calibration.compare_settings import CompareSettings
    from greatterror.model.hypothesis_catalog import FOLDER, find_hypothesis

    imports = time.process_time() - c_import
    load0 = os.getloadavg()
    instrument()
    chosen = [find_hypothesis(key) for key in args.hypotheses.split(",")]
    labels = tuple(s.hypothesis.id for s in chosen if s.hypothesis is not None)
    scenarios = tuple(f"{FOLDER}/{s.name}" for s in chosen)
    settings = CompareSettings(
        scenarios, labels, args.scale, args.seed, args.particles, 1, prior_scales=()
    )
    db = LOG / "compare.db"
    import pyabc

    set_up = [0.0]
    build = pyabc.ABCSMC.run

    def timed_run(self: Any, *a: Any, **k: Any) -> Any:
        set_up[0] = time.process_time() - c0  # everything before the first sample
        return build(self, *a, **k)

    pyabc.ABCSMC.run = timed_run  # type: ignore[method-assign]
    children0, c0, w0 = os.times(), time.process_time(), time.perf_counter()
    run_compare(settings, db, args.generations, workers=args.workers)
    parent = time.process_time() - c0
    wall = time.perf_counter() - w0
    children1 = os.times()
    children = (children1.children_user - children0.children_user) + (
        children1.children_system - children0.children_system
    )
    history = pyabc.History(f"sqlite:///{db}", _id=1)
    counted = int(history.total_nr_simulations)
    rows = [json.loads(line) for f in LOG.glob("*.jsonl") for line in f.read_text().splitlines()]
    n = sum(r["simulations"] for r in rows)
    phases: dict[str, float] = {}
    for r in rows:
        for k, v in r["phases"].items():
            phases[k] = phases.get(k, 0.0) + v
    worker_cpu = sum(r["cpu"] for r in rows)
    fork = sum(r["at_start"] for r in rows)
    in_model = phases.get("model", 0.0)
    inner = sum(phases.get(k, 0.0) for k in ("set-up", "days", "summary", "statistics"))
    out = {
        "scale": args.scale,
        "hypotheses": labels,
        "particles": args.particles,
        "generations": args.generations,
        "workers": args.workers,
        "simulations": n,
        "pyabc_counts": counted,
        "worker_processes": len(rows),
        "load_start": load0,
        "load_end": os.getloadavg(),
        "wall": wall,
        "imports": imports,
        "parent_before_sampling": set_up[0],
        "parent_during_run": parent - set_up[0],
        "children_cpu": children,
        "workers_cpu": worker_cpu,
        "per_simulation": {
            "set-up": phases.get("set-up", 0.0) / n,
            "days": phases.get("days", 0.0) / n,
            "summary": phases.get("summary", 0.0) / n,
            "statistics": phases.get("statistics", 0.0) / n,
            "collection": phases.get("collection", 0.0) / n,
            "model, rest": (in_model - inner - phases.get("collection", 0.0)) / n,
            "logistic mapping": phases.get("logistic", 0.0) / n,
            "pyabc in the worker": (phases.get("simulate_one", 0.0) - in_model) / n,
            "worker outside simulations (fork, cache loads, queue)": (
                worker_cpu - phases.get("simulate_one", 0.0)
            )
            / n,
            "of which before pyabc's work (fork)": fork / n,
            "parent during the run": (parent - set_up[0]) / n,
            "parent before sampling": set_up[0] / n,
            "all processes": (parent + children) / n,
        },
    }
    width = max(len(k) for k in out["per_simulation"])
    print(
        f"{n} simulations (pyabc counts {counted}, the calibration sample included), "
        f"{len(rows)} worker processes, 1:{1 / args.scale:,.0f}, {','.join(labels)}; "
        f"wall {wall:.0f} s; load {load0[0]:.2f} -> {out['load_end'][0]:.2f}"
    )
    for k, v in out["per_simulation"].items():
        print(f"  {k:{width}s} {v:8.4f} s CPU a simulation")
    print(f"  imports (once, not counted) {imports:.2f} s")
    if args.out:
        args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
