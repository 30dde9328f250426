"""Replay a reference table's runs under the two ways of handing them to workers.

Usage: ``python bench/replay_reference_schedule.py [TABLE] [--workers 2] [--chunk 5]``
(default TABLE: docs/reference-2026-12-06/table).

Each row's ``seconds`` (its run's CPU time) is taken as the time it holds a worker, and the
runs are handed out in the build's order (``reference_build.pending``: pieces of ``--chunk``
draws of every hypothesis in one block, the blocks taking turns) to the first free worker:
once with each piece a pool ``map`` of its own, the next piece started only when the last
run of the one before has ended (the build until review 25, F15), and once streamed, every
run queued at once (``reference_build.build`` since). Prints each schedule's span, the
share of worker time idle, and the simulations a minute it gives. What the machine's load
does to the runs is left out on purpose: this is the scheduling's part alone.
"""

from __future__ import annotations

import argparse
import heapq
from collections.abc import Iterable
from pathlib import Path

from greatterror.calibration.reference_table import read_reference


def span(runs: Iterable[float], workers: int, start: float = 0.0) -> float:
    """When the last of ``runs`` ends, each given in order to the first free worker."""
    free = [start] * workers
    for seconds in runs:
        heapq.heappush(free, heapq.heappop(free) + seconds)
    return max(free)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "table", nargs="?", type=Path, default=Path("docs/reference-2026-12-06/table")
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=5)
    args = parser.parse_args()
    ref = read_reference(args.table)
    rows = ref.rows
    seconds = {
        (int(b), str(h), int(d)): float(s)
        for b, h, d, s in zip(rows["block"], rows["hypothesis"], rows["draw"], rows["seconds"], strict=True)
    }  # fmt: skip
    blocks = sorted({b for b, _, _ in seconds})
    draws = max(d for _, _, d in seconds)
    pieces = [
        [seconds[(b, h, d)] for h in ref.hypotheses for d in range(first, min(first + args.chunk, draws + 1))]
        for first in range(1, draws + 1, args.chunk)
        for b in blocks
    ]  # fmt: skip
    total = sum(map(sum, pieces))
    n = sum(map(len, pieces))
    end = 0.0
    for piece in pieces:
        end = span(piece, args.workers, end)
    streamed = span((s for p in pieces for s in p), args.workers)
    print(f"{args.table}: {n} runs, {total / 3600:.2f} h of run CPU ({total / n:.3f} s a run), "
          f"{len(pieces)} pieces, {args.workers} workers")  # fmt: skip
    for name, t in (("a map per piece", end), ("streamed", streamed)):
        idle = 1 - total / (args.workers * t)
        print(f"  {name:<16} span {t / 60:6.1f} min, idle {100 * idle:5.2f}%, "
              f"{60 * n / t:5.1f} simulations a minute")  # fmt: skip


if __name__ == "__main__":
    main()
