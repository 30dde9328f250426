"""Where a reference build's worker time goes: CPU per simulation, idle share, and the split.

Usage: ``python bench/bench_reference_build.py [--hypotheses H6 H7 H3] [--draws 10]
[--blocks 1] [--workers 2] [--scale 0.001] [--table DIR] [--chunk 5]`` (docs/performance-log.md, "A reference
table of the nine hypotheses").

Builds a small table as ``greatterror hypotheses reference build`` does (``prepare``,
``pending``, ``build``) with timers put in before the workers are forked, so that each worker
inherits them:

- per simulation in a worker (CPU, ``time.process_time``): ``warm`` (scenario, evidence and
  population, built on a worker's first use of each), the simulation's set-up
  (``Simulation.__init__``), the run (``run_or_stop``: the daily loop with the runaway
  checks), the summary (``build_summary``, with the targets), and the rest of the job (the
  collection after the run, the row); the row's pickle (its size, and a second pickling's
  CPU as the cost of sending it back);
- per worker: the wall time it held a simulation, the CPU it used, and the time it waited
  for the CPU while it held one (``/proc/self/schedstat``, the run queue): a worker's
  *idle* time is the build's wall time less the wall time it held simulations (no
  simulation to run: the end of a piece, the parent writing a part, start-up), which the
  machine's load does not inflate;
- in the parent: ``prepare``, ``pending``, the Parquet parts written, and its CPU in all.

Worker CPU in all is the children's CPU of this process (``os.times``) once the pool is
joined. CPU times are the measure; wall times are printed with the load average, because
other jobs share the machine. ``--table`` keeps the table (to compare two builds' rows:
``bench/compare_reference_rows.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOG = Path(tempfile.mkdtemp(prefix="bench_ref_"))
_PHASES: dict[str, float] = {}


def _timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        c = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _PHASES[label] = _PHASES.get(label, 0.0) + time.process_time() - c

    return wrapper


def _run_queue_ns() -> int:
    try:
        return int(Path("/proc/self/schedstat").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def instrument() -> None:
    """Put the timers in (before the pool is made: forked workers inherit them)."""
    from greatterror.calibration import reference_build as rb
    from greatterror.calibration import simulator
    from greatterror.model import summary as summary_module
    from greatterror.model.sim import Simulation

    simulator.warm = _timed("warm", simulator.warm)
    simulator.run_or_stop = _timed("run", simulator.run_or_stop)
    summary_module.build_summary = _timed("summary", summary_module.build_summary)
    if hasattr(summary_module, "target_rows"):  # a row's targets only (branch fitspeed)
        summary_module.target_rows = _timed("summary", summary_module.target_rows)
    Simulation.__init__ = _timed("set-up", Simulation.__init__)  # type: ignore[method-assign]
    rb.write_part = _timed("parent: write part", rb.write_part)
    _ORIGINAL.append(rb.run_job)
    rb.run_job = timed_run_job


_ORIGINAL: list[Callable[[Any], dict[str, Any]]] = []


def timed_run_job(job: Any) -> dict[str, Any]:
    """``run_job`` timed (module level: a pool pickles the function by its name)."""
    _PHASES.clear()
    w0, c0, q0 = time.perf_counter(), time.process_time(), _run_queue_ns()
    row = _ORIGINAL[0](job)
    c1 = time.process_time()
    blob = pickle.dumps(row)
    c2 = time.process_time()
    record = {
        "pid": os.getpid(),
        "start": w0,
        "end": time.perf_counter(),
        "cpu": c1 - c0,
        "queue": (_run_queue_ns() - q0) / 1e9,
        "pickle_cpu": c2 - c1,
        "pickle_bytes": len(blob),
        "runaway": bool(row["runaway"]),
        "phases": dict(_PHASES),
    }
    with open(LOG / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hypotheses", nargs="+", default=["H6", "H7", "H3"])
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--blocks", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=141)
    parser.add_argument("--table", type=Path, default=None)
    parser.add_argument("--chunk", type=int, default=None, help="draws per piece (rb.CHUNK)")
    args = parser.parse_args()
    from greatterror.calibration import reference_build as rb
    from greatterror.cli.reference import _resolve

    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    table = args.table or Path(tempfile.mkdtemp(prefix="bench_table_")) / "t"
    chosen = _resolve(args.hypotheses)
    if args.chunk:
        rb.CHUNK = args.chunk
    instrument()
    c0 = time.process_time()
    manifest = rb.prepare(table, chosen, args.scale, args.seed, args.blocks)
    c1 = time.process_time()
    pieces = rb.pending(manifest, rb.done_rows(table), args.draws)
    c2 = time.process_time()
    children0 = os.times()
    w0 = time.perf_counter()
    written = rb.build(table, pieces, args.workers)
    wall = time.perf_counter() - w0
    children1 = os.times()
    parent_cpu = time.process_time() - c2
    worker_cpu = (children1.children_user - children0.children_user) + (
        children1.children_system - children0.children_system
    )
    report(args, written, wall, worker_cpu, parent_cpu, (c1 - c0, c2 - c1), w0)
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"table: {table}")


def report(
    args: Any,
    n: int,
    wall: float,
    worker_cpu: float,
    parent_cpu: float,
    setup: tuple[float, float],
    w0: float,
) -> None:
    records = [json.loads(line) for f in LOG.glob("*.jsonl") for line in f.read_text().split("\n") if line]  # fmt: skip
    by_pid: dict[int, list[dict[str, Any]]] = {}
    for r in records:
        by_pid.setdefault(r["pid"], []).append(r)
    held = sum(r["end"] - r["start"] for r in records)
    queue = sum(r["queue"] for r in records)
    slots = wall * args.workers
    job_cpu = sum(r["cpu"] for r in records)
    print(
        f"{n} simulations ({sum(r['runaway'] for r in records)} runaways), {len(args.hypotheses)} "
        f"hypotheses x {args.draws} draws x {args.blocks} blocks, 1:{1 / args.scale:,.0f}, "
        f"{args.workers} workers, code at {code()}"
    )
    print(f"  wall {wall:.1f} s: {60 * n / wall:.1f} simulations a minute")
    print(
        f"  worker CPU in all {worker_cpu:.1f} s: {worker_cpu / n:.3f} s a simulation "
        f"({job_cpu / n:.3f} s of it inside the jobs)"
    )
    print(
        f"  worker wall ({args.workers} x {wall:.1f} s = {slots:.1f} s): holding a simulation "
        f"{held:.1f} s (of which waiting for the CPU {queue:.1f} s), idle (no simulation) "
        f"{slots - held:.1f} s = {100 * (slots - held) / slots:.1f}%; "
        f"wall x workers - worker CPU = {100 * (slots - worker_cpu) / slots:.1f}%"
    )
    for pid, rs in sorted(by_pid.items()):
        first = min(r["start"] for r in rs) - w0
        last = w0 + wall - max(r["end"] for r in rs)
        print(
            f"    worker {pid}: {len(rs)} simulations, {sum(r['cpu'] for r in rs):.1f} s CPU, "
            f"first taken at {first:.2f} s, last ended {last:.2f} s before the end"
        )
    labels = ["warm", "set-up", "run", "summary"]
    print("  per simulation in a worker, CPU (mean / median / first of each worker):")
    firsts = {id(min(rs, key=lambda r: r["start"])) for rs in by_pid.values()}
    for label in [*labels, "rest of the job", "pickle of the row"]:
        values = [phase(r, label, labels) for r in records]
        first = [phase(r, label, labels) for r in records if id(r) in firsts]
        print(
            f"    {label:<20} {statistics.mean(values):8.4f} s {statistics.median(values):8.4f} s"
            f"   first: {', '.join(f'{v:.3f}' for v in first)}"
        )
    sizes = [r["pickle_bytes"] for r in records]
    print(f"    row pickle: {statistics.mean(sizes):.0f} bytes")
    print(
        f"  parent CPU: prepare {setup[0]:.2f} s, pending {setup[1]:.2f} s; during the runs "
        f"{parent_cpu:.2f} s (of which writing parts "
        f"{_PHASES.get('parent: write part', 0.0):.2f} s)"
    )


def phase(r: dict[str, Any], label: str, labels: list[str]) -> float:
    if label == "pickle of the row":
        return float(r["pickle_cpu"])
    if label == "rest of the job":
        return float(r["cpu"] - sum(r["phases"].get(k, 0.0) for k in labels))
    return float(r["phases"].get(label, 0.0))


def code() -> str:
    import subprocess

    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True, text=True)
    return out.stdout.strip() + (" (src changed)" if dirty.stdout.strip() else "")


if __name__ == "__main__":
    sys.exit(main())
