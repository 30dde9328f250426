"""Which hypothesis the archival record favours, read from a reference table by rejection ABC.

A reference table (``calibration/reference_table.py``) holds, for each
hypothesis, independent simulations at parameter values drawn from its
priors, in blocks: each block has its own population seed and its own draws,
so each is an independent repeat. Two readings of it are made, this module's
and the random forest's (``reference_rf.py``), because each answers what the
other cannot:

- *Rejection ABC* (Grelaud, Robert, Marin, Rodolphe and Taly 2009, "ABC
  likelihood-free methods for model choice in Gibbs random fields", Bayesian
  Analysis 4(2); Toni and Stumpf 2010, "Simulation-based model selection for
  dynamical systems in systems and population biology", Bioinformatics 26(1))
  keeps the draws whose distance to the record is at most a tolerance and
  reads each hypothesis's posterior probability as its share of them. There is
  no perturbation kernel, so none of the lean toward hypotheses with fewer
  parameters that the ABC-SMC kernels showed on toys of equal evidence
  (docs/hypotheses.md, "The next comparison"): every draw comes from its
  hypothesis's prior. But the probabilities hold at the tolerance, and a small
  tolerance keeps few draws; they are given at several acceptance fractions so
  that the reader sees whether they settle as the tolerance falls.
- *The ABC random forest* (Pudlo et al. 2016, ``reference_rf.py``) uses every
  draw, not only the accepted ones, and gives the prior error rates: how often
  a draw of one hypothesis is taken for another, which is what the statistics
  can tell apart at all. It gives the probability of the selected hypothesis
  only, not of the others.

The distance is the fit's (``statistics.archival_distance`` of the excess log
ratios, ``Archival.excess``, each target's band from the evidence base); a run
stopped as a runaway has ``RUNAWAY_STATISTIC`` on every statistic, as
``FitModel.__call__`` gives it. The prior over the hypotheses is uniform; a
hypothesis with more draws in a block than another does not gain by it, since
its probability is its acceptance rate a_m / n_m over the sum of the rates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from greatterror.calibration.compare_evidence import (
    MIN_EFFECTIVE_PER_HYPOTHESIS,
    evidence_words,
    zero_rate_bound,
)
from greatterror.calibration.reference_table import KEYS, SIM
from greatterror.calibration.simulator import RUNAWAY_STATISTIC
from greatterror.calibration.statistics import Archival, archival_distance

#: The acceptance fractions at which the probabilities are read: the share of a block's
#: (or of the pooled) draws nearest the record.
FRACTIONS: tuple[float, ...] = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2)
#: Fewer accepted draws than this in all and the probabilities are not read; fewer of
#: the best (or of another, when it has any) and no Kass-Raftery words are given. The
#: accepted draws weigh alike, so their number is their effective size, and the
#: threshold is compare_evidence's for effective particles (review24 F4), for its reason:
#: at 10 draws a probability is uncertain by about a third (1/sqrt(10)) at one standard
#: error, within one of Kass and Raftery's bands.
MIN_ACCEPTED = MIN_EFFECTIVE_PER_HYPOTHESIS
#: The rows' identifying columns (the table's keys but the run's ``seconds``, never read).
KEY_COLUMNS = tuple(c for c in KEYS if c != "seconds")


class ReferenceChoiceError(ValueError):
    """A reference table this reading cannot use; the message names what is wrong."""


def check_rows(rows: pd.DataFrame, ids: Sequence[str]) -> None:
    """Refuse rows without the key and simulation columns, or a finished run without a value."""
    missing = [c for c in (*KEY_COLUMNS, *(SIM + i for i in ids)) if c not in rows.columns]
    if missing:
        raise ReferenceChoiceError(f"PATH: the table has no column {', '.join(missing)}")
    if rows.empty:
        raise ReferenceChoiceError("PATH: the table holds no draws yet")
    sims = rows[[SIM + i for i in ids]].to_numpy(dtype=np.float64)
    bad = ~rows["runaway"].to_numpy(dtype=bool) & ~np.isfinite(sims).all(axis=1)
    if bad.any():
        r = rows[bad].iloc[0]
        raise ReferenceChoiceError(
            f"PATH: {int(bad.sum())} finished runs lack a simulated value (first: block "
            f"{r['block']}, {r['hypothesis']}, draw {r['draw']})"
        )


def excess_statistics(rows: pd.DataFrame, bands: Sequence[Archival]) -> np.ndarray:
    """Each row's fit statistics (rows by targets): ``Archival.excess`` of its simulated
    values, and ``RUNAWAY_STATISTIC`` on every target of a runaway run."""
    out = np.full((len(rows), len(bands)), RUNAWAY_STATISTIC, dtype=np.float64)
    finished = ~rows["runaway"].to_numpy(dtype=bool)
    for j, band in enumerate(bands):
        values = rows[SIM + band.fact_id].to_numpy(dtype=np.float64)
        out[finished, j] = [band.excess(v) for v in values[finished]]
    return out


def distances(rows: pd.DataFrame, bands: Sequence[Archival]) -> np.ndarray:
    """Each row's distance to the record: ``archival_distance`` of its statistics."""
    ids = [b.fact_id for b in bands]
    return np.array(
        [
            archival_distance(dict(zip(ids, s, strict=True)), bands)
            for s in excess_statistics(rows, bands)
        ]
    )


def model_probabilities(accepted: dict[str, int], drawn: dict[str, int]) -> dict[str, float]:
    """P(m | d <= eps) = (a_m / n_m) / sum_k (a_k / n_k): a uniform prior over the
    hypotheses, whatever the number of draws n_m of each; NaN for all when none is accepted."""
    rates = {m: accepted[m] / drawn[m] for m in drawn}
    total = sum(rates.values())
    return {m: (r / total if total > 0 else math.nan) for m, r in rates.items()}


#: Above this many archival tolerances a target (the threshold over the square root of the
#: number of statistics: the root mean square of an accepted draw's statistics, in
#: tolerances, can reach it), Kass and Raftery's words are withheld: an accepted draw is
#: then not near the record but only nearer than most, and a factor is one of coarse
#: agreement on statistics that are not sufficient (Robert, Cornuet, Marin and Pillai 2011,
#: "Lack of confidence in approximate Bayesian computation model choice", PNAS 108(37)). A
#: stated choice (review25 F5): one tolerance a target is the band's own half-width.
LOOSE_PER_TARGET = 1.0


def count_factors(
    accepted: dict[str, int], drawn: dict[str, int], best: str, per_target: float = 0.0
) -> list[dict[str, Any]]:
    """The Bayes factor of ``best`` against each other hypothesis, (a_b / n_b) / (a_m / n_m).

    A hypothesis with no accepted draw gives a lower bound: its rate is taken at the upper
    95% bound that its n_m draws allow (``compare_evidence.zero_rate_bound``, about 3 / n_m,
    the bound the ABC-SMC comparison's factors use with its effective particles). Kass and
    Raftery's words (compare_evidence) are withheld where the best has fewer than
    ``MIN_ACCEPTED`` accepted draws, or the other has some but fewer, or where the threshold
    is above ``LOOSE_PER_TARGET`` tolerances a target (``per_target``).
    """
    rate_best = accepted[best] / drawn[best]
    rows = []
    for m in drawn:
        if m == best:
            continue
        bound = accepted[m] == 0
        rate = accepted[m] / drawn[m] if accepted[m] else zero_rate_bound(drawn[m])
        factor = rate_best / rate
        thin = [f"{best} ({accepted[best]})"] if accepted[best] < MIN_ACCEPTED else []
        if 0 < accepted[m] < MIN_ACCEPTED:
            thin.append(f"{m} ({accepted[m]})")
        if thin:
            words = f"withheld: accepted draws of {', '.join(thin)} below {MIN_ACCEPTED:g}"
        elif per_target > LOOSE_PER_TARGET:
            words = (
                f"withheld: threshold {per_target:.1f} tolerances a target "
                f"(above {LOOSE_PER_TARGET:g}): not near the record"
            )
        else:
            words = evidence_words(factor)
        rows.append(
            {
                "hypothesis": m,
                "bayes_factor_of_best": factor,
                "lower_bound": bound,
                "withheld": bool(thin) or per_target > LOOSE_PER_TARGET,
                "evidence_for_best": words,
            }
        )
    return sorted(rows, key=lambda r: r["bayes_factor_of_best"])


@dataclass(frozen=True)
class Acceptance:
    """The draws of one scope (a block, or all pooled) within one acceptance fraction."""

    scope: str
    fraction: float
    threshold: float
    accepted: dict[str, int]
    drawn: dict[str, int]
    probabilities: dict[str, float]
    best: str
    factors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_accepted(self) -> int:
        return sum(self.accepted.values())

    @property
    def read(self) -> bool:
        """Whether the probabilities are read: at least ``MIN_ACCEPTED`` draws accepted."""
        return self.total_accepted >= MIN_ACCEPTED

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "fraction": self.fraction,
            "threshold": self.threshold,
            "accepted": self.accepted,
            "drawn": self.drawn,
            "probabilities": self.probabilities,
            "read": self.read,
            "best": self.best,
            "bayes_factors": self.factors,
        }


def within(distance: np.ndarray, fraction: float) -> tuple[float, np.ndarray]:
    """The threshold and the draws at most that far from the record: the ``fraction``-quantile
    of ``distance`` as an observed distance (numpy's "inverted_cdf"), so that ceil(fraction x
    n) draws are kept, more only when distances tie at the threshold."""
    threshold = float(np.quantile(distance, fraction, method="inverted_cdf"))
    return threshold, distance <= threshold


def accept(
    scope: str,
    labels: Sequence[str],
    hypothesis: np.ndarray,
    distance: np.ndarray,
    fraction: float,
    statistics: int = 0,
) -> Acceptance:
    """The acceptance of one scope's draws at one fraction (``within``); ``statistics``, the
    number of statistics of the distance, sets how loose the threshold is a target."""
    threshold, kept = within(distance, fraction)
    present = [m for m in labels if (hypothesis == m).any()]
    drawn = {m: int((hypothesis == m).sum()) for m in present}
    accepted = {m: int((kept & (hypothesis == m)).sum()) for m in present}
    probs = model_probabilities(accepted, drawn)
    best = max(present, key=lambda m: (accepted[m] / drawn[m], -present.index(m)))
    per_target = threshold / math.sqrt(statistics) if statistics else 0.0
    factors = count_factors(accepted, drawn, best, per_target) if accepted[best] > 0 else []
    return Acceptance(scope, fraction, threshold, accepted, drawn, probs, best, factors)


def scopes(rows: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """Each block's rows (a boolean mask), in block order, then all of them pooled."""
    blocks = rows["block"].to_numpy()
    out = [(f"block {int(b)}", blocks == b) for b in sorted(set(blocks.tolist()))]
    return [*out, ("pooled", np.ones(len(rows), dtype=bool))]


def rejection(
    rows: pd.DataFrame,
    bands: Sequence[Archival],
    labels: Sequence[str],
    fractions: Sequence[float] = FRACTIONS,
    distance: np.ndarray | None = None,
) -> list[Acceptance]:
    """Rejection ABC per block and pooled, at each acceptance fraction; ``distance``: each
    row's ``distances(rows, bands)``, if the caller has it already."""
    check_rows(rows, [b.fact_id for b in bands])
    d = distances(rows, bands) if distance is None else distance
    hypothesis = rows["hypothesis"].astype(str).to_numpy()
    out = []
    for scope, mask in scopes(rows):
        for q in fractions:
            out.append(accept(scope, labels, hypothesis[mask], d[mask], q, len(bands)))
    return out
