"""What Numba's compilation costs in a first run, kernel by kernel, in CPU seconds.

Usage: ``python bench/bench_compile.py [scale] [scenario] [--top N] [--json PATH]``
(defaults 0.001, historical, all kernels; ``--json`` also writes the child's raw record, so
two codes' tables can be compared kernel by kernel afterwards).

Runs one job (import, build a population with seed 1, run the scenario with seed 1, build
the summary) in a fresh subprocess with an empty Numba cache (``NUMBA_CACHE_DIR`` set to a
new temporary folder), as after an install, and records Numba's compile events. For each
kernel of the package (each ``@njit`` function of ``src/greatterror``, listed by
``model/compiled.py``) it prints:

- the number of signatures (specialisations) the run compiled;
- its own compile CPU seconds: from the start of its compile event to the end, less the
  compilations of other kernels of the package nested in it (a kernel calling another
  compiles the callee first), but including what Numba compiles for it alone (its own
  implementations of NumPy functions, ``min``, ``np.searchsorted``...);
- the inclusive CPU seconds (with the nested kernels).

Kernels the run never calls are listed with 0 signatures: Numba compiles lazily, at a
kernel's first call, so they cost nothing. The totals are the process's CPU seconds, the
part spent inside compile events, and the rest (imports, Numba's and LLVM's set-up, the
run itself, writing the cache). Times are CPU seconds (``time.process_time``), not wall
seconds: on a loaded machine the wall time says little.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, sys, time
from numba.core import event

class _Listener(event.Listener):
    # a stack of open compile events: [name, signature, start, nested package compilations]
    def __init__(self):
        self.stack, self.done = [], []
    def on_start(self, ev):
        d = ev.data["dispatcher"]
        name = (d.py_func.__module__ or "?") + "." + d.py_func.__qualname__  # None: generated
        self.stack.append([name, str(ev.data["args"]), time.process_time(), 0.0])
    def on_end(self, ev):
        name, sig, t0, nested = self.stack.pop()
        inclusive = time.process_time() - t0
        ours = name.startswith("greatterror.")
        if ours:
            for frame in reversed(self.stack):  # the nearest enclosing kernel of the package
                if frame[0].startswith("greatterror."):
                    frame[3] += inclusive
                    break
        self.done.append([name, sig, inclusive, inclusive - nested, len(self.stack)])

class _Llvm(event.Listener):
    # CPU seconds inside Numba's LLVM lock (optimising and emitting machine code), outermost only
    def __init__(self):
        self.depth, self.t0, self.total = 0, 0.0, 0.0
    def on_start(self, ev):
        if self.depth == 0:
            self.t0 = time.process_time()
        self.depth += 1
    def on_end(self, ev):
        self.depth -= 1
        if self.depth == 0:
            self.total += time.process_time() - self.t0

_listener, _llvm = _Listener(), _Llvm()
event.register("numba:compile", _listener)
event.register("numba:llvm_lock", _llvm)
import greatterror as gt
pop = gt.Population.build({scale}, 1)
gt.Sim({scenario!r}, seed=1, population=pop).run().results.summary
from greatterror.model import compiled
kernels = {{name: [str(s) for s in k.signatures] for name, k in
           compiled._kernels(compiled._kernel_modules())}}
# the machine instructions of each kernel's final module (what LLVM optimised and emitted for
# it), and which kernels' native functions each module holds a copy of (Numba links a callee's
# module into its caller's); Numba's private attributes, so a failure leaves the columns empty
modules = {{}}
try:
    mangled = {{}}
    for name, k in compiled._kernels(compiled._kernel_modules()):
        for cres in k.overloads.values():
            mangled[cres.fndesc.mangled_name] = name
    for name, k in compiled._kernels(compiled._kernel_modules()):
        for cres in k.overloads.values():
            defined = [f for f in cres.library._final_module.functions if not f.is_declaration]
            size = sum(1 for f in defined for b in f.blocks for i in b.instructions)
            held = [[mangled[f.name], sum(1 for b in f.blocks for i in b.instructions)]
                    for f in defined if mangled.get(f.name, name) != name]
            entry = modules.setdefault(name, [0, []])
            entry[0] += size
            entry[1].extend(held)
except Exception as exc:  # pragma: no cover - Numba changed
    print("module sizes unavailable:", exc, file=sys.stderr)
json.dump({{"events": _listener.done, "kernels": kernels, "cpu": time.process_time(),
           "llvm": _llvm.total, "modules": modules}},
          open(sys.argv[1], "w"))
"""


def measure(scale: float, scenario: str) -> dict:
    """One first run in a fresh subprocess with an empty Numba cache: its compile events."""
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        record = os.path.join(cache, "compiled.json")
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        code = CHILD.format(scale=scale, scenario=scenario)
        subprocess.run([sys.executable, "-c", code, record], env=env, check=True)
        result: dict = json.loads(Path(record).read_text())
    return result


def table(result: dict) -> list[tuple[str, str, int, float, float, int, int]]:
    """Kernel, module, signatures, own and inclusive compile CPU seconds, the instructions of
    its final module(s) and the number of other kernels' modules holding a copy of it;
    costliest first."""
    own: dict[str, float] = {}
    inclusive: dict[str, float] = {}
    for name, _sig, incl, mine, _depth in result["events"]:
        if name.startswith("greatterror."):
            own[name] = own.get(name, 0.0) + mine
            inclusive[name] = inclusive.get(name, 0.0) + incl
    modules = result.get("modules", {})
    copies: dict[str, int] = {}
    for _size, held in modules.values():
        for callee, _instructions in held:
            copies[callee] = copies.get(callee, 0) + 1
    rows = []
    for name, sigs in result["kernels"].items():
        module, _, kernel = name.rpartition(".")
        rows.append(
            (kernel, module.removeprefix("greatterror."), len(sigs), own.get(name, 0.0),
             inclusive.get(name, 0.0), modules.get(name, [0])[0], copies.get(name, 0))
        )  # fmt: skip
    return sorted(rows, key=lambda r: (-r[3], r[1], r[0]))


def _copied(result: dict) -> int:
    """The instructions of the copies of kernels' native functions linked into other kernels'
    modules (each counted as it is in the caller's module)."""
    return sum(n for _size, held in result.get("modules", {}).values() for _c, n in held)


def main() -> None:
    args = sys.argv[1:]
    top = None
    save = None
    if "--json" in args:
        at = args.index("--json")
        save = Path(args[at + 1])
        del args[at : at + 2]
    if "--top" in args:
        at = args.index("--top")
        top = int(args[at + 1])
        del args[at : at + 2]
    scale = float(args[0]) if args else 0.001
    scenario = args[1] if len(args) > 1 else "historical"
    result = measure(scale, scenario)
    if save is not None:
        save.write_text(json.dumps(result))
    rows = table(result)
    events = result["events"]
    outer = sum(e[2] for e in events if e[4] == 0)
    ours = [e for e in events if e[0].startswith("greatterror.")]
    print(f"{scenario}, scale {scale:g}, seed 1, empty Numba cache, one process (CPU seconds):")
    print(
        f"  process CPU {result['cpu']:.2f} s, inside compile events {outer:.2f} s, "
        f"of which in LLVM {result['llvm']:.2f} s"
    )
    print(
        f"  {len(events)} compilations, {len(ours)} of them kernels of the package "
        f"({sum(1 for r in rows if r[2])} kernels of {len(rows)} compiled)"
    )
    instructions = sum(r[5] for r in rows)
    print(
        f"  {instructions} machine instructions in the kernels' final modules (LLVM's work grows "
        "with them), of which copies of other kernels linked in: "
        f"{_copied(result)}"
    )
    print(
        f"  {'kernel':<28} {'module':<28} {'sigs':>4} {'own s':>7} {'incl s':>7} "
        f"{'instr':>6} {'copies':>6}"
    )
    for kernel, module, sigs, mine, incl, size, copied in rows[:top]:
        print(
            f"  {kernel:<28} {module:<28} {sigs:>4} {mine:7.2f} {incl:7.2f} {size:6d} {copied:6d}"
        )
    several = [r for r in rows if r[2] > 1]
    for kernel, module, *_ in several:
        for sig in result["kernels"][f"greatterror.{module}.{kernel}"]:
            print(f"    {module}.{kernel}{sig}")
    others: dict[str, list[float]] = {}
    for name, _sig, incl, _mine, _depth in events:
        if not name.startswith("greatterror."):
            others.setdefault(name, []).append(incl)
    print("  Numba's own functions compiled (signatures, inclusive CPU s, in the kernels above):")
    for name, times in sorted(others.items(), key=lambda kv: -sum(kv[1]))[:12]:
        print(f"    {len(times):3d} {sum(times):6.2f}  {name.removeprefix('numba.')}")


if __name__ == "__main__":
    main()
