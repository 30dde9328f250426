"""Does a comparison's kernel keep models of equal evidence at their prior share?

Runs the toy comparisons of ``greatterror.calibration.compare_toy`` (every model
simulates y = p0 under standard logistic priors and is scored by |y|; its other
parameters are inert, so all models have equal evidence) for several seeds and prints
each model's probability per generation, the largest departure from the prior share
1/M per generation and seed, and the mean and standard deviation over seeds. With
models of unequal parameter counts it also prints the rank correlation of the count
with the mean probability (docs/hypotheses.md, "The next comparison").

    python scripts/toy_compare_kernel.py --models 4,16 --particles 40 --seeds 10
    python scripts/toy_compare_kernel.py --models 26x8 --particles 200 --generations 4
    python scripts/toy_compare_kernel.py --models hypotheses --particles 200

``--models`` is a comma list of parameter counts, ``DxM`` for M models of D
parameters, or ``hypotheses`` for the free-parameter counts of the eight hypotheses a
comparison runs by default, read from their scenario files. Exit 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import scipy.stats as st

from greatterror.calibration.compare_transition import (
    ComponentwiseNormalTransition,
    FlooredNormalTransition,
    IndependentLogisticTransition,
    IndependentNormalTransition,
)

KERNELS = {
    "componentwise": ComponentwiseNormalTransition,
    "floored": FlooredNormalTransition,
    "independent": IndependentNormalTransition,
    "independent-logistic": IndependentLogisticTransition,
}


def hypothesis_counts() -> tuple[list[str], list[int]]:
    """The default comparison's hypotheses (all but the check H1e) and their free-parameter counts."""
    from greatterror.calibration.compare import hypothesis_priors
    from greatterror.model.hypothesis_catalog import FOLDER, explanations

    chosen = [s for s in explanations() if s.hypothesis is not None]
    counts = [len(hypothesis_priors(f"{FOLDER}/{s.name}")[0]) for s in chosen]
    return [s.hypothesis.id for s in chosen if s.hypothesis is not None], counts


def parse_models(text: str) -> tuple[list[str], list[int]]:
    """Model labels and parameter counts from ``--models``; ValueError when malformed."""
    if text == "hypotheses":
        return hypothesis_counts()
    if "x" in text:
        dims, models = (int(v) for v in text.split("x"))
        counts = [dims] * models
    else:
        counts = [int(v) for v in text.split(",")]
    if len(counts) < 2 or min(counts) < 1:
        raise ValueError("at least two models, each with at least one parameter")
    return [f"M{i}" for i in range(len(counts))], counts


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="4,16", help="counts: '4,16', '26x8' or 'hypotheses'")
    parser.add_argument("--kernel", choices=sorted(KERNELS), default="componentwise")
    parser.add_argument("--particles", type=int, default=40, help="population over all models")
    parser.add_argument("--generations", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=10, help="seeds 1..N")
    parser.add_argument("--quantile", type=float, default=0.3, help="the comparison's default")
    parser.add_argument("--json", type=Path, help="write every probability to this file")
    args = parser.parse_args(argv)
    try:
        args.labels, args.counts = parse_models(args.models)
    except ValueError as error:
        parser.error(f"--models {args.models!r}: {error}")
    if args.particles < len(args.counts) or args.generations < 1 or args.seeds < 1:
        parser.error("--particles must be at least the models; --generations, --seeds >= 1")
    if not 0.0 < args.quantile < 1.0:
        parser.error("--quantile must lie in (0, 1)")
    return args


def summary(labels: list[str], counts: list[int], runs: list[list[list[float]]]) -> list[str]:
    """Lines: per generation, max |p - 1/M| per seed, and each model's mean (sd) over seeds."""
    share = 1.0 / len(counts)
    lines = []
    generations = min(len(run) for run in runs)
    for t in range(generations):
        p = np.array([run[t] for run in runs])
        drift = np.abs(p - share).max(axis=1)
        lines.append(
            f"t={t} max|p-1/{len(counts)}| per seed: " + " ".join(f"{d:.2f}" for d in drift)
        )
        lines.append(f"     median {np.median(drift):.2f}, largest {drift.max():.2f}")
        mean, sd = p.mean(axis=0), p.std(axis=0, ddof=1) if len(runs) > 1 else 0 * p[0]
        cells = [
            f"{lab}({c}) {m:.3f} ({s:.3f})"
            for lab, c, m, s in zip(labels, counts, mean, sd, strict=True)
        ]
        lines.append("     mean (sd): " + ", ".join(cells))
        if len(set(counts)) > 1:
            rho = st.spearmanr(counts, mean).statistic
            lines.append(f"     rank correlation of count with mean probability: {rho:+.2f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    from greatterror.calibration.compare_toy import toy_probabilities

    logging.getLogger("ABC").setLevel(logging.WARNING)
    kernel = KERNELS[args.kernel]
    runs = []
    print(
        f"kernel {args.kernel}, models {args.counts}, {args.particles} particles, q {args.quantile}"
    )
    for seed in range(1, args.seeds + 1):
        start = time.time()
        rows = toy_probabilities(
            args.counts, kernel, seed, args.particles, args.generations, args.quantile
        )
        runs.append(rows)
        last = " ".join(f"{p:.3f}" for p in rows[-1])
        print(f"seed {seed} ({time.time() - start:.0f} s), last generation: {last}", flush=True)
    print("\n".join(summary(args.labels, args.counts, runs)))
    if args.json:
        record = {"args": {k: str(v) for k, v in vars(args).items()}, "runs": runs}
        args.json.write_text(json.dumps(record, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
