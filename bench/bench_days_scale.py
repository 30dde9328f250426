"""User and system CPU per component and year of one run at a large scale, and a profile.

Usage: ``python bench/bench_days_scale.py SCALE [SEED] [PROFILE_OUT]`` (e.g. 1 1 /tmp/p1).

``bench_years.py`` makes a warm-up run at the scale it measures, which at 1:1 costs a
whole run; here the warm-up (Numba compilation, first calls) is a 1:1,000 run, then the
population at SCALE is built once and run once with each component's step timed by
``resource.getrusage`` (user and system time separately: system time at 1:1 is mostly the
first touch of fresh memory). With PROFILE_OUT a second run at SCALE follows under one
``cProfile`` a calendar year, timed by ``time.process_time`` (dumped to PROFILE_OUT.YEAR;
read them with ``pstats.Stats(*files)``). The profiler slows every Python-level call (a
1:1 run's days cost about 1.6 times as much), not a compiled kernel's own time. A
benchmark, not a test (docs/performance-log.md, branch ``days1``).
"""

from __future__ import annotations

import collections
import cProfile
import resource
import sys
import time
from collections.abc import Mapping
from typing import Any


def cpu() -> tuple[float, float]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime


def table(
    label: str, acc: Mapping[tuple[str, int], float], names: list[str], years: list[int]
) -> None:
    """Print ``acc`` (seconds by component and year), components by their total."""
    acc = collections.defaultdict(float, acc)
    print(f"\n{label} s  {'component':<20}" + "".join(f"{y:>7}" for y in years) + "   total")
    for n in sorted(names, key=lambda n: -sum(acc[(n, y)] for y in years)):
        row = [acc[(n, y)] for y in years]
        print(f"{'':9}{n:<20}" + "".join(f"{x:7.2f}" for x in row) + f" {sum(row):7.2f}")
    sums = [sum(acc[(n, y)] for n in names) for y in years]
    print(f"{'':9}{'all':<20}" + "".join(f"{x:7.2f}" for x in sums) + f" {sum(sums):7.2f}")


def main() -> None:
    scale = float(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    prof_out = sys.argv[3] if len(sys.argv) > 3 else None
    import greatterror as gt
    from greatterror.evidence.loader import load_evidence
    from greatterror.model.loop import Loop

    user: collections.defaultdict[tuple[str, int], float] = collections.defaultdict(float)
    system: collections.defaultdict[tuple[str, int], float] = collections.defaultdict(float)
    calls: collections.Counter[tuple[str, int]] = collections.Counter()

    def run_day(self: Loop, world: Any, engine: Any, day: int) -> None:
        year = engine.date(day).year
        for component in self.acting(engine):
            u0, s0 = cpu()
            component.step(world, engine, day)
            u1, s1 = cpu()
            key = (component.name, year)
            user[key] += u1 - u0
            system[key] += s1 - s0
            calls[key] += 1

    Loop.run_day = run_day  # type: ignore[method-assign]
    evidence = load_evidence()
    small = gt.Population.build(0.001, seed)
    gt.Sim("historical", seed=seed, population=small, evidence=evidence).run()  # warm-up
    for counter in (user, system, calls):
        counter.clear()
    c0 = time.process_time()
    pop = gt.Population.build(scale, seed)
    c1 = time.process_time()
    sim = gt.Sim("historical", seed=seed, population=pop, evidence=evidence)
    sim.engine  # noqa: B018 - the set-up is lazy: done here, not in the first day
    c2 = time.process_time()
    u0, s0 = cpu()
    sim.run()
    u1, s1 = cpu()
    print(
        f"scale {scale:g} seed {seed}: build {c1 - c0:.1f} s, set-up {c2 - c1:.1f} s, "
        f"run user {u1 - u0:.2f} s sys {s1 - s0:.2f} s"
    )
    years = sorted({y for _, y in user})
    names = list(dict.fromkeys(n for n, _ in user))
    both = collections.defaultdict(float, {k: user[k] + system[k] for k in user})
    for label, acc in (("user+sys", both), ("sys", system)):
        table(label, acc, names, years)
    del sim
    if prof_out:
        # a profile a calendar year, on CPU time: cProfile's default timer is the wall
        # clock, which on a shared machine charges the waits to whatever runs
        profiles: dict[int, cProfile.Profile] = {}
        timed = Loop.run_day

        def profiled_day(self: Loop, world: Any, engine: Any, day: int) -> None:
            year = engine.date(day).year
            prof = profiles.setdefault(year, cProfile.Profile(time.process_time))
            prof.enable()
            timed(self, world, engine, day)
            prof.disable()

        Loop.run_day = profiled_day  # type: ignore[method-assign]
        sim = gt.Sim("historical", seed=seed, population=pop, evidence=evidence)
        sim.engine  # noqa: B018 - the set-up, outside the profiles
        sim.run()
        for year, prof in profiles.items():
            prof.dump_stats(f"{prof_out}.{year}")
        print(f"profiles written to {prof_out}.YEAR")


if __name__ == "__main__":
    main()
