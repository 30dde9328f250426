"""The evidence a comparison's probabilities give: Bayes factors with their bounds, and
Kass and Raftery's words where the particles carry them (read by compare_report.py).

Every factor is a ratio of two hypotheses' posterior probabilities (a uniform prior over
the hypotheses). A probability below the 95% upper bound on a share that none of the ESS
effective particles holds (``zero_rate_bound``, about 3 / ESS) is not resolved from zero: a
factor is floored there and marked as a bound. The reference table's rejection reading floors a
hypothesis with no accepted draw at the same bound (reference_choice.count_factors), with n
its draws. A hypothesis whose own particles have an
effective size below ``MIN_EFFECTIVE_PER_HYPOTHESIS`` gets no words (review24 F4: the
pilot's files printed "substantial" and factors in the millions from single particles).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Kass and Raftery (1995), section 3.2: the Bayes factor and the evidence it gives.
KASS_RAFTERY = (
    (3.2, "not worth more than a bare mention"),
    (10.0, "substantial"),
    (100.0, "strong"),
    (math.inf, "decisive"),
)


#: The effective size (Kish) of a hypothesis's own particles below which no Kass-Raftery
#: words are given for a factor it enters (review24 F4). A probability is a sum of importance
#: weights; with an effective size n its relative standard error is of the order of
#: 1/sqrt(n), so at 10 the log of a factor between two such hypotheses is uncertain by about
#: sqrt(2/10) = 0.45 (a factor of 1.6) at one standard error, within one of Kass and Raftery's
#: bands (each a factor of about 3.2 wide). Below it the words would rest on a few particles
#: whose weights the proposal's shape sets (the pilot of 6 December 2026: 19 effective
#: particles in all, the leader H1's own 5.2). A stated threshold from that approximation,
#: not a property derived for this sampler.
MIN_EFFECTIVE_PER_HYPOTHESIS = 10.0


#: The one-sided confidence of the bound on a rate or probability of which none of n draws
#: or effective particles holds any (``zero_rate_bound``).
BOUND_CONFIDENCE = 0.95


def zero_rate_bound(n: float) -> float:
    """The upper ``BOUND_CONFIDENCE`` bound of a rate of which none of ``n`` draws holds any:
    the exact binomial (Clopper-Pearson) bound 1 - 0.05^(1/n), about 3/n (the "rule of
    three"). Taking one draw's share, 1/n, instead would claim a rate three times smaller
    than the draws can exclude, and a Bayes factor three times too large.

    ``n`` is what the rate rests on: a reference table's draws of a hypothesis (each weighs
    alike), or an ABC-SMC population's effective particles (Kish's size of their weights:
    weighted particles resolve a probability to about one part in it, not in their number);
    at least 1 (below, the bound of one draw)."""
    return 1.0 - (1.0 - BOUND_CONFIDENCE) ** (1.0 / max(float(n), 1.0))


def evidence_words(factor: float) -> str:
    for bound, words in KASS_RAFTERY:
        if factor < bound:
            return words
    return KASS_RAFTERY[-1][1]


def effective_size(weights: Any) -> float:
    """Kish's effective sample size of importance weights, (sum w)^2 / sum w^2.

    With few particles in many dimensions pyabc's importance weights can be
    degenerate (one particle holding nearly all the weight); a model
    probability is then resolved to about one part in this number, not in the
    number of particles.
    """
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    return total * total / float((w * w).sum()) if total > 0 else 0.0


def bayes_factors(
    probabilities: dict[str, float],
    particles: float,
    effective: dict[str, float] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """The best hypothesis and each one's Bayes factor against it, with Kass-Raftery's words.

    ``particles`` is the resolution of the probabilities: the effective number of particles
    they rest on. A probability below the 95% upper bound on a share that none of them holds
    (``zero_rate_bound``) is not resolved from zero, so the factor against it is only a lower
    bound, computed at that bound. ``effective`` is
    each hypothesis's own effective size: the words are withheld (``withheld``) where the
    best one's, or the other's when it holds particles, is below
    ``MIN_EFFECTIVE_PER_HYPOTHESIS``; a hypothesis without particles (0) keeps its bound.
    """
    best = max(probabilities, key=lambda k: probabilities[k])
    floor = zero_rate_bound(particles)  # below it, not told from zero
    rows = []
    for label, p in probabilities.items():
        if label == best:
            continue
        bound = p < floor
        factor = probabilities[best] / max(p, floor) if bound else probabilities[best] / p
        thin = [] if effective is None else _thin(effective, best, label)
        rows.append(
            {
                "hypothesis": label,
                "probability": p,
                "bayes_factor_of_best": factor,
                "lower_bound": bound,
                "withheld": bool(thin),
                "evidence_for_best": (
                    f"withheld: effective particles of {', '.join(thin)} below "
                    f"{MIN_EFFECTIVE_PER_HYPOTHESIS:g}"
                    if thin
                    else evidence_words(factor)
                ),
            }
        )
    return best, sorted(rows, key=lambda r: r["bayes_factor_of_best"])


def _thin(effective: dict[str, float], best: str, other: str) -> list[str]:
    """Which of ``best`` and ``other`` rest on too few effective particles for words: the best
    below the minimum, the other below it but holding particles."""
    low = MIN_EFFECTIVE_PER_HYPOTHESIS
    out = [f"{best} ({effective.get(best, 0.0):.1f})"] if effective.get(best, 0.0) < low else []
    if 0.0 < effective.get(other, 0.0) < low:
        out.append(f"{other} ({effective[other]:.1f})")
    return out


def pairwise_factors(
    probabilities: dict[str, float], particles: float
) -> tuple[dict[str, dict[str, float | None]], dict[str, dict[str, str]]]:
    """Each pair's Bayes factor, A's probability over B's, each floored at
    ``zero_rate_bound(particles)`` as in ``bayes_factors`` (review24 F4: the pilot's file gave
    H1:H4 = 4,686,290, a ratio of single particles' weights), and what the floor makes of it:
    "lower" (B below the floor: at least this), "upper" (A below it: at most this), "" (both
    resolved). Both below the floor: None, with "unresolved"."""
    floor = zero_rate_bound(particles)
    factors: dict[str, dict[str, float | None]] = {}
    bounds: dict[str, dict[str, str]] = {}
    for a, pa in probabilities.items():
        factors[a], bounds[a] = {}, {}
        for b, pb in probabilities.items():
            low_a, low_b = pa < floor, pb < floor
            if low_a and low_b and a != b:
                factors[a][b], bounds[a][b] = None, "unresolved"
                continue
            factors[a][b] = max(pa, floor) / max(pb, floor)
            bounds[a][b] = "lower" if low_b and a != b else "upper" if low_a and a != b else ""
    return factors, bounds
