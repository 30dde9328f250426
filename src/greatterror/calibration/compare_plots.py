"""Plots of a hypothesis comparison: model probabilities per generation, and per-statistic misfit.

Drawn from the plain data of ``compare_report.summarise`` (and so from the
database alone), with matplotlib for static files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

#: Rows of the separation plot: the targets whose misfit differs most between hypotheses.
SEPARATION_ROWS = 20


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def probability_plot(summary: dict[str, Any], path: Path) -> Path:
    """One panel per run: each hypothesis's posterior probability, generation by generation."""
    plt = _pyplot()
    runs, labels = summary["runs"], summary["settings"]["labels"]
    fig, axes = plt.subplots(
        1, max(len(runs), 1), figsize=(3.2 * max(len(runs), 1) + 2.5, 3.6), squeeze=False
    )
    colours = plt.get_cmap("tab10")
    for ax, run in zip(axes[0], runs, strict=False):
        gens = [g["generation"] for g in run["generations"]]
        bottom = np.zeros(len(gens))
        for k, label in enumerate(labels):
            values = np.array([g["probabilities"][label] for g in run["generations"]])
            ax.bar(gens, values, bottom=bottom, color=colours(k % 10), label=label, width=0.7)
            bottom += values
        kind = "declared priors" if run["prior_scale"] == 1.0 else f"priors x{run['prior_scale']:g}"
        ax.set_title(f"run {run['run']}: {kind}, seed {run['seed']}", fontsize=8)
        ax.set_xlabel("generation", fontsize=8)
        ax.set_xticks(gens)
        ax.set_ylim(0, 1)
        ax.tick_params(labelsize=7)
    axes[0][0].set_ylabel("posterior model probability", fontsize=8)
    axes[0][-1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.suptitle(
        "Posterior model probabilities per generation\n(prior: uniform over the hypotheses)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def separation_plot(summary: dict[str, Any], path: Path) -> Path:
    """Targets by hypotheses: mean misfit of the accepted simulations, in archival tolerances."""
    plt = _pyplot()
    rows = summary["separation"][:SEPARATION_ROWS]
    labels = [k for k in summary["settings"]["labels"] if rows and k in rows[0]["by_hypothesis"]]
    matrix = (
        np.array([[r["by_hypothesis"][k]["misfit"] for k in labels] for r in rows])
        if labels
        else np.zeros((0, 0))
    )
    fig, ax = plt.subplots(
        figsize=(1.1 * max(len(labels), 2) + 3.5, 0.32 * max(len(rows), 2) + 1.6)
    )
    if matrix.size:
        image = ax.imshow(np.log10(1 + matrix), aspect="auto", cmap="Greys")
        for i in range(matrix.shape[0]):
            for j in range(matrix.shape[1]):
                value = matrix[i, j]
                shade = np.log10(1 + value) > 0.6 * np.log10(1 + matrix.max())
                ax.text(
                    j,
                    i,
                    f"{value:.1f}",
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="white" if shade else "black",
                )
        fig.colorbar(image, ax=ax, label="log10(1 + misfit in tolerances)")
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    ax.set_yticks(range(len(rows)), [r["target"] for r in rows], fontsize=7)
    ax.set_title(
        "Misfit of each hypothesis's accepted simulations, by target\n(top: targets that separate the hypotheses most)",
        fontsize=8,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def write_plots(summary: dict[str, Any], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        probability_plot(summary, out_dir / "compare_probabilities.png"),
        separation_plot(summary, out_dir / "compare_separation.png"),
    ]
