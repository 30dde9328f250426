"""Calls, C calls, CPU and the share of days with any change, per component, of a warm run.

Usage: ``python bench/bench_calls.py [scale] [runs] [seed] [every] [scenario] [top]``
(defaults 0.001 3 1 10 historical 0).

The question it answers (issue 8, the warm 1:1,000 run's floor of about 1,150 Python-level
calls a day): which components do their calls on days when they change nothing, so that a
cheap check could let them return before any array work. It builds the population and
evidence once and runs one warm-up, then:

1. ``runs`` runs timed with ``time.process_time_ns`` around each component's step (CPU, as
   ``bench/bench_paired.py`` times them): microseconds per simulated day;
2. one run under ``sys.setprofile``, counting ``call`` events (Python functions) and
   ``c_call`` events (builtins and NumPy's C functions, ufuncs, array methods) while each
   component's step runs; a Numba kernel's call is a ``c_call`` of its dispatcher;
3. one run in which, on every ``every``-th day, the whole mutable state (the world, the
   engine with its ledger, calendar and the named streams' generator states) is hashed
   before the day's first component and after each component: a component "acts" on a day
   when the hash after its step differs from the hash before it. The share is that of the
   sampled days (a draw that advances a stream counts as a change: skipping it would not
   keep the outputs). The hash walks Python objects generically (arrays by their bytes,
   containers by their items, objects by ``__dict__`` and ``__slots__``), skipping the
   evidence, the scenario, the parameters and Numba's structrefs (which share the buffers
   hashed elsewhere).

Prints one row per component (a Markdown table), largest CPU first: calls/day, c_calls/day,
CPU µs/day, the share of the sampled days on which it changed state, the mean of its calls
and C calls on the sampled days on which it changed nothing (what a guard returning at once
could save on such a day), and, with ``top`` > 0, its ``top`` most called functions. The
runs' outputs are those of a normal run (the bench only reads). The hashing is slow (about
0.1 s a hash at 1:1,000, 25 hashes a sampled day): ``every`` 10 takes about 15 minutes of
CPU, a large ``every`` (100000) leaves it out.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import sys
import time
from typing import Any

import numpy as np
from bench_component_calls import counted_day, positive, timed_day

#: attributes never hashed: configuration read by the run, not state it changes
SKIP_ATTRS = frozenset({"evidence", "scenario", "params", "switches", "core", "events_by_day"})


def state_hash(*roots: Any) -> bytes:
    """A digest of every array, number, container and stream state reachable from ``roots``."""
    h = hashlib.blake2b(digest_size=16)
    seen: set[int] = set()
    stack: list[Any] = list(reversed(roots))
    upd = h.update
    while stack:
        o = stack.pop()
        if o is None or isinstance(o, (int, float, str, bool, bytes, np.generic)):
            upd(repr(o).encode())
            continue
        if id(o) in seen:
            upd(b"@")
            continue
        seen.add(id(o))
        if isinstance(o, np.ndarray):
            upd(b"%d %r" % (o.dtype.num, o.shape))
            upd(memoryview(np.ascontiguousarray(o)).cast("B"))
        elif isinstance(o, np.random.Generator):
            upd(repr(o.bit_generator.state).encode())
        elif isinstance(o, memoryview):
            upd(o.cast("B") if o.contiguous else o.tobytes())
        elif isinstance(o, dict):
            upd(b"{%d" % len(o))
            for k, v in o.items():
                if isinstance(k, str) and k in SKIP_ATTRS:
                    continue
                upd(repr(k).encode())
                stack.append(v)
        elif isinstance(o, (list, tuple)):
            upd(b"[%d" % len(o))
            stack.extend(reversed(o))
        elif isinstance(o, (set, frozenset)):
            upd(b"(%d %d" % (len(o), hash(frozenset(o))))  # order-free, in C
        elif callable(o) and not hasattr(o, "__dict__"):
            continue  # builtin functions, bound methods of C types
        elif type(o).__module__.startswith(("numba", "datetime")):
            upd(repr(o).encode() if type(o).__module__ == "datetime" else b"n")
        else:
            d = getattr(o, "__dict__", None)
            if d is not None:
                stack.append(d)
            for name in getattr(type(o), "__slots__", ()):
                if hasattr(o, name) and name not in SKIP_ATTRS:
                    stack.append(getattr(o, name))
    return h.digest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scale", nargs="?", type=float, default=0.001)
    ap.add_argument("runs", nargs="?", type=positive, default=3)
    ap.add_argument("seed", nargs="?", type=int, default=1)
    ap.add_argument("every", nargs="?", type=positive, default=10)
    ap.add_argument("scenario", nargs="?", default="historical")
    ap.add_argument("top", nargs="?", type=int, default=0)
    a = ap.parse_args()
    import greatterror as gt
    from greatterror.evidence.loader import load_evidence
    from greatterror.model.loop import Loop

    cpu: collections.Counter[str] = collections.Counter()
    calls: collections.Counter[str] = collections.Counter()
    c_calls: collections.Counter[str] = collections.Counter()
    acted: collections.Counter[str] = collections.Counter()
    funcs: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    idle: collections.Counter[str] = collections.Counter()  # sampled days it changed nothing
    idle_calls: collections.Counter[str] = collections.Counter()  # its calls on those days
    by_day: dict[tuple[str, int], int] = collections.Counter()  # (component, day): all calls
    current = [""]
    today = [0]
    days = [0]
    sampled = [0]

    def hashed_day(self: Loop, world: Any, engine: Any, day: int) -> None:
        if day % a.every:
            for component in self.acting(engine):
                component.step(world, engine, day)
            return
        sampled[0] += 1
        before = state_hash(world, engine)
        for component in self.acting(engine):
            component.step(world, engine, day)
            after = state_hash(world, engine)
            name = component.name
            if after != before:
                acted[name] += 1
            else:
                idle[name] += 1
                idle_calls[name] += by_day[name, day]
            before = after

    def tracer(frame: Any, event: str, arg: Any) -> None:
        if event == "call" or event == "c_call":
            name = current[0]
            if name:
                (calls if event == "call" else c_calls)[name] += 1
                by_day[name, today[0]] += 1
                if a.top:
                    if event == "call":
                        code = frame.f_code
                        where = f"{code.co_filename.rsplit('/', 1)[-1]}:{code.co_name}"
                    else:
                        where = "C " + getattr(arg, "__qualname__", repr(arg))
                    funcs[name][where] += 1

    pop = gt.Population.build(a.scale, a.seed)
    evidence = load_evidence()

    def run() -> None:
        gt.Sim(a.scenario, seed=a.seed, population=pop, evidence=evidence).run()

    run()  # warm-up
    Loop.run_day = timed_day(cpu, days)  # type: ignore[method-assign]
    total = 0.0
    for _ in range(a.runs):
        c0 = time.process_time()
        run()
        total += time.process_time() - c0
    run_days = days[0] / a.runs
    Loop.run_day = counted_day(current, days, today)  # type: ignore[method-assign]
    sys.setprofile(tracer)
    run()
    sys.setprofile(None)
    Loop.run_day = hashed_day  # type: ignore[method-assign]
    run()
    n_calls, n_c = sum(calls.values()), sum(c_calls.values())
    print(
        f"{a.scenario} scale {a.scale:g} seed {a.seed}: run CPU mean {total / a.runs:.3f} s over "
        f"{a.runs} runs, {run_days:.0f} days; in the components {n_calls / run_days:.0f} calls "
        f"and {n_c / run_days:.0f} C calls a day; state hashed on {sampled[0]} days "
        f"(every {a.every}th)"
    )
    print(
        "| component | calls/day | c_calls/day | CPU µs/day | days acting "
        "| calls + c_calls on an idle day |"
    )
    print("|---|---|---|---|---|---|")
    for name, ns in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(
            f"| {name} | {calls[name] / run_days:.1f} | {c_calls[name] / run_days:.1f} | "
            f"{ns / a.runs / run_days / 1e3:.1f} | {acted[name] / max(sampled[0], 1):.0%} | "
            + (f"{idle_calls[name] / idle[name]:.1f} |" if idle[name] else "- |")
        )
        for where, n in funcs[name].most_common(a.top):
            print(f"|   | {n / run_days:8.2f} {where} | | | | |")


if __name__ == "__main__":
    main()
