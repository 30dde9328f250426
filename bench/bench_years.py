"""CPU milliseconds per component and calendar year of warm in-process runs.

Usage: ``python bench/bench_years.py [scale] [runs] [seed]`` (defaults 0.001 2 1).

Builds the population and evidence once, runs one warm-up, then ``runs`` runs of
``gt.Sim("historical", population=pop)``, timing each component's step with
``time.process_time_ns`` (CPU time, less disturbed by other jobs than the loop's wall
clock) and adding it to the year of the day. Prints the mean per run, components by their
total. A year without mass operations shows the floor every day pays whatever happens
(docs/performance-log.md, round speed9).
"""

from __future__ import annotations

import collections
import sys
import time
from typing import Any


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.001
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    import greatterror as gt
    from greatterror.evidence.loader import load_evidence
    from greatterror.model.loop import Loop

    acc: collections.Counter[tuple[str, int]] = collections.Counter()

    def run_day(self: Loop, world: Any, engine: Any, day: int) -> None:
        clock = time.process_time_ns
        year = engine.date(day).year
        for component in self.acting(engine):
            t0 = clock()
            component.step(world, engine, day)
            acc[(component.name, year)] += clock() - t0

    Loop.run_day = run_day  # type: ignore[method-assign]
    pop = gt.Population.build(scale, seed)
    evidence = load_evidence()
    gt.Sim("historical", seed=seed, population=pop, evidence=evidence).run()  # warm-up
    acc.clear()
    cpu = 0.0
    for _ in range(runs):
        c0 = time.process_time()
        gt.Sim("historical", seed=seed, population=pop, evidence=evidence).run()
        cpu += time.process_time() - c0
    years = sorted({y for _, y in acc})
    names = list(dict.fromkeys(n for n, _ in acc))
    table = {n: [acc[(n, y)] / runs / 1e6 for y in years] for n in names}
    print(f"scale {scale:g} seed {seed}: run CPU mean {cpu / runs:.3f} s over {runs} runs")
    print(f"{'component':<22}" + "".join(f"{y:>7}" for y in years) + "   total")
    for n in sorted(names, key=lambda n: -sum(table[n])):
        print(f"{n:<22}" + "".join(f"{v:7.1f}" for v in table[n]) + f" {sum(table[n]):7.1f}")
    sums = [sum(table[n][i] for n in names) for i in range(len(years))]
    print(f"{'all':<22}" + "".join(f"{v:7.1f}" for v in sums) + f" {sum(sums):7.1f}")


if __name__ == "__main__":
    main()
