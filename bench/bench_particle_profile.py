"""Where one ABC particle's time goes in a fit worker (docs/performance-log.md, "One particle").

Usage: python bench/bench_particle_profile.py [--scale 0.003] [--particles 6] [--pyabc 6]

In one process (one worker), as a pyabc worker runs them:

1. process start: a fresh interpreter importing the particle model (what a Dask worker
   pays once; pyabc's multicore workers are forked and pay it never);
2. ``warm``: scenario, evidence and population, once per process; a second ``warm`` and
   a second ``FitModel`` must not build it again (checked: the same object comes back);
3. per particle, at the historical scenario's values with a new simulation seed each:
   the simulation's set-up on the shared population, the daily loop (with the runaway
   guard's checks; untimed steps where the code has ``Loop.timed``, as the fit runs
   them), the ledger's last flush and its sums (which the summary reads), the rest of the
   full summary, the statistics, and the ``gc.collect`` after the run; where
   the code has ``summary.target_rows`` (what the fit builds instead of the full summary
   since branch ``fitspeed``), it is timed on the same run, checked equal to the full
   summary's targets, and printed apart (the "particle" line sums the full summary);
4. pyabc's own cost: a small ABC-SMC (``--pyabc`` particles a generation, two generations,
   single-core sampler) whose model is timed from inside; everything outside the model
   calls is pyabc's (prior and transition draws, distances, the database).

CPU time (``time.process_time``) is the measure; wall time is printed too, with the load
average, because other jobs share the machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.calibration import simulator
from greatterror.calibration.simulator import FitModel, warm
from greatterror.calibration.statistics import excess_log_ratios


class Clock:
    """Sums CPU and wall seconds per label."""

    def __init__(self) -> None:
        self.cpu: dict[str, list[float]] = {}
        self.wall: dict[str, list[float]] = {}

    def timed(self, label: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        w, c = time.perf_counter(), time.process_time()
        out = fn(*args, **kwargs)
        self.cpu.setdefault(label, []).append(time.process_time() - c)
        self.wall.setdefault(label, []).append(time.perf_counter() - w)
        return out


def process_start() -> tuple[float, float]:
    """Wall and CPU seconds of a fresh interpreter importing the particle model."""
    code = "import greatterror.calibration.simulator, greatterror.model.sim, pyabc"
    before = os.times()
    w = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return time.perf_counter() - w, cpu


def particles(scale: float, n: int, clock: Clock) -> None:
    """``n`` particles, each step timed apart (the steps of ``FitModel.summary``)."""
    from greatterror.model import summary as summary_module
    from greatterror.model.params import BY_NAME
    from greatterror.model.sim import Simulation

    model = FitModel("historical", scale, 1)
    bands = model.bands()
    chosen, evidence, population = warm("historical", scale, 1)
    build = summary_module.build_summary
    model({"names_per_confession": 0.52})  # Numba cache, first-run imports: not counted
    for i in range(n):
        values = {"names_per_confession": 0.5 + 1e-6 * i}
        overrides = {k: float(round(v)) if BY_NAME[k].integer else v for k, v in values.items()}
        seed = simulator.simulation_seed(1, overrides)
        sim = clock.timed(
            "simulation set-up", Simulation, chosen, population, seed, evidence, overrides
        )
        if hasattr(sim.loop, "timed"):  # the fit's particle leaves its steps untimed
            sim.loop.timed = False

        def timed_summary(s: Any, name: str) -> Any:
            # the ledger's last flush and its sums, apart: the full summary and the targets
            # alone both need them; timed once, the second call of either is cheap
            clock.timed("ledger: last flush and sums", s.ledger.sums)
            return clock.timed("summary", build, s, name)

        summary_module.build_summary = timed_summary  # _run imports it from the module
        try:
            w, c = time.perf_counter(), time.process_time()
            result = model._run(sim, population, evidence, chosen.name)
            total_c, total_w = time.process_time() - c, time.perf_counter() - w
        finally:
            summary_module.build_summary = build
        for times, total in ((clock.cpu, total_c), (clock.wall, total_w)):
            spent = times["summary"][-1] + times["ledger: last flush and sums"][-1]
            times.setdefault("daily loop", []).append(total - spent)
        clock.timed("statistics", excess_log_ratios, result, bands)
        if hasattr(summary_module, "target_rows"):  # what the fit builds (branch fitspeed)
            rows = clock.timed("targets only (the fit's summary)", summary_module.target_rows, sim)
            assert rows == result["targets"]
        del sim, result
        clock.timed("gc.collect", gc.collect)


def pyabc_overhead(scale: float, n: int) -> tuple[float, float, int]:
    """CPU seconds of a small fit, of its model calls, and the number of calls."""
    from greatterror.calibration.abc import FitSettings, build_abc
    from greatterror.calibration.statistics import observed
    from greatterror.model.params import FREE_PARAMETERS

    pyabc = __import__("pyabc")
    settings = FitSettings("historical", scale, 1, n, FREE_PARAMETERS, quantile=0.9)
    model_cpu = [0.0]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "fit.db"
        abc = build_abc(settings, pyabc.sampler.SingleCoreSampler(), db)
        inner = abc.models[0].sample

        def sample(pars: Any) -> Any:
            c = time.process_time()
            out = inner(pars)
            model_cpu[0] += time.process_time() - c
            return out

        abc.models[0].sample = sample
        abc.new(f"sqlite:///{db}", observed(settings.targets))
        c = time.process_time()
        history = abc.run(max_nr_populations=2)
        total = time.process_time() - c
        calls = history.total_nr_simulations
    return total, model_cpu[0], calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.003)
    parser.add_argument("--particles", type=int, default=6)
    parser.add_argument("--pyabc", type=int, default=6, help="particles a generation")
    args = parser.parse_args()
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    wall, cpu = process_start()
    print(f"process start (fresh interpreter, imports): {wall:.2f} s wall, {cpu:.2f} s CPU")
    clock = Clock()
    first = clock.timed("warm (population build, once)", warm, "historical", args.scale, 1)
    again = clock.timed("warm again (cached)", warm, "historical", args.scale, 1)
    assert again[2] is first[2], "the population was rebuilt"
    particles(args.scale, args.particles, clock)
    print(f"\n1:{1 / args.scale:,.0f}, {args.particles} particles at the scenario's values:")
    print(f"{'step':40s} {'CPU median':>11s} {'wall median':>12s}")
    per_particle = 0.0
    for label, cpus in clock.cpu.items():
        med = float(np.median(cpus))
        if label not in (
            "warm (population build, once)",
            "warm again (cached)",
            "targets only (the fit's summary)",
        ):
            per_particle += med
        print(f"{label:40s} {med:10.3f}s {float(np.median(clock.wall[label])):11.3f}s")
    print(f"{'particle (sum of medians)':40s} {per_particle:10.3f}s")
    total, model_cpu, calls = pyabc_overhead(args.scale, args.pyabc)
    print(
        f"\npyabc, 2 generations of {args.pyabc}: {calls} simulations, {total:.1f} s CPU in all, "
        f"{model_cpu:.1f} s in the model: pyabc's own {total - model_cpu:.2f} s, "
        f"{(total - model_cpu) / calls:.3f} s a simulation"
    )
    print(f"load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
