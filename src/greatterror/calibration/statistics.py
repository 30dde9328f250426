"""Summary statistics and the distance of the fit: how far a run lies outside the archival ranges.

The statistics are the calibration targets of ``model/targets.py``. Each
target has an archival band: the evidence base's range (``value_low`` to
``value_high``) where the sources disagree, widened where needed to at least
``MIN_RELATIVE_TOLERANCE`` (±10%) around the central value, so that a figure
given as one number still has a band. A run's statistic for the target is
the log ratio of the simulated value to the nearer edge of the band, and zero
inside it: a run is never pulled towards one point of a range the sources do
not decide. Log ratios make a target of 98 Central Committee members and one
of 1.5 million arrests weigh alike, and a value twice too high counts as much
as one half too low. The observed data are therefore all zeros.

The distance divides each statistic by the target's tolerance, half the log
width of its band (a wide archival range weighs less), and takes the
Euclidean norm (``archival_distance``). The ABC fit uses these statistics
with pyabc's adaptive weights, whose scales never fall below the tolerances
(``ArchivalFloorScale``); the optuna quick fit and the sensitivity screening
use ``archival_distance`` itself, which is the ABC distance at its floor.

No further "shape" statistics are used: the targets already follow the time
series year by year (convictions, death sentences and Gulag deaths in each
of 1935-1940), and a finer shape (for example the month of the peak of Order
00447) would need an archival figure the evidence base does not hold. A
statistic without an archival value cannot enter a log ratio.

Calibration and validation stay apart: ``CALIBRATION_IDS`` are the targets
the fit sees. The validation set is the evidence base's ``V-`` facts
(docs/validation.md, "Out-of-sample figures"): they are never targets
(tests/test_validation_set.py), and ``CALIBRATION_IDS`` refuses them a
second time here (``check_calibration_ids``). ``VALIDATION_IDS`` holds the other facts the
validation compares (``holdout.NAMED_FACTS``: G-series facts that are not targets, such as
``G6-men-shot`` and the show trials of 1934-35), so that none of them can become a target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from greatterror.calibration.holdout import NAMED_FACTS
from greatterror.model.targets import TARGETS

#: Fact ids judged only after a fit, never fitted (besides every ``V-`` fact).
VALIDATION_IDS: frozenset[str] = NAMED_FACTS
CALIBRATION_IDS: tuple[str, ...] = tuple(
    t.fact_id for t in TARGETS if t.fact_id not in VALIDATION_IDS and not t.fact_id.startswith("V-")
)
#: The smallest half-width, as a relative error, of a target's archival band: a figure
#: without a range (or with a range narrower than this) gets ±10% around its value. An
#: assumption, not a sourced figure: half the ±20% that docs/validation.md aims for.
MIN_RELATIVE_TOLERANCE = 0.1
#: A simulated count is floored at one person before its log is taken.
FLOOR = 1.0


def check_calibration_ids(ids: Sequence[str]) -> tuple[str, ...]:
    """``ids`` if every one is a calibration target; ValueError naming any validation figure."""
    held_out = [i for i in ids if i.startswith("V-") or i in VALIDATION_IDS]
    if held_out:
        raise ValueError(
            f"targets: {', '.join(held_out)} belong to the validation set and are never fitted"
        )
    unknown = [i for i in ids if i not in CALIBRATION_IDS]
    if unknown:
        raise ValueError(
            f"targets: {', '.join(unknown)} are not calibration targets; "
            f"allowed: {', '.join(CALIBRATION_IDS)}"
        )
    return tuple(ids)


@dataclass(frozen=True)
class Archival:
    """A target's archival value, its band (low, high) and its tolerance in log units."""

    fact_id: str
    value: float
    low: float
    high: float

    @property
    def tolerance(self) -> float:
        """Half the log width of the band: the scale of one unit of distance."""
        return 0.5 * math.log(self.high / self.low)

    def excess(self, simulated: float) -> float:
        """Log ratio of the simulated value (floored at one) to the nearer edge; 0 inside."""
        sim = max(float(simulated), FLOOR)
        if sim > self.high:
            return math.log(sim / self.high)
        if sim < self.low:
            return math.log(sim / self.low)
        return 0.0


def archival_targets(evidence: Any, ids: Sequence[str] = CALIBRATION_IDS) -> tuple[Archival, ...]:
    """Each calibration target's central value and band, from the evidence base."""
    out = []
    widen = 1.0 + MIN_RELATIVE_TOLERANCE
    for fact_id in check_calibration_ids(ids):
        fact = evidence.fact(fact_id)
        value = float(evidence.value(fact_id))
        low, high = value / widen, value * widen
        if fact.value_low and fact.value_high and fact.value_high > fact.value_low:
            low, high = min(low, float(fact.value_low)), max(high, float(fact.value_high))
        out.append(Archival(fact_id, value, low, high))
    return tuple(out)


def log_ratios(summary: dict[str, Any], ids: Sequence[str] = CALIBRATION_IDS) -> dict[str, float]:
    """Log of simulated over the central archival value for each target of a run's summary."""
    wanted = set(ids)
    out = {}
    for row in summary["targets"]:
        if row["id"] in wanted:
            out[row["id"]] = math.log(max(float(row["simulated"]), FLOOR) / float(row["archival"]))
    missing = wanted - set(out)
    if missing:
        raise KeyError(f"targets missing from the summary: {', '.join(sorted(missing))}")
    return out


def excess_log_ratios(summary: dict[str, Any], bands: Sequence[Archival]) -> dict[str, float]:
    """The fit's statistics: each target's log distance outside its archival band."""
    simulated = {row["id"]: float(row["simulated"]) for row in summary["targets"]}
    missing = [b.fact_id for b in bands if b.fact_id not in simulated]
    if missing:
        raise KeyError(f"targets missing from the summary: {', '.join(sorted(missing))}")
    return {b.fact_id: b.excess(simulated[b.fact_id]) for b in bands}


def archival_distance(statistics: dict[str, float], bands: Sequence[Archival]) -> float:
    """Euclidean norm of the statistics over the tolerances: the ABC distance at its floor."""
    return float(math.sqrt(sum((statistics[b.fact_id] / b.tolerance) ** 2 for b in bands)))


def observed(ids: Sequence[str] = CALIBRATION_IDS) -> dict[str, float]:
    """The archival record in the statistics' terms: every statistic is zero."""
    return dict.fromkeys(ids, 0.0)


class ArchivalFloorScale:
    """pyabc scale function: the population's spread, never below the archival tolerance.

    Each generation, pyabc divides each statistic by a scale (Prangle 2017,
    "Adapting the ABC distance function", Bayesian Analysis 12(1)): here the
    combined median absolute deviation of the simulated statistics (their
    spread and their offset from the record), floored by the target's archival
    tolerance. A target is thus never weighted more sharply than the archival
    uncertainty of its figure allows, and the weights still adapt as the
    population concentrates.
    """

    __name__ = "archival_floor_cmad"  # pyabc records the scale function by name

    def __init__(self, tolerances: dict[str, float]) -> None:
        self.tolerances = dict(tolerances)

    def __call__(
        self, *, samples: np.ndarray, s0: np.ndarray, s_ids: Sequence[str], **_: Any
    ) -> np.ndarray:
        centre = np.nanmedian(samples, axis=0)
        spread = np.nanmedian(np.abs(samples - centre), axis=0)
        offset = np.nanmean(np.abs(samples - s0), axis=0)
        cmad = spread + offset  # pyabc's combined median absolute deviation
        floor = np.array([self.tolerances[s] for s in s_ids], dtype=np.float64)
        return np.maximum(np.nan_to_num(cmad, nan=0.0), floor)
