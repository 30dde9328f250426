"""Benchmark: population build and full historical runs at several scales.

Usage: python bench/bench_scales.py population 0.001 0.01 0.1 1
       python bench/bench_scales.py run 0.01 1

Each (job, scale) runs in its own subprocess; results are printed as a
Markdown table and appended as JSON lines to bench/results/bench.jsonl.
This is a benchmark, not a test: record the figures in docs/performance-log.md
with the command and the machine.
"""

from __future__ import annotations

import argparse
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


def _scale(text: str) -> float:
    """A sampling scale as the model takes it (greatterror.scales: 1e-05 to 1)."""
    from greatterror.scales import MAX_SCALE, MIN_SCALE

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not MIN_SCALE <= value <= MAX_SCALE:
        raise argparse.ArgumentTypeError(
            f"{text} is out of range; allowed values: {MIN_SCALE:g} to {MAX_SCALE:g}"
        )
    return value


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The job and its scales, checked before any measurement (a bad one exits 2 with a
    message, not a traceback of float() or of the measuring subprocess)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("job", choices=("population", "run"))
    parser.add_argument("scales", nargs="+", type=_scale, metavar="SCALE")
    return parser.parse_args(argv)


def main() -> None:
    args = parse()
    kind, scales = args.job, args.scales
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
