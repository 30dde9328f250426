"""Summary statistics and the distance scale of the ABC fit.

The statistics are the calibration targets of ``model/targets.py``: for each,
the log ratio of the simulated to the archival value, so that a target of 98
Central Committee members and one of 1.5 million arrests weigh alike, and a
simulated value twice too high counts as much as one half too low. The
observed data are therefore all zeros.

No further "shape" statistics are used: the targets already follow the time
series year by year (convictions, death sentences and Gulag deaths in each
of 1935-1940), and a finer shape (for example the month of the peak of Order
00447) would need an archival figure the evidence base does not hold. A
statistic without an archival value cannot enter a log ratio.

Calibration and validation stay apart: ``CALIBRATION_IDS`` are the targets
the fit sees. The validation set is the evidence base's ``V-`` facts
(docs/validation.md, "Out-of-sample figures"): they are never targets
(tests/test_validation_set.py), and ``CALIBRATION_IDS`` refuses them a
second time here. ``VALIDATION_IDS`` can hold further target ids to keep
out of a fit; it is empty today.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from greatterror.model.targets import TARGETS

#: Target ids judged only after a fit, never fitted (besides every ``V-`` fact).
VALIDATION_IDS: frozenset[str] = frozenset()
CALIBRATION_IDS: tuple[str, ...] = tuple(
    t.fact_id for t in TARGETS if t.fact_id not in VALIDATION_IDS and not t.fact_id.startswith("V-")
)
#: The smallest tolerance, as a relative error, given to a target whose archival
#: figure has no range (or a range narrower than this). An assumption, not a
#: sourced figure: half the ±20% that docs/validation.md aims for.
MIN_RELATIVE_TOLERANCE = 0.1
#: A simulated count is floored at one person before its log is taken.
FLOOR = 1.0


@dataclass(frozen=True)
class Archival:
    """A target's archival value and its tolerance in log units (half the log range)."""

    fact_id: str
    value: float
    tolerance: float


def archival_targets(evidence: Any, ids: Sequence[str] = CALIBRATION_IDS) -> tuple[Archival, ...]:
    """Each calibration target's central archival value and log tolerance, from the evidence."""
    out = []
    for fact_id in ids:
        fact = evidence.fact(fact_id)
        value = evidence.value(fact_id)
        half = 0.0
        if fact.value_low and fact.value_high and fact.value_high > fact.value_low:
            half = 0.5 * math.log(fact.value_high / fact.value_low)
        out.append(Archival(fact_id, value, max(half, math.log1p(MIN_RELATIVE_TOLERANCE))))
    return tuple(out)


def log_ratios(summary: dict[str, Any], ids: Sequence[str] = CALIBRATION_IDS) -> dict[str, float]:
    """Log of simulated over archival for each calibration target of a run's summary."""
    wanted = set(ids)
    out = {}
    for row in summary["targets"]:
        if row["id"] in wanted:
            out[row["id"]] = math.log(max(float(row["simulated"]), FLOOR) / float(row["archival"]))
    missing = wanted - set(out)
    if missing:
        raise KeyError(f"targets missing from the summary: {', '.join(sorted(missing))}")
    return out


def observed(ids: Sequence[str] = CALIBRATION_IDS) -> dict[str, float]:
    """The archival record in the statistics' terms: every log ratio is zero."""
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
