"""The report's plots as matplotlib figures, drawn without pyplot.

Figures are built with ``matplotlib.figure.Figure`` on the Agg canvas, never
through ``pyplot``: no global state, no display needed, and nothing kept
alive after a report is written, which matters when many runs are
reported from one process.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from greatterror.vocabulary import CHANNELS, OPERATIONS

SIMULATED = "#4c72b0"
ARCHIVAL = "#8c8c8c"
YEARLY_MEASURES = ("arrested", "convicted", "shot")
# The suffixes of the yearly archival ids (G1-<year>-<suffix>) and the yearly
# summary measure each one is set against. The archival series counts death
# sentences; it is set against the simulated number shot.
_ARCHIVAL_SUFFIXES = {
    "arr": "arrested",
    "arrest": "arrested",
    "arrested": "arrested",
    "conv": "convicted",
    "convicted": "convicted",
    "death": "shot",
}
_YEARLY_ID = re.compile(r"^G1-(\d{4})-([a-z]+)$")
_THOUSANDS = FuncFormatter(lambda v, _pos: f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}")


def png_bytes(fig: Figure) -> bytes:
    canvas = FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def archival_yearly(targets: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Archival yearly figures from the G1- targets, as {year: {measure: value}}."""
    found: dict[str, dict[str, float]] = {}
    for target in targets:
        match = _YEARLY_ID.match(str(target.get("id", "")))
        value = _number(target.get("archival"))
        if match is None or value is None:
            continue
        measure = _ARCHIVAL_SUFFIXES.get(match.group(2))
        if measure is not None:
            found.setdefault(match.group(1), {})[measure] = value
    return found


def no_data(ax: Axes, text: str = "no data in this run") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


def grouped_bars(
    ax: Axes,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    colors: Mapping[str, str] | None = None,
) -> None:
    """Bars side by side per category; a missing value leaves a gap, never a zero bar."""
    n = max(len(series), 1)
    width = 0.8 / n
    x = np.arange(len(categories))
    for i, (label, values) in enumerate(series.items()):
        heights = [np.nan if v is None else v for v in values]
        color = (colors or {}).get(label)
        ax.bar(x + (i - (n - 1) / 2) * width, heights, width, label=label, color=color)
    ax.set_xticks(x, list(categories))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of people: no fractional ticks
    ax.yaxis.set_major_formatter(_THOUSANDS)
    ax.legend(fontsize="small")


def yearly_figure(
    yearly: Mapping[str, Mapping[str, Any]], targets: Sequence[Mapping[str, Any]]
) -> Figure:
    fig = Figure(figsize=(11, 3.8), layout="constrained")
    axes = fig.subplots(1, len(YEARLY_MEASURES))
    years = sorted(yearly)
    archival = archival_yearly(targets)
    for ax, measure in zip(axes, YEARLY_MEASURES, strict=True):
        ax.set_title(measure)
        if not years:
            no_data(ax)
            continue
        simulated = [_number(yearly[y].get(measure)) for y in years]
        record = [archival.get(y, {}).get(measure) for y in years]
        series = {"simulated": simulated}
        if any(v is not None for v in record):
            series["archival"] = record
        else:
            ax.set_title(f"{measure} (no archival yearly series)")
        grouped_bars(ax, years, series, {"simulated": SIMULATED, "archival": ARCHIVAL})
    return fig


def _weekly(table: pa.Table, event: str, weeks: np.ndarray) -> dict[str, np.ndarray]:
    rows = table.filter(pc.equal(table["event"], event))
    days = rows["date"].cast(pa.int32()).to_numpy()
    index = np.searchsorted(weeks, days - (days + 3) % 7)  # Monday of each day's week
    operations = np.asarray(rows["operation"].to_pylist(), dtype=object)
    counts = rows["count"].to_numpy()
    return {
        op: np.bincount(index[operations == op], counts[operations == op], len(weeks))
        for op in OPERATIONS
        if (operations == op).any()
    }


def operations_figure(timeseries: pa.Table) -> Figure:
    """Weekly sums, not daily counts: daily series of operations run in batches are unreadable."""
    panels = (
        ("arrested", "arrests"),
        ("convicted_cat1", "death sentences"),
        ("executed", "executions"),
    )
    fig = Figure(figsize=(11, 8), layout="constrained")
    axes = fig.subplots(len(panels), 1, sharex=True)
    days = timeseries["date"].cast(pa.int32()).to_numpy()
    weeks = np.unique(days - (days + 3) % 7)
    week_dates = weeks.astype("datetime64[D]")
    colors = {op: f"C{i}" for i, op in enumerate(OPERATIONS)}
    for ax, (event, title) in zip(axes, panels, strict=True):
        ax.set_title(f"{title} per week, by operation")
        by_operation = _weekly(timeseries, event, weeks)
        if not by_operation:
            no_data(ax)
            continue
        for op, values in by_operation.items():
            ax.plot(week_dates, values, label=op, color=colors[op], linewidth=1.2)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(_THOUSANDS)
        ax.legend(fontsize="x-small", ncol=3)
    return fig


def _share(used: Any, limit: Any) -> float:
    u, lim = _number(used), _number(limit)
    return u / lim if u is not None and lim else np.nan


def limit_fill_figure(limit_fill: Sequence[Mapping[str, Any]]) -> Figure:
    rows = sorted(
        limit_fill,
        key=lambda r: (
            np.nan_to_num(_share(r.get("cat1_used"), r.get("cat1_limit")), nan=-1.0),
            str(r.get("region")),
        ),
    )
    fig = Figure(figsize=(9, max(3.0, 0.22 * len(rows) + 1.2)), layout="constrained")
    ax = fig.subplots()
    if not rows:
        no_data(ax)
        return fig
    y = np.arange(len(rows))
    cat1 = [_share(r.get("cat1_used"), r.get("cat1_limit")) for r in rows]
    cat2 = [_share(r.get("cat2_used"), r.get("cat2_limit")) for r in rows]
    ax.barh(y + 0.2, cat1, 0.4, label="category 1 (death sentence)", color=SIMULATED)
    ax.barh(y - 0.2, cat2, 0.4, label="category 2 (camp)", color="#dd8452")
    ax.axvline(1.0, color="0.2", linewidth=0.8, linestyle="--")
    ax.set_yticks(y, [str(r.get("region")) for r in rows], fontsize="x-small")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0%}"))
    ax.set_xlabel("share of limit used (dashed line: limit reached)")
    ax.legend(fontsize="small", loc="lower right")
    return fig


def backlog_figure(channels: pa.Table) -> Figure:
    fig = Figure(figsize=(11, 4), layout="constrained")
    ax = fig.subplots()
    if channels.num_rows == 0:
        no_data(ax)
        return fig
    for i, channel in enumerate(CHANNELS):
        rows = channels.filter(pc.equal(channels["channel"], channel))
        if rows.num_rows:
            dates = rows["date"].cast(pa.int32()).to_numpy().astype("datetime64[D]")
            ax.plot(dates, rows["backlog"].to_numpy(), label=channel, color=f"C{i}")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("cases waiting at end of day")
    ax.yaxis.set_major_formatter(_THOUSANDS)
    ax.legend(fontsize="small")
    return fig


def _rates(groups: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, float]]:
    rates = []
    for name, values in groups.items():
        population, arrested = _number(values.get("population")), _number(values.get("arrested"))
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
    fig = Figure(figsize=(12, max(3.0, 0.3 * tallest + 1.2)), layout="constrained")
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


def elites_figure(elites: Mapping[str, Mapping[str, Any]]) -> Figure:
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax = fig.subplots()
    groups = list(elites)
    if not groups:
        no_data(ax)
        return fig
    series = {m: [_number(elites[g].get(m)) for g in groups] for m in ("size", "arrested", "shot")}
    grouped_bars(ax, groups, series, {"size": "#c4c4c4", "arrested": SIMULATED, "shot": "#55616d"})
    ax.set_ylabel("persons")
    return fig


def trials_figure(trials: Sequence[Mapping[str, Any]]) -> Figure:
    fig = Figure(figsize=(11, 4), layout="constrained")
    axes = fig.subplots(1, 2)
    names = [str(t.get("id")) for t in trials]
    for ax, measure in zip(axes, ("defendants", "death_sentences"), strict=True):
        ax.set_title(measure.replace("_", " "))
        if not trials:
            no_data(ax)
            continue
        series = {
            "simulated": [_number(t.get(measure)) for t in trials],
            "archival": [_number((t.get("archival") or {}).get(measure)) for t in trials],
        }
        grouped_bars(ax, names, series, {"simulated": SIMULATED, "archival": ARCHIVAL})
        ax.tick_params(axis="x", labelrotation=30, labelsize="small")
    return fig
