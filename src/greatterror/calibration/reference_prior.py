"""Prior sensitivity of a reference table's rejection reading, without new simulations.

The issue asks whether the model probabilities hold when the priors are narrowed or
widened. The joint ABC-SMC comparison answers by running again with every prior scaled
(``compare --prior-scale``, ``compare.scaled_prior``). A reference table can answer for
narrowed priors from the rows it already holds: every row of a hypothesis is a draw from
its declared priors, so a prior narrowed about its centre (by the same rule,
``scaled_prior``, applied through ``compare.hypothesis_priors``) is reached by weighting each
row by the ratio of the two densities of its drawn values,

    w = prod_j q_j(x_j) / p_j(x_j),   zero outside the narrowed support,

p the declared prior and q the narrowed one (importance sampling; the parameters are drawn
independently, so the joint density is the product). A whole-number parameter is drawn
rounded (``problem.from_unit``), so its density is the mass of the values that round to
it. The acceptance rate of hypothesis m at a threshold becomes the weighted share of its
rows within it, sum of w over its accepted rows / sum of w over all its rows (at F = 1
every weight is 1 and this is a_m / n_m), and the probabilities are these rates over their
sum, as in ``reference_choice.model_probabilities``. The thresholds are the declared
reading's (``reference_choice.within`` at each acceptance fraction), so that only the
priors differ.

Weights spend rows: a hypothesis whose near rows lie where the narrowed prior puts little
mass keeps few effective ones, and with many parameters narrowed at once few rows lie
inside every narrowed support (a share F^k of a hypothesis's draws for k uniform priors).
Each hypothesis's Kish effective size (``effective_size``) of all its rows and of its
accepted rows is given beside its probability; a reading is not read where the accepted
rows weigh fewer than ``MIN_ACCEPTED`` effective ones in all, or a hypothesis's rows fewer
than that (its rate would rest on a few rows), and a hypothesis with no row of weight has no
rate, so that no probability is given.

A zero is read from a hypothesis's effective rows only: with no accepted weight its rate is
bounded above at ``zero_rate_bound`` of its effective rows (about 3 / rows; 0.22 from 12
rows), and it is told apart from the best hypothesis only where that bound lies below the
best's rate (review26 F1: at F = 0.9 the committed table's H1e, H3 and H4 were not). A
probability on fewer than ``MIN_ACCEPTED`` effective accepted rows is marked thin and not
compared with the others' (its relative error is about 1/sqrt(rows)).

Widened priors cannot be read this way: a widened uniform or log-uniform prior puts mass
where the table holds no draw, and a widened normal's tails are where its draws are
fewest. They need new simulations (``WIDENED``): a table built with ``reference build
--prior-scale F0`` draws from the priors scaled by F0. Such a table's rows are draws from
those priors, so narrowing it by F reads the priors scaled by F0 * F, the priors of the
table (p) against ``hypothesis_priors(scenario, F0 * F)`` (q), and a reading's
``prior_scale`` is that product, the scale against the declared priors, as compare's is.
The product rather than a refusal: a narrowed prior's support lies inside the table's
(both are cut to the same declared range about the same centre), so the weights hold, and
the product keeps one meaning of a prior scale across tables and the comparison (narrowing
scaled_prior(p, F0) by F itself would differ from it where a widened support was cut, and
for beta priors). A table without ``prior_scale`` was drawn at F0 = 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from greatterror.calibration.compare_evidence import effective_size, zero_rate_bound
from greatterror.calibration.reference_choice import (
    MIN_ACCEPTED,
    ReferenceChoiceError,
    scopes,
    within,
)
from greatterror.calibration.reference_table import PAR, table_prior_scale
from greatterror.model.priors import Prior

#: Why a widened prior (scale above 1) is not read from a table, and what would read it.
WIDENED = (
    "priors widened (scale above 1) cannot be read from this table: a widened prior puts "
    "mass where the table, drawn from the declared priors, holds no draw (beyond a uniform or "
    "log-uniform prior's ends) or few (a normal prior's tails). They need new draws: "
    "build a table from widened priors (`greatterror hypotheses reference build --prior-scale "
    "2`), or use the joint ABC-SMC comparison (`greatterror hypotheses compare --prior-scale 2`)."
)


def log_density(prior: Prior, values: np.ndarray, integer: bool) -> np.ndarray:
    """The log density of each value under ``prior`` (-inf outside its support). For a
    whole-number parameter, the log of the mass that rounds to the value, that of
    [x - 0.5, x + 0.5]. ``from_unit`` clips a value to the parameter's range [low, high], but no
    prior puts mass outside it (a normal is truncated to it, a beta stretched over it, and
    ``Prior`` refuses a uniform or log-uniform support that leaves it), so the ends need no
    case of their own (review26 F6)."""
    dist = prior.frozen()
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore"):
        if not integer:
            return np.asarray(dist.logpdf(x), dtype=np.float64)
        return np.log(np.asarray(dist.cdf(x + 0.5) - dist.cdf(x - 0.5), dtype=np.float64))


def log_weights(
    values: np.ndarray,
    priors: Sequence[Prior],
    narrowed: Sequence[Prior],
    integers: Sequence[bool],
) -> np.ndarray:
    """Each row's log importance weight (rows of ``values`` by parameters): the sum over the
    parameters of log q - log p; -inf where a value lies outside the narrowed support.

    ValueError if a value has no density under ``priors`` (it cannot have been drawn from
    them)."""
    out = np.zeros(values.shape[0], dtype=np.float64)
    for j, (p, q, integer) in enumerate(zip(priors, narrowed, integers, strict=True)):
        if p == q:  # an unscaled prior (F = 1, or a kind scaled_prior leaves alone)
            continue
        table = log_density(p, values[:, j], integer)
        if not np.isfinite(table).all():
            i = int(np.argmin(np.isfinite(table)))
            raise ValueError(f"parameter {j}: {values[i, j]:g} has no density under {p.describe()}")
        out += log_density(q, values[:, j], integer) - table
    return out


def table_weights(
    rows: Any, hypothesis: np.ndarray, manifest: Mapping[str, Any], factor: float
) -> np.ndarray:
    """Each row's importance weight for every prior narrowed by ``factor`` from the table's
    (its ``prior_scale`` F0: the priors scaled by F0 * ``factor``), normalised within
    each hypothesis (its largest weight 1: the rates and effective sizes do not depend on a
    common scale). ReferenceChoiceError if the table lacks a hypothesis's drawn values or if
    today's priors do not give the table's draws (``check_draws``)."""
    from greatterror.calibration.compare import hypothesis_priors
    from greatterror.model.params import BY_NAME

    weights = np.zeros(len(rows), dtype=np.float64)
    drawn = table_prior_scale(manifest)
    for label, scenario in manifest["hypotheses"].items():
        mine = hypothesis == label
        if not mine.any():
            continue
        names, priors = hypothesis_priors(scenario, drawn)
        _, narrowed = hypothesis_priors(scenario, drawn * factor)
        check_draws(rows, mine, label, (names, priors), manifest)
        values = rows.loc[mine, [PAR + n for n in names]].to_numpy(dtype=np.float64)
        try:
            lw = log_weights(values, priors, narrowed, [BY_NAME[n].integer for n in names])
        except ValueError as exc:
            raise ReferenceChoiceError(
                f"PATH: {label}'s drawn values do not fit its priors today ({exc}); the "
                "priors changed since the table was made, and --prior-scale cannot weigh its rows"
            ) from None
        top = float(lw.max())
        weights[mine] = np.exp(lw - top) if math.isfinite(top) else 0.0
    return weights


def check_draws(
    rows: Any,
    mine: np.ndarray,
    label: str,
    problem: tuple[tuple[str, ...], tuple[Prior, ...]],
    manifest: Mapping[str, Any],
) -> None:
    """Refuse a hypothesis whose rows lack a drawn value, or whose first and last draw in a
    block are not what its priors give today (``reference_build.values_from``): the weights
    are densities under today's priors, which must be those the table was drawn from."""
    from greatterror.calibration.reference_build import values_from

    names = problem[0]
    missing = [PAR + n for n in names if PAR + n not in rows.columns]
    if missing or not np.isfinite(rows.loc[mine, [PAR + n for n in names]].to_numpy()).all():
        which = ", ".join(missing) if missing else "a drawn value (NaN)"
        raise ReferenceChoiceError(f"PATH: {label}'s rows lack {which}; --prior-scale needs them")
    listed = manifest.get("blocks", {})
    for block, part in rows[mine].groupby("block"):
        if str(block) not in listed:
            allowed = ", ".join(sorted(listed, key=lambda b: (len(b), b))) or "none"
            raise ReferenceChoiceError(
                f"PATH: {label}'s rows of block {block} are in no block the manifest lists "
                f"(allowed: its blocks {allowed}); --prior-scale needs each block's draw seed"
            )
        seed = int(listed[str(block)]["draw_seed"])
        for _, row in part.iloc[[0, -1]].iterrows():
            today = values_from(problem, label, seed, int(row["draw"]))
            for name in names:
                if not math.isclose(today[name], float(row[PAR + name]), rel_tol=1e-9):
                    raise ReferenceChoiceError(
                        f"PATH: {label}'s draw {row['draw']} of block {block} has {name} = "
                        f"{row[PAR + name]:g}, its priors give {today[name]:g} today; the priors "
                        "changed since the table was made, and --prior-scale cannot weigh its rows"
                    )


def weighted_rates(
    hypothesis: np.ndarray, kept: np.ndarray, weights: np.ndarray, labels: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Per hypothesis present: its weighted acceptance rate (sum of w kept / sum of w; NaN
    when no row has weight: none lies in the narrowed support), the Kish effective size of
    all its rows and of its kept ones, and, where no kept row has weight, the upper 95% bound
    on its rate (``zero_rate_bound`` of its effective rows: a zero read from 12 effective rows
    does not exclude a rate of 0.22; 1 where no row has weight, nothing being known)."""
    out: dict[str, dict[str, float]] = {}
    for m in labels:
        mine = hypothesis == m
        if not mine.any():
            continue
        w, hit = weights[mine], kept[mine]
        total, accepted = float(w.sum()), float(w[hit].sum())
        rows = effective_size(w)
        bound = math.nan  # measured: no bound
        if total <= 0:
            bound = 1.0
        elif accepted <= 0:
            bound = zero_rate_bound(rows)
        out[m] = {
            "rate": accepted / total if total > 0 else math.nan,
            "rate_bound": bound,
            "effective_rows": rows,
            "effective_accepted": effective_size(w[hit]) if hit.any() else 0.0,
        }
    return out


@dataclass(frozen=True)
class Narrowed:
    """One scope's rejection reading at one fraction under priors narrowed by ``factor``.

    Its weighted rates (``rates``; NaN where no row has weight) and, for a hypothesis with no
    accepted weight, the upper 95% bound on its rate (``rate_bounds``; NaN where measured):
    such a hypothesis is told apart from the best only where its bound lies below the best's
    rate (``unresolved`` lists the others). A probability resting on fewer than
    ``MIN_ACCEPTED`` effective accepted rows is not compared with the others (``thin``): its
    relative error is of the order of 1/sqrt(rows), 50% at 4."""

    factor: float
    scope: str
    fraction: float
    threshold: float
    drawn: dict[str, int]
    accepted: dict[str, int]
    effective_rows: dict[str, float]
    effective_accepted: dict[str, float]
    rates: dict[str, float]
    rate_bounds: dict[str, float]
    probabilities: dict[str, float]
    declared: dict[str, float]

    @property
    def read(self) -> bool:
        """Whether the accepted rows weigh at least ``MIN_ACCEPTED`` effective ones in all,
        and every hypothesis's rows as many: with fewer, its rate rests on a few rows."""
        return (
            sum(self.effective_accepted.values()) >= MIN_ACCEPTED
            and min(self.effective_rows.values()) >= MIN_ACCEPTED
        )

    @property
    def best(self) -> str | None:
        """The hypothesis with the highest weighted rate (None if no rate is known)."""
        known = {m: r for m, r in self.rates.items() if r == r}
        return max(known, key=lambda m: known[m]) if known else None

    @property
    def unresolved(self) -> list[str]:
        """The hypotheses with no accepted weight whose rate bound reaches the best's rate:
        the table does not tell them from it (the split is not resolved)."""
        best = self.best
        if best is None:
            return list(self.rates)
        top = self.rates[best]
        return [m for m, b in self.rate_bounds.items() if b == b and b >= top]

    @property
    def thin(self) -> list[str]:
        """The hypotheses with accepted weight on fewer than ``MIN_ACCEPTED`` effective
        accepted rows: their probabilities are not compared with the others'."""
        return [m for m, e in self.effective_accepted.items() if 0 < e < MIN_ACCEPTED]

    def as_dict(self) -> dict[str, Any]:
        return {
            "prior_scale": self.factor,
            "scope": self.scope,
            "fraction": self.fraction,
            "threshold": self.threshold,
            "drawn": self.drawn,
            "accepted": self.accepted,
            "effective_rows": self.effective_rows,
            "effective_accepted": self.effective_accepted,
            "rates": self.rates,
            "rate_bounds": self.rate_bounds,
            "probabilities": self.probabilities,
            "declared_probabilities": self.declared,
            "read": self.read,
            "best": self.best,
            "unresolved": self.unresolved,
            "thin": self.thin,
        }


def _normalise(rates: Mapping[str, float]) -> dict[str, float]:
    """The rates over their sum; NaN for all when one is unknown (NaN) or none is above 0."""
    total = sum(rates.values())
    return {m: (r / total if total > 0 else math.nan) for m, r in rates.items()}


def narrowed_rejection(
    rows: Any,
    hypothesis: np.ndarray,
    distance: np.ndarray,
    labels: Sequence[str],
    weights: np.ndarray,
    factor: float,
    fractions: Sequence[float],
) -> list[Narrowed]:
    """The rejection reading per block and pooled at each fraction (the declared reading's
    thresholds), each row weighted by ``weights``; the declared probabilities beside."""
    out = []
    ones = np.ones(len(weights))
    for scope, mask in scopes(rows):
        h, d, w = hypothesis[mask], distance[mask], weights[mask]
        for q in fractions:
            threshold, kept = within(d, q)
            rates = weighted_rates(h, kept, w, labels)
            plain = weighted_rates(h, kept, ones[mask], labels)
            out.append(
                Narrowed(
                    factor,
                    scope,
                    q,
                    threshold,
                    {m: int((h == m).sum()) for m in rates},
                    {m: int((kept & (h == m)).sum()) for m in rates},
                    {m: r["effective_rows"] for m, r in rates.items()},
                    {m: r["effective_accepted"] for m, r in rates.items()},
                    {m: r["rate"] for m, r in rates.items()},
                    {m: r["rate_bound"] for m, r in rates.items()},
                    _normalise({m: r["rate"] for m, r in rates.items()}),
                    _normalise({m: r["rate"] for m, r in plain.items()}),
                )
            )
    return out


def prior_sensitivity(
    reference: Any,
    hypothesis: np.ndarray,
    distance: np.ndarray,
    factors: Sequence[float],
    fractions: Sequence[float],
) -> dict[str, Any]:
    """The narrowed readings of a table for each factor (each below 1, against the table's
    priors), as plain data; each reading's ``prior_scale`` is against the declared priors,
    the table's ``prior_scale`` times the factor (module docstring)."""
    manifest, rows = reference.manifest, reference.rows
    labels = list(manifest["hypotheses"])
    drawn = table_prior_scale(manifest)
    readings = []
    for factor in factors:
        weights = table_weights(rows, hypothesis, manifest, factor)
        readings += narrowed_rejection(
            rows, hypothesis, distance, labels, weights, drawn * factor, fractions
        )
    return {
        "prior_scales": [drawn * f for f in factors],
        "rows": [r.as_dict() for r in readings],
        "min_effective_accepted": MIN_ACCEPTED,
        "widened": WIDENED,
    }
