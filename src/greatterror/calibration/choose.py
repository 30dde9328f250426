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
screening also use), with each target's Monte Carlo error taken into account:

1. candidates: the ``candidates`` particles of the last generation whose
   acceptance runs have the smallest archival distance;
2. each is re-run on ``n`` other fitting seeds (``seeds.recheck_seeds``:
   new populations and streams, never validation seeds), and so are the
   values the fit would replace (the scenario's own, the "incumbent");
3. each is judged by its **choosing distance** (``choosing_distance``)::

       D = sqrt( sum_i ( m_i / sqrt(tol_i^2 + se_i^2) )^2 )

   where, for target i, ``s_i`` is a run's signed log distance outside the
   archival band (``statistics.Archival.excess``), ``m_i`` the median of
   ``s_i`` over the point's re-check runs, ``tol_i`` the archival tolerance,
   and ``se_i = 1.2533 sigma_i / sqrt(n)`` the standard error of that median
   (1.2533 = sqrt(pi/2), the large-sample factor for the median of normal
   draws). ``sigma_i`` is the spread of ``s_i`` from one seed to the next,
   pooled over every point compared together (all candidates and the
   incumbent, ``pooled_noise``): 1.4826 times the median, over all their
   re-check runs, of each run's absolute deviation of ``s_i`` from its own
   point's ``m_i`` (1.4826 makes the median absolute deviation a standard
   deviation for normal draws; the median keeps one run that sampled no
   one from setting the scale). The same ``sigma_i`` judges every point;
4. the chosen point is the candidate with the smallest ``D``; the acceptance
   run is left out, because the particle was selected on that run's noise.
   Ties go to the smaller archival distance of the acceptance run, then to
   the earlier candidate. The incumbent is judged by the same ``D``
   (scripts/refit_historical.py applies a fit only if, run again on fresh
   seeds that did not choose it, its chosen point's ``D`` is smaller by more
   than the Monte Carlo error, and it is not worse at 1:100: calibration/gate.py).

Why. ``D`` is in the log units of ``archival_distance``: a target whose
median is known to well within its tolerance (``se_i`` small) keeps its
archival weight, and a target measured by a handful of sampled events (at
1:333, 1935's 1,229 death sentences are about four sampled people, a show
trial's verdicts a few defendants) is down-weighted by its own noise, as the
ABC fit's adaptive weights already do (``statistics.ArchivalFloorScale``).
The earlier rule ranked by the median over the re-check runs of the
unweighted archival distance; on the fit of 4 December two such targets made
70% of the shipped values' squared distance with spreads larger than their
offsets (docs/validation.md, "Where the noise is"), so it ranked candidates
mostly by their luck there. Taking the median of each target before the
distance also keeps one unlucky run on one target from moving the whole
point. With one re-check seed there is no spread to pool: ``sigma_i`` is
0 and ``D`` is that run's archival distance. The old number, the median
archival distance over the re-check runs, is still reported beside ``D``.

For each candidate the targets outside their archival band on the re-check
are listed, with how many re-check runs miss each and by what factor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from greatterror.calibration.abc import FitSettings
from greatterror.calibration.seeds import recheck_seeds
from greatterror.calibration.simulator import FitModel, warm
from greatterror.calibration.statistics import Archival, archival_distance
from greatterror.calibration.weights import weighted_distance
from greatterror.pools import worker_pool

RULE = (
    "smallest choosing distance over the re-check seeds: each target's median log distance "
    "outside its band over sqrt(tolerance^2 + the median's standard error^2), the error from "
    "the seed-to-seed spread pooled over all points compared (ties: smaller archival distance "
    "of the acceptance run)"
)
#: 1.4826 x the median absolute deviation estimates a standard deviation (normal draws).
MAD_TO_SD = 1.4826
#: The standard error of a median of n normal draws is about sqrt(pi/2) sigma / sqrt(n).
MEDIAN_SE = math.sqrt(math.pi / 2)

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
        """The median archival distance of the re-check runs (the earlier rule's number)."""
        runs = self.recheck_archival(bands)
        return float(np.median(runs)) if runs else math.inf

    def median_terms(self, bands: Sequence[Archival]) -> dict[str, float]:
        """Each target's median signed log distance outside its band over the re-check runs."""
        return {
            b.fact_id: float(np.median([s[b.fact_id] for s in self.recheck_statistics]))
            for b in bands
        }

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


@dataclass(frozen=True)
class Noise:
    """Each target's seed-to-seed spread ``sigma`` (log units), pooled, and the seeds per point."""

    sigma: dict[str, float]
    runs: int

    def se(self, fact_id: str) -> float:
        """The standard error of one point's median over ``runs`` re-check runs."""
        return MEDIAN_SE * self.sigma[fact_id] / math.sqrt(self.runs)


def pooled_noise(points: Sequence[Candidate], bands: Sequence[Archival]) -> Noise:
    """``sigma_i``: 1.4826 x the median over all points' re-check runs of |s_i - own m_i|.

    Every point must have been re-run on the same number of seeds (the re-check seeds).
    """
    counts = {len(p.recheck_statistics) for p in points}
    if len(counts) != 1 or 0 in counts:
        raise ValueError(f"every point needs the same, non-zero number of re-check runs: {counts}")
    medians = [p.median_terms(bands) for p in points]
    sigma = {}
    for b in bands:
        deviations = [
            abs(s[b.fact_id] - m[b.fact_id])
            for p, m in zip(points, medians, strict=True)
            for s in p.recheck_statistics
        ]
        sigma[b.fact_id] = MAD_TO_SD * float(np.median(deviations))
    return Noise(sigma, counts.pop())


def choosing_terms(
    candidate: Candidate, bands: Sequence[Archival], noise: Noise
) -> dict[str, float]:
    """Each target's signed term of ``D``: m_i / sqrt(tolerance^2 + se_i^2)."""
    m = candidate.median_terms(bands)
    return {
        b.fact_id: m[b.fact_id] / math.sqrt(b.tolerance**2 + noise.se(b.fact_id) ** 2)
        for b in bands
    }


def choosing_distance(candidate: Candidate, bands: Sequence[Archival], noise: Noise) -> float:
    """``D``: each target's median over sqrt(tolerance^2 + se^2), the Euclidean norm."""
    if not candidate.recheck_statistics:
        return math.inf
    return float(math.sqrt(sum(v**2 for v in choosing_terms(candidate, bands, noise).values())))


def run_distances(
    candidate: Candidate, bands: Sequence[Archival], noise: Noise
) -> tuple[float, ...]:
    """Each re-check run's choosing distance: the run's ``s_i`` in place of the median
    ``m_i``, over the same ``sqrt(tol_i^2 + se_i^2)``, in the order of the re-check seeds.

    The apply gate (calibration/gate.py) pairs these seed by seed with the incumbent's to
    estimate the Monte Carlo error of the difference between two points.
    """
    scale = {b.fact_id: math.sqrt(b.tolerance**2 + noise.se(b.fact_id) ** 2) for b in bands}
    return tuple(
        math.sqrt(sum((s[b.fact_id] / scale[b.fact_id]) ** 2 for b in bands))
        for s in candidate.recheck_statistics
    )


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
        with worker_pool(min(workers, len(jobs))) as pool:  # Ctrl-C ends them (pools.py)
            per_seed = list(pool.map(_rerun_one, jobs))
    else:
        per_seed = [_rerun_one(j) for j in jobs]
    return [
        Candidate(c.values, c.fit_distance, c.fit_statistics, tuple(row[i] for row in per_seed))
        for i, c in enumerate(candidates)
    ]


def rank(
    candidates: Sequence[Candidate], bands: Sequence[Archival], noise: Noise | None = None
) -> list[Candidate]:
    """The candidates in the rule's order (``RULE``): the chosen point first.

    ``noise`` is the spread pooled over every point compared (``pooled_noise`` of the
    candidates and the incumbent); without it, over the candidates alone.
    """
    noise = noise or pooled_noise(candidates, bands)
    order = sorted(
        range(len(candidates)),
        key=lambda i: (
            choosing_distance(candidates[i], bands, noise),
            candidates[i].archival(bands),
            i,
        ),
    )
    return [candidates[i] for i in order]


def judge(
    candidates: Sequence[Candidate], incumbent: Candidate, bands: Sequence[Archival]
) -> tuple[list[Candidate], float, Noise]:
    """The candidates ranked, the incumbent's choosing distance, and the one spread for both.

    The spread is pooled over the candidates and the incumbent together, so the values a fit
    would replace are judged on the same scale as the candidates that would replace them.
    """
    noise = pooled_noise([*candidates, incumbent], bands)
    return rank(candidates, bands, noise), choosing_distance(incumbent, bands, noise), noise


def recheck(
    settings: FitSettings, candidates: Sequence[Candidate], seeds: int, workers: int = 1
) -> list[Candidate]:
    """Each candidate re-run on ``seeds`` fresh fitting seeds, unranked."""
    return rerun(settings, candidates, recheck_seeds(settings.seed, seeds), workers)


def noise_report(noise: Noise, bands: Sequence[Archival]) -> dict[str, Any]:
    """The pooled spread, each median's standard error and each tolerance, for the JSON."""
    return {
        "pooling": "1.4826 x median over all points' re-check runs of |s_i - own median|",
        "recheck_runs": noise.runs,
        "targets": {
            b.fact_id: {
                "tolerance": b.tolerance,
                "sigma": noise.sigma[b.fact_id],
                "se_of_median": noise.se(b.fact_id),
            }
            for b in bands
        },
    }


def report_row(
    candidate: Candidate,
    bands: Sequence[Archival],
    weights: Mapping[str, float] | None,
    noise: Noise,
) -> dict[str, Any]:
    """A candidate's numbers on both scales, for the table and the JSON output."""
    fit_weighted = recheck_weighted = None
    if weights is not None:
        fit_weighted = weighted_distance(candidate.fit_statistics, weights)
        recheck_weighted = [weighted_distance(s, weights) for s in candidate.recheck_statistics]
    return {
        "values": candidate.values,
        "accepted_distance": candidate.fit_distance,
        "choosing_distance": choosing_distance(candidate, bands, noise),
        "choosing_terms": choosing_terms(candidate, bands, noise),
        "recheck_choosing": list(run_distances(candidate, bands, noise)),
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
