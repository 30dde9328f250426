"""The files of a reference table's model choice: four CSV tables and two plots, and with
``--prior-scale`` a fifth table, the rejection reading under narrowed priors.

Written by ``greatterror hypotheses reference choose`` from the plain summary
(``reference_summary.read_choice``). All of them are written into a temporary
folder inside the result folder first and moved into place only when every
one is complete, so an error leaves none half-written.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

#: The files, in the order they are written.
FILES = (
    "rejection.csv",
    "rf_confusion.csv",
    "rf_importance.csv",
    "rf_choice.csv",
    "rf_confusion.png",
    "rejection.png",
)
#: The prior-sensitivity table (``reference_prior.py``), written when the summary holds one.
SENSITIVITY = "prior_sensitivity.csv"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _rows(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _number(value: float) -> str:
    return "" if value != value else f"{value:.6g}"  # NaN: empty


def rejection_csv(summary: dict[str, Any], path: Path) -> None:
    rows = []
    for a in summary["rejection"]:
        factors = {f["hypothesis"]: f for f in a["bayes_factors"]}
        for m, n in a["drawn"].items():
            f = factors.get(m, {})
            factor = _number(f["bayes_factor_of_best"]) if f else ""
            counts = [a["accepted"][m], n, _number(a["probabilities"][m]), a["read"], a["best"]]
            rows.append(
                [
                    a["scope"],
                    a["fraction"],
                    _number(a["threshold"]),
                    m,
                    *counts,
                    factor,
                    f.get("lower_bound", ""),
                    f.get("evidence_for_best", ""),
                ]
            )
    header = ["scope", "fraction", "threshold", "hypothesis", "accepted", "drawn"]
    header += ["probability", "read", "best", "bayes_factor_of_best", "lower_bound"]
    _rows(path, [*header, "evidence_for_best"], rows)


def sensitivity_csv(summary: dict[str, Any], path: Path) -> None:
    """One row per prior scale, scope, fraction and hypothesis: the weighted reading beside
    the declared one, with the effective sizes (Kish) of the hypothesis's rows and accepted
    rows, its weighted rate, the upper 95% bound on the rate of one with no accepted weight
    (empty where measured), whether its probability is compared with the others' (enough
    effective accepted rows), and whether it is told apart from the reading's best (its bound
    below the best's rate)."""
    rows = []
    for a in summary["prior_sensitivity"]["rows"]:
        for m, n in a["drawn"].items():
            keys = [a["prior_scale"], a["scope"], a["fraction"], _number(a["threshold"]), m, n]
            numbers = [a[k][m] for k in ("effective_rows", "effective_accepted", "rates")]
            numbers += [a[k][m] for k in ("rate_bounds", "probabilities", "declared_probabilities")]
            marks = [a["best"] or "", m not in a["thin"], m not in a["unresolved"], a["read"]]
            rows.append([*keys, a["accepted"][m], *(_number(v) for v in numbers), *marks])
    header = ["prior_scale", "scope", "fraction", "threshold", "hypothesis", "drawn", "accepted"]
    header += ["effective_rows", "effective_accepted", "rate", "rate_bound", "probability"]
    header += ["declared_probability", "best", "compared", "resolved_from_best"]
    _rows(path, [*header, "read"], rows)


def _forests(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in summary["forest"] if "refused" not in f]


def confusion_csv(summary: dict[str, Any], path: Path) -> None:
    labels = summary["hypotheses"]
    rows = []
    for f in _forests(summary):
        for i, m in enumerate(f["hypotheses"]):
            counts = dict(zip(f["hypotheses"], f["confusion"][i], strict=True))
            rows.append(
                [f["scope"], m]
                + [counts.get(k, "") for k in labels]
                + [_number(f["error_by_hypothesis"][m])]
            )
    _rows(
        path, ["scope", "true_hypothesis", *(f"predicted:{k}" for k in labels), "error_rate"], rows
    )


def importance_csv(summary: dict[str, Any], path: Path) -> None:
    statistics = set(summary["statistics"])
    rows = [
        [f["scope"], name, "statistic" if name in statistics else "LDA axis", *numbers]
        for f in _forests(summary)
        for name, value in f["importance"].items()
        for numbers in [(_number(value), _number(f["record_quantile"][name]))]
    ]
    _rows(path, ["scope", "feature", "kind", "importance", "record_quantile"], rows)


def choice_csv(summary: dict[str, Any], path: Path) -> None:
    labels = summary["hypotheses"]
    rows = []
    for f in summary["forest"]:
        if "refused" in f:
            rows.append(
                [f["scope"], "", "", "", "", "", "", "", *([""] * len(labels)), f["refused"]]
            )
            continue
        rows.append(
            [f["scope"], " ".join(f["hypotheses"]), f["rows_per_hypothesis"], f["rows_left_out"]]
            + [f["trees"], _number(f["prior_error"]), f["selected"], _number(f["posterior"])]
            + [f["votes"].get(k, "") for k in labels]
            + [""]
        )
    header = ["scope", "hypotheses", "rows_per_hypothesis", "rows_left_out", "trees"]
    header += ["prior_error", "selected", "posterior_probability_of_selected"]
    _rows(path, [*header, *(f"votes:{k}" for k in labels), "refused"], rows)


def confusion_plot(summary: dict[str, Any], path: Path) -> None:
    """One panel per forest: the out-of-bag confusion matrix, each row as shares of its draws."""
    plt = _pyplot()
    forests = _forests(summary)
    n = max(len(forests), 1)
    size = 0.45 * max((len(f["hypotheses"]) for f in forests), default=2) + 2.0
    fig, axes = plt.subplots(1, n, figsize=(size * n + 1.0, size + 0.8), squeeze=False)
    for ax, f in zip(axes[0], forests, strict=False):
        counts = np.array(f["confusion"], dtype=float)
        shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
        ax.imshow(shares, vmin=0.0, vmax=1.0, cmap="Greys")
        for i in range(shares.shape[0]):
            for j in range(shares.shape[1]):
                colour = "white" if shares[i, j] > 0.6 else "black"
                ax.text(
                    j, i, f"{shares[i, j]:.2f}", ha="center", va="center", fontsize=6, color=colour
                )
        ticks = range(len(f["hypotheses"]))
        ax.set_xticks(ticks, f["hypotheses"], fontsize=7)
        ax.set_yticks(ticks, f["hypotheses"], fontsize=7)
        ax.set_xlabel("chosen by the forest (out of bag)", fontsize=7)
        ax.set_ylabel("hypothesis drawn", fontsize=7)
        ax.set_title(f"{f['scope']}: prior error {f['prior_error']:.2f}", fontsize=8)
    if not forests:
        axes[0][0].text(0.5, 0.5, "no forest: every scope refused", ha="center", fontsize=8)
        axes[0][0].set_axis_off()
    fig.suptitle("Which hypotheses the statistics tell apart (share of each row)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def rejection_plot(summary: dict[str, Any], path: Path) -> None:
    """One panel per scope: each hypothesis's probability against the acceptance fraction;
    hollow markers where fewer than the minimum were accepted (not read)."""
    plt = _pyplot()
    scopes = list(dict.fromkeys(a["scope"] for a in summary["rejection"]))
    colours = plt.get_cmap("tab10")
    fig, axes = plt.subplots(1, len(scopes), figsize=(3.0 * len(scopes) + 1.8, 3.4), squeeze=False)
    for ax, scope in zip(axes[0], scopes, strict=True):
        rows = [a for a in summary["rejection"] if a["scope"] == scope]
        fractions = [a["fraction"] for a in rows]
        for k, m in enumerate(summary["hypotheses"]):
            if m not in rows[0]["drawn"]:
                continue
            p = np.array([a["probabilities"][m] for a in rows])
            read = np.array([a["read"] for a in rows], dtype=bool)
            colour = colours(k % 10)
            ax.plot(fractions, p, color=colour, lw=1, label=m)
            x = np.array(fractions)
            ax.plot(x[read], p[read], "o", ms=3.5, color=colour)
            ax.plot(x[~read], p[~read], "o", ms=3.5, color=colour, markerfacecolor="none")
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(scope, fontsize=8)
        ax.set_xlabel("acceptance fraction", fontsize=7)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel("P(hypothesis | distance <= threshold)", fontsize=7)
    axes[0][-1].legend(fontsize=6, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.suptitle(
        "Rejection ABC: model probabilities by acceptance fraction (uniform prior; hollow: "
        f"fewer than {summary['min_accepted']:g} accepted, not read)",
        fontsize=8,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


WRITERS = (rejection_csv, confusion_csv, importance_csv, choice_csv, confusion_plot, rejection_plot)


def write_results(summary: dict[str, Any], out: Path) -> list[Path]:
    """Write every file into ``out`` (created if missing), all or none. Without a
    prior-sensitivity reading, an earlier run's ``SENSITIVITY`` file there is removed: the
    folder's files are of one reading."""
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".choose-", dir=out))
    jobs = list(zip(FILES, WRITERS, strict=True))
    if "prior_sensitivity" in summary:
        jobs.append((SENSITIVITY, sensitivity_csv))
    names = [name for name, _ in jobs]
    try:
        for name, writer in jobs:
            writer(summary, staging / name)
        for name in names:
            os.replace(staging / name, out / name)
        if SENSITIVITY not in names:
            (out / SENSITIVITY).unlink(missing_ok=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            with contextlib.suppress(OSError):
                out.rmdir()  # only if still empty
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in names]
