"""Memory of one ABC worker over many particles (docs/performance-log.md, memory of a fit worker).

Draws particles from the free parameters' priors (data/parameters.csv) and runs them one
after another through one ``FitModel``, as a pyabc worker does, printing after each the
resident memory now and at its peak. A worker whose memory rises particle after particle
keeps something of every run alive.

    python bench/bench_fit_memory.py --scale 0.003 --particles 40
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from greatterror.calibration.simulator import FitModel
from greatterror.model.params import BY_NAME, FREE_PARAMETERS


def resident_mb() -> int:
    """Resident memory of this process now, in MB (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() // 2**20


def draw(rng: np.random.Generator) -> dict[str, float]:
    """One particle from the priors (uniform and log-uniform priors only, as the free ones)."""
    out = {}
    for name in FREE_PARAMETERS:
        prior = BY_NAME[name].prior
        low, high = (float(a) for a in prior.args)
        if prior.kind == "loguniform":
            out[name] = float(np.exp(rng.uniform(np.log(low), np.log(high))))
        else:
            out[name] = float(rng.uniform(low, high))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.003)
    parser.add_argument("--particles", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    model = FitModel("historical", args.scale, 1)
    rng = np.random.default_rng(args.seed)
    for i in range(args.particles):
        start, cpu = time.perf_counter(), time.process_time()
        stats = model(draw(rng))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(
            f"particle {i:3d}: resident {resident_mb():5d} MB, peak {peak:5d} MB, "
            f"wall {time.perf_counter() - start:5.1f} s, CPU {time.process_time() - cpu:5.1f} s, "
            f"largest statistic {max(stats.values()):.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
