"""Posterior predictive check of a hypothesis comparison, one hypothesis at a time.

A model probability says how often a hypothesis's simulations came closer
to the record than the threshold; it does not say how close, nor whether
the simulations agree with figures the fit never saw. This check answers
both, for each hypothesis, as ``greatterror calibrate show --check`` does
for a single fit (``calibration/check.py``):

- the posterior of a hypothesis is its particles in the last generation of
  every repeat at the declared priors (the prior-scaled runs are a
  sensitivity check, not part of the posterior), each repeat's weights
  normalised to one so that the repeats count equally; only the repeats that
  reached the furthest generation are pooled (a repeat still in an earlier
  generation holds particles from a looser threshold), and the repeats used,
  each hypothesis's particles and their effective size are reported;
- the database stores each hypothesis's priors with every run (from 4 Dec
  2026); they must equal the scenarios' priors today, since the particles are
  stored on the logistic scale of those priors. A database without them is
  read with today's priors, and the result says so (``priors_checked``);
- ``draws`` parameter sets are drawn from it by weight, mapped from the
  logistic scale the database stores back to the parameters
  (``compare.logistic_values``), and each is run once on a validation seed
  (1-10 in turn: never a fitting seed, ``calibration/seeds.py``);
- the runs are compared with the in-sample targets and with the validation
  figures (``holdout.MEASURES``, never fitted), as the median and the 5-95%
  predictive band over the draws; the counts of figures that pass leave out the checks
  of in-sample quantities (``Measure.repeats``).

A hypothesis that holds no particle in the last generation of any repeat has
no posterior at that threshold: it is checked from its prior instead (the same
number of draws from its priors, ``source`` "prior"), which shows on which
figures its simulations fall so far from the record that none was accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from greatterror import __version__
from greatterror.calibration.check import check_plans, run_warnings, split_validation
from greatterror.calibration.compare import hypothesis_priors, logistic_values
from greatterror.calibration.compare_report import load_runs
from greatterror.calibration.compare_settings import scenario_changes, stored_priors
from greatterror.calibration.seeds import VALIDATION_SEEDS, check_validation_seeds
from greatterror.provenance import code_change


class CheckError(ValueError):
    """The database cannot be read back with today's scenarios: the message names DB."""


def posterior_repeats(runs: list[tuple[Any, Any]]) -> tuple[int, list[tuple[Any, Any]]]:
    """The repeats (declared priors) at the furthest generation any repeat reached, and it."""
    repeats = [(spec, h) for spec, h in runs if spec.is_repeat]
    if not repeats:
        return -1, []
    last = max(int(h.max_t) for _, h in repeats)
    return last, [(spec, h) for spec, h in repeats if int(h.max_t) == last]


def pooled_posterior(runs: list[tuple[Any, Any]], m: int) -> tuple[list[dict[str, float]], Any]:
    """Model ``m``'s last-generation particles (logistic scale) over the repeats, and weights.

    Each repeat's weights of model ``m`` are normalised to sum to one, so every repeat in
    which the hypothesis survived counts equally. ``runs`` should hold repeats at one
    generation (``posterior_repeats``).
    """
    particles: list[dict[str, float]] = []
    weights: list[float] = []
    for spec, history in runs:
        if not spec.is_repeat:
            continue
        df, w = history.get_distribution(m=m, t=history.max_t)
        w = np.asarray(w, dtype=np.float64)
        if len(df) == 0 or w.sum() <= 0:
            continue
        particles += [{str(k): float(v) for k, v in row.items()} for _, row in df.iterrows()]
        weights += list(w / w.sum())
    return particles, np.asarray(weights, dtype=np.float64)


def check_priors(
    stored: list[dict[str, Any] | None], label: str, names: tuple[str, ...], priors: Any
) -> bool:
    """Whether the priors of ``label`` that the runs ``stored`` (``compare_settings.stored_priors``,
    one per run used) were checked (False: none stored); CheckError if they differ from
    today's."""
    checked = False
    today = {n: p.model_dump(mode="json") for n, p in zip(names, priors, strict=True)}
    for run in stored:
        if run is None:
            continue
        checked = True
        then = run.get(label, {})
        if then != today:
            differ = sorted(n for n in set(then) | set(today) if then.get(n) != today.get(n))
            raise CheckError(
                f"DB: {label}'s free parameters or priors differ from those the comparison was "
                f"run with ({', '.join(differ)}); check it with the code it was run with"
            )
    return checked


def compare_check(
    db: Path,
    draws: int = 10,
    scale: float | None = None,
    seeds: Sequence[int] = VALIDATION_SEEDS,
    workers: int = 1,
    draw_seed: int = 0,
    generation: int | None = None,
) -> dict[str, Any]:
    """Run each hypothesis's posterior ensemble and compare it with the record (each run read
    up to ``generation`` when one is given)."""
    from greatterror.calibration.compare_report import effective_size

    seeds = check_validation_seeds(seeds)
    settings, runs = load_runs(db, generation)
    read_generation, used = posterior_repeats(runs)
    stored = [stored_priors(db, spec.index) for spec, _ in used]  # read once, not per hypothesis
    scale = settings.scale if scale is None else scale
    rng = np.random.default_rng(draw_seed)
    plans: dict[str, list[tuple[str, float, int, dict[str, float]]]] = {}
    posterior: dict[str, dict[str, Any]] = {}
    missing = []
    checked = []
    for m, (scenario, label) in enumerate(zip(settings.scenarios, settings.labels, strict=True)):
        particles, weights = pooled_posterior(used, m)
        try:
            fixed = dict(settings.fixed_of(label))  # set, not drawn (a screen's)
            names, priors = hypothesis_priors(scenario, fixed=fixed)
        except Exception as exc:  # a scenario renamed, or a parameter no longer free
            raise CheckError(f"DB: {label} ({scenario}) cannot be read back today: {exc}") from None
        checked.append(check_priors(stored, label, names, priors))
        if not particles:
            # no posterior at this threshold: its prior predictive runs show what it misses
            missing.append(label)
            z = rng.logistic(size=(draws, len(names)))
            values = [
                logistic_values(names, priors, dict(zip(names, row, strict=True))) for row in z
            ]
            posterior[label] = {"source": "prior", "particles": 0, "effective_particles": 0.0}
        else:
            if set(particles[0]) != set(names):
                raise CheckError(
                    f"DB: {label}'s stored parameters differ from its free parameters today"
                )
            rows = rng.choice(len(particles), size=draws, replace=True, p=weights / weights.sum())
            values = [logistic_values(names, priors, particles[int(i)]) for i in rows]
            posterior[label] = {
                "source": "posterior",
                "particles": len(particles),
                "effective_particles": effective_size(weights),
            }
        values = [v | fixed for v in values]
        plans[label] = [(scenario, scale, seeds[i % len(seeds)], v) for i, v in enumerate(values)]
    hypotheses, results = check_plans(plans, posterior, settings.targets, workers)
    return {
        "db": str(db),
        "version": __version__,
        "fitted_with_version": settings.version,
        "code_change": code_change(settings.code),
        "scenario_change": scenario_changes(settings),  # hypotheses whose file changed since
        "generation": read_generation,
        "repeats_used": [spec.index for spec, _ in used],
        "repeats_not_at_that_generation": [
            spec.index for spec, h in runs if spec.is_repeat and (spec, h) not in used
        ],
        "priors_checked": bool(checked) and all(checked),
        "scale": scale,
        "draws": draws,
        "seeds": sorted({j[2] for plan in plans.values() for j in plan}),
        "no_posterior": missing,
        "in_sample_targets": len(hypotheses[0]["in_sample"]) if hypotheses else 0,
        "validation_figures": (
            len(split_validation(hypotheses[0]["validation"])[0]) if hypotheses else 0
        ),
        "hypotheses": hypotheses,
        **run_warnings(results),  # over every hypothesis's runs
    }
