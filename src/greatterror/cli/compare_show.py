"""The console and file report of a stored hypothesis comparison.

Used by `greatterror hypotheses compare show DB` and at the end of a run: the
summary (``compare_report.summarise``) is written as files and plots, then
printed as tables (per-generation probabilities, stability over the repeats,
Bayes factors, prior sensitivity, the statistics that separate the
hypotheses) with one line naming the screen, if the comparison used one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from greatterror.cli.output import console, emit_json, fail, print_table

#: the columns of the per-generation table before the hypotheses' probabilities
GENERATION_COLUMNS: tuple[str, ...] = ("run", "kind", "seed", "prior scale", "generation")
GENERATION_COLUMNS += ("epsilon", "simulations", "effective particles")


def show_comparison(path: Path, out: Path, as_json: bool, generation: int | None = None) -> None:
    from greatterror.calibration.abc import FitError
    from greatterror.calibration.compare_plots import write_plots
    from greatterror.calibration.compare_report import summarise, write_files
    from greatterror.calibration.problem import MissingExtraError

    try:
        summary = summarise(path, generation)
    except (FitError, MissingExtraError) as exc:
        fail(str(exc).replace("--db: ", "DB: "))
    if not summary["runs"]:
        fail(f"DB: {path} holds no completed generation yet")
    files = write_files(summary, out) + write_plots(summary, out)
    if as_json:
        emit_json(summary)
        return
    print_summary(summary)
    console.print("written: " + ", ".join(str(p) for p in files), highlight=False)


def print_summary(summary: dict[str, Any]) -> None:
    from greatterror.calibration.compare_report import factor_rows, separation_rows

    labels = summary["settings"]["labels"]
    rows = []
    for run in summary["runs"]:
        for g in run["generations"]:
            rows.append(
                [
                    run["run"],
                    run["kind"],
                    run["seed"],
                    f"{run['prior_scale']:g}",
                    g["generation"],
                    f"{g['epsilon']:.3g}",
                    g["simulations"],
                    f"{g['effective_particles']:.1f}",
                ]
                + [f"{g['probabilities'][k]:.2f}" for k in labels]
            )
    s = summary["settings"]
    print_table(
        f"Posterior model probabilities per generation ({s['particles']} particles, "
        f"1:{1 / s['scale']:,.0f}; {len(summary['runs'])} of {summary['runs_planned']} runs stored"
        + ("" if s.get("max_simulations") is None else f"; budget {s['max_simulations']} per run")
        + (
            ""
            if summary["read_up_to_generation"] is None
            else f"; read up to generation {summary['read_up_to_generation']}"
        )
        + ")",
        [*GENERATION_COLUMNS, *labels],
        rows,
        caption="prior over the hypotheses: uniform; effective particles: Kish's effective "
        "size of the generation's importance weights",
    )
    if s.get("screen"):
        counts = ", ".join(f"{h} {len(pairs)} fixed" for h, pairs in s.get("fixed") or ())
        console.print(
            f"screen: {s['screen']['file']} (sha256 {s['screen']['sha256']}): {counts}; prior "
            "scales apply to the kept parameters, the fixed ones keep their values",
            highlight=False,
        )
    upto = summary.get("read_up_to_generation")
    read = "last generation" if upto is None else f"last generation up to {upto}"
    stability = summary["stability"]
    if stability:
        print_table(
            f"Stability over the repeats ({read}, declared priors)",
            ["hypothesis", "mean (pooled)", "lowest", "highest"],
            [
                [k, f"{v['mean']:.2f}", f"{v['min']:.2f}", f"{v['max']:.2f}"]
                for k, v in stability.items()
            ],
            caption="best in each repeat: " + ", ".join(summary["best_per_repeat"]),
        )
        print_table(
            f"Bayes factors of {summary['best']} (highest pooled probability) against each",
            ["hypothesis", "probability", "Bayes factor", "evidence for " + summary["best"]],
            factor_rows(summary),
            caption="words: Kass and Raftery (1995); '>': a lower bound. A probability below "
            "the 95% upper bound on a share that none of the ESS effective particles holds "
            "(1 - 0.05^(1/ESS), about 3/ESS) is not told from zero, and the factor is taken "
            "at that bound",
        )
    if summary["prior_sensitivity"]:
        print_table(
            f"Prior sensitivity ({read})",
            ["prior scale", "seed", "best", *labels],
            [
                [f"{r['prior_scale']:g}", r["seed"], r["best"]]
                + [
                    f"{r['final'][k]:.2f} ({r['change_from_declared_priors'].get(k, float('nan')):+.2f})"
                    for k in labels
                ]
                for r in summary["prior_sensitivity"]
            ],
            caption="in brackets: the change from the repeat with the same seed and the declared priors",
        )
    shown, rows = separation_rows(summary, limit=10)
    if rows:
        print_table(
            "Statistics that separate the hypotheses most (misfit in archival tolerances)",
            ["target", "spread", *shown],
            rows,
            caption="median |log(simulated / archival)| / tolerance of the accepted simulations (mean over repeats)",
        )
