"""Python-level calls and CPU per simulated day, component by component, of warm runs.

Usage: ``python bench/bench_component_calls.py [scale] [runs] [seed] [top]`` (defaults
0.001 3 1 0).

Builds the population and evidence once and runs one warm-up. Then ``runs`` runs timed
with ``time.process_time_ns`` around each component's step (CPU time, less disturbed by
other jobs than the loop's wall clock), and one more run under ``sys.setprofile``, which
counts each Python function call and each builtin call (``call`` and ``c_call`` events; a
Numba kernel's call from Python is not an event of its own, the work it saves is) and gives
it to the component whose step is running. Prints, per component, the calls and the CPU
microseconds per simulated day, largest CPU first; with ``top`` > 0 also each component's
``top`` most called functions. The floor of a day is a count of calls (docs/performance-log.md,
branches speed24 and speed25): this shows which component's day would lose most calls as
one compiled call.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from greatterror.model.loop import Loop


def positive(text: str) -> int:
    """An argument that must be a whole number >= 1 (argparse's ``type``)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; allowed: a whole number >= 1")
    return value


def timed_day(cpu: collections.Counter[str], days: list[int]) -> Callable[..., None]:
    """A ``Loop.run_day`` that adds each component's step's CPU nanoseconds to ``cpu`` (by
    its name) and counts the day in ``days[0]`` (also used by bench/bench_calls.py)."""

    def run_day(self: Loop, world: Any, engine: Any, day: int) -> None:
        clock = time.process_time_ns
        days[0] += 1
        for component in self.acting(engine):
            t0 = clock()
            component.step(world, engine, day)
            cpu[component.name] += clock() - t0

    return run_day


def counted_day(
    current: list[str], days: list[int], today: list[int] | None = None
) -> Callable[..., None]:
    """A ``Loop.run_day`` that names the running component in ``current[0]`` (``""``
    between components: a profiler gives the calls made meanwhile to it), counts the day in
    ``days[0]`` and, if given, puts the day in ``today[0]`` (also used by
    bench/bench_calls.py)."""

    def run_day(self: Loop, world: Any, engine: Any, day: int) -> None:
        days[0] += 1
        if today is not None:
            today[0] = day
        for component in self.acting(engine):
            current[0] = component.name
            component.step(world, engine, day)
        current[0] = ""

    return run_day


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scale", nargs="?", type=float, default=0.001)
    ap.add_argument("runs", nargs="?", type=positive, default=3)
    ap.add_argument("seed", nargs="?", type=int, default=1)
    ap.add_argument("top", nargs="?", type=int, default=0)
    a = ap.parse_args()
    scale, runs, seed, top = a.scale, a.runs, a.seed, a.top
    import greatterror as gt
    from greatterror.evidence.loader import load_evidence
    from greatterror.model.loop import Loop

    cpu: collections.Counter[str] = collections.Counter()
    calls: collections.Counter[str] = collections.Counter()
    funcs: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    current = [""]
    days = [0]

    def tracer(frame: Any, event: str, arg: Any) -> None:
        if event == "call" or event == "c_call":
            name = current[0]
            if name:
                calls[name] += 1
                if top:
                    if event == "call":
                        code = frame.f_code
                        where = f"{code.co_filename.rsplit('/', 1)[-1]}:{code.co_name}"
                    else:
                        where = getattr(arg, "__qualname__", repr(arg))
                    funcs[name][where] += 1

    pop = gt.Population.build(scale, seed)
    evidence = load_evidence()
    gt.Sim("historical", seed=seed, population=pop, evidence=evidence).run()  # warm-up
    Loop.run_day = timed_day(cpu, days)  # type: ignore[method-assign]
    total = 0.0
    for _ in range(runs):
        c0 = time.process_time()
        gt.Sim("historical", seed=seed, population=pop, evidence=evidence).run()
        total += time.process_time() - c0
    run_days = days[0] / runs
    days[0] = 0
    Loop.run_day = counted_day(current, days)  # type: ignore[method-assign]
    sys.setprofile(tracer)
    gt.Sim("historical", seed=seed, population=pop, evidence=evidence).run()
    sys.setprofile(None)
    print(
        f"scale {scale:g} seed {seed}: run CPU mean {total / runs:.3f} s over {runs} runs, "
        f"{run_days:.0f} days; calls {sum(calls.values()):,} in the components "
        f"({sum(calls.values()) / run_days:.0f} a day)"
    )
    print(f"{'component':<24}{'calls/day':>10}{'CPU us/day':>12}{'CPU s/run':>11}")
    for name, ns in sorted(cpu.items(), key=lambda kv: -kv[1]):
        per_run = ns / runs / 1e9
        print(
            f"{name:<24}{calls[name] / run_days:10.1f}"
            f"{per_run / run_days * 1e6:12.1f}{per_run:11.3f}"
        )
        for where, n in funcs[name].most_common(top):
            print(f"      {n / run_days:8.2f}  {where}")


if __name__ == "__main__":
    main()
