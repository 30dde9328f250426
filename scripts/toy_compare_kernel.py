"""Does a comparison's kernel keep models of equal evidence at their prior share?

Runs the toy comparisons of ``greatterror.calibration.compare_toy`` (every model
simulates y = p0 under standard logistic priors and is scored by |y|; its other
parameters are inert, so all models have equal evidence) for several seeds and prints
each model's probability per generation, the largest departure from the prior share
1/M per generation and seed, and the mean and standard deviation over seeds, with each
model's mean effective sample size (Kish, of its own weights) and the simulations each
generation needed (review23 F1: a proposal can keep the probabilities and still make
degenerate weights, whose weighted-quantile threshold then costs simulations). With
models of unequal parameter counts it also prints the rank correlation of the count
with the mean probability (docs/hypotheses.md, "The next comparison").

    python scripts/toy_compare_kernel.py --models 4,16 --particles 40 --seeds 10
    python scripts/toy_compare_kernel.py --models 26x8 --particles 200 --generations 4
    python scripts/toy_compare_kernel.py --models hypotheses --particles 200
    python scripts/toy_compare_kernel.py --models 4,16 --observed 3 --kernel componentwise

``--models`` is a comma list of parameter counts, ``DxM`` for M models of D
parameters, or ``hypotheses`` for the free-parameter counts of the nine hypotheses the
next comparison names (the eight a comparison runs by default and the check H1e), read
from their scenario files; ``hypotheses/D`` divides each count by D (rounded up), to run
the same unequal counts at a size a toy can afford. ``--observed`` moves the observed y
off the prior's centre. Exit 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from pathlib import Path

import numpy as np
import scipy.stats as st

from greatterror.calibration.compare_transition import (
    ComponentwiseNormalTransition,
    DefensiveLogisticTransition,
    FlooredNormalTransition,
    IndependentLogisticTransition,
    IndependentNormalTransition,
)

KERNELS = {
    "componentwise": ComponentwiseNormalTransition,
    "floored": FlooredNormalTransition,
    "independent": IndependentNormalTransition,
    "independent-logistic": IndependentLogisticTransition,
    "defensive-logistic": DefensiveLogisticTransition,
}


def hypothesis_counts() -> tuple[list[str], list[int]]:
    """The next comparison's nine hypotheses (the default eight and H1e) and their free-parameter counts."""
    from greatterror.calibration.compare import hypothesis_priors
    from greatterror.model.hypothesis_catalog import FOLDER, hypothesis_scenarios

    chosen = [s for s in hypothesis_scenarios() if s.hypothesis is not None]
    counts = [len(hypothesis_priors(f"{FOLDER}/{s.name}")[0]) for s in chosen]
    return [s.hypothesis.id for s in chosen if s.hypothesis is not None], counts


def parse_models(text: str) -> tuple[list[str], list[int]]:
    """Model labels and parameter counts from ``--models``; ValueError when malformed."""
    if text == "hypotheses" or text.startswith("hypotheses/"):
        divisor = int(text.split("/")[1]) if "/" in text else 1
        if divisor < 1:
            raise ValueError("the divisor must be at least 1")
        labels, counts = hypothesis_counts()
        return labels, [-(-c // divisor) for c in counts]
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
    parser.add_argument("--observed", type=float, default=0.0, help="the observed y (p0's target)")
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
    if not math.isfinite(args.observed):
        # pyabc would run and then refuse the threshold with a traceback (review24 F7)
        parser.error(f"--observed {args.observed}: a finite number")
    return args


def summary(
    labels: list[str],
    counts: list[int],
    runs: list[list[list[float]]],
    ess: list[list[list[float]]] | None = None,
    simulations: list[list[int]] | None = None,
) -> list[str]:
    """Lines: per generation, max |p - 1/M| per seed, each model's mean (sd) over seeds, and,
    when given, each model's mean ESS and the simulations per seed."""
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
        if ess is not None:
            e = np.array([run[t] for run in ess]).mean(axis=0)
            lines.append(
                "     mean ESS: "
                + ", ".join(f"{lab} {v:.1f}" for lab, v in zip(labels, e, strict=True))
            )
        if simulations is not None:
            n = [run[t] for run in simulations]
            lines.append(
                f"     simulations per seed: {' '.join(str(v) for v in n)} "
                f"(median {np.median(n):.0f}, largest {max(n)})"
            )
        if len(set(counts)) > 1:
            rho = st.spearmanr(counts, mean).statistic
            lines.append(f"     rank correlation of count with mean probability: {rho:+.2f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    from greatterror.calibration.compare_toy import toy_run

    logging.getLogger("ABC").setLevel(logging.WARNING)
    kernel = KERNELS[args.kernel]
    runs, ess, simulations = [], [], []
    print(
        f"kernel {args.kernel}, models {args.counts}, {args.particles} particles, "
        f"q {args.quantile}, observed y {args.observed}"
    )
    for seed in range(1, args.seeds + 1):
        start = time.time()
        result = toy_run(
            args.counts,
            kernel,
            seed,
            args.particles,
            args.generations,
            args.quantile,
            args.observed,
        )
        rows: list[list[float]] = result["probabilities"]  # type: ignore[assignment]
        runs.append(rows)
        ess.append(result["ess"])
        simulations.append(result["simulations"])
        last = " ".join(f"{p:.3f}" for p in rows[-1])
        sims = " ".join(str(v) for v in result["simulations"])
        print(
            f"seed {seed} ({time.time() - start:.0f} s), last generation: {last}; "
            f"simulations per generation: {sims}",
            flush=True,
        )
    print("\n".join(summary(args.labels, args.counts, runs, ess, simulations)))  # type: ignore[arg-type]
    if args.json:
        record = {
            "args": {k: str(v) for k, v in vars(args).items()},
            "runs": runs,
            "ess": ess,
            "simulations": simulations,
        }
        args.json.write_text(json.dumps(record, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
