"""What drawing from the named streams inside a kernel costs: per call, and to compile.

Usage: ``python bench/bench_stream_draws.py calls``, ``... draws`` or
``... compile [K ...]`` (default K = 1 2 4 8).

``calls``: CPU microseconds per call (``time.process_time``, median of 7 blocks of 100,000
calls) of a kernel drawing one binomial through the pointer table
(model/stream_pointers.py), of the same kernel taking a ``Generator`` (Numba unboxes it at
every call), of an empty kernel taking the table, and of ``Generator.binomial`` from Python.

``draws``: each draw function's compile CPU seconds (its first call from Python, in a
fresh process with an empty Numba cache, after the compiler's one-time set-up), and its
first call in a second process on that cache.

``compile``: for each route and each K, a fresh subprocess with an empty Numba cache
(``NUMBA_CACHE_DIR`` a new folder) imports a generated module of K top-level ``njit(cache=
True)`` kernels, each drawing ``random``, ``integers``, ``binomial``, ``poisson``,
``geometric`` and ``negative_binomial`` (kernel i from stream i, a constant), and times each kernel's first call
(its compilation); then a second subprocess on the same cache does the same (what the
on-disk cache spares) and counts Numba's compile events. Routes: ``generator``, kernels
taking a ``Generator`` and calling its methods (Numba's implementation of NumPy's); and
``table``, kernels taking the pointer table and calling the cached draw functions of
model/stream_pointers.py, once with those draws' own cache warm (``table``: the draws
compiled by an earlier process, as after a first run) and once cold (``table-cold``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

GENERATOR_KERNEL = """
@njit(cache=True)
def kernel_{i}(gen, m):
    s = 0.0
    for _ in range(m):
        s += gen.random() + gen.integers(0, 7) + gen.binomial(100, 0.3)
        s += gen.poisson(3.0) + gen.geometric(0.1) + gen.negative_binomial(2.0, 0.3)
    return s
"""

TABLE_KERNEL = """
@njit(cache=True)
def kernel_{i}(table, m):
    s = 0.0
    for _ in range(m):
        s += sp.random(table, {i}) + sp.integers(table, {i}, 0, 7)
        s += sp.binomial(table, {i}, 100, 0.3) + sp.poisson(table, {i}, 3.0)
        s += sp.geometric(table, {i}, 0.1) + sp.negative_binomial(table, {i}, 2.0, 0.3)
    return s
"""

CHILD = """
import json, sys, time
t0 = time.process_time()
from numba.core import event
events = []
class Listener(event.Listener):
    def on_start(self, ev):
        pass
    def on_end(self, ev):
        events.append(ev.data["dispatcher"].py_func.__module__)
event.register("numba:compile", Listener())
from numba import njit
from greatterror.model.streams import Streams
import kernels_under_test as mod
streams = Streams(1)
arg = streams.pointers if mod.ROUTE != "generator" else streams.gulag
njit(lambda x: x + 1)(1)  # the compiler's one-time set-up, which a run pays anyway
t_import = time.process_time() - t0
events.clear()
if mod.ROUTE == "table" and mod.K == 0:  # compile and cache the draws themselves, from Python
    from greatterror.model import stream_pointers as sp
    t = arg
    sp.random(t, 3), sp.integers(t, 3, 0, 7), sp.binomial(t, 3, 100, 0.3)
    sp.poisson(t, 3, 3.0), sp.geometric(t, 3, 0.1), sp.negative_binomial(t, 3, 2.0, 0.3)
firsts = []
for i in range(mod.K):
    k = getattr(mod, f"kernel_{i}")
    t = time.process_time()
    k(arg, 1)
    firsts.append(time.process_time() - t)
draws = sum(m == "greatterror.model.stream_pointers" for m in events)
print(json.dumps({"import": t_import, "firsts": firsts, "compile_events": len(events),
                  "draw_events": draws}))
"""


DRAW_CHILD = """
import json, sys, time
from numba import njit
from greatterror.model import stream_pointers as sp
from greatterror.model.streams import Streams
import numpy as np
table = Streams(1).pointers
njit(lambda x: x + 1)(1)  # the compiler's one-time set-up, which a run pays anyway
calls = {
    "random": lambda: sp.random(table, 3),
    "fill_random": lambda: sp.fill_random(table, 3, np.empty(3)),
    "integers": lambda: sp.integers(table, 3, 0, 7),
    "binomial": lambda: sp.binomial(table, 3, 100, 0.3),
    "poisson": lambda: sp.poisson(table, 3, 3.0),
    "geometric": lambda: sp.geometric(table, 3, 0.1),
    "negative_binomial": lambda: sp.negative_binomial(table, 3, 2.0, 0.3),
    "choice_without_replacement": lambda: sp.choice_without_replacement(table, 3, 100, 5),
}
t = time.process_time()
calls[sys.argv[1]]()
print(json.dumps(time.process_time() - t))
"""

DRAWS = (
    "random",
    "fill_random",
    "integers",
    "binomial",
    "poisson",
    "geometric",
    "negative_binomial",
    "choice_without_replacement",
)


def draw_costs() -> None:
    """Each draw's first call from Python in a fresh process with an empty cache, then in a
    second process on that cache."""
    for name in DRAWS:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, NUMBA_CACHE_DIR=tmp)
            times = []
            for _ in range(2):
                out = subprocess.run(
                    [sys.executable, "-c", DRAW_CHILD, name],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                times.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"{name:27s} compile {times[0]:5.2f} s; from the cache {times[1]:.3f} s")


def _child(folder: Path, cache: Path) -> dict[str, object]:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    env["PYTHONPATH"] = os.pathsep.join([str(folder), env.get("PYTHONPATH", "")])
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compile_costs(ks: list[int]) -> None:
    for route in ("generator", "table-cold", "table"):
        for k in ks:
            with tempfile.TemporaryDirectory() as tmp:
                folder, cache = Path(tmp), Path(tmp) / "cache"
                body = GENERATOR_KERNEL if route == "generator" else TABLE_KERNEL
                source = (
                    "from numba import njit\nfrom greatterror.model import stream_pointers as sp\n"
                )
                source += f"ROUTE = {route!r}\nK = {k}\n"
                source += "".join(body.format(i=i) for i in range(k))
                if route == "table":  # the draws compiled and cached by an earlier process
                    (folder / "kernels_under_test.py").write_text(
                        source.replace(f"K = {k}", "K = 0")
                    )
                    _child(folder, cache)
                    time.sleep(0.01)  # a later modification time, so Numba sees a new source
                (folder / "kernels_under_test.py").write_text(source)
                first = _child(folder, cache)
                second = _child(folder, cache)
            firsts = first["firsts"]
            assert isinstance(firsts, list)
            print(
                f"{route:11s} K={k}: first process {sum(firsts):6.2f} s to compile "
                f"({', '.join(f'{t:.2f}' for t in firsts)}), {first['compile_events']} compile "
                f"events ({first['draw_events']} of the draws); second process "
                f"{sum(second['firsts']):.3f} s, "  # type: ignore[arg-type]
                f"{second['compile_events']} compile events"
            )


def call_costs() -> None:
    import statistics

    from numba import njit

    from greatterror.model import stream_pointers as sp
    from greatterror.model.streams import Streams

    @njit
    def by_table(table, k):  # type: ignore[no-untyped-def]
        return sp.binomial(table, k, 20, 0.3)

    @njit
    def by_generator(gen):  # type: ignore[no-untyped-def]
        return gen.binomial(20, 0.3)

    @njit
    def empty(table, k):  # type: ignore[no-untyped-def]
        return k

    streams = Streams(1)
    table, gen = streams.pointers, streams.gulag
    code = sp.stream_code("gulag")
    calls = {
        "kernel, binomial through the table": lambda: by_table(table, code),
        "kernel, binomial on a Generator argument": lambda: by_generator(gen),
        "kernel taking the table, no draw": lambda: empty(table, code),
        "Generator.binomial from Python": lambda: gen.binomial(20, 0.3),
    }
    for call in calls.values():
        call()
    n = 100_000
    for label, call in calls.items():
        blocks = []
        for _ in range(7):
            t = time.process_time()
            for _ in range(n):
                call()
            blocks.append((time.process_time() - t) / n * 1e6)
        print(
            f"{label:42s} {statistics.median(blocks):6.3f} us a call (the loop and lambda included)"
        )
    t = time.process_time()
    for _ in range(n):
        (lambda: None)()
    print(f"{'the loop and lambda alone':42s} {(time.process_time() - t) / n * 1e6:6.3f} us")


if __name__ == "__main__":
    if sys.argv[1:2] == ["calls"]:
        call_costs()
    elif sys.argv[1:2] == ["draws"]:
        draw_costs()
    elif sys.argv[1:2] == ["compile"]:
        compile_costs([int(a) for a in sys.argv[2:]] or [1, 2, 4, 8])
    else:
        print(textwrap.dedent(__doc__ or ""), file=sys.stderr)
        sys.exit(2)
