"""The apply gate: whether a fitted point may replace the shipped values.

Why. On 5 December 2026 the refit script applied a point (fit seed 8, r1205d) because its
choosing distance on the three re-check seeds at 1:333 was 10.02 against the shipped
values' 10.66, a difference within the re-check's seed noise; at 1:100 on the validation
seeds it passed 19 of the 29 in-sample targets against the shipped values' 22, and it was
reverted by hand (docs/calibration.md). A smaller number on three seeds is not evidence
that a point is better. The gate runs the chosen point and the shipped values on the same
seeds, never a validation seed nor a seed whose population a fit used (calibration/seeds.py),
through ``model.run.simulate``, whose one seed gives both the population and every random
stream: the streams do not depend on the values, so the two points share populations and
streams (common random numbers; the re-check of ``calibrate apply`` does not, its simulation
seed being hashed from the values). The point goes through only if both comparisons hold
(calibration/paired.py computes them) and the validity check (calibration/validity.py) holds
on its runs of the second:

1. **A margin at the fit's scale** (``Margin``), on fresh seeds. ``calibrate apply`` chose
   the point as the best of its candidates on the re-check seeds; tested on those same runs
   the winner's distances are biased low, and with five candidates a one-sided 5% test
   accepts a point no better than the shipped values about 11-13% of the time (review14 F3,
   a Monte Carlo). So both points are run again at the fit's scale on ``n`` margin seeds
   (``seeds.margin_seeds``, 2,100,001 on; ``n`` = the number of re-check seeds,
   ``--recheck``), which neither chose the point nor fitted it. On each seed j, ``d_j`` is the
   run's choosing distance and ``delta_j = d_j(shipped) - d_j(chosen)``. The margin holds
   when the chosen point's choosing distance ``D`` on those runs is the smaller and::

       mean(delta) - k * sd(delta) / sqrt(n) > 0,    k = t(0.95; n - 1)

   a one-sided paired t-test at the 5% level (k = 2.13 with the refit's five seeds, 2.92
   with three, 1.83 with ten). The error of the difference is estimated from the
   differences themselves, which keeps the correlation of the targets within one run (a
   run with more arrests has more convictions and death sentences in every year);
   propagating each target's pooled spread as if the 29 targets were independent would
   understate it. Student's quantile, not the normal 1.645, because the standard error has
   n - 1 degrees of freedom. Each ``d_j`` is a norm over 29 targets, near enough to normal
   for the t-test; the sign test's and Wilcoxon's smallest one-sided p with n = 3 is 1/8,
   and a bootstrap of three seeds has ten distinct resamples. One-sided, since the only
   question is whether the chosen point is better; 5%, since a wrong replacement (a
   regenerated baseline and leader-rule thresholds, then a revert) has been made once, and
   keeping the shipped values when in doubt loses only an unused refit. With one seed there
   is no estimate of the error and the margin is refused. Power: the mean improvement must
   exceed k / sqrt(n) standard deviations of ``delta`` (1.69 with three seeds, 0.95 with
   five); a true improvement of one standard deviation passes about 32% of the time with
   three seeds, 58% with five, 90% with ten (review14 F5). Hence the refit's default of five.

2. **Not worse at the validation scale** (``AtScale``). Both points run at 1:100 on the
   gate seeds (``seeds.GATE_SEEDS``, 2,000,001-2,000,010: ten, as many as the validation
   tables use), scored on the in-sample targets only. The rule is paired, like gate 1:
   ``mean(delta) >= 0`` over the ten seeds' choosing distances (the spread pooled over both
   points' runs). Why this rule. It replaces "at least as many targets pass and ``D`` no
   larger", two point estimates near thresholds (several shipped targets sit on the ±20%
   line), each close to a coin flip for an equivalent point (review14 F6). The paired mean
   uses every target's distance rather than a count at a line, and on shared populations
   and streams its noise is much smaller than either point's own. No margin is asked here,
   and no test of significance either way: gate 1 asks for evidence of improvement; this one
   asks that the direction of the improvement holds at the validation scale, and refuses a
   point the fit's scale favours and the validation scale does not (as r1205d). An
   equivalent point is then refused about half the time, the cheap direction of error. The
   number of targets passing is reported beside it, not used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from greatterror.calibration import validity
from greatterror.calibration.paired import (
    LEVEL,
    AtScale,
    Margin,
    distances,
    passes,
    seed_text,
    t_quantile,
)
from greatterror.calibration.seeds import GATE_SEEDS, margin_seeds
from greatterror.calibration.statistics import Archival
from greatterror.pools import worker_pool

__all__ = [
    "LEVEL",
    "SCALE",
    "AtScale",
    "Margin",
    "Run",
    "Verdict",
    "at_scale",
    "judge_fit",
    "margin",
    "margin_of",
    "passes",
    "run_scenarios",
    "t_quantile",
]

#: The validation scale (scripts/validate_historical.py --scale 0.01) and the validity check's.
SCALE = validity.SCALE


def margin_of(applied: Mapping[str, Any]) -> Margin:
    """The comparison on the re-check runs of ``calibrate apply --json``: its chosen point
    against the incumbent on the runs that chose it. Reported by ``calibrate apply``; biased
    in the chosen point's favour, so not the gate's test (``margin`` on fresh runs is)."""
    best, shipped = applied["candidates"][0], applied["incumbent"]
    return Margin(
        float(best["choosing_distance"]),
        float(shipped["choosing_distance"]),
        tuple(float(d) for d in best["recheck_choosing"]),
        tuple(float(d) for d in shipped["recheck_choosing"]),
        tuple(int(s) for s in applied.get("recheck_seeds", ())),
    )


@dataclass(frozen=True)
class Run:
    """One run of a scenario: each target's simulated value, and the validity check's
    findings where the run is at 1:100 on one of validity.SEEDS."""

    seed: int
    simulated: dict[str, float]
    findings: tuple[validity.Finding, ...] = ()


def _paired_seeds(chosen: Sequence[Run], shipped: Sequence[Run]) -> tuple[int, ...]:
    seeds = tuple(r.seed for r in chosen)
    if not seeds or seeds != tuple(r.seed for r in shipped):
        raise ValueError(
            f"both points must run on the same seeds: {seeds} and {tuple(r.seed for r in shipped)}"
        )
    return seeds


def margin(chosen: Sequence[Run], shipped: Sequence[Run], bands: Sequence[Archival]) -> Margin:
    """Gate 1 from both points' fresh runs at the fit's scale, on the same seeds in order."""
    seeds = _paired_seeds(chosen, shipped)
    d_chosen, d_shipped, per_chosen, per_shipped = distances(
        [r.simulated for r in chosen], [r.simulated for r in shipped], bands
    )
    return Margin(d_chosen, d_shipped, per_chosen, per_shipped, seeds)


def at_scale(chosen: Sequence[Run], shipped: Sequence[Run], bands: Sequence[Archival]) -> AtScale:
    """Gate 2 from both points' runs at 1:100, on the same seeds in the same order."""
    seeds = _paired_seeds(chosen, shipped)

    def passing(runs: Sequence[Run]) -> frozenset[str]:
        return frozenset(
            b.fact_id for b in bands if passes(b, [r.simulated[b.fact_id] for r in runs])
        )

    d_chosen, d_shipped, per_chosen, per_shipped = distances(
        [r.simulated for r in chosen], [r.simulated for r in shipped], bands
    )
    return AtScale(
        seeds,
        tuple(band.fact_id for band in bands),
        passing(chosen),
        passing(shipped),
        d_chosen,
        d_shipped,
        per_chosen,
        per_shipped,
    )


@dataclass(frozen=True)
class Verdict:
    """Both comparisons and the validity findings of the chosen point's runs."""

    margin: Margin
    scale: AtScale
    findings: tuple[validity.Finding, ...]

    def failures(self) -> list[str]:
        """One line per comparison that fails, with its numbers; empty if the point passes."""
        out = []
        if not self.margin.holds:
            out.append(
                f"gate 1 (margin at the fit's scale) fails: {self.margin.why()}: "
                f"{self.margin.numbers()}"
            )
        if not self.scale.holds:
            out.append(
                f"gate 2 (not worse at 1:{round(1 / SCALE)}) fails: {self.scale.why()}: "
                f"{self.scale.numbers()}"
            )
        out += [f"validity check fails: {f.line()}" for f in validity.failures(self.findings)]
        return out

    def why(self) -> str:
        """The short reason for the outcome line."""
        names = [
            name
            for name, failed in (
                (
                    "gate 1: no margin beyond the noise at the fit's scale",
                    not self.margin.holds,
                ),
                ("gate 2: it is worse at 1:100", not self.scale.holds),
                ("validity check", bool(validity.failures(self.findings))),
            )
            if failed
        ]
        return "; ".join(names)

    def lines(self) -> list[str]:
        """The gate's numbers for docs/calibration.md, whichever way it went."""

        def mark(ok: bool) -> str:
            return "holds" if ok else "FAILS"

        valid = not validity.failures(self.findings)
        checked = sorted({f.seed for f in self.findings})
        return [
            "The gate (greatterror.calibration.gate; the chosen point against the shipped "
            "values on the same seeds):",
            "",
            f"- gate 1, margin at the fit's scale (fresh margin seeds "
            f"{seed_text(self.margin.seeds)}, not the re-check seeds that chose the point; "
            f"one-sided paired t-test at {LEVEL:.0%}): {mark(self.margin.holds)}: "
            f"{self.margin.numbers()}.",
            f"- gate 2, not worse at 1:{round(1 / SCALE)} (gate seeds {seed_text(self.scale.seeds)};"
            f" in-sample targets only; mean paired improvement >= 0): "
            f"{mark(self.scale.holds)}: {self.scale.numbers()}.",
            f"- validity check (the chosen point's runs on seeds {seed_text(checked)}): "
            f"{mark(valid)}.",
            "",
        ]


def _simulate(job: tuple[str, float, int, bool]) -> Run:
    from greatterror.model.run import simulate
    from greatterror.model.scenario import load_scenario

    path, scale, seed, check = job
    result = simulate(load_scenario(Path(path)), scale, seed)
    simulated = {row["id"]: float(row["simulated"]) for row in result.summary["targets"]}
    findings = tuple(validity.check_simulation(result.simulation, seed)) if check else ()
    return Run(seed, simulated, findings)


def run_scenarios(
    paths: Sequence[Path],
    seeds: Sequence[int] = GATE_SEEDS,
    scale: float = SCALE,
    workers: int = 1,
) -> list[tuple[Run, ...]]:
    """Each scenario run on each seed (the validity check at 1:100 on validity.SEEDS)."""
    jobs = [
        (str(p), scale, s, scale == SCALE and s in validity.SEEDS) for p in paths for s in seeds
    ]
    if workers > 1 and len(jobs) > 1:
        with worker_pool(min(workers, len(jobs))) as pool:  # Ctrl-C ends them (pools.py)
            runs = list(pool.map(_simulate, jobs, chunksize=1))
    else:
        runs = [_simulate(j) for j in jobs]
    n = len(seeds)
    return [tuple(runs[i * n : (i + 1) * n]) for i in range(len(paths))]


def judge_fit(
    applied: Mapping[str, Any],
    candidate: Path,
    shipped: Path,
    workers: int = 1,
    fit_scale: float | None = None,
) -> Verdict:
    """The gate's verdict on ``calibrate apply``'s chosen point (written into ``candidate``)
    against the ``shipped`` scenario: both run on fresh margin seeds at the fit's scale
    (``fit_scale``, else the ``scale`` apply reports; as many seeds as the re-check had), and
    both run at 1:100 on the gate seeds."""
    from greatterror.calibration.statistics import CALIBRATION_IDS, archival_targets
    from greatterror.evidence.loader import load_evidence

    bands = archival_targets(load_evidence(), CALIBRATION_IDS)
    scale = float(fit_scale if fit_scale is not None else applied["scale"])
    fresh = margin_seeds(len(applied["recheck_seeds"]))
    fresh_chosen, fresh_kept = run_scenarios([candidate, shipped], fresh, scale, workers)
    chosen, kept = run_scenarios([candidate, shipped], workers=workers)
    findings = tuple(f for run in chosen for f in run.findings)
    gate1 = margin(fresh_chosen, fresh_kept, bands)
    return Verdict(gate1, at_scale(chosen, kept, bands), findings)
