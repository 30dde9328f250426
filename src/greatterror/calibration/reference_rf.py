"""Which hypothesis the archival record favours, read from a reference table by an ABC random forest.

Pudlo, Marin, Estoup, Cornuet, Gautier and Robert (2016), "Reliable ABC model
choice via random forests", Bioinformatics 32(6):859-866, as the R package
abcrf and DIYABC-RF (Collin et al. 2021, Molecular Ecology Resources 21(8))
do it: a classification forest learns the hypothesis from the statistics of
every draw of the table, with the axes of a linear discriminant analysis of
the statistics added as features (cross-fitted here, ``lda_axes``). It gives

- the *prior error rate*: the out-of-bag misclassification rate, and the
  out-of-bag confusion matrix (rows the true hypothesis, columns the one the
  forest chose): which hypotheses the statistics can tell apart, whatever the
  record says;
- the *votes* at the record (the observed statistics, all zero: every log
  ratio of simulated to archival value) and the hypothesis with most votes;
- the *posterior probability of the selected hypothesis*, by Pudlo et al.'s
  second forest: a regression forest of the out-of-bag misclassification
  indicator on the same features, predicted at the record; P = 1 - that;
- each feature's impurity importance, and where the record lies among the
  draws on it (``record_quantile``): a forest read at a record beyond the
  draws extrapolates from the nearest of them.

The votes are NOT posterior probabilities (Pudlo et al. 2016): the share of
trees that choose a hypothesis measures how the trees split the draws, and
Pudlo et al. found it a poor approximation of the hypothesis's posterior
probability. Only the second forest gives a probability, and only of the
selected hypothesis.

The statistics are ``log(max(sim, 1) / archival)`` for every calibration
target (``reference_table.log_ratio_features``; ``RUNAWAY_STATISTIC`` on every
target of a runaway). The forest reads the same number of draws of each
hypothesis, the first n by block and draw, n the fewest any hypothesis has:
the table's composition is the forest's prior over the hypotheses, and this
makes it uniform, as the rejection reading's a_m / n_m does (reference_choice.py).
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from greatterror.calibration.problem import require

#: Trees of each forest by default: abcrf's default for the classification forest; the
#: regression forest here has as many (abcrf's predict grows 1,000 by default).
TREES = 500
#: A forest needs this many draws of each hypothesis at least, and two hypotheses.
MIN_ROWS_PER_HYPOTHESIS = 5
#: The regression forest's smallest leaf and share of features tried at each split: the
#: regression defaults of R's randomForest (nodesize 5, mtry p/3), which abcrf's
#: predict.abcrf used for this forest in its first versions. The classification trees are
#: grown until no leaf can be split with sqrt(p) features tried, randomForest's and
#: scikit-learn's defaults alike.
REGRESSION_LEAF = 5
#: Folds of the cross-fitted LDA axes (``lda_axes``): no more than MIN_ROWS_PER_HYPOTHESIS,
#: so every fold's complement holds every hypothesis.
LDA_FOLDS = 5
REGRESSION_FEATURES = 1 / 3


def stream(seed: int, name: str) -> int:
    """A forest's random state, from the seed and the forest's name (block, kind)."""
    state = np.random.SeedSequence([seed, zlib.crc32(name.encode())]).generate_state(1)
    return int(state[0])


def forest_problem(hypothesis: np.ndarray, labels: Sequence[str]) -> str | None:
    """Why these rows cannot be read by a forest, or None."""
    counts = {m: int((hypothesis == m).sum()) for m in labels}
    present = [m for m in labels if counts[m] > 0]
    if len(present) < 2:
        return f"holds draws of {len(present)} hypothesis; a forest needs at least 2"
    thin = [f"{m} ({counts[m]})" for m in present if counts[m] < MIN_ROWS_PER_HYPOTHESIS]
    if thin:
        return (
            f"has fewer than {MIN_ROWS_PER_HYPOTHESIS} draws of {', '.join(thin)}; "
            "a forest needs at least that many of each hypothesis"
        )
    return None


def balanced(hypothesis: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """The first n rows of each hypothesis present (n the fewest any has), as a mask."""
    present = [m for m in labels if (hypothesis == m).any()]
    n = min(int((hypothesis == m).sum()) for m in present)
    keep = np.zeros(len(hypothesis), dtype=bool)
    for m in present:
        keep[np.flatnonzero(hypothesis == m)[:n]] = True
    return keep


def record_quantiles(x: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Each feature's share of draws below the record (ties counted half). Near 0 or 1 the
    record lies at the edge of the draws, where a forest's splits extrapolate: its votes
    there rest on the nearest draws only (DIYABC-RF shows the record among the draws on
    the LDA axes for this reason)."""
    below = (x < observed).mean(axis=0)
    return below + 0.5 * (x == observed).mean(axis=0)


@dataclass(frozen=True)
class ForestChoice:
    """One forest's reading of one scope (a block, or all blocks pooled)."""

    scope: str
    hypotheses: list[str]
    rows_per_hypothesis: int
    rows_left_out: int
    trees: int
    prior_error: float
    error_by_hypothesis: dict[str, float]
    confusion: list[list[int]]
    without_oob: int
    votes: dict[str, int]
    selected: str
    posterior: float
    importance: dict[str, float]
    record_quantile: dict[str, float]
    lda_axes: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def fold_of(y: np.ndarray, folds: int = LDA_FOLDS) -> np.ndarray:
    """Each row's fold: its position among the rows of its hypothesis, modulo ``folds``, so
    every fold holds every hypothesis (stratified) and the folds need no random stream."""
    position = np.zeros(len(y), dtype=int)
    for m in np.unique(y):
        rows = np.flatnonzero(y == m)
        position[rows] = np.arange(len(rows))
    return position % folds


def lda_axes(x: np.ndarray, y: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The K-1 linear discriminant axes of the features (fewer if the features span fewer),
    for the table and for the record; none where the features do not vary.

    Cross-fitted: each row's axes come from an LDA fitted without the row's fold
    (``LDA_FOLDS`` stratified folds), each axis's sign matched to the full fit's; the
    record's come from the full fit. Axes fitted on every row know each row's hypothesis,
    and the out-of-bag rows of the classification forest are those same rows, so its prior
    error leaks: on 9 hypotheses that cannot be told apart (29 N(0,1) statistics; the true
    error is 8/9) the out-of-bag error was 0.64-0.73 at 10 rows per hypothesis and
    0.78-0.83 at 30, and P(selected) high, for pure noise (review 25, F1). Cross-fitted,
    the same toy gives 0.87-0.98 and 0.89-0.92 (the mean over 3 seeds within 0.05 of 8/9,
    ``test_reference_choice``), and a toy with one informative statistic is read as well
    as by the forest on the statistics alone. abcrf fits the axes on every row; its tables
    hold thousands of rows per model, where the leak is small.
    """
    lda_module = require("sklearn.discriminant_analysis")
    k = min(len(set(y.tolist())) - 1, x.shape[1])
    if k < 1 or not (x.std(axis=0) > 0).any():
        return np.zeros((len(x), 0)), np.zeros((1, 0))
    fold = fold_of(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # collinear statistics: the SVD solver drops them
        full = lda_module.LinearDiscriminantAnalysis(solver="svd").fit(x, y)
        z_obs = full.transform(observed)
        k = min(k, z_obs.shape[1])
        z = np.zeros((len(x), k))
        for f in np.unique(fold):
            out = fold == f
            fit = lda_module.LinearDiscriminantAnalysis(solver="svd").fit(x[~out], y[~out])
            z_f = fit.transform(x[out])
            kk = min(k, z_f.shape[1], fit.scalings_.shape[1], full.scalings_.shape[1])
            agree = np.sum(fit.scalings_[:, :kk] * full.scalings_[:, :kk], axis=0)
            z[np.ix_(out, np.arange(kk))] = z_f[:, :kk] * np.where(agree < 0, -1.0, 1.0)
    return z, z_obs[:, :k]


def forest_choice(
    scope: str,
    features: np.ndarray,
    hypothesis: np.ndarray,
    names: Sequence[str],
    labels: Sequence[str],
    trees: int = TREES,
    seed: int = 0,
) -> ForestChoice:
    """The forest's reading of these rows (features: rows by statistics, in ``names``).

    Raises ValueError (``forest_problem``'s reason) when the rows cannot be read.
    """
    problem = forest_problem(hypothesis, labels)
    if problem:
        raise ValueError(f"{scope} {problem}")
    ensemble = require("sklearn.ensemble")
    keep = balanced(hypothesis, labels)
    present = [m for m in labels if (hypothesis == m).any()]
    y = np.array([present.index(m) for m in hypothesis[keep]])
    x0 = np.asarray(features, dtype=np.float64)[keep]
    observed0 = np.zeros((1, x0.shape[1]))  # the record: every log ratio is zero
    z, z_obs = lda_axes(x0, y, observed0)
    x, observed = np.hstack([x0, z]), np.hstack([observed0, z_obs])
    forest = ensemble.RandomForestClassifier(
        n_estimators=trees,
        oob_score=True,
        random_state=stream(seed, f"classifier {scope}"),
        n_jobs=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "some inputs do not have OOB scores": counted below
        forest.fit(x, y)
    oob = np.asarray(forest.oob_decision_function_)
    predicted_ok = np.isfinite(oob).all(axis=1) & (np.nan_to_num(oob).sum(axis=1) > 0)
    predicted = np.argmax(np.nan_to_num(oob), axis=1)
    wrong = (predicted != y) & predicted_ok
    k = len(present)
    confusion = np.zeros((k, k), dtype=int)
    np.add.at(confusion, (y[predicted_ok], predicted[predicted_ok]), 1)
    rows_of = confusion.sum(axis=1)
    per_tree = np.array([int(t.predict(observed)[0]) for t in forest.estimators_])
    votes = {m: int((per_tree == i).sum()) for i, m in enumerate(present)}
    selected = max(present, key=lambda m: (votes[m], -present.index(m)))
    regression = ensemble.RandomForestRegressor(
        n_estimators=trees,
        min_samples_leaf=REGRESSION_LEAF,
        max_features=REGRESSION_FEATURES,
        random_state=stream(seed, f"regressor {scope}"),
        n_jobs=1,
    )
    regression.fit(x[predicted_ok], wrong[predicted_ok].astype(np.float64))
    names_all = [*names, *(f"LD{i + 1}" for i in range(z.shape[1]))]
    return ForestChoice(
        scope=scope,
        hypotheses=present,
        rows_per_hypothesis=int(keep.sum()) // k,
        rows_left_out=int((~keep).sum()),
        trees=trees,
        prior_error=float(wrong.sum() / max(predicted_ok.sum(), 1)),
        error_by_hypothesis={
            m: float(1.0 - confusion[i, i] / rows_of[i]) if rows_of[i] else float("nan")
            for i, m in enumerate(present)
        },
        confusion=confusion.tolist(),
        without_oob=int((~predicted_ok).sum()),
        votes=votes,
        selected=selected,
        posterior=float(1.0 - regression.predict(observed)[0]),
        importance=dict(zip(names_all, map(float, forest.feature_importances_), strict=True)),
        record_quantile=dict(
            zip(names_all, map(float, record_quantiles(x, observed)), strict=True)
        ),
        lda_axes=int(z.shape[1]),
    )


@dataclass(frozen=True)
class Refusal:
    """A scope the forest does not read, and why."""

    scope: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "refused": self.reason}


def forest_choices(
    scopes: Sequence[tuple[str, np.ndarray]],
    features: np.ndarray,
    hypothesis: np.ndarray,
    names: Sequence[str],
    labels: Sequence[str],
    trees: int = TREES,
    seed: int = 0,
) -> list[ForestChoice | Refusal]:
    """A forest per scope (``reference_choice.scopes``), or the reason it was refused."""
    out: list[ForestChoice | Refusal] = []
    for scope, mask in scopes:
        problem = forest_problem(hypothesis[mask], labels)
        if problem:
            out.append(Refusal(scope, f"{scope} {problem}"))
            continue
        out.append(
            forest_choice(scope, features[mask], hypothesis[mask], names, labels, trees, seed)
        )
    return out
