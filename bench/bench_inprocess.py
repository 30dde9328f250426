"""In-process warm runs reusing a built population: wall and CPU seconds, per-step timings.

Usage: ``python bench/bench_inprocess.py [scale] [repeats] [seed]`` (defaults 0.001 7 1).

The population and the evidence are built once; each repeat makes a fresh
``gt.Sim(population=pop)`` and runs it to the end, then builds its results
(the summary). The first repeat is a warm-up (Numba compilation, caches) and
is not counted. Prints the median wall and CPU seconds of the run and of the
summary, the median per-step timings from ``sim.loop.timings``, and a hash of
the summary so that a speed change can be checked to keep the output equal.
CPU time (``time.process_time``) is less disturbed than wall time when other
jobs share the machine.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
import time


def _hash(summary: object) -> str:
    text = json.dumps(summary, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.001
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    import greatterror as gt
    from greatterror.evidence.loader import load_evidence

    pop = gt.Population.build(scale, seed)
    evidence = load_evidence()
    walls, cpus, sum_walls, sum_cpus, steps = [], [], [], [], []
    digest = ""
    for i in range(repeats + 1):
        w0, c0 = time.perf_counter(), time.process_time()
        sim = gt.Sim("historical", seed=seed, population=pop, evidence=evidence).run()
        w1, c1 = time.perf_counter(), time.process_time()
        summary = sim.results.summary
        w2, c2 = time.perf_counter(), time.process_time()
        h = _hash(summary)
        if digest and h != digest:
            raise SystemExit(f"summary differs between repeats: {digest} != {h}")
        digest = h
        if i == 0:
            continue  # warm-up
        walls.append(w1 - w0)
        cpus.append(c1 - c0)
        sum_walls.append(w2 - w1)
        sum_cpus.append(c2 - c1)
        steps.append(dict(sim.loop.timings))
    print(f"scale {scale:g} seed {seed}: {repeats} warm repeats, summary hash {digest}")
    print(f"  run   wall median {statistics.median(walls):.3f} s (min {min(walls):.3f})")
    print(f"  run   cpu  median {statistics.median(cpus):.3f} s (min {min(cpus):.3f})")
    print(f"  summary wall median {statistics.median(sum_walls):.3f} s")
    print(f"  summary cpu  median {statistics.median(sum_cpus):.3f} s (min {min(sum_cpus):.3f})")
    for name in steps[0]:
        print(f"    {name:<24} {statistics.median(s[name] for s in steps):.4f} s")


if __name__ == "__main__":
    main()
