"""Which point of a stored fit ``calibrate apply`` writes, judged on one scale.

A scenario runs at one set of values, so a fit must hand over one point. The
posterior median of each parameter is not used: medians taken one parameter
at a time need not form a set that was ever simulated, and where parameters
trade off (the naming cascade's ``names_per_confession`` against
``names_acted_on``) they can fall between the ridges the posterior lies on.
Nor is the accepted particle with the smallest distance used as it stands: it
was selected on one simulation's noise.

One scale. pyabc accepted each particle at a distance under its generation's
adaptive weights (``weights.py``), whose scales are at least the archival
tolerances and, in a spread-out population, many times larger; the refit of
2026-12-03 accepted its last generation at 2.5-3.6 under those weights, while
the same runs lie 25-43 from the record in ``statistics.archival_distance``
(the distance at the tolerances). The two numbers are not comparable, so every
run is reported here on both scales, each computed from the run's statistics:
the archival distance, and the distance under the last generation's weights
(recorded by the fit, or recovered from its stored particles; none for a fit
too small to determine them). The acceptance run's numbers come from the
statistics pyabc stored with the particle; re-running a particle on the fit's
own seed reproduces them exactly (tests/test_calibrate.py).

The rule, on the archival scale (which does not depend on how the fit's
weights happened to adapt, and which the optuna quick fit and the sensitivity
screening also use):

1. candidates: the ``candidates`` particles of the last generation whose
   acceptance runs have the smallest archival distance;
2. each is re-run on ``seeds`` other fitting seeds (``seeds.recheck_seeds``:
   new populations and streams, never validation seeds);
3. the chosen point is the candidate with the smallest median archival
   distance over its re-check runs; the acceptance run is left out of the
   median, because the particle was selected on that run's noise. Ties go to
   the smaller archival distance of the acceptance run, then to the earlier
   candidate.

For each candidate the targets outside their archival band on the re-check
are listed, with how many re-check runs miss each and by what factor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from greatterror.calibration.abc import FitSettings
from greatterror.calibration.seeds import recheck_seeds
from greatterror.calibration.simulator import FitModel, warm
from greatterror.calibration.statistics import Archival, archival_distance
from greatterror.calibration.weights import weighted_distance

RULE = (
    "smallest median archival distance over the re-check seeds "
    "(ties: smaller archival distance of the acceptance run)"
)

Statistics = Mapping[str, float]


@dataclass(frozen=True)
class Candidate:
    """A particle of the last generation, its acceptance run and its re-check runs."""

    values: dict[str, float]
    fit_distance: float  # as pyabc accepted it (the last generation's adaptive weights)
    fit_statistics: dict[str, float] = field(default_factory=dict)
    recheck_statistics: tuple[dict[str, float], ...] = ()

    def archival(self, bands: Sequence[Archival]) -> float:
        """The acceptance run's archival distance."""
        return archival_distance(self.fit_statistics, bands)

    def recheck_archival(self, bands: Sequence[Archival]) -> tuple[float, ...]:
        return tuple(archival_distance(s, bands) for s in self.recheck_statistics)

    def median(self, bands: Sequence[Archival]) -> float:
        """The median archival distance of the re-check runs: what the rule ranks by."""
        runs = self.recheck_archival(bands)
        return float(np.median(runs)) if runs else math.inf

    def outside(self, bands: Sequence[Archival]) -> list[dict[str, Any]]:
        """Each target some re-check run puts outside its band: runs missing, median factor."""
        out = []
        for band in bands:
            excess = [s[band.fact_id] for s in self.recheck_statistics if s[band.fact_id] != 0.0]
            if excess:
                out.append(
                    {
                        "id": band.fact_id,
                        "runs": len(excess),
                        "of": len(self.recheck_statistics),
                        # simulated over the nearer edge of the band (below 1: too low)
                        "factor": float(math.exp(np.median(excess))),
                    }
                )
        return out


def best_particles(history: Any, count: int, bands: Sequence[Archival]) -> list[Candidate]:
    """The ``count`` particles of the last generation closest to the record (archival scale)."""
    population = history.get_population(t=history.max_t)
    ids = [b.fact_id for b in bands]
    found = [
        Candidate(
            {str(k): float(v) for k, v in dict(p.parameter).items()},
            float(p.distance),
            {i: float(p.sum_stat[i]) for i in ids},
        )
        for p in population.particles
    ]
    found.sort(key=lambda c: (c.archival(bands), c.fit_distance))
    return found[:count]


def _rerun_one(args: tuple[str, float, int, list[dict[str, float]]]) -> list[dict[str, float]]:
    """The statistics of each candidate on one fit seed (one worker, one population)."""
    scenario, scale, seed, candidates = args
    warm(scenario, scale, seed)
    model = FitModel(scenario, scale, seed)
    return [model(values) for values in candidates]  # a runaway gets its stand-ins


def rerun(
    settings: FitSettings,
    candidates: Sequence[Candidate],
    fit_seeds: Sequence[int],
    workers: int = 1,
) -> list[Candidate]:
    """The candidates with their statistics on each of ``fit_seeds``, in the order given."""
    jobs = [
        (settings.scenario, settings.scale, s, [c.values for c in candidates]) for s in fit_seeds
    ]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(min(workers, len(jobs))) as pool:
            per_seed = list(pool.map(_rerun_one, jobs))
    else:
        per_seed = [_rerun_one(j) for j in jobs]
    return [
        Candidate(c.values, c.fit_distance, c.fit_statistics, tuple(row[i] for row in per_seed))
        for i, c in enumerate(candidates)
    ]


def rank(candidates: Sequence[Candidate], bands: Sequence[Archival]) -> list[Candidate]:
    """The candidates in the rule's order (``RULE``): the chosen point first."""
    order = sorted(
        range(len(candidates)),
        key=lambda i: (candidates[i].median(bands), candidates[i].archival(bands), i),
    )
    return [candidates[i] for i in order]


def recheck(
    settings: FitSettings, candidates: Sequence[Candidate], seeds: int, workers: int = 1
) -> list[Candidate]:
    """Each candidate re-run on ``seeds`` fresh fitting seeds, unranked."""
    return rerun(settings, candidates, recheck_seeds(settings.seed, seeds), workers)


def report_row(
    candidate: Candidate, bands: Sequence[Archival], weights: Mapping[str, float] | None
) -> dict[str, Any]:
    """A candidate's numbers on both scales, for the table and the JSON output."""
    fit_weighted = recheck_weighted = None
    if weights is not None:
        fit_weighted = weighted_distance(candidate.fit_statistics, weights)
        recheck_weighted = [weighted_distance(s, weights) for s in candidate.recheck_statistics]
    return {
        "values": candidate.values,
        "accepted_distance": candidate.fit_distance,
        "archival": {
            "acceptance_run": candidate.archival(bands),
            "recheck": list(candidate.recheck_archival(bands)),
            "recheck_median": candidate.median(bands),
        },
        "last_generation_weights": None
        if weights is None
        else {
            "acceptance_run": fit_weighted,
            "recheck": recheck_weighted,
            "recheck_median": float(np.median(recheck_weighted)) if recheck_weighted else None,
        },
        "outside_band_on_recheck": candidate.outside(bands),
    }
