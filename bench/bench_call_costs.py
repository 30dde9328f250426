"""What one call costs on a warm engine: NumPy on tiny arrays, a Numba kernel, the engine's.

Usage: ``python bench/bench_call_costs.py [calls]`` (default 20000).

A warm 1:1,000 run makes about 2.8 million Python and builtin calls, 105,000 of them calls of
the package's kernels, most on arrays of a few people (docs/performance-log.md, branch speed24).
This prints the microseconds of one call of each kind, timed over ``calls`` repeats after
one warm run, so that the cost of a day can be read as a count of calls. Kernels defined
here are compiled in the process (not cached) before they are timed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from numba import njit


@njit(cache=False)
def _scalar(a):  # pragma: no cover - compiled
    return a.shape[0]


@njit(cache=False)
def _ten(a, b, c, d, e, f, g, h, i, j):  # pragma: no cover - compiled
    return a.shape[0]


@njit(cache=False)
def _one_array(a):  # pragma: no cover - compiled
    return a[:1].copy()


@njit(cache=False)
def _three_arrays(a):  # pragma: no cover - compiled
    return a[:1].copy(), a[:1].copy(), a[:1].copy()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("calls", type=int, nargs="?", default=20000, help="repeats of each call")
    calls = ap.parse_args().calls
    if calls < 1:
        ap.error(f"calls: {calls}; allowed: a whole number from 1 up")
    import greatterror as gt
    from greatterror.evidence.loader import load_evidence
    from greatterror.model.flatcalls import close_cases_flat, open_cases_flat

    pop = gt.Population.build(0.001, 1)
    sim = gt.Sim("historical", seed=1, population=pop, evidence=load_evidence()).run()
    e = sim.engine.engine
    assert e.world is not None
    none = np.empty(0, dtype=np.int64)
    x, b = np.ones(3), np.ones(3, dtype=bool)
    rng = e.rng.sentencing

    def timed(label: str, fn: Callable[[], object]) -> None:
        fn()
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        print(f"  {label:<48} {(time.perf_counter() - t) / calls * 1e6:6.2f} us")

    print(f"{calls} calls each, one warm 1:1,000 run before")
    timed("x.sum(), 3 floats", lambda: x.sum())
    timed("np.add.reduce(x)", lambda: np.add.reduce(x))
    timed("b.any(), 3 booleans", lambda: b.any())
    timed("rng.random(3)", lambda: rng.random(3))
    timed("kernel: 1 array argument, returns a scalar", lambda: _scalar(x))
    timed(
        "kernel: 10 array arguments, returns a scalar", lambda: _ten(x, x, x, x, x, x, x, x, x, x)
    )
    timed("kernel: 1 array argument, returns 1 new array", lambda: _one_array(x))
    timed("kernel: 1 array argument, returns 3 new arrays", lambda: _three_arrays(x))
    timed(
        "close_cases_flat on no one",
        lambda: close_cases_flat(none, 3, -1, *e.case_arrays, *e.layers, False),
    )
    timed(
        "open_cases_flat on no one",
        lambda: open_cases_flat(none, *e.case_arrays, *e.layers, 1, 0, False, 0, e.new_case_line),
    )
    timed("Engine.date(5)", lambda: e.date(5))


if __name__ == "__main__":
    main()
