"""Benchmark: where a historical run's memory goes, by phase, array and function.

Usage: python bench/bench_memory.py rss SCALE [SEED]
       python bench/bench_memory.py trace SCALE [SEED]

``rss``: one run (build, set-up, the run's years, summary) with a thread reading
``VmRSS`` from /proc/self/status every 0.2 s. Prints, per phase, the RSS at its end and
its maximum (with the day, in the run), the CPU time, and the largest arrays alive in the
simulation at the end of the set-up and of the run (path, dtype, bytes). The thread costs
little at 0.2 s; the phase figures are wall and CPU time of the whole process.

``trace``: the same run under ``tracemalloc`` (NumPy reports its buffers into it), which
slows it several times: use 1:100 or 1:10. It prints, for the build, the set-up and the
summary, each Python function's largest transient (its peak over the memory at its
entry, children included) and what it left allocated; for the run's days, each
component's largest transient and the day it fell on. A transient of size close to the
population times a dtype's size is a full-population temporary.

A benchmark, not a test: record what it finds in docs/performance-log.md with the command,
the commit and the machine's load.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import numpy as np

MB = 1e6


def rss_now() -> tuple[int, int]:
    """Current and peak resident set size, in bytes (VmRSS, VmHWM)."""
    now = peak = 0
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    return now, peak


class Sampler(threading.Thread):
    """Reads VmRSS every ``every`` seconds and keeps each phase's maximum."""

    def __init__(self, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.phase = "import"
        self.day = -1
        self.top: dict[str, tuple[int, int]] = {}  # phase -> (max RSS, day)
        self.stop = False

    def run(self) -> None:
        while not self.stop:
            self.note()
            time.sleep(self.every)

    def note(self) -> None:
        now, _ = rss_now()
        if now > self.top.get(self.phase, (0, 0))[0]:
            self.top[self.phase] = (now, self.day)


def arrays_in(
    obj: Any, path: str = "sim", seen: set[int] | None = None
) -> Iterator[tuple[str, np.ndarray]]:
    """Every NumPy array reachable from ``obj`` through attributes, fields and containers,
    once each (by the buffer that owns it), with a path naming where it was found."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        owner = obj
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        if id(owner) not in seen or owner is obj:
            seen.add(id(owner))
            yield path, owner
        return
    if isinstance(obj, str | bytes | int | float | bool | type(None)) or (
        callable(obj) and not hasattr(obj, "__dict__")
    ):
        return
    if isinstance(obj, dict):
        for k, v in list(obj.items())[:2000]:
            yield from arrays_in(v, f"{path}[{k!r}]", seen)
    elif isinstance(obj, list | tuple | set | frozenset):
        for i, v in enumerate(list(obj)[:2000]):
            yield from arrays_in(v, f"{path}[{i}]", seen)
    else:
        if type(obj).__module__.startswith(("numba", "numpy", "builtins")):
            return
        names: list[str] = []
        if hasattr(obj, "__dict__"):
            names += list(vars(obj))
        for klass in type(obj).__mro__:
            names += [s for s in getattr(klass, "__slots__", ()) if isinstance(s, str)]
        if dataclasses.is_dataclass(obj):
            names += [f.name for f in dataclasses.fields(obj)]
        for name in dict.fromkeys(names):
            try:
                value = getattr(obj, name)
            except AttributeError:
                continue
            yield from arrays_in(value, f"{path}.{name}", seen)


PAGE = os.sysconf("SC_PAGE_SIZE")


def resident(a: np.ndarray) -> int:
    """The bytes of ``a``'s pages that are resident and the process's own, from
    /proc/self/pagemap (bit 63: present; bit 56: mapped exclusively). A page of a zeroed
    array that was never written is absent, or maps the kernel's shared zero page (present,
    not exclusive), and costs no memory: only written pages count."""
    address = a.__array_interface__["data"][0]
    first, last = address // PAGE, (address + max(a.nbytes, 1) - 1) // PAGE
    with open("/proc/self/pagemap", "rb") as handle:
        handle.seek(first * 8)
        entries = np.frombuffer(handle.read((last - first + 1) * 8), dtype=np.uint64)
    own = (entries >> np.uint64(63)) & (entries >> np.uint64(56)) & np.uint64(1)
    return int(own.sum()) * PAGE


def needed(a: np.ndarray) -> int:
    """The bytes of ``a``'s pages that hold a non-zero byte: what it would hold resident if
    nothing wrote a zero over a zero (writing one makes the page the process's own)."""
    if not a.flags.c_contiguous or a.nbytes < PAGE:
        return a.nbytes
    raw = a.reshape(-1).view(np.uint8)
    offset = (-a.__array_interface__["data"][0]) % PAGE
    body = raw[offset : offset + (len(raw) - offset) // PAGE * PAGE].reshape(-1, PAGE)
    pages = int(np.count_nonzero(body.any(axis=1)))
    return (pages + 2) * PAGE


def largest_arrays(sim: Any, n: int = 40) -> None:
    found = sorted(arrays_in(sim), key=lambda pa: -pa[1].nbytes)
    total = sum(a.nbytes for _, a in found)
    held = sum(resident(a) for _, a in found)
    print(
        f"  arrays reachable from the simulation: {len(found)}, {total / MB:,.0f} MB, "
        f"{held / MB:,.0f} MB of it resident"
    )
    print(f"  {'bytes (MB)':>12} {'resident':>10} {'non-zero':>10}  dtype    path")
    for path, a in found[:n]:
        shown = f"{resident(a) / MB:,.1f}"
        print(f"  {a.nbytes / MB:12,.1f} {shown:>10} {needed(a) / MB:10,.1f}  {a.dtype!s:8} {path}")


class CallPeaks:
    """Each Python function's largest transient under tracemalloc, by ``sys.setprofile``.

    On a call the parent's peak so far is banked and the tracemalloc peak reset; on the
    return the function's peak (children included) over its entry memory is recorded, and
    passed up to its parent."""

    def __init__(self) -> None:
        self.stack: list[list[Any]] = [[None, 0, 0]]  # [key, memory at entry, peak]
        self.peaks: dict[str, tuple[int, int]] = {}  # key -> (largest transient, left)

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if event not in ("call", "return"):
            return
        now, peak = tracemalloc.get_traced_memory()
        top = self.stack[-1]
        top[2] = max(top[2], peak)
        if event == "call":
            code = frame.f_code
            key = f"{code.co_qualname} ({os.path.basename(code.co_filename)}:{code.co_firstlineno})"
            self.stack.append([key, now, now])
        elif len(self.stack) > 1:
            key, entry, fpeak = self.stack.pop()
            old = self.peaks.get(key, (0, 0))
            self.peaks[key] = (max(old[0], fpeak - entry), max(old[1], now - entry))
            self.stack[-1][2] = max(self.stack[-1][2], fpeak)
        tracemalloc.reset_peak()

    def report(self, title: str, n: int = 30, floor: float = 0.02) -> None:
        print(f"\n{title}: largest transients (peak over entry; MB), and what was left")
        rows = sorted(self.peaks.items(), key=lambda kv: -kv[1][0])
        biggest = rows[0][1][0] if rows else 0
        for key, (transient, left) in rows[:n]:
            if transient < floor * biggest:
                break
            print(f"  {transient / MB:9,.1f} {left / MB:9,.1f}  {key}")
        self.stack, self.peaks = [[None, 0, 0]], {}


def main() -> None:
    mode, scale = sys.argv[1], float(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    if mode not in ("rss", "trace"):
        raise SystemExit(f"mode: {mode!r}; allowed: rss, trace")
    sampler = Sampler()
    sampler.start()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    rows: list[tuple[str, float, float, int]] = []

    def phase(name: str) -> None:
        sampler.note()
        rows.append((sampler.phase, time.process_time(), time.perf_counter(), rss_now()[0]))
        sampler.phase = name
        sampler.note()

    from greatterror.evidence.loader import load_evidence
    from greatterror.model.run import build_summary
    from greatterror.model.scenario import load_scenario
    from greatterror.model.sim import Simulation
    from greatterror.population.build import build_population

    scenario, evidence = load_scenario("historical"), load_evidence()
    # compile the kernels first, so that the phases measure the model, not Numba
    warm = Simulation(scenario, build_population(1e-4, 1), seed, evidence)
    warm.run(until=40)
    build_summary(warm, scenario.name)
    del warm
    tracer = CallPeaks()
    if mode == "trace":
        tracemalloc.start()
        sys.setprofile(tracer)
    phase("build")
    pop = build_population(scale, 1)
    if mode == "trace":
        tracer.report("population build")
    phase("set-up")
    sim = Simulation(scenario, pop, seed, evidence)
    if mode == "trace":
        tracer.report("set-up")
        sys.setprofile(None)
    print(f"\nend of set-up, RSS {rss_now()[0] / MB:,.0f} MB")
    largest_arrays(sim)
    phase(f"run {sim.date(0).year}")
    comp_peaks: dict[str, tuple[int, int]] = {}
    if mode == "trace":
        for component in sim.loop.components:
            original = component.step

            def traced(
                world: Any, engine: Any, day: int, _f: Any = original, _n: str = component.name
            ) -> None:
                now = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                _f(world, engine, day)
                peak = tracemalloc.get_traced_memory()[1]
                if peak - now > comp_peaks.get(_n, (0, 0))[0]:
                    comp_peaks[_n] = (peak - now, day)

            component.step = traced  # type: ignore[method-assign]
    year = sim.date(0).year
    for day in range(sim.days):
        sampler.day = day
        if sim.date(day).year != year:
            year = sim.date(day).year
            phase(f"run {year}")
        sim.step()
    if mode == "trace":
        print("\nthe run's days: each component's largest transient (MB) and its day")
        for name, (transient, day) in sorted(comp_peaks.items(), key=lambda kv: -kv[1][0])[:25]:
            print(f"  {transient / MB:9,.1f}  day {day:4}  {name}")
    print(f"\nend of run, RSS {rss_now()[0] / MB:,.0f} MB")
    largest_arrays(sim)
    sampler.day = -1
    phase("summary")
    if mode == "trace":
        sys.setprofile(tracer)
    summary = build_summary(sim, scenario.name)
    if mode == "trace":
        sys.setprofile(None)
        tracer.report("summary")
    # as bench/outputs_hash.py hashes it (the ``code`` block names the code, not an output)
    text = json.dumps(
        {k: v for k, v in summary.items() if k != "code"}, sort_keys=True, default=str
    )
    print(f"\nsummary hash {hashlib.sha256(text.encode()).hexdigest()[:16]}")
    phase("end")
    sampler.stop = True
    print(
        f"\nscale {scale:g}, seed {seed}, {len(pop):,} people, mode {mode}, load {os.getloadavg()}"
    )
    print(
        "| phase | CPU s | wall s | RSS at end (MB) | max RSS (MB) | day of max |\n|---|---|---|---|---|---|"
    )
    prev_cpu, prev_wall = cpu0, wall0
    for name, cpu, wall, rss in rows:
        top, day = sampler.top.get(name, (0, -1))
        print(
            f"| {name} | {cpu - prev_cpu:.1f} | {wall - prev_wall:.1f} | {rss / MB:,.0f} | {top / MB:,.0f} | {day if day >= 0 else ''} |"
        )
        prev_cpu, prev_wall = cpu, wall
    print(f"peak RSS (VmHWM) {rss_now()[1] / MB:,.0f} MB; CPU {time.process_time() - cpu0:.1f} s")


if __name__ == "__main__":
    main()
