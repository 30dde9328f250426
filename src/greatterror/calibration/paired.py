"""The apply gate's two paired comparisons of a chosen point with the shipped values.

Why a module of its own: calibration/gate.py runs the simulations and gives the verdict;
this module holds only the arithmetic of the two comparisons, so that each rule can be
tested on constructed distances without a simulation (tests/test_gate.py).

Both comparisons are paired seed by seed. For each seed j, ``d_j`` is the run's choosing
distance (``choose.run_distances``: the run's statistics in place of the medians, over the
same denominators, the spread pooled over both points' runs) and ``delta_j = d_j(shipped) -
d_j(chosen)``. Both points run on the same seeds through ``model.run.simulate``, whose one
seed gives the population and every random stream: the streams do not depend on the
parameter values (unlike a fit's runs, whose simulation seed is hashed from them,
``seeds.simulation_seed``), so the two points share populations and streams (common random
numbers) and most of the seed-to-seed noise cancels in each ``delta_j``.

``Margin`` (gate 1) asks for evidence of improvement: ``mean(delta) - k * se > 0`` with
``k = t(0.95; n - 1)``, a one-sided paired t-test at 5% (gate.py says why). ``AtScale``
(gate 2) asks only that the improvement does not reverse at the validation scale:
``mean(delta) >= 0``; gate.py says why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from greatterror.calibration.check import within
from greatterror.calibration.choose import (
    Candidate,
    choosing_distance,
    pooled_noise,
    run_distances,
)
from greatterror.calibration.statistics import Archival

#: The one-sided level of the margin's paired t-test.
LEVEL = 0.05


def t_quantile(n: int) -> float:
    """``k``: Student's one-sided (1 - LEVEL) quantile with n - 1 degrees of freedom."""
    from scipy.stats import t

    return float(t.ppf(1.0 - LEVEL, n - 1))


def seed_text(seeds: Sequence[int]) -> str:
    """Seeds for a sentence, a run of consecutive ones as a range (2,000,001-2,000,010)."""
    ordered = list(seeds)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[0] + len(ordered))):
        return f"{ordered[0]:,}-{ordered[-1]:,}"
    return ", ".join(f"{s:,}" for s in ordered)


class _Paired:
    """The paired differences of two points' per-seed distances (fields of the subclass)."""

    chosen_runs: tuple[float, ...]
    shipped_runs: tuple[float, ...]

    def _check_pairs(self) -> None:
        if len(self.chosen_runs) != len(self.shipped_runs) or not self.chosen_runs:
            raise ValueError(
                "a paired comparison needs both points' distances on the same seeds: "
                f"{len(self.chosen_runs)} and {len(self.shipped_runs)} runs"
            )

    @property
    def n(self) -> int:
        return len(self.chosen_runs)

    @property
    def differences(self) -> np.ndarray:
        """``delta_j``: the shipped values' distance minus the chosen point's, seed by seed."""
        return np.asarray(self.shipped_runs, float) - np.asarray(self.chosen_runs, float)

    @property
    def mean(self) -> float:
        return float(self.differences.mean())

    @property
    def se(self) -> float:
        """The standard error of the mean difference (nan with one seed)."""
        if self.n < 2:
            return math.nan
        return float(self.differences.std(ddof=1) / math.sqrt(self.n))

    @property
    def k(self) -> float:
        return t_quantile(self.n) if self.n >= 2 else math.nan

    @property
    def lower(self) -> float:
        """``mean - k * se``: the one-sided 95% lower bound of the improvement."""
        return self.mean - self.k * self.se if self.n >= 2 else math.nan

    def pairs(self) -> str:
        return "; ".join(
            f"{c:.2f} against {s:.2f}"
            for c, s in zip(self.chosen_runs, self.shipped_runs, strict=True)
        )

    def improvement(self) -> str:
        if self.n < 2:
            return f"improvement {self.mean:.2f}"
        return (
            f"improvement {self.mean:.2f} ± {self.se:.2f} (standard error), "
            f"k = t(0.95; {self.n - 1}) = {self.k:.2f}, lower bound {self.lower:.2f}"
        )


@dataclass(frozen=True)
class Margin(_Paired):
    """Gate 1: each point's ``D`` and its per-seed distances on the margin seeds, paired."""

    chosen: float
    shipped: float
    chosen_runs: tuple[float, ...]
    shipped_runs: tuple[float, ...]
    seeds: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        self._check_pairs()

    @property
    def holds(self) -> bool:
        return self.n >= 2 and self.chosen < self.shipped and self.lower > 0

    def numbers(self) -> str:
        text = (
            f"choosing distance {self.chosen:.2f} against the shipped values' "
            f"{self.shipped:.2f}; per seed, chosen against shipped: {self.pairs()}"
        )
        return text if self.n < 2 else f"{text}; {self.improvement()}"

    def why(self) -> str:
        """Why the margin is refused, or "" if it holds."""
        if self.holds:
            return ""
        if self.chosen >= self.shipped:
            return "the chosen point's choosing distance is not below the shipped values'"
        if self.n < 2:
            return "one seed gives no estimate of the noise (--recheck 2 or more)"
        return "the improvement is within the Monte Carlo error (lower bound <= 0)"


@dataclass(frozen=True)
class AtScale(_Paired):
    """Gate 2 at 1:100: the paired per-seed distances, and (reported) the targets passing."""

    seeds: tuple[int, ...]
    targets: tuple[str, ...]
    chosen_passing: frozenset[str]
    shipped_passing: frozenset[str]
    chosen: float
    shipped: float
    chosen_runs: tuple[float, ...]
    shipped_runs: tuple[float, ...]

    def __post_init__(self) -> None:
        self._check_pairs()

    @property
    def holds(self) -> bool:
        return self.mean >= 0

    def numbers(self) -> str:
        of = len(self.targets)
        text = (
            f"paired per-seed choosing distances, chosen against shipped: {self.pairs()}; "
            f"{self.improvement()}; choosing distance {self.chosen:.2f} against "
            f"{self.shipped:.2f}; reported, not a rule: in-sample targets passing "
            f"{len(self.chosen_passing)} of {of} against the shipped values' "
            f"{len(self.shipped_passing)}"
        )
        lost = [t for t in self.targets if t in self.shipped_passing - self.chosen_passing]
        won = [t for t in self.targets if t in self.chosen_passing - self.shipped_passing]
        return text + "".join(
            f"; {what}: {', '.join(ids)}"
            for what, ids in (
                ("passing at the shipped values only", lost),
                ("at the chosen only", won),
            )
            if ids
        )

    def why(self) -> str:
        return "" if self.holds else "the mean paired improvement is negative"


def passes(band: Archival, values: Sequence[float]) -> bool:
    """Whether the median passes as in the validation tables (``check.within``)."""
    return bool(within(float(np.median(values)), band.value, band.low, band.high))


def distances(
    chosen: Sequence[Mapping[str, float]],
    shipped: Sequence[Mapping[str, float]],
    bands: Sequence[Archival],
) -> tuple[float, float, tuple[float, ...], tuple[float, ...]]:
    """Both points' ``D`` and per-run choosing distances from each run's simulated values,
    the spread pooled over both points' runs (one scale for both)."""

    def point(runs: Sequence[Mapping[str, float]]) -> Candidate:
        stats = tuple({b.fact_id: b.excess(r[b.fact_id]) for b in bands} for r in runs)
        return Candidate({}, math.nan, {}, stats)

    a, b = point(chosen), point(shipped)
    noise = pooled_noise([a, b], bands)
    return (
        choosing_distance(a, bands, noise),
        choosing_distance(b, bands, noise),
        run_distances(a, bands, noise),
        run_distances(b, bands, noise),
    )
