"""`greatterror hypotheses reference choose PATH`: which hypothesis a reference table favours.

Both readings of calibration/reference_summary.py, per block and pooled:
rejection ABC's model probabilities at six acceptance fractions (the pooled ones with
their range over the blocks), and the ABC random forest's prior error rates, confusion
matrix, choice and posterior probability of the chosen hypothesis. With --prior-scale,
the rejection reading under narrowed priors (calibration/reference_prior.py). Every
option and the table are checked before the first forest is grown; the files are written
all or none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from greatterror.cli.output import (
    check_result_dir,
    console,
    emit_json,
    fail,
    folder_path,
    print_table,
)
from greatterror.cli.prior_scale import check_prior_scales
from greatterror.cli.reference_ranges import print_pooled_ranges, print_prior_sensitivity

MAX_TREES = 100_000
MAX_SEED = 2**31 - 1
#: a feature on which the record lies beyond all but this share of the draws is named
EDGE = 0.01
FOREST_COLUMNS: tuple[str, ...] = ("scope", "draws each", "left out", "prior error", "selected")
FOREST_COLUMNS += ("votes", "P(selected)", "note")


def choose(
    path: Annotated[
        str, typer.Argument(help="The reference table's directory (hypotheses reference build).")
    ],
    trees: Annotated[int, typer.Option(help="Trees of each forest (1 to 100000).")] = 500,
    forest_seed: Annotated[
        int,
        typer.Option(
            help="Seed of the forests' random streams (0 to 2147483647); not a simulation seed."
        ),
    ] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            parser=folder_path,
            help="Directory for the result files and plots (default: PATH name + _choice).",
            show_default=False,
        ),
    ] = None,
    prior_scale: Annotated[
        list[float] | None,
        typer.Option(
            help="Prior sensitivity without new simulations: the rejection reading with every "
            "prior narrowed about its centre by this factor (above 0, below 1) from the table's "
            "priors, the table's rows reweighted; repeatable. Widened priors need new draws "
            "(reference build --prior-scale).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Model choice from a reference table: rejection ABC and an ABC random forest.

    greatterror hypotheses reference choose ref --trees 500 --forest-seed 1 --prior-scale 0.5
    """
    scales = check_prior_scales(prior_scale or [], widen=False)
    if not 1 <= trees <= MAX_TREES:
        fail(f"--trees: {trees} is out of range; allowed: a whole number from 1 to {MAX_TREES}")
    if not 0 <= forest_seed <= MAX_SEED:
        fail(
            f"--forest-seed: {forest_seed} is out of range; allowed: a whole number from 0 "
            f"to {MAX_SEED}"
        )
    if not path.strip():
        fail("PATH: empty; give a reference table's directory")
    from greatterror.calibration.problem import MissingExtraError, require
    from greatterror.calibration.reference_choice import ReferenceChoiceError
    from greatterror.calibration.reference_files import write_results
    from greatterror.calibration.reference_summary import read_choice
    from greatterror.calibration.reference_table import ReferenceTableError, read_reference

    table = Path(path)
    result_dir = out or table.resolve().parent / f"{table.resolve().name}_choice"
    try:
        require("sklearn.ensemble")
        reference = read_reference(table)
    except (ReferenceTableError, MissingExtraError) as exc:
        fail(str(exc))
    check_result_dir(result_dir)
    try:
        summary = read_choice(reference, trees, forest_seed, prior_scales=scales)
    except ReferenceChoiceError as exc:
        fail(str(exc))
    files = write_results(summary, result_dir)
    if as_json:
        emit_json(summary)
        return
    print_choice(summary)
    print_prior_sensitivity(summary)
    console.print("written: " + ", ".join(str(p) for p in files), highlight=False)


def _cell(a: dict[str, Any], m: str) -> str:
    if m not in a["drawn"]:
        return ""
    return f"{a['probabilities'][m]:.2f} ({a['accepted'][m]}/{a['drawn'][m]})"


def print_choice(summary: dict[str, Any]) -> None:
    from greatterror.provenance import code_label

    labels = summary["hypotheses"]
    scale = summary["scale"]
    factor = float(summary.get("prior_scale", 1.0))  # reference build --prior-scale
    drawn = "" if factor == 1.0 else f", drawn from every prior scaled x{factor:g}"
    console.print(
        f"table {summary['table']}: 1:{1 / scale:,.0f}, code {code_label(summary['code'])}, "
        f"made {summary['created']}{drawn}",
        highlight=False,
    )
    print_table(
        "Draws per hypothesis (runaway runs: stopped, every statistic at the stand-in)",
        ["scope", *labels],
        [[scope, *(n.get(m, 0) for m in labels)] for scope, n in summary["draws"].items()]
        + [["runaways", *(summary["runaways"].get(m, 0) for m in labels)]],
    )
    least = summary["min_accepted"]
    print_table(
        "Rejection ABC: P(hypothesis | distance <= threshold) (accepted/drawn)",
        ["scope", "fraction", "threshold", "accepted", "best", *labels],
        [
            [a["scope"], f"{a['fraction']:g}", f"{a['threshold']:.3g}", sum(a["accepted"].values())]
            + [a["best"] if a["read"] else f"not read (< {least:g})"]
            + [_cell(a, m) for m in labels]
            for a in summary["rejection"]
        ],
        caption="prior over the hypotheses: uniform; P = (a/n) / sum of a/n over the hypotheses; "
        f"distance: the fit's (statistics.archival_distance); not read: fewer than {least:g} "
        "accepted in all",
    )
    print_pooled_ranges(summary)
    # the smallest pooled fraction at which the best holds enough accepted draws for words
    read = [a for a in summary["rejection"] if a["scope"] == "pooled" and a["read"]]
    worded = [a for a in read if a["accepted"][a["best"]] >= least]
    if read:
        tightest = (worded or read)[0]
        which = "the smallest with " if worded else "the smallest read; fewer than "
        print_table(
            f"Bayes factors of {tightest['best']} (pooled, fraction {tightest['fraction']:g}, "
            f"{which}{least:g} accepted draws of the best; every fraction in rejection.csv)",
            ["hypothesis", "accepted", "Bayes factor", f"evidence for {tightest['best']}"],
            [
                [
                    f["hypothesis"],
                    tightest["accepted"][f["hypothesis"]],
                    (">" if f["lower_bound"] else "") + f"{f['bayes_factor_of_best']:.3g}",
                    f["evidence_for_best"],
                ]
                for f in tightest["bayes_factors"]
            ],
            caption="words: Kass and Raftery (1995); '>': the other has no accepted draw, and "
            "its rate is taken at a one-sided 95% bound (about 3 / draws), the best's rate as "
            "measured",
        )
    _print_forests(summary)


def _print_forests(summary: dict[str, Any]) -> None:
    rows = []
    for f in summary["forest"]:
        if "refused" in f:
            rows.append([f["scope"], "", "", "", "", "", "", f"refused: {f['refused']}"])
            continue
        votes = f"{f['votes'][f['selected']]}/{f['trees']}"
        chosen = [f["selected"], votes, f"{f['posterior']:.2f}", ""]
        rows.append(
            [
                f["scope"],
                f["rows_per_hypothesis"],
                f["rows_left_out"],
                f"{f['prior_error']:.3f}",
                *chosen,
            ]
        )
    print_table(
        f"ABC random forest ({summary['trees']} trees, forest seed {summary['seed']})",
        FOREST_COLUMNS,
        rows,
        caption="prior error: out-of-bag misclassification of the draws; votes are not "
        "probabilities (Pudlo et al. 2016); P(selected): 1 - the regression forest's "
        "prediction, at the record, of the classifier's out-of-bag error indicator",
    )
    pooled = [f for f in summary["forest"] if f["scope"] == "pooled" and "refused" not in f]
    if not pooled:
        return
    f = pooled[0]
    print_table(
        "Which hypotheses the statistics tell apart (pooled, out of bag; rows: drawn, "
        "columns: chosen)",
        ["drawn", *f["hypotheses"], "error"],
        [
            [m, *f["confusion"][i], f"{f['error_by_hypothesis'][m]:.2f}"]
            for i, m in enumerate(f["hypotheses"])
        ],
    )
    top = sorted(f["importance"].items(), key=lambda kv: -kv[1])[:10]
    print_table(
        "The features the pooled forest uses most (impurity importance)",
        ["feature", "importance", "record's quantile"],
        [[name, f"{value:.3f}", f"{f['record_quantile'][name]:.2f}"] for name, value in top],
        caption="LD1, LD2 ...: axes of a linear discriminant analysis of the statistics; "
        "record's quantile: the share of the draws below the record",
    )
    edge = [k for k, q in f["record_quantile"].items() if not EDGE < q < 1 - EDGE]
    if edge:
        console.print(
            f"the record lies beyond all but {EDGE:.0%} of the draws on {', '.join(edge)}: "
            "there the forest extrapolates from the nearest draws (rf_importance.csv)",
            highlight=False,
        )
