"""The first step's importance weights of a kernel in parameters the data leave free.

Why a mixture of normals around a few tens of particles favours a model with fewer
parameters (docs/hypotheses.md, "The perturbation kernel"; review23 F4): this draws
``--particles`` particles from standard logistic priors (the comparison's scale) for a
model of each parameter count in ``--models``, all parameters inert (no acceptance step),
fits a kernel to them with equal weights, draws as many new particles from it and weighs
each by prior over kernel density. It prints, per kernel and count, the mean and standard
deviation of the log weight, and the share of the summed weight that the first count's
model gets (0.5 when the weights do not follow the count), each averaged over
``--repeats`` repeats.

    python scripts/first_step_weights.py --models 4,16 --particles 20 --repeats 200

Kernels: ``componentwise`` (Beaumont et al. 2009 with the pseudo-particle; the kernel of
6 December 2026), ``liu-west-H2`` (Liu & West 2001: components centred on the particles
shrunk toward their mean by sqrt(1 - H2), variance H2 x the particles' variance, for H2
0.5 and 0.2), ``independent-logistic`` and ``defensive-logistic`` (the comparison's
proposal without and with the prior in the mixture). numpy's global generator is seeded
with ``--seed``. Exit 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd
import scipy.stats as st
from scipy.special import logsumexp

from greatterror.calibration.compare_transition import (
    ComponentwiseNormalTransition,
    DefensiveLogisticTransition,
    IndependentLogisticTransition,
)

PROPOSALS = {
    "componentwise": ComponentwiseNormalTransition,
    "independent-logistic": IndependentLogisticTransition,
    "defensive-logistic": DefensiveLogisticTransition,
}


def liu_west_log_weights(x: np.ndarray, h2: float) -> np.ndarray:
    """Log prior over kernel density of one draw per particle from Liu and West's kernel."""
    n, d = x.shape
    shrink = np.sqrt(1.0 - h2)
    centres = shrink * x + (1.0 - shrink) * x.mean(axis=0)
    sd = np.sqrt(h2 * x.var(axis=0))
    new = centres[np.random.randint(n, size=n)] + np.random.normal(size=(n, d)) * sd
    log_kernel = logsumexp(
        st.norm.logpdf(new[:, None, :], centres[None, :, :], sd).sum(axis=2), axis=1
    ) - np.log(n)
    log_weight: np.ndarray = st.logistic.logpdf(new).sum(axis=1) - log_kernel
    return log_weight


def log_weights(kernel: str, dims: int, particles: int) -> np.ndarray:
    """One repeat: the log weights of ``particles`` new particles of a ``dims``-parameter model."""
    x = st.logistic.rvs(size=(particles, dims))
    if kernel.startswith("liu-west-"):
        return liu_west_log_weights(x, float(kernel.split("-")[-1]))
    frame = pd.DataFrame(x, columns=[f"p{i}" for i in range(dims)])
    proposal = PROPOSALS[kernel]()
    proposal.fit(frame, np.full(particles, 1.0 / particles))
    new = proposal.rvs(particles)
    result: np.ndarray = st.logistic.logpdf(new.to_numpy()).sum(axis=1) - np.log(
        np.atleast_1d(proposal.pdf(new))
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="4,16", help="two or more parameter counts")
    parser.add_argument("--particles", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        counts = [int(v) for v in args.models.split(",")]
    except ValueError:
        parser.error(f"--models {args.models!r}: a comma list of parameter counts")
    if len(counts) < 2 or min(counts) < 1 or args.particles < 2 or args.repeats < 1:
        parser.error("two or more counts >= 1, --particles >= 2, --repeats >= 1")
    if not 0 <= args.seed <= 2**32 - 1:
        # numpy's legacy seed would raise a ValueError traceback (review24 F7)
        parser.error(f"--seed {args.seed}: a whole number from 0 to {2**32 - 1}")
    np.random.seed(args.seed)
    kernels = [*PROPOSALS, "liu-west-0.5", "liu-west-0.2"]
    print(f"models {counts}, {args.particles} particles each, {args.repeats} repeats")
    for kernel in kernels:
        means = np.zeros((args.repeats, len(counts)))
        sds = np.zeros_like(means)
        share = np.zeros(args.repeats)
        for r in range(args.repeats):
            logs = [log_weights(kernel, d, args.particles) for d in counts]
            means[r] = [np.mean(v) for v in logs]
            sds[r] = [np.std(v) for v in logs]
            sums = np.exp([logsumexp(v) for v in logs])
            share[r] = sums[0] / sums.sum()
        cells = ", ".join(
            f"{d}: {m:.2f} (sd {s:.2f})"
            for d, m, s in zip(counts, means.mean(axis=0), sds.mean(axis=0), strict=True)
        )
        print(f"{kernel}: mean log weight {cells}; share of model {counts[0]} {share.mean():.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
