"""Why a comparison's importance weights pile on a few particles: the kernel against the prior.

A diagnostic for a hypothesis comparison's database (``greatterror hypotheses compare``;
docs/hypotheses.md, "The perturbation kernel"). pyabc weighs a particle of hypothesis m
proposed in generation t by

    w = P(m) prior_m(theta) / (sum_m' p_{t-1}(m') K(m | m') * kernel_m(theta)),

the kernel fitted to m's particles of generation t-1. This script refits that kernel from
the stored particles and prints, per run, generation and hypothesis: the particles and
their effective size in the previous generation, the parameters, the rank of their weighted
covariance, the kernel directions whose standard deviation is below twice the old floor, the
particles accepted now and the weight they hold, and the medians over them of the log
prior density, the log kernel density and their difference (the log weight less the model
factor). ``check`` is the spread, within the generation, of the reconstructed less the
stored log weights: near 0 when the kernel named by ``--kernel`` is the one that made the
database. The default is the comparison's proposal now (``defensive-logistic``, review23
F1); a database made before 6 December 2026 needs ``floored``, one made on 6 December
before review23 ``componentwise``, and one made with review23's proposal without the
prior in the mixture ``independent-logistic``.

The database is copied first (sqlite's backup, opened read-only), so a running comparison
is never written to.

    python scripts/diagnose_compare_weights.py DB [--kernel defensive-logistic|floored|componentwise|independent-logistic]
        [--run N]
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyabc
import scipy.stats as st

from greatterror.calibration.compare_settings import stored_compare
from greatterror.calibration.compare_transition import (
    OLD_FLOOR_SD,
    ComponentwiseNormalTransition,
    DefensiveLogisticTransition,
    FlooredNormalTransition,
    IndependentLogisticTransition,
)

KERNELS = {
    "floored": FlooredNormalTransition,
    "componentwise": ComponentwiseNormalTransition,
    "independent-logistic": IndependentLogisticTransition,
    "defensive-logistic": DefensiveLogisticTransition,
}
STAY = 0.7  # pyabc's ModelPerturbationKernel default, which the comparison keeps


def snapshot(db: Path, into: Path) -> Path:
    """A consistent copy of ``db``, read through a read-only connection."""
    source = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    copy = into / "snapshot.db"
    target = sqlite3.connect(copy)
    source.backup(target)
    target.close()
    source.close()
    return copy


def model_factor(m: int, previous: dict[int, float], models: int) -> float:
    move = (1 - STAY) / (models - 1)
    return sum(p * (STAY if k == m else move) for k, p in previous.items())


def diagnose_run(
    history: pyabc.History, kernel: type, labels: tuple[str, ...], out: list[str]
) -> None:
    probabilities = history.get_model_probabilities()
    models = len(labels)
    for t in range(1, history.max_t + 1):
        previous = {int(m): float(p) for m, p in probabilities.loc[t - 1].items() if p > 0}
        rows, residuals = [], []
        for m in previous:
            x_prev, w_prev = history.get_distribution(m, t - 1)
            k = kernel()
            k.fit(x_prev, w_prev)
            arr = x_prev.to_numpy()
            cov = np.atleast_2d(np.cov(arr, aweights=w_prev, rowvar=False)) if len(arr) > 1 else 0
            rank = int(np.linalg.matrix_rank(cov)) if len(arr) > 1 else 0
            narrow = int(np.sum(np.sqrt(np.linalg.eigvalsh(k.cov)) < 2 * OLD_FLOOR_SD))
            ess = 1.0 / float(np.sum((w_prev / w_prev.sum()) ** 2))
            x_now, _ = (
                history.get_distribution(m, t) if m in _alive(probabilities, t) else (None, None)
            )
            if x_now is None:
                rows.append(
                    (m, len(arr), ess, arr.shape[1], rank, narrow, 0, 0.0, math.nan, math.nan)
                )
                continue
            x_now = x_now[x_prev.columns]
            log_prior = st.logistic.logpdf(x_now.to_numpy()).sum(axis=1)
            log_kernel = np.log(np.atleast_1d(k.pdf(x_now)))
            stored = _stored_weights(history, m, t)
            recon = (
                -math.log(models)
                + log_prior
                - log_kernel
                - math.log(model_factor(m, previous, models))
            )
            residuals.extend(recon - np.log(stored))
            p_now = float(probabilities.loc[t, m])
            rows.append(
                (
                    m,
                    len(arr),
                    ess,
                    arr.shape[1],
                    rank,
                    narrow,
                    len(x_now),
                    p_now,
                    float(np.median(log_prior)),
                    float(np.median(log_kernel)),
                )
            )
        check = float(np.ptp(residuals)) if residuals else math.nan
        out.append(f"  generation {t} (kernels fitted to generation {t - 1}); check {check:.2g}")
        out.append(
            "     hyp  prev_n  prev_ess  params  rank  narrow  now_n  weight     "
            "log_prior  log_kernel  prior-kernel"
        )
        for m, n, ess, d, rank, narrow, now, p, lp, lk in rows:
            out.append(
                f"    {labels[m]:>4}  {n:6d}  {ess:8.1f}  {d:6d}"
                f"  {rank:4d}  {narrow:6d}  {now:5d}  {p:9.2e}  {lp:9.1f}  {lk:10.1f}  {lp - lk:12.1f}"
            )


def _alive(probabilities: object, t: int) -> set[int]:
    row = probabilities.loc[t]  # type: ignore[attr-defined]
    return {int(m) for m, p in row.items() if p > 0}


def _stored_weights(history: pyabc.History, m: int, t: int) -> np.ndarray:
    """The stored (population-normalised) weights of m's particles at t, in get_distribution's order."""
    _, w = history.get_distribution(m, t)
    return np.asarray(w) * float(history.get_model_probabilities().loc[t, m])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument(
        "--kernel",
        choices=sorted(KERNELS),
        default="defensive-logistic",
        help="the kernel the database was made with: defensive-logistic (default, the "
        "comparison's proposal since review23 F1), floored (databases before 6 Dec 2026), "
        "componentwise (6 Dec, before review23), independent-logistic (review23, no mixture)",
    )
    parser.add_argument("--run", type=int, default=None)
    args = parser.parse_args(argv)
    if not args.db.is_file():
        parser.error(f"db: no file {args.db} (a comparison's SQLite database)")
    with tempfile.TemporaryDirectory() as tmp:
        copy = snapshot(args.db, Path(tmp))
        labels = stored_compare(copy).labels
        runs = [int(r.id) for r in pyabc.History(f"sqlite:///{copy}").all_runs()]
        if args.run is not None and args.run not in runs:
            parser.error(f"--run: {args.run} is not in the database; allowed values: {runs}")
        out: list[str] = []
        for run in runs if args.run is None else [args.run]:
            history = pyabc.History(f"sqlite:///{copy}", _id=run)
            if history.max_t < 1:
                continue
            out.append(f"run {run}")
            diagnose_run(history, KERNELS[args.kernel], labels, out)
        print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
