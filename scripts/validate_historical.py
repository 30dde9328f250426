"""Run the historical scenario on the validation seeds and write docs/validation.md's tables.

Usage: python scripts/validate_historical.py [--scale 0.01] [--seeds 10] [--workers 2]

Two tables, above the notes marker of docs/validation.md (the notes below it
are kept):

- in-sample: every calibration target (what the fit sees), its archival
  value and range, the simulated median over the seeds, the 10-90% band, and
  whether the median is within ±20% of the record or inside its range;
- out-of-sample: the validation figures the outputs report (summary.json and
  timeseries.parquet; greatterror.calibration.holdout: never fitted), the same way;
- checks of in-sample quantities on other sources: the validation figures whose simulated
  value repeats in-sample targets', that informed a fixed input or a rule, or that a refit gate
  threshold bounds (``Measure.checks``), shown apart and not counted out of sample.

The seeds are the validation seeds 1..N (N at most 10 by default), never a
fitting seed: greatterror.calibration.seeds refuses seeds of the fitting
range (1,000,000 and above).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tomllib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from greatterror import __version__
from greatterror.calibration.check import format_value
from greatterror.calibration.holdout import IN_SAMPLE_CHECKS, OUT_OF_SAMPLE, Measure, holdout_values
from greatterror.calibration.holdout_dated import STOCK_BESIDE, stocks_beside
from greatterror.calibration.seeds import SeedRangeError, check_validation_seeds
from greatterror.calibration.series import Series
from greatterror.evidence.loader import load_evidence
from greatterror.model.params import FREE_PARAMETERS
from greatterror.model.scenario_files import shipped_path
from greatterror.preflight import PreflightError, check_scale

MARKER = "<!-- notes: kept when the table is regenerated -->"
WITHIN = 0.2


def _one(args: tuple[float, int]) -> dict[str, Any]:
    from greatterror.model.run import simulate
    from greatterror.model.scenario import load_scenario
    from greatterror.model.summary import timeseries_rows

    scale, seed = args
    result = simulate(load_scenario("historical"), scale, seed)
    summary = result.summary
    return {
        "targets": summary["targets"],
        "holdout": holdout_values(summary, Series.of(timeseries_rows(result.simulation))),
        "stocks": stocks_beside(summary),
    }


def _provenance() -> list[str]:
    """The comment lines at the head of historical.toml's [parameters] table."""
    lines = shipped_path("historical").read_text(encoding="utf-8").splitlines()
    start = lines.index("[parameters]") + 1
    out = []
    for line in lines[start:]:
        if not line.startswith("#"):
            break
        out.append(line.lstrip("# ").rstrip())
    return out


def _row(
    fact: Any, label: str, record: float, values: np.ndarray, caveat: str = ""
) -> tuple[str, bool]:
    med = float(np.median(values))
    lo, hi = np.percentile(values, [10, 90])
    low, high = fact.value_low, fact.value_high
    ranged = low is not None and high is not None and low != high
    unit = fact.unit
    rng = f"{format_value(low, unit)}–{format_value(high, unit)}" if ranged else ""
    inside = bool(ranged and low <= med <= high)
    # a record of none (no death sentence at a trial) is matched only by none
    ok = inside or (abs(med / record - 1) <= WITHIN if record else med == 0)
    ratio = f"{med / record:.2f}" if record else "—"
    what = f"{label} ({caveat})" if caveat else label
    return (
        f"| {fact.id} | {what} | {format_value(record, unit)} | {rng} | {format_value(med, unit)} | "
        f"{format_value(lo, unit)}–{format_value(hi, unit)} | {ratio} | {'yes' if ok else '**no**'} |",
        ok,
    )


def stock_lines(runs: list[dict[str, Any]]) -> list[str]:
    """Beside each difference of flows of ``STOCK_BESIDE`` (arrests less sentences and releases
    in a window), the model's stock of cases under investigation or awaiting sentence on the
    window's first and last day, so that the reader sees how far the difference is from the
    stock at its end (median and 10-90% band over the seeds)."""
    out = []
    for fact, (start, end) in STOCK_BESIDE.items():
        said = []
        for i, date in enumerate((start, end)):
            values = np.array([r["stocks"][fact][i] for r in runs])
            lo, hi = np.percentile(values, [10, 90])
            said.append(
                f"{format_value(float(np.median(values)), 'persons')} on {date} "
                f"({format_value(lo, 'persons')}–{format_value(hi, 'persons')})"
            )
        flow = np.median([r["holdout"][fact] for r in runs])
        out.append(
            f"`{fact}` is a difference of flows, not a stock: its simulated median "
            f"{format_value(float(flow), 'persons')} is the growth of the model's cases under "
            f"investigation or awaiting sentence over the window (the record's also holds deaths "
            f"in custody and cases passed to other bodies). The model's stock of those cases: "
            f"{said[0]}, {said[1]} (median, 10–90% band; summary.json's `pretrial.held`)."
        )
    return out


def _table(
    runs: list[dict[str, Any]], evidence: Any, measures: tuple[Measure, ...], repeats: bool
) -> tuple[list[str], int]:
    """The rows of the figures ``measures`` and how many pass; with the targets each repeats."""
    rows = []
    passed = 0
    for m in measures:
        values = np.array([r["holdout"][m.fact_id] for r in runs])
        fact = evidence.fact(m.fact_id)
        row, ok = _row(fact, fact.quantity, float(evidence.value(m.fact_id)), values, m.caveat)
        if repeats:
            said = (
                [f"`{t}`" for t in m.repeats]
                + [f"informed `{x}`" for x in m.informed]
                + [f"informed by {x}" for x in m.informed_rules]
                + [f"gate `{x}`" for x in m.gate]
            )
            row += " " + ", ".join(said) + " |"
        rows.append(row)
        passed += ok
    return rows, passed


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[int, ...]:
    """The options in range before any run (exit 2 and a message, not a traceback from a
    worker process); returns the validation seeds, 1 to --seeds."""
    if args.workers < 1:
        parser.error(
            f"--workers: {args.workers} is too small; allowed: a whole number of at least 1"
        )
    if args.seeds < 1:
        parser.error(f"--seeds: {args.seeds} is too small; allowed: a whole number of at least 1")
    try:
        check_scale(args.scale)
        return check_validation_seeds(range(1, args.seeds + 1))
    except (PreflightError, SeedRangeError) as exc:
        parser.error(str(exc))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("docs/validation.md"))
    args = parser.parse_args()
    seeds = check_args(parser, args)
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        runs = list(pool.map(_one, [(args.scale, s) for s in seeds]))
    evidence = load_evidence()
    ids = [t["id"] for t in runs[0]["targets"]]
    params = tomllib.loads(shipped_path("historical").read_text(encoding="utf-8"))["parameters"]
    head = (
        "| figure | what | archival | archival range | simulated median | 10–90% band | ratio "
        "| within ±20% or in range |"
    )
    lines = [
        "# Validation: the historical scenario against the archival record",
        "",
        f"Generated by `python scripts/validate_historical.py --scale {args.scale:g} "
        f"--seeds {args.seeds}` on {dt.date.today().isoformat()} with greatterror {__version__}: "
        f"validation seeds {seeds[0]} to {seeds[-1]} at scale 1:{1 / args.scale:,.0f} (never a "
        "fitting seed: fits run on seeds from 1,000,000 up, greatterror/calibration/seeds.py; the "
        "'fitting seeds' n of the provenance below are fit seeds, whose populations and runs use "
        "seeds 1,000,000 + n and above). "
        "Counts are full-population equivalents. A figure passes when the median over the seeds "
        "is within ±20% of the archival value or inside the archival range.",
        "",
        f"`src/greatterror/scenarios/historical.toml` sets {len(params)} parameters, "
        f"{sum(n in FREE_PARAMETERS for n in params)} of them the free parameters of "
        "data/parameters.csv and the others fixed with their basis; its provenance reads:",
        "",
        *(f"> {line}" for line in _provenance()),
        "",
        "## In-sample: the calibration targets (what the fit sees)",
        "",
        head,
        "|---|---|---|---|---|---|---|---|",
    ]
    within = 0
    for i, target_id in enumerate(ids):
        values = np.array([r["targets"][i]["simulated"] for r in runs])
        target = runs[0]["targets"][i]
        row, ok = _row(evidence.facts[target_id], target["label"], target["archival"], values)
        lines.append(row)
        within += ok
    lines += ["", f"{within} of {len(ids)} in-sample targets pass.", ""]
    lines += [
        "## Out-of-sample: validation figures (never fitted)",
        "",
        "The `V-` figures of the evidence base that a run's outputs already report "
        "(`greatterror.calibration.holdout`: summary.json, and the dated counts of "
        "timeseries.parquet by region, operation and event), and the facts of the G series that "
        "are not targets (each year's exile and other sentences, the show trials' counts); "
        "none is a "
        "calibration target. A share is compared as a share; counts are full-population "
        "equivalents. Figures that repeat an in-sample quantity are in the next table, not "
        "here. The others need outputs the model does not have yet (the list at the end of "
        "this file).",
        "",
        head,
        "|---|---|---|---|---|---|---|---|",
    ]
    rows, held = _table(runs, evidence, OUT_OF_SAMPLE, repeats=False)
    lines += rows
    lines += ["", f"{held} of {len(OUT_OF_SAMPLE)} validation figures pass.", ""]
    lines += [
        "## Checks of in-sample quantities on other sources (not counted out of sample)",
        "",
        "Validation figures whose simulated value is an in-sample target's, a sum of "
        "targets', or the same output over a window holding most of the targets' period "
        "(`Measure.repeats`): they test the record's other sources against the same simulated "
        "quantity the fit sees, not the model out of sample. Figures after whose reading a "
        "fixed parameter's value was chosen (`Measure.informed`: 'informed' and the parameter) "
        "are here too: they no longer check that value independently; so are figures read when "
        "a rule of the model was chosen (`Measure.informed_rules`: 'informed by' and the rule, "
        "with the branch that chose it); so are figures whose "
        "quantity a threshold of the refit gate bounds (`Measure.gate`: 'gate' and the "
        "threshold of calibration/validity.py), since a fitted point that fails it is never "
        "applied.",
        "",
        head + " repeats |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows, checked = _table(runs, evidence, IN_SAMPLE_CHECKS, repeats=True)
    lines += rows
    lines += ["", f"{checked} of {len(IN_SAMPLE_CHECKS)} checks of in-sample quantities pass.", ""]
    lines += [*stock_lines(runs), ""]
    notes = ""
    if args.out.exists() and MARKER in args.out.read_text(encoding="utf-8"):
        notes = args.out.read_text(encoding="utf-8").split(MARKER, 1)[1]
    args.out.write_text("\n".join(lines) + "\n" + MARKER + notes, encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
