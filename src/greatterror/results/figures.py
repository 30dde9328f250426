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
from matplotlib.dates import DateFormatter, YearLocator
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from greatterror.vocabulary import CHANNELS, OPERATIONS

SIMULATED = "#4c72b0"
ARCHIVAL = "#8c8c8c"
YEARLY_MEASURES = ("arrested", "convicted", "death_sentences")
# The suffixes of the yearly archival ids (G1-<year>-<suffix>) and the yearly
# summary measure each one is set against.
_ARCHIVAL_SUFFIXES = {
    "arr": "arrested",
    "arrest": "arrested",
    "arrested": "arrested",
    "conv": "convicted",
    "convicted": "convicted",
    "death": "death_sentences",
}
_YEARLY_ID = re.compile(r"^G1-(\d{4})-([a-z]+)$")
THOUSANDS = FuncFormatter(lambda v, _pos: f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}")


#: average width of a character of the default font, in inches per point of font size
_CHAR_WIDTH = 0.55 / 72


def label_width(labels: Sequence[str], points: float) -> float:
    """About how wide the longest label is, in inches, at a font size in points."""
    return max((len(label) for label in labels), default=0) * points * _CHAR_WIDTH


def framed(
    size: tuple[float, float],
    left: float,
    right: float = 0.2,
    top: float = 0.4,
    bottom: float = 0.45,
    gap: float = 0.0,
    columns: int = 1,
    vgap: float = 0.0,
    rows: int = 1,
) -> Figure:
    """A figure with fixed margins and gaps in inches, instead of a layout engine.

    Working out a constrained layout took about a third of the time it takes
    to draw a report's figures (bench/bench_report.py); the margins here are
    set from what each figure holds (titles, tick labels, axis labels).
    """
    width, height = size
    fig = Figure(figsize=size)
    axis_width = (width - left - right - (columns - 1) * gap) / columns
    axis_height = (height - top - bottom - (rows - 1) * vgap) / rows
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=gap / axis_width if columns > 1 else 0.2,
        hspace=vgap / axis_height if rows > 1 else 0.2,
    )
    return fig


def png_bytes(fig: Figure) -> bytes:
    canvas = FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def as_number(value: Any) -> float | None:
    """A JSON value as a float; None for a missing, boolean or non-numeric value."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def archival_yearly(targets: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Archival yearly figures from the G1- targets, as {year: {measure: value}}."""
    found: dict[str, dict[str, float]] = {}
    for target in targets:
        match = _YEARLY_ID.match(str(target.get("id", "")))
        value = as_number(target.get("archival"))
        if match is None or value is None:
            continue
        measure = _ARCHIVAL_SUFFIXES.get(match.group(2))
        if measure is not None:
            found.setdefault(match.group(1), {})[measure] = value
    return found


def year_ticks(ax: Axes) -> None:
    """One tick a year: the run spans six years, and matplotlib's automatic date
    ticks cost a tenth of a second per axis to work out."""
    ax.xaxis.set_major_locator(YearLocator())
    ax.xaxis.set_major_formatter(DateFormatter("%Y"))


def no_data(ax: Axes, text: str = "no data in this run") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.4")
    ax.set_xticks([])
    ax.set_yticks([])


def grouped_bars(
    ax: Axes,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    colors: Mapping[str, str] | None = None,
    log: bool = False,
) -> None:
    """Bars side by side per category; a missing value leaves a gap, never a zero bar.

    On a log scale a zero cannot be drawn; it is written as "0" at the foot of its
    place instead, so that a reader never takes a zero for a missing figure.
    """
    n = max(len(series), 1)
    width = 0.8 / n
    x = np.arange(len(categories))
    for i, (label, values) in enumerate(series.items()):
        heights = [np.nan if v is None else v for v in values]
        color = (colors or {}).get(label)
        xs = x + (i - (n - 1) / 2) * width
        if log:
            for xi, h in zip(xs, heights, strict=True):
                if h == 0:
                    ax.annotate(
                        "0",
                        (xi, 0),
                        xycoords=("data", "axes fraction"),
                        ha="center",
                        va="bottom",
                        fontsize="x-small",
                        color=color,
                    )
            heights = [np.nan if h == 0 else h for h in heights]
        ax.bar(xs, heights, width, label=label, color=color)
    ax.set_xticks(x, list(categories))
    if log:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(THOUSANDS)
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no fractional ticks
        ax.yaxis.set_major_formatter(THOUSANDS)
    ax.legend(fontsize="small")


def yearly_measure(yearly_row: Mapping[str, Any], measure: str) -> float | None:
    """A yearly simulated figure; death sentences fall back to executions in old summaries."""
    value = as_number(yearly_row.get(measure))
    if value is None and measure == "death_sentences":
        value = as_number(yearly_row.get("shot"))
    return value


def yearly_bands(
    members: Sequence[Mapping[str, Any]],
) -> dict[str, dict[str, tuple[float, float]]]:
    """The 10-90% band of each yearly figure over an ensemble's summaries."""
    values: dict[tuple[str, str], list[float]] = {}
    for summary in members:
        for year, row in (summary.get("yearly") or {}).items():
            for measure in YEARLY_MEASURES:
                value = yearly_measure(row, measure)
                if value is not None:
                    values.setdefault((year, measure), []).append(value)
    bands: dict[str, dict[str, tuple[float, float]]] = {}
    for (year, measure), v in values.items():
        bands.setdefault(year, {})[measure] = (
            float(np.quantile(v, 0.1)),
            float(np.quantile(v, 0.9)),
        )
    return bands


def yearly_figure(
    yearly: Mapping[str, Mapping[str, Any]],
    targets: Sequence[Mapping[str, Any]],
    bands: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
) -> Figure:
    """Yearly bars on a log scale: the quiet years (about 1,000 death sentences) and 1937
    (about 350,000) differ 300-fold, and on a linear axis the quiet years vanish."""
    fig = framed((11, 3.8), left=0.95, gap=1.0, columns=len(YEARLY_MEASURES))
    axes = fig.subplots(1, len(YEARLY_MEASURES))
    years = sorted(yearly)
    archival = archival_yearly(targets)
    for ax, measure in zip(axes, YEARLY_MEASURES, strict=True):
        title = measure.replace("_", " ")
        ax.set_title(f"{title} (log scale)")
        if not years:
            no_data(ax)
            continue
        simulated = [yearly_measure(yearly[y], measure) for y in years]
        record = [archival.get(y, {}).get(measure) for y in years]
        series = {"simulated": simulated}
        if any(v is not None for v in record):
            series["archival"] = record
        else:
            ax.set_title(f"{title} (log scale; no archival yearly series)")
        grouped_bars(ax, years, series, {"simulated": SIMULATED, "archival": ARCHIVAL}, log=True)
        ax.tick_params(axis="x", labelsize="small")
        if bands:
            _band_marks(ax, years, measure, bands, len(series))
    return fig


def _band_marks(
    ax: Axes,
    years: Sequence[str],
    measure: str,
    bands: Mapping[str, Mapping[str, tuple[float, float]]],
    n_series: int,
) -> None:
    """Error bars over the simulated bars: the 10-90% band of the ensemble."""
    width = 0.8 / max(n_series, 1)
    offset = -(n_series - 1) / 2 * width
    xs, lows, highs = [], [], []
    for i, year in enumerate(years):
        band = bands.get(year, {}).get(measure)
        if band is not None:
            xs.append(i + offset)
            lows.append(band[0])
            highs.append(band[1])
    if xs:
        centre = [(lo + hi) / 2 for lo, hi in zip(lows, highs, strict=True)]
        err = [
            [c - lo for c, lo in zip(centre, lows, strict=True)],
            [hi - c for c, hi in zip(centre, highs, strict=True)],
        ]
        ax.errorbar(xs, centre, yerr=err, fmt="none", ecolor="black", capsize=3, lw=1)


def weekly_by_operation(
    table: pa.Table, events: Sequence[str]
) -> tuple[np.ndarray, dict[str, dict[str, np.ndarray]]]:
    """Weekly sums (weeks from Monday) of each event by operation, and the weeks' first days.

    Shared by the static and the interactive figures, so both show the same numbers.
    """
    days = table["date"].cast(pa.int32()).to_numpy()
    weeks = np.unique(days - (days + 3) % 7)
    out: dict[str, dict[str, np.ndarray]] = {}
    for event in events:
        rows = table.filter(pc.equal(table["event"], event))
        event_days = rows["date"].cast(pa.int32()).to_numpy()
        index = np.searchsorted(weeks, event_days - (event_days + 3) % 7)
        operations = np.asarray(rows["operation"].to_pylist(), dtype=object)
        counts = rows["count"].to_numpy()
        out[event] = {
            op: np.bincount(index[operations == op], counts[operations == op], len(weeks))
            for op in OPERATIONS
            if (operations == op).any()
        }
    return weeks, out


def operations_figure(timeseries: pa.Table) -> Figure:
    """Weekly sums, not daily counts: daily series of operations run in batches are unreadable."""
    panels = (
        ("arrested", "arrests"),
        ("convicted_cat1", "death sentences"),
        ("executed", "executions"),
    )
    fig = framed((11, 8), left=0.75, bottom=0.4, top=0.35, vgap=0.45, rows=len(panels))
    axes = fig.subplots(len(panels), 1, sharex=True)
    weeks, by_event = weekly_by_operation(timeseries, [event for event, _ in panels])
    week_dates = weeks.astype("datetime64[D]")
    colors = {op: f"C{i}" for i, op in enumerate(OPERATIONS)}
    for ax, (event, title) in zip(axes, panels, strict=True):
        ax.set_title(f"{title} per week, by operation")
        by_operation = by_event[event]
        if not by_operation:
            no_data(ax)
            continue
        for op, values in by_operation.items():
            ax.plot(week_dates, values, label=op, color=colors[op], linewidth=1.2)
        year_ticks(ax)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(THOUSANDS)
        ax.legend(fontsize="x-small", ncol=3)
    return fig


def _share(used: Any, limit: Any) -> float:
    u, lim = as_number(used), as_number(limit)
    return u / lim if u is not None and lim else np.nan


def limit_fill_figure(limit_fill: Sequence[Mapping[str, Any]]) -> Figure:
    rows = sorted(
        limit_fill,
        key=lambda r: (
            np.nan_to_num(_share(r.get("cat1_used"), r.get("cat1_limit")), nan=-1.0),
            str(r.get("region")),
        ),
    )
    names = [str(r.get("region")) for r in rows]
    fig = framed(
        (9, max(3.0, 0.22 * len(rows) + 1.2)), left=0.2 + label_width(names, 7.0), bottom=0.6
    )
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
    fig = framed((11, 4), left=0.95, top=0.2)
    ax = fig.subplots()
    if channels.num_rows == 0:
        no_data(ax)
        return fig
    for i, channel in enumerate(CHANNELS):
        rows = channels.filter(pc.equal(channels["channel"], channel))
        if rows.num_rows:
            dates = rows["date"].cast(pa.int32()).to_numpy().astype("datetime64[D]")
            ax.plot(dates, rows["backlog"].to_numpy(), label=channel, color=f"C{i}")
    year_ticks(ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("cases waiting at end of day")
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.legend(fontsize="small")
    return fig
