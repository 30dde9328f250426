"""`greatterror hypotheses compare check DB`: each hypothesis's posterior predictive check.

Every option is checked, and the database read, before the first simulation;
the result files are written only once every run has finished.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from greatterror.cli.output import console, emit_json, fail, print_table, warn_of_runs
from greatterror.preflight import check_scale

CSV_COLUMNS: tuple[str, ...] = ("hypothesis", "set", "id", "record", "low", "high", "median")
CSV_COLUMNS += ("p05", "p95", "median_ok", "share_ok", "record_in_band")


def check_comparison(
    path: Path,
    draws: int,
    scale: float | None,
    workers: int,
    out: Path,
    as_json: bool,
    generation: int | None = None,
) -> None:
    from greatterror.calibration.abc import FitError
    from greatterror.calibration.compare_check import CheckError, compare_check
    from greatterror.calibration.compare_settings import stored_compare
    from greatterror.calibration.problem import MissingExtraError

    if not 1 <= draws <= 10_000:
        fail(f"--draws: {draws} is out of range; allowed: a whole number from 1 to 10000")
    if not 1 <= workers <= 1_024:
        fail(f"--workers: {workers} is out of range; allowed: a whole number from 1 to 1024")
    if scale is not None:
        check_scale(scale)
    try:
        stored_compare(path)
        result = compare_check(
            path, draws=draws, scale=scale, workers=workers, generation=generation
        )
    except (FitError, MissingExtraError, CheckError) as exc:
        fail(str(exc).replace("--db: ", "DB: "))
    if not result["hypotheses"]:
        fail(f"DB: {path} holds no hypothesis with particles in a completed generation")
    files = write_check_files(result, out)
    warn_of_runs(result["warnings"], result["runs"])  # stderr, in both modes
    if as_json:
        emit_json(result)
        return
    print_check(result)
    console.print("written: " + ", ".join(str(p) for p in files), highlight=False)


def write_check_files(result: dict[str, Any], out: Path, stem: str = "compare_check") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, csv_path = out / f"{stem}.json", out / f"{stem}.csv"
    json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for h in result["hypotheses"]:
            for kind in ("in_sample", "validation"):
                for r in h[kind]:
                    writer.writerow([h["hypothesis"], kind] + [r[k] for k in CSV_COLUMNS[2:]])
    return [json_path, csv_path]


def print_check(result: dict[str, Any]) -> None:
    print_check_tables(result, _compare_notes(result))


def print_check_tables(
    result: dict[str, Any], notes: list[str], posterior: str = "particles (effective)"
) -> None:
    """The check's tables (shared by ``compare check`` and ``reference check``): per
    hypothesis, then each figure's median over the record; ``notes`` are printed between."""
    hyps = result["hypotheses"]
    labels = [h["hypothesis"] for h in hyps]
    n_in, n_val = result["in_sample_targets"], result["validation_figures"]
    note = (
        f"{result['draws']} posterior draws each, 1:{1 / result['scale']:,.0f}, "
        f"validation seeds {result['seeds'][0]}-{result['seeds'][-1]}"
    )
    print_table(
        f"Posterior predictive check per hypothesis ({note})",
        [
            "hypothesis",
            posterior,
            "in-sample medians within",
            "validation medians within",
            "validation: record in 5-95% band",
        ],
        [
            [
                h["hypothesis"],
                "none: prior draws"
                if h["source"] == "prior"
                else f"{h['particles']} ({h['effective_particles']:.1f})",
                f"{h['in_sample_median_ok']} of {n_in}",
                f"{h['validation_median_ok']} of {n_val}",
                f"{h['validation_record_in_band']} of {n_val}",
            ]
            for h in hyps
        ],
        caption="within: inside the archival range or within ±20% of the record"
        + (
            f"; no posterior (checked from the prior instead): {', '.join(result['no_posterior'])}"
            if result["no_posterior"]
            else ""
        ),
    )
    console.print("; ".join(notes), highlight=False)
    for kind, title in (("in_sample", "In-sample targets"), ("validation", "Validation figures")):
        rows = []
        for i, first in enumerate(hyps[0][kind]):
            cells = [first["id"], f"{first['record']:,.0f}"]
            for h in hyps:
                r = h[kind][i]
                ratio = r["median"] / r["record"] if r["record"] else float("nan")
                cells.append(f"{ratio:.2f}" + ("" if r["median_ok"] else "*"))
            rows.append(cells)
        print_table(
            f"{title}: median of the draws over the record",
            ["figure", "record", *labels],
            rows,
            caption="* outside the archival range and ±20%",
        )


def _compare_notes(result: dict[str, Any]) -> list[str]:
    notes = [
        f"posterior: generation {result['generation']} of repeats "
        + ", ".join(map(str, result["repeats_used"]))
    ]
    if result["repeats_not_at_that_generation"]:
        notes.append(
            "repeats left out (not at that generation yet): "
            + ", ".join(map(str, result["repeats_not_at_that_generation"]))
        )
    if not result["priors_checked"]:
        notes.append("the database does not store its priors: read with today's scenarios' priors")
    if result["code_change"]:
        notes.append(f"the comparison was {result['code_change']}: the model may differ")
    elif result["version"] != result["fitted_with_version"]:
        notes.append(
            f"fitted with greatterror {result['fitted_with_version']}, checked with "
            f"{result['version']}: the model may differ"
        )
    if result.get("scenario_change"):
        notes.append(
            "the scenario of " + ", ".join(result["scenario_change"]) + " changed since the "
            "comparison started: the draws run with it as it is now"
        )
    return notes
