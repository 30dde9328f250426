"""Does a change of parameter values move some targets, or is a miss the seeds' noise? Runs a
scenario at its own values and at the values given with ``--set``, paired by seed, and prints
each target's median at both, the medians of blocks of ten seeds (the validation rule's
statistic, docs/validation.md), and the mean paired difference with its standard error.

Usage: python scripts/paired_values.py --set NAME=VALUE [--set ...] [--ids A,B]
                                       [--scenario historical] [--scale 0.01]
                                       [--seeds 11-40] [--workers 2]

A diagnostic, not a fit and not the validation: its seeds should be neither fitting seeds
(1,000,000 and up), nor the validation seeds 1-10 on which docs/validation.md's tables are
read, nor the gate's (2,000,001 and up; greatterror/calibration/seeds.py), so that nothing it
shows can be mistaken for either. Used on 7 December 2026 for ``G1-1936-death`` after the refit
c1207b (docs/validation.md, the misses, item 5):
``python scripts/paired_values.py --set trial_death_share_late=0.6558841014364485
--ids G1-1936-death,G11-trial16,G11-trial17,G11-trial21 --seeds 11-40``.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

BLOCK = 10


def _seeds(text: str) -> list[int]:
    first, _, last = text.partition("-")
    try:
        seeds = list(range(int(first), int(last or first) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: FIRST-LAST, e.g. 11-40") from None
    if not seeds or seeds[0] < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: FIRST-LAST with 0 <= FIRST <= LAST")
    return seeds


def _set(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    try:
        if not sep:
            raise ValueError(text)
        return name, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: NAME=NUMBER") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="sets", type=_set, action="append", required=True)
    parser.add_argument("--ids", default="", help="targets to print (default: all)")
    parser.add_argument("--scenario", default="historical")
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seeds", type=_seeds, default=_seeds("11-40"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    import greatterror as gt
    from greatterror.calibration.statistics import CALIBRATION_IDS
    from greatterror.errors import GreatterrorError

    ids = [i for i in args.ids.split(",") if i] or list(CALIBRATION_IDS)
    unknown = [i for i in ids if i not in CALIBRATION_IDS]
    if unknown:
        parser.error(f"--ids: unknown {', '.join(unknown)}; allowed: {', '.join(CALIBRATION_IDS)}")
    pars = dict(args.sets)
    try:  # gt.Ensemble checks the scenario, scale, seeds, workers and values before any run
        own, given = (
            gt.Ensemble(
                args.scenario, scale=args.scale, seeds=args.seeds, workers=args.workers, pars=p
            )
            for p in ({}, pars)
        )
    except (GreatterrorError, ValueError) as exc:
        parser.error(str(exc))
    # one row per seed and target; the same seeds in the same order in both
    a_rows = own.run().targets().set_index(["id", "seed"])["simulated"]
    b_rows = given.run().targets().set_index(["id", "seed"])["simulated"]
    said = ", ".join(f"{k}={v:g}" for k, v in pars.items())
    print(f"{args.scenario} at 1:{1 / args.scale:,.0f}, seeds {args.seeds[0]}-{args.seeds[-1]}:")
    print(f"its own values against {said}")
    for i in ids:
        a = a_rows.loc[i].reindex(args.seeds).to_numpy(float)
        b = b_rows.loc[i].reindex(args.seeds).to_numpy(float)
        diff = a - b
        se = float(np.std(diff, ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("nan")
        print(
            f"{i}: own {np.median(a):,.0f} (10-90% {np.percentile(a, 10):,.0f}-"
            f"{np.percentile(a, 90):,.0f}); given {np.median(b):,.0f} "
            f"({np.percentile(b, 10):,.0f}-{np.percentile(b, 90):,.0f}); "
            f"paired own - given {np.mean(diff):,.1f} ± {se:,.1f}"
        )
        for name, v in (("own", a), ("given", b)):
            blocks = [float(np.median(v[k : k + BLOCK])) for k in range(0, len(v), BLOCK)]
            print(f"   {name}: medians of blocks of {BLOCK} seeds {blocks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
