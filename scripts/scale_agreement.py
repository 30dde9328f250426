"""Do a scenario's calibration targets depend on the sampling scale? The check behind "fits are
valid from 1:333" (docs/calibration.md, "Scale").

Usage: python scripts/scale_agreement.py [--scenario historical] [--scales 0.001,0.003,0.01]
                                         [--seeds 10] [--workers 2] [--out FILE.md]

A run samples one person in 1/scale, and its counts are full-population equivalents. In a model
without scale artefacts, the medians over seeds agree across scales, and only the noise grows
at small scales. This runs the scenario at each scale on seeds 1..N (``gt.Ensemble``: each seed
builds its own population and streams). For every calibration target it prints the median at
each scale and the ratio to the largest scale, and flags a difference as a scale artefact when
both of these hold:
- Welch's z on the means over the seeds is above 3 in absolute value: more than the seeds'
  noise;
- the medians differ by more than 5%: enough to matter to a fit whose archival tolerances are
  10-20%.
The seeds are validation seeds, as docs/validation.md uses them: nothing is fitted here. With
``--out`` the table is also written as Markdown.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import greatterror as gt
from greatterror.api.options import SimError, resolve_scenario
from greatterror.preflight import PreflightError, check_scale

#: a difference is a scale artefact only if it is beyond the seeds' noise and this large
Z_FLAG, RATIO_FLAG = 3.0, 0.05


def welch_z(a: np.ndarray, b: np.ndarray) -> float:
    """Welch's z of the difference of two means; with no spread in either sample, 0 for equal
    means and an infinity of the difference's sign otherwise."""
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    if se == 0.0:
        return 0.0 if a.mean() == b.mean() else math.copysign(math.inf, a.mean() - b.mean())
    return float((a.mean() - b.mean()) / se)


def agreement(runs: dict[float, pd.DataFrame]) -> pd.DataFrame:
    """One row per target: the median at each scale, its ratio to the largest scale's, and
    whether the difference is flagged (``Z_FLAG``, ``RATIO_FLAG``)."""
    reference = max(runs)
    ref = runs[reference]
    rows = []
    for target, group in ref.groupby("id", sort=False):
        base = group["simulated"].to_numpy(float)
        row: dict[str, object] = {"id": target, "archival": group["archival"].iloc[0]}
        flagged = []
        for scale in sorted(runs):
            values = runs[scale].loc[runs[scale]["id"] == target, "simulated"].to_numpy(float)
            median, ref_median = float(np.median(values)), float(np.median(base))
            ratio = median / ref_median if ref_median else math.nan
            row[f"median {scale:g}"] = median
            row[f"ratio {scale:g}"] = ratio
            if scale != reference and len(values) > 1:
                z = welch_z(values, base)
                if abs(z) > Z_FLAG and abs(ratio - 1.0) > RATIO_FLAG:
                    flagged.append(f"1:{round(1 / scale):,} (z {z:+.1f})")
        row["flagged"] = ", ".join(flagged)
        rows.append(row)
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame, scales: list[float]) -> str:
    head = ["figure", "record", *(f"1:{round(1 / s):,}" for s in scales), "scale artefact"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for d in table.to_dict("records"):
        cells = [f"`{d['id']}`", f"{d['archival']:,.0f}"]
        for s in scales:
            cells.append(f"{d[f'median {s:g}']:,.0f} ({d[f'ratio {s:g}']:.2f})")
        cells.append(d["flagged"] or "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="historical")
    parser.add_argument("--scales", default="0.001,0.003,0.01")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    try:
        scales = sorted({float(s) for s in args.scales.split(",") if s.strip()})
        for scale in scales:
            check_scale(scale)
    except ValueError:
        parser.error(f"--scales: {args.scales!r} is not a comma-separated list of numbers")
    except PreflightError as exc:
        parser.error(str(exc))
    if len(scales) < 2:
        parser.error("--scales: give at least two scales to compare")
    if args.seeds < 2:
        parser.error(f"--seeds: {args.seeds} is too small; allowed: a whole number of at least 2")
    if args.workers < 1:
        parser.error(f"--workers: {args.workers} is too small; allowed: at least 1")
    if args.out is not None and not args.out.parent.is_dir():
        parser.error(f"--out: the folder {args.out.parent} does not exist")
    try:
        scenario = resolve_scenario(args.scenario)
    except SimError as exc:  # the scenario's own message, as the run command gives it
        parser.error(str(exc))
    runs = {}
    for scale in scales:
        t0 = time.perf_counter()
        seeds = range(1, args.seeds + 1)
        ens = gt.Ensemble(scenario, scale=scale, seeds=seeds, workers=args.workers).run()
        runs[scale] = ens.targets()
        print(f"1:{round(1 / scale):,}: {args.seeds} seeds in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)  # fmt: skip
    table = agreement(runs)
    text = markdown(table, scales)
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
