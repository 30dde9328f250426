"""CPU per call of the engine's transitions, compiled against their NumPy code, by batch size.

Usage: ``python bench/bench_transitions.py [rounds] [scale]`` (defaults 2000 0.001).

``Engine.arrest``, ``release`` and ``die_in_custody`` are compiled calls on the core since
branch transk (model/arrest_kernel.py, model/core_kernels.py); ``engine_reference.
arrest_reference``, ``Transitions.release_reference`` and ``die_in_custody_reference`` are the
NumPy code they replaced. On a run advanced to 1 August 1937 (the mass operations' start), for
batches of 1, 5, 20 and 50 people at liberty, each round arrests a batch ("ordinary", with an
investigation drawn and scheduled), releases it, arrests it again and lets it die in custody
(then puts it back at liberty), once with the compiled transitions and once with the NumPy
code, in alternation. Each call is timed alone with ``time.process_time_ns``; prints the
median microseconds per call of each.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rounds", nargs="?", type=int, default=2000)
    ap.add_argument("scale", nargs="?", type=float, default=0.001)
    a = ap.parse_args()
    import greatterror as gt
    from greatterror.model.engine_reference import arrest_reference
    from greatterror.vocabulary import Status

    sim = gt.Sim("historical", scale=a.scale, seed=1).engine
    e = sim.engine
    day = (np.datetime64("1937-08-01") - np.datetime64(e.start)).astype(int)
    sim.run(until=int(day))
    status = sim.world.cases.status
    free = np.flatnonzero(status == Status.FREE)
    free = free[~e.is_elite[free]]  # (the mass layer: most arrests)
    rng = np.random.default_rng(5)
    clock = time.process_time_ns
    versions = {
        "compiled": (e.arrest, e.release, e.die_in_custody),
        "numpy": (
            lambda d, i, op: arrest_reference(e, d, i, op),
            e.release_reference,
            e.die_in_custody_reference,
        ),
    }
    print(f"scale {a.scale}, day {day}, {a.rounds} rounds; median us per call")
    print(f"{'size':>5} {'transition':<16} {'numpy':>8} {'compiled':>9} {'ratio':>6}")
    for size in (1, 5, 20, 50):
        times: dict[tuple[str, str], list[int]] = {}
        for r in range(a.rounds):
            for name in ("compiled", "numpy") if r % 2 else ("numpy", "compiled"):
                arrest, release, die = versions[name]
                idx = np.sort(rng.choice(free, size, replace=False))
                for what, call, op in (
                    ("arrest", arrest, ("ordinary",)),
                    ("release", release, ()),
                    ("arrest again", arrest, ("ordinary",)),
                    ("die_in_custody", die, ()),
                ):
                    t0 = clock()
                    call(day, idx, *op)
                    times.setdefault((what, name), []).append(clock() - t0)
                status[idx] = Status.FREE
        for what in ("arrest", "release", "die_in_custody"):
            old = statistics.median(times[(what, "numpy")]) / 1e3
            new = statistics.median(times[(what, "compiled")]) / 1e3
            print(f"{size:>5} {what:<16} {old:>8.2f} {new:>9.2f} {new / old:>6.2f}")


if __name__ == "__main__":
    main()
