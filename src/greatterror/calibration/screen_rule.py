"""From a hypothesis's Morris screen to the parameters its comparison keeps free.

A comparison of hypotheses by ABC-SMC estimates each hypothesis's proposal from
its own particles; with fewer particles than free parameters that estimate
alone moves the model probabilities (docs/hypotheses.md, "The next
comparison"). A Morris screen of each hypothesis (``sensitivity.analyse``)
measures how much each parameter moves the distance to the record, at one
seed; the rule here,
written down in docs/sensitivity.md ("Screening the hypotheses' free
parameters") before the screens ran, turns it into kept and fixed parameters:

- each parameter's Morris steps are split by the runaway threshold
  (``steps``): a step with one end a runaway measures the threshold, one with
  both ends runaways measures nothing, and μ* over the finished steps (with a
  bootstrap interval) is the parameter's effect where runs finish;
- controls are parameters that move only the simulation's seed (of a
  mechanism the hypothesis switches off): their μ* over finished steps is the
  seed noise of that design (``decide``'s ``noise``);
- a parameter is kept if it has a threshold step, too few finished steps to be
  judged, or a finished μ* above the noise whose interval's upper end reaches
  a share (10%) of the hypothesis's largest; otherwise it is fixed at its
  prior's median (``prior_medians``). A fixed parameter is one whose effect
  the screen could not tell from the seed's, not one shown to be inert (in the
  screens of 6 December the noise test decided all 83 fixes, the 10% test none).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np

#: Finished steps below which a parameter is not judged (kept).
MIN_FINISHED = 3
#: The upper end of a kept parameter's finished μ* interval reaches this share of the largest.
SHARE_OF_LARGEST = 0.10
#: Bootstrap resamples of the finished steps, and their seed.
RESAMPLES = 1000
RESAMPLE_SEED = 1


def steps(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each parameter's Morris steps against the runaway threshold, in design order.

    ``result`` is the JSON of ``greatterror sensitivity SCENARIO --method morris``; the
    design is regenerated from its seed and ``parameters``. Per parameter: μ* and its
    interval as SALib gave them, the steps with one end a runaway ("threshold"), with both
    ends runaways, and finished; μ* over the finished steps with the half-width of a 95%
    bootstrap interval (as SALib's ``mu_star_conf``: 1.96 times the standard deviation of the
    resampled means), and their signed mean.
    """
    from greatterror.calibration.problem import salib_problem
    from greatterror.calibration.sensitivity import design

    names = list(result["parameters"])
    unit = design("morris", int(result["samples"]), int(result["seed"]), salib_problem(names))
    k = len(names)
    y = np.asarray(result["distances"], dtype=np.float64)
    if len(y) != len(unit):
        raise ValueError(f"distances: {len(y)} values for a design of {len(unit)} runs")
    runaway = np.isclose(y, float(result["runaway_distance"]), atol=1e-3)  # rounded distances
    effects: list[list[tuple[float, int]]] = [[] for _ in range(k)]
    for start in range(0, len(unit), k + 1):
        for j in range(start, start + k):
            (i,) = np.nonzero(unit[j + 1] - unit[j])[0]
            effect = (y[j + 1] - y[j]) / (unit[j + 1, i] - unit[j, i])
            effects[i].append((float(effect), int(runaway[j]) + int(runaway[j + 1])))
    ranked = {r["name"]: r for r in result["ranking"]}
    rng = np.random.default_rng(RESAMPLE_SEED)
    rows = []
    for name, found in zip(names, effects, strict=True):
        finished = np.abs([e for e, ends in found if ends == 0])
        conf = None
        if len(finished):
            means = finished[rng.integers(0, len(finished), (RESAMPLES, len(finished)))].mean(1)
            conf = float(1.96 * means.std(ddof=1))
        rows.append(
            {
                "name": name,
                "mu_star": float(ranked[name]["mu_star"]),
                "mu_star_conf": float(ranked[name]["mu_star_conf"]),
                "steps": len(found),
                "threshold_steps": sum(ends == 1 for _, ends in found),
                "both_runaway_steps": sum(ends == 2 for _, ends in found),
                "finished_steps": len(finished),
                "mu_star_finished": float(finished.mean()) if len(finished) else None,
                "mu_star_finished_conf": conf,
                "mean_finished": (
                    float(np.mean([e for e, ends in found if ends == 0])) if len(finished) else None
                ),
            }
        )
    return rows


def decide(
    rows: Sequence[Mapping[str, Any]],
    controls: Collection[str],
    idle: Collection[str] = (),
    reference: Collection[str] | None = None,
) -> dict[str, Any]:
    """The rule of docs/sensitivity.md applied to ``steps``'s rows of one hypothesis.

    ``controls`` are the screened parameters outside the hypothesis (seed only) and ``idle``
    its own free parameters of a switched-off mechanism (seed only too, and fixed whatever
    their numbers); both give the noise reference. Returns the noise reference, the largest
    finished μ* of the parameters that act, and per parameter of the hypothesis (controls
    left out) its decision and the reason. ``reference`` (default: the controls and the idle
    ones) names the parameters whose finished μ* set the noise reference; another choice is
    a diagnostic of the rule, not the rule. The boundaries are the rule's words: a finished μ*
    equal to the noise reference is fixed ("above" it is needed to keep), an upper end equal
    to 10% of the largest is kept ("at or above"). With no finished step among those
    parameters there is no noise reference, a case the rule does not provide for: ValueError,
    rather than deciding on the 10% test alone.
    """
    by_name = {r["name"]: r for r in rows}
    missing = [n for n in (*controls, *idle) if n not in by_name]
    if missing:
        raise ValueError(f"controls: {', '.join(missing)} not in the screen")
    chosen = (*controls, *idle) if reference is None else tuple(reference)
    noise = max(
        (v for v in (by_name[n]["mu_star_finished"] for n in chosen) if v is not None),
        default=None,
    )
    if noise is None:
        raise ValueError(
            f"noise reference: none of {', '.join(chosen) or 'no parameter'} has a finished "
            "step; the rule has no noise test then (screen again with a control that finishes)"
        )
    acting = [r for r in rows if r["name"] not in controls and r["name"] not in idle]
    largest = max((r["mu_star_finished"] or 0.0 for r in acting), default=0.0)
    decisions = []
    for r in rows:
        if r["name"] in controls:
            continue
        upper = None
        if r["mu_star_finished"] is not None and r["mu_star_finished_conf"] is not None:
            upper = r["mu_star_finished"] + r["mu_star_finished_conf"]
        # criteria 2 and 3 alone: what the finished steps say, whatever the threshold
        if r["finished_steps"] < MIN_FINISHED:
            finished_keep, finished_reason = True, f"not judged: {r['finished_steps']} finished"
        elif r["mu_star_finished"] <= noise:
            finished_keep, finished_reason = False, "noise: finished μ* at or below the controls'"
        elif upper is not None and upper < SHARE_OF_LARGEST * largest:
            finished_keep = False
            finished_reason = f"small: upper end below {SHARE_OF_LARGEST:.0%} of the largest"
        else:
            finished_keep, finished_reason = True, "effect: above the controls' and not small"
        if r["name"] in idle:
            keep, reason = False, "idle: its mechanism is off in the hypothesis (seed only)"
        elif r["threshold_steps"] > 0:
            keep, reason = True, f"threshold: {r['threshold_steps']} step(s) with one end a runaway"
        else:
            keep, reason = finished_keep, finished_reason
        decisions.append(
            {
                **r,
                "upper": upper,
                "keep": keep,
                "reason": reason,
                # not the rule: the finished steps' verdict, for a parameter kept by one
                # threshold step that may be the seed's (docs/sensitivity.md)
                "finished_keep": finished_keep,
                "finished_reason": finished_reason,
            }
        )
    return {"noise_reference": noise, "largest_mu_star_finished": largest, "parameters": decisions}


def prior_medians(scenario: str, names: Sequence[str]) -> dict[str, float]:
    """The median of each named parameter's prior in the hypothesis's comparison (the 0.5
    quantile, rounded for a whole-number parameter as a drawn value is: ``problem.from_unit``)."""
    from greatterror.calibration.compare import hypothesis_priors
    from greatterror.calibration.problem import from_unit

    free, priors = hypothesis_priors(scenario)
    chosen = dict(zip(free, priors, strict=True))
    unknown = [n for n in names if n not in chosen]
    if unknown:
        raise ValueError(f"{scenario}: {', '.join(unknown)} not among its free parameters")
    values = from_unit(list(names), np.full((1, len(names)), 0.5), chosen)
    return {n: float(v) for n, v in zip(names, values[0], strict=True)}
