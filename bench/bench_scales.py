"""Benchmark: population build and full historical runs at several scales.

Usage: python bench/bench_scales.py population 0.001 0.01 0.1 1
       python bench/bench_scales.py run 0.01 1

Each (job, scale) runs in its own subprocess; results are printed as a
Markdown table and appended as JSON lines to bench/results/bench.jsonl.
This is a benchmark, not a test: record the figures in docs/performance.md
with the command and the machine.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    kind, scales = sys.argv[1], [float(s) for s in sys.argv[2:]]
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    print(f"machine: {machine()}\n")
    print("| job | scale | people | seconds | peak RSS (GB) |\n|---|---|---|---|---|")
    for scale in scales:
        proc = subprocess.run(
            [sys.executable, str(HERE / "_measure.py"), kind, str(scale)],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["machine"] = machine()
        with (out / "bench.jsonl").open("a") as handle:
            handle.write(json.dumps(row) + "\n")
        print(
            f"| {kind} | {scale:g} | {row['people']:,} | {row['seconds']:.2f} | {row['peak_rss_bytes'] / 1e9:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
