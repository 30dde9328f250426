"""Simulations per second of the calibration's particle model (docs/performance-log.md).

Usage: python bench/bench_calibrate.py [--scale 0.001] [--runs 8] [--prior-runs 8]

Times ``calibration.simulator.FitModel`` in one process, the way an ABC worker
runs it: the population is built once (timed apart), then ``--runs``
particles at the historical scenario's values (different simulation seeds)
and ``--prior-runs`` particles drawn from the priors of data/parameters.csv
(where runaway runs stop early). Prints wall and CPU seconds per particle
and the load average, since other jobs on the machine slow the wall time.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from greatterror.calibration.problem import pyabc_prior
from greatterror.calibration.simulator import FitModel, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.001)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--prior-runs", type=int, default=8)
    args = parser.parse_args()
    t0 = time.perf_counter()
    warm("historical", args.scale, 1)
    print(f"load scenario, evidence and build the population: {time.perf_counter() - t0:.2f} s")
    model = FitModel("historical", args.scale, 1)
    model({"names_per_confession": 0.52})  # compiles or loads the Numba cache
    np.random.seed(0)
    prior = pyabc_prior()
    for label, n, draw in (
        ("scenario values", args.runs, lambda i: {"names_per_confession": 0.5 + 1e-6 * i}),
        ("prior draws", args.prior_runs, lambda i: dict(prior.rvs())),
    ):
        wall, cpu, stopped = [], [], 0
        for i in range(n):
            pars = draw(i)
            w, c = time.perf_counter(), time.process_time()
            stats = model(pars)
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
            stopped += any(np.isnan(v) for v in stats.values())
        print(
            f"{label}: {n} particles at 1:{1 / args.scale:,.0f}: median wall {np.median(wall):.2f} s, "
            f"median CPU {np.median(cpu):.2f} s, {1 / np.median(wall):.2f} simulations/s per "
            f"worker; {stopped} stopped as runaways; load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
