"""The report's panels on who was targeted: groups, the elite layer, the show trials.

Split from ``results/figures.py`` (the run's yearly, operational and channel
panels), whose framing helpers these panels share; drawn, like them, on the
Agg canvas without pyplot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from greatterror.results.figures import (
    ARCHIVAL,
    SIMULATED,
    THOUSANDS,
    as_number,
    framed,
    grouped_bars,
    label_width,
    no_data,
)


def _rates(groups: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, float]]:
    rates = []
    for name, values in groups.items():
        population, arrested = (
            as_number(values.get("population")),
            as_number(values.get("arrested")),
        )
        if population and arrested is not None:
            rates.append((name, 1000.0 * arrested / population))
    return sorted(rates, key=lambda item: item[1])


def targeted_figure(targeted: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> Figure:
    dimensions = (
        ("occupation", "occupation"),
        ("marks", "register mark"),
        ("party", "party status"),
    )
    tallest = max((len(targeted.get(key, {})) for key, _ in dimensions), default=0)
    names = [name for key, _ in dimensions for name in targeted.get(key, {})]
    labels = 0.2 + label_width(names, 8.5)
    fig = framed(
        (12, max(3.0, 0.3 * tallest + 1.2)),
        left=labels,
        gap=labels,
        columns=len(dimensions),
        bottom=0.6,
    )
    axes = fig.subplots(1, len(dimensions))
    for ax, (key, title) in zip(axes, dimensions, strict=True):
        ax.set_title(f"by {title}")
        rates = _rates(targeted.get(key, {}))
        if not rates:
            no_data(ax)
            continue
        y = np.arange(len(rates))
        ax.barh(y, [r for _, r in rates], color=SIMULATED)
        ax.set_yticks(y, [name for name, _ in rates], fontsize="small")
        ax.set_xlabel("arrests per 1,000")
    return fig


#: elite figures that have an archival target: (group, measure) -> target id
ELITE_TARGETS = {("cc_1934", "shot"): "G7-cc-shot", ("congress_1934", "arrested"): "G7-17cong-arr"}
ELITE_MEASURES = ("size", "arrested", "shot")


def elites_figure(
    elites: Mapping[str, Mapping[str, Any]], targets: Sequence[Mapping[str, Any]] = ()
) -> Figure:
    """One panel per group, each on its own axis: the army (about 200,000) would otherwise
    flatten the Central Committee (139) to nothing. Every bar carries its number."""
    groups = list(elites)
    fig = framed((11, 3.6), left=0.85, gap=0.75, columns=max(len(groups), 1), right=0.6)
    if not groups:
        no_data(fig.subplots())
        return fig
    archival = {str(t.get("id")): as_number(t.get("archival")) for t in targets}
    colors = {"size": "#c4c4c4", "arrested": SIMULATED, "shot": "#55616d"}
    axes = np.atleast_1d(fig.subplots(1, len(groups)))
    for ax, group in zip(axes, groups, strict=True):
        ax.set_title(group, fontsize="medium")
        x = np.arange(len(ELITE_MEASURES))
        values = [as_number(elites[group].get(m)) for m in ELITE_MEASURES]
        top = max((v for v in values if v is not None), default=1.0) or 1.0
        for xi, measure, value in zip(x, ELITE_MEASURES, values, strict=True):
            if value is None:
                ax.text(
                    xi,
                    0,
                    "not\nreported",
                    ha="center",
                    va="bottom",
                    fontsize="x-small",
                    color="0.4",
                )
                continue
            ax.bar(xi, value, 0.7, color=colors[measure])
            ax.text(xi, value, f"{value:,.0f}", ha="center", va="bottom", fontsize="x-small")
            record = archival.get(ELITE_TARGETS.get((group, measure), ""))
            if record is not None:
                ax.plot([xi - 0.35, xi + 0.35], [record, record], color="black", lw=1.5)
                ax.text(
                    xi + 0.37, record, f"archival {record:,.0f}", va="center", fontsize="xx-small"
                )
                top = max(top, record)
        ax.set_xticks(x, list(ELITE_MEASURES), fontsize="small")
        ax.set_ylim(0, top * 1.15)
        ax.yaxis.set_major_formatter(THOUSANDS)
    axes[0].set_ylabel("persons")
    return fig


def trials_figure(trials: Sequence[Mapping[str, Any]]) -> Figure:
    names = [str(t.get("id")) for t in trials]
    fig = framed((11, 4), left=0.6, gap=0.6, columns=2, bottom=0.3 + 0.5 * label_width(names, 8.5))
    axes = fig.subplots(1, 2)
    for ax, measure in zip(axes, ("defendants", "death_sentences"), strict=True):
        ax.set_title(measure.replace("_", " "))
        if not trials:
            no_data(ax)
            continue
        series = {
            "simulated": [as_number(t.get(measure)) for t in trials],
            "archival": [as_number((t.get("archival") or {}).get(measure)) for t in trials],
        }
        grouped_bars(ax, names, series, {"simulated": SIMULATED, "archival": ARCHIVAL})
        ax.tick_params(axis="x", labelrotation=30, labelsize="small")
    return fig
