"""Order 00447's split between 1937 and 1938, and the yearly totals, over seeds (one worker).

    python bench/pace_00447.py --scale 0.001 --seeds 1 2 3 [--set name=value ...]

Prints, per seed and as the mean over seeds with its ratio to the record: Order 00447's
troika sentences and death sentences in 1937 (by 1 January 1938) and in 1938, and all
convictions and death sentences in 1937 and 1938 (docs/validation-log.md, "Order 00447's pace in autumn 1937").
"""

from __future__ import annotations

import argparse

import numpy as np

import greatterror as gt

RECORD = {
    "00447 conv 1937": 575_000,  # V-00447-conv-010138
    "00447 cat1 1937": 258_000,  # V-00447-cat1-010138
    "00447 conv 1938": 192_000,  # V-00447-conv-1938
    "00447 cat1 1938": 129_000,  # V-00447-cat1-1938
    "G1 conv 1937": 790_665,
    "G1 death 1937": 353_074,
    "G1 conv 1938": 554_258,
    "G1 death 1938": 328_618,
}


def row(summary: dict) -> dict[str, float]:
    op = summary["operations_yearly"]["kulak_00447"]
    y = summary["yearly"]
    return {
        "00447 conv 1937": op["1937"]["convicted"],
        "00447 cat1 1937": op["1937"]["death_sentences"],
        "00447 conv 1938": op["1938"]["convicted"],
        "00447 cat1 1938": op["1938"]["death_sentences"],
        "G1 conv 1937": y["1937"]["convicted"],
        "G1 death 1937": y["1937"]["death_sentences"],
        "G1 conv 1938": y["1938"]["convicted"],
        "G1 death 1938": y["1938"]["death_sentences"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=0.001)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--set", action="append", default=[], help="parameter=value")
    a = ap.parse_args()
    pars = {k: float(v) for k, v in (s.split("=") for s in a.set)}
    rows = []
    for seed in a.seeds:
        r = row(gt.Sim("historical", scale=a.scale, seed=seed, pars=pars).run().results.summary)
        rows.append(r)
        print(seed, {k: round(v) for k, v in r.items()}, flush=True)
    print(f"| figure | record | mean of {len(rows)} seeds | ratio |")
    print("|---|---:|---:|---:|")
    for k, rec in RECORD.items():
        m = float(np.mean([r[k] for r in rows]))
        print(f"| {k} | {rec:,} | {m:,.0f} | {m / rec:.2f} |")


if __name__ == "__main__":
    main()
