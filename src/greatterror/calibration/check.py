"""Posterior predictive check: an ensemble at posterior draws against the record.

Each draw is a particle of the fit's last generation, chosen with
probability equal to its importance weight, run once on a validation seed
(``seeds.VALIDATION_SEEDS``, 1-10, in turn: never a fitting seed). Each run
is compared with both sets of figures:

- the in-sample calibration targets (what the fit saw), as the median and
  the 5-95% predictive band over the draws, whether the median lies inside
  the archival band or within ±20% of the record, and the share of draws that
  do;
- the validation figures the outputs report (``holdout.MEASURES``: never
  fitted), with the same band and whether the record lies inside the 90%
  predictive band. Those whose simulated quantity repeats in-sample targets'
  (``Measure.repeats``) are checks of the fitted quantities on other sources,
  not out of sample: ``split_validation`` sets them apart, as
  scripts/validate_historical.py does.

The predictive band holds both the posterior's uncertainty and the run-to-run
noise of the simulation at the check's scale; small counts (show trials,
death sentences of 1935-36) are noisier at 1:1000 than at 1:100.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from greatterror.calibration.holdout import MEASURES, holdout_values
from greatterror.calibration.seeds import VALIDATION_SEEDS, check_validation_seeds
from greatterror.calibration.series import Series
from greatterror.calibration.statistics import CALIBRATION_IDS, archival_targets
from greatterror.pools import worker_pool

WITHIN = 0.2


def split_validation(
    rows: Sequence[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The validation rows out of sample, and the checks of in-sample quantities (their
    ``repeats`` is ``Measure.checks``: the targets whose simulated quantity they repeat, the
    inputs chosen after reading them, the refit gate's thresholds that bound them)."""
    return [r for r in rows if not r["repeats"]], [r for r in rows if r["repeats"]]


def format_value(x: float, unit: str | None = None) -> str:
    """A record or simulated figure for a table: a share in percent to one decimal (27.1%,
    not 27), a count of 10 or more whole, a smaller one to two decimals (a trial's 5.50
    defendants in the median), as scripts/validate_historical.py writes counts."""
    if unit == "percent":
        return f"{x:.1f}%"
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.2f}"


def draw_particles(history: Any, draws: int, seed: int) -> list[dict[str, float]]:
    """``draws`` parameter sets from the last generation, chosen by importance weight."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    weights = np.asarray(w, dtype=np.float64)
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(df), size=draws, replace=True, p=weights / weights.sum())
    return [{str(k): float(v) for k, v in df.iloc[int(i)].items()} for i in rows]


def _run(args: tuple[str, float, int, dict[str, float]]) -> dict[str, Any]:
    from greatterror.api.results import warning_kinds
    from greatterror.model.params import BY_NAME
    from greatterror.model.run import simulate
    from greatterror.model.scenario import load_scenario
    from greatterror.model.summary import timeseries_rows

    scenario, scale, seed, values = args
    overrides = {k: round(v) if BY_NAME[k].integer else v for k, v in values.items()}
    result = simulate(load_scenario(scenario), scale, seed, overrides)
    summary = result.summary
    return {
        "seed": seed,
        "targets": {t["id"]: float(t["simulated"]) for t in summary["targets"]},
        "holdout": holdout_values(summary, Series.of(timeseries_rows(result.simulation))),
        "warnings": warning_kinds(summary),  # what the run's summary warns of (api/results.py)
    }


def run_warnings(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The runs' warnings for a check's result: each with how many of the runs had it."""
    from greatterror.api.results import count_warnings

    return {
        "runs": len(runs),
        "warnings": count_warnings(r.get("warnings", []) for r in runs),
    }


def within(x: Any, record: float, low: float, high: float) -> Any:
    """The tables' pass rule: inside the archival range or within ±``WITHIN`` of the record
    (elementwise for an array); a record of none (no death sentence at a trial) is met by
    none simulated."""
    if record == 0:
        return x == 0
    return ((x >= low) & (x <= high)) | (np.abs(x / record - 1) <= WITHIN)


def _row(fact_id: str, record: float, low: float, high: float, sims: list[float]) -> dict[str, Any]:
    values = np.asarray(sims, dtype=np.float64)
    p05, p50, p95 = (float(x) for x in np.percentile(values, [5, 50, 95]))

    def ok(x: Any) -> Any:
        return within(x, record, low, high)

    return {
        "id": fact_id,
        "record": record,
        "low": low,
        "high": high,
        "median": p50,
        "p05": p05,
        "p95": p95,
        "median_ok": bool(ok(p50)),
        "share_ok": float(np.mean(ok(values))),
        "record_in_band": bool(p05 <= record <= p95),
    }


def run_jobs(jobs: list[tuple[str, float, int, dict[str, float]]], workers: int) -> list[Any]:
    """Run (scenario, scale, seed, values) jobs, in ``workers`` processes when more than one."""
    if workers > 1 and len(jobs) > 1:
        with worker_pool(workers) as pool:  # Ctrl-C ends its workers (pools.py)
            return list(pool.map(_run, jobs, chunksize=1))
    return [_run(j) for j in jobs]


Plan = list[tuple[str, float, int, dict[str, float]]]


def check_plans(
    plans: dict[str, Plan],
    sources: dict[str, dict[str, Any]],
    targets: Sequence[str],
    workers: int,
) -> tuple[list[dict[str, Any]], list[Any]]:
    """Run each hypothesis's planned (scenario, scale, seed, values) jobs and compare them with
    the in-sample targets among ``targets`` and the validation figures: one row per
    hypothesis, with ``sources[label]`` (where its draws came from), and all the runs.

    The posterior predictive checks of a comparison (compare_check.py) and of a reference
    table (reference_check.py) differ only in where the draws come from. The counts of
    validation figures that pass leave out the checks of in-sample quantities
    (``Measure.repeats``, ``split_validation``)."""
    results = run_jobs([job for plan in plans.values() for job in plan], workers)
    rows = []
    start = 0
    for label, planned in plans.items():
        mine = results[start : start + len(planned)]
        start += len(planned)
        in_sample, validation = compare_runs(mine, targets)
        out_of_sample, _ = split_validation(validation)
        rows.append(
            {
                "hypothesis": label,
                "scenario": planned[0][0],
                "draws": len(planned),
                **sources[label],
                "in_sample": in_sample,
                "validation": validation,
                "in_sample_median_ok": sum(r["median_ok"] for r in in_sample),
                "validation_median_ok": sum(r["median_ok"] for r in out_of_sample),
                "validation_record_in_band": sum(r["record_in_band"] for r in out_of_sample),
                **run_warnings(mine),
            }
        )
    return rows, results


def compare_runs(
    runs: list[dict[str, Any]], targets: Sequence[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The runs against the in-sample targets among ``targets`` and the validation figures."""
    from greatterror.evidence.loader import load_evidence

    evidence = load_evidence()
    in_sample = [
        {
            **_row(b.fact_id, b.value, b.low, b.high, [r["targets"][b.fact_id] for r in runs]),
            "unit": evidence.fact(b.fact_id).unit,
        }
        for b in archival_targets(evidence, [t for t in targets if t in CALIBRATION_IDS])
    ]
    validation = []
    for m in MEASURES:
        fact = evidence.fact(m.fact_id)
        value = float(evidence.value(m.fact_id))
        low = float(fact.value_low or value)
        high = float(fact.value_high or value)
        row = _row(m.fact_id, value, low, high, [r["holdout"][m.fact_id] for r in runs])
        validation.append(
            {
                **row,
                "unit": fact.unit,
                "caveat": m.caveat,
                "repeats": list(m.checks),
            }
        )
    return in_sample, validation


def posterior_check(
    db: Path,
    draws: int = 20,
    scale: float = 0.001,
    seeds: Sequence[int] = VALIDATION_SEEDS,
    workers: int = 1,
    draw_seed: int = 0,
) -> dict[str, Any]:
    """Run the ensemble and compare it with the in-sample and the validation figures."""
    from greatterror.calibration.posterior import load_fit

    seeds = check_validation_seeds(seeds)
    settings, history = load_fit(db)
    # a conditional fit's draw: its particle and the values the fit held (settings.held)
    params = [{**dict(settings.held), **p} for p in draw_particles(history, draws, draw_seed)]
    jobs = [(settings.scenario, scale, seeds[i % len(seeds)], p) for i, p in enumerate(params)]
    runs = run_jobs(jobs, workers)
    in_sample, validation = compare_runs(runs, settings.targets)
    return {
        **run_warnings(runs),
        "db": str(db),
        "scenario": settings.scenario,
        "generation": history.max_t,
        "draws": draws,
        "scale": scale,
        "seeds": sorted({j[2] for j in jobs}),
        "in_sample": in_sample,
        "validation": validation,
    }
