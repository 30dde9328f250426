"""``Sim.plot()``: one figure with the panels a first look needs.

Drawn on matplotlib's object API (no pyplot), like the report's figures in
results/figures.py, whose helpers it reuses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from greatterror.results.figures import ARCHIVAL, SIMULATED, archival_yearly, grouped_bars

if TYPE_CHECKING:
    from greatterror.api.results import Results

#: Weekly arrests are drawn for these operations; the rest are summed as "other".
_OPERATIONS_SHOWN = ("kulak_00447", "national_polish", "national_german", "elite", "ordinary")


def key_figure(results: Results) -> Figure:
    """Yearly convictions and death sentences against the record (log scale, so that
    the quiet years stay visible), weekly arrests by operation, and the elite groups."""
    summary = results.summary
    fig = Figure(figsize=(12, 7.5), layout="constrained")
    axes = fig.subplots(2, 2)
    years = sorted(summary["yearly"])
    archival = archival_yearly(summary["targets"])
    for ax, measure, label in (
        (axes[0, 0], "convicted", "convicted per year"),
        (axes[0, 1], "shot", "death sentences per year"),
    ):
        key = "death_sentences" if measure == "shot" else measure
        grouped_bars(
            ax,
            years,
            {
                "simulated": [summary["yearly"][y].get(key) for y in years],
                "archival": [archival.get(y, {}).get(measure) for y in years],
            },
            {"simulated": SIMULATED, "archival": ARCHIVAL},
        )
        ax.set_yscale("log")
        ax.set_title(f"{label} (log scale)")
    ts = results.timeseries
    arrests = ts[ts["event"] == "arrested"]
    ax = axes[1, 0]
    if len(arrests):
        week = arrests["date"].dt.to_period("W").dt.start_time
        weekly = arrests.groupby([week, "operation"])["count"].sum().unstack(fill_value=0.0)
        shown = [op for op in _OPERATIONS_SHOWN if op in weekly.columns]
        other = weekly.drop(columns=shown).sum(axis=1)
        for op in shown:
            ax.plot(weekly.index, weekly[op], label=op, linewidth=1)
        if other.any():
            ax.plot(weekly.index, other, label="other", linewidth=1)
        ax.legend(fontsize="small")
    ax.set_title("arrests per week by operation")
    ax = axes[1, 1]
    elites = summary["elites"]
    names = list(elites)
    size = np.array([elites[n]["size"] for n in names], dtype=float)
    arrested = np.array([elites[n]["arrested"] for n in names], dtype=float)
    share = np.divide(arrested, size, out=np.zeros_like(size), where=size > 0)
    ax.barh(names, share, color=SIMULATED)
    ax.set_xlim(0, 1)
    ax.set_title("share of each elite group arrested (simulated)")
    fig.suptitle(
        f"{summary['scenario']}: scale 1:{1 / summary['scale']:,.0f}, seed {summary['seed']}"
    )
    return fig
