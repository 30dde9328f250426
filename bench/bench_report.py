"""Benchmark: writing a run's report (report.html) from its files.

Usage: python bench/bench_report.py RUN_DIR [REPEATS] [WORKERS ...]

RUN_DIR is the --out directory of a finished run (e.g. of
`greatterror run --scale 0.01 --seed 1 --out runs/bench --overwrite`). The
report is written REPEATS times (default 3) for each number of drawing
processes (default: 1 and 2) and the wall and CPU seconds of each repeat are
printed, with the load average. The page is written to a copy of RUN_DIR.
Run it with PYTHONPATH pointing at another source tree (e.g. an older commit
unpacked with `git archive`) to measure that code: it then uses the old
report's own defaults. Record the figures in docs/performance-log.md.
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    run_dir = Path(sys.argv[1])
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    workers = [int(w) for w in sys.argv[3:]] or [1, 2]
    from greatterror.results import report

    has_workers = hasattr(report, "RENDER_WORKERS")
    if not has_workers:
        workers = [0]  # older code: one process, its own defaults
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "run"
        shutil.copytree(run_dir, work)
        print(f"source: {report.__file__}")
        print("| drawing processes | wall seconds | CPU seconds (all processes) | load average |")
        print("|---|---|---|---|")
        for n in workers:
            for _ in range(repeats):
                kwargs = {}
                if has_workers:
                    kwargs["workers"] = n
                load = os.getloadavg()[0]
                wall, cpu, child = time.perf_counter(), time.process_time(), _children_cpu()
                if has_workers:
                    page = report.render_report(  # type: ignore[call-arg]
                        *_read(work), **kwargs
                    )
                    (work / "report.html").write_text(page, encoding="utf-8")
                else:
                    report.write_report(work)
                wall = time.perf_counter() - wall
                cpu = time.process_time() - cpu + _children_cpu() - child
                print(f"| {n or 1} | {wall:.2f} | {cpu:.2f} | {load:.1f} |", flush=True)


def _read(run_dir: Path) -> tuple[object, object, object]:
    from greatterror.results.outputs import read_summary
    from greatterror.results.tables import read_channels, read_timeseries

    return (
        read_summary(run_dir / "summary.json"),
        read_timeseries(run_dir / "timeseries.parquet"),
        read_channels(run_dir / "channels.parquet"),
    )


if __name__ == "__main__":
    main()
