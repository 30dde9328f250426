"""The report's figures drawn with plotly, for the interactive report and the dashboard.

They show the same numbers as the matplotlib figures of ``results/figures.py``
(the weekly sums and yearly archival series are computed there, once), with
hover labels giving each exact value. Small numbers are kept visible the same
way: yearly figures on a log axis, each elite group on its own axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from plotly import graph_objects as go
from plotly.subplots import make_subplots

from greatterror.results.figures import (
    ARCHIVAL,
    SIMULATED,
    YEARLY_MEASURES,
    archival_yearly,
    as_number,
    weekly_by_operation,
    yearly_bands,
    yearly_measure,
)
from greatterror.results.figures_purges import ELITE_MEASURES, ELITE_TARGETS
from greatterror.results.outputs import CHANNELS

_LAYOUT = {"template": "plotly_white", "margin": {"l": 60, "r": 20, "t": 50, "b": 40}}


def _empty(title: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text="no data in this run", showarrow=False, x=0.5, y=0.5)
    fig.update_layout(title=title, height=250, **_LAYOUT)
    return fig


def yearly(
    summary: Mapping[str, Any],
    bands: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
) -> go.Figure:
    rows = summary.get("yearly") or {}
    years = sorted(rows)
    if not years:
        return _empty("Yearly totals")
    archival = archival_yearly(summary.get("targets") or [])
    titles = [f"{m.replace('_', ' ')} (log scale)" for m in YEARLY_MEASURES]
    fig = make_subplots(rows=1, cols=len(YEARLY_MEASURES), subplot_titles=titles)
    archival_shown = False
    for col, measure in enumerate(YEARLY_MEASURES, start=1):
        simulated = [yearly_measure(rows[y], measure) for y in years]
        error = None
        if bands:
            centre = [v or 0.0 for v in simulated]
            band = [
                bands.get(y, {}).get(measure, (c, c)) for y, c in zip(years, centre, strict=True)
            ]
            error = {
                "type": "data",
                "symmetric": False,
                "array": [b[1] - c for b, c in zip(band, centre, strict=True)],
                "arrayminus": [c - b[0] for b, c in zip(band, centre, strict=True)],
            }
        fig.add_bar(
            x=years,
            y=simulated,
            name="simulated",
            marker_color=SIMULATED,
            error_y=error,
            showlegend=col == 1,
            legendgroup="simulated",
            row=1,
            col=col,
        )
        record = [archival.get(y, {}).get(measure) for y in years]
        if any(v is not None for v in record):
            fig.add_bar(
                x=years,
                y=record,
                name="archival",
                marker_color=ARCHIVAL,
                showlegend=not archival_shown,
                legendgroup="archival",
                row=1,
                col=col,
            )
            archival_shown = True
        fig.update_yaxes(type="log", row=1, col=col)
    fig.update_layout(height=380, barmode="group", **_LAYOUT)
    return fig


def operations(timeseries: pa.Table) -> go.Figure:
    panels = (
        ("arrested", "arrests"),
        ("convicted_cat1", "death sentences"),
        ("executed", "executions"),
    )
    if timeseries.num_rows == 0:
        return _empty("Operations")
    titles = [f"{t} per week, by operation" for _, t in panels]
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, subplot_titles=titles)
    weeks, by_event = weekly_by_operation(timeseries, [e for e, _ in panels])
    dates = weeks.astype("datetime64[D]").astype(str)
    for row, (event, _) in enumerate(panels, start=1):
        for i, (op, values) in enumerate(by_event[event].items()):
            fig.add_scatter(
                x=dates,
                y=values,
                name=op,
                mode="lines",
                line={"color": f"hsl({(i * 41) % 360},55%,45%)", "width": 1.4},
                showlegend=row == 1,
                legendgroup=op,
                row=row,
                col=1,
            )
    fig.update_layout(height=700, **_LAYOUT)
    return fig


def limits(limit_fill: Sequence[Mapping[str, Any]]) -> go.Figure:
    if not limit_fill:
        return _empty("Limits")

    def share(row: Mapping[str, Any], cat: str) -> float | None:
        used, limit = as_number(row.get(f"{cat}_used")), as_number(row.get(f"{cat}_limit"))
        return used / limit if used is not None and limit else None

    rows = sorted(limit_fill, key=lambda r: (share(r, "cat1") or -1.0, str(r.get("region"))))
    regions = [str(r.get("region")) for r in rows]
    fig = go.Figure()
    fig.add_bar(
        y=regions,
        x=[share(r, "cat1") for r in rows],
        orientation="h",
        name="category 1 (death sentence)",
        marker_color=SIMULATED,
    )
    fig.add_bar(
        y=regions,
        x=[share(r, "cat2") for r in rows],
        orientation="h",
        name="category 2 (camp)",
        marker_color="#dd8452",
    )
    fig.add_vline(x=1.0, line_dash="dash", line_color="#333")
    fig.update_layout(
        height=max(300, 16 * len(rows) + 100),
        barmode="group",
        xaxis={"tickformat": ".0%", "title": "share of limit used (dashed line: limit)"},
        **_LAYOUT,
    )
    return fig


def backlog(channels: pa.Table) -> go.Figure:
    if channels.num_rows == 0:
        return _empty("Backlog")
    fig = go.Figure()
    for channel in CHANNELS:
        rows = channels.filter(pc.equal(channels["channel"], channel))
        if rows.num_rows:
            dates = rows["date"].cast(pa.int32()).to_numpy().astype("datetime64[D]").astype(str)
            fig.add_scatter(x=dates, y=rows["backlog"].to_numpy(), name=channel, mode="lines")
    fig.update_layout(height=350, yaxis_title="cases waiting at end of day", **_LAYOUT)
    return fig


def targeted(groups: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> go.Figure:
    dimensions = (("occupation", "occupation"), ("marks", "register mark"), ("party", "party"))
    fig = make_subplots(rows=1, cols=3, subplot_titles=[f"by {t}" for _, t in dimensions])
    tallest = 1
    for col, (key, _) in enumerate(dimensions, start=1):
        rates = []
        for name, values in (groups.get(key) or {}).items():
            population, arrested = (
                as_number(values.get("population")),
                as_number(values.get("arrested")),
            )
            if population and arrested is not None:
                rates.append((name, 1000.0 * arrested / population))
        rates.sort(key=lambda item: item[1])
        tallest = max(tallest, len(rates))
        fig.add_bar(
            y=[n for n, _ in rates],
            x=[r for _, r in rates],
            orientation="h",
            marker_color=SIMULATED,
            showlegend=False,
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text="arrests per 1,000", row=1, col=col)
    fig.update_layout(height=max(320, 22 * tallest + 120), **_LAYOUT)
    return fig


def elites(
    groups: Mapping[str, Mapping[str, Any]], targets: Sequence[Mapping[str, Any]] = ()
) -> go.Figure:
    names = list(groups)
    if not names:
        return _empty("Elites")
    archival = {str(t.get("id")): as_number(t.get("archival")) for t in targets}
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=names)
    for col, group in enumerate(names, start=1):
        values = [as_number(groups[group].get(m)) for m in ELITE_MEASURES]
        fig.add_bar(
            x=list(ELITE_MEASURES),
            y=values,
            text=["not reported" if v is None else f"{v:,.0f}" for v in values],
            textposition="outside",
            marker_color=["#c4c4c4", SIMULATED, "#55616d"],
            showlegend=False,
            row=1,
            col=col,
        )
        for measure in ELITE_MEASURES:
            record = archival.get(ELITE_TARGETS.get((group, measure), ""))
            if record is not None:
                fig.add_scatter(
                    x=[measure],
                    y=[record],
                    mode="markers",
                    marker={"symbol": "line-ew-open", "size": 30, "color": "black"},
                    name=f"archival {record:,.0f}",
                    showlegend=False,
                    hovertemplate=f"archival: {record:,.0f}<extra></extra>",
                    row=1,
                    col=col,
                )
    fig.update_layout(height=360, **_LAYOUT)
    return fig


def trials(rows: Sequence[Mapping[str, Any]]) -> go.Figure:
    if not rows:
        return _empty("Show trials")
    names = [str(t.get("id")) for t in rows]
    fig = make_subplots(rows=1, cols=2, subplot_titles=["defendants", "death sentences"])
    for col, measure in enumerate(("defendants", "death_sentences"), start=1):
        fig.add_bar(
            x=names,
            y=[as_number(t.get(measure)) for t in rows],
            name="simulated",
            marker_color=SIMULATED,
            showlegend=col == 1,
            row=1,
            col=col,
        )
        fig.add_bar(
            x=names,
            y=[as_number((t.get("archival") or {}).get(measure)) for t in rows],
            name="archival",
            marker_color=ARCHIVAL,
            showlegend=col == 1,
            row=1,
            col=col,
        )
    fig.update_layout(height=380, barmode="group", **_LAYOUT)
    return fig


def demography(block: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> go.Figure:
    """Sex and age of those arrested, convicted and sentenced to death, by operation."""
    from greatterror.results.demography_figure import (
        AGE_COLOURS,
        AGE_GROUPS,
        MEN_SHOT_LENINGRAD,
        OUTCOMES,
        _rows,
    )

    if not any(block.get(key) for key, _ in OUTCOMES):
        return _empty("Who the victims were")
    fig = make_subplots(rows=1, cols=len(OUTCOMES), subplot_titles=[t for _, t in OUTCOMES])
    for col, (key, _) in enumerate(OUTCOMES, start=1):
        rows = _rows(block.get(key) or {})
        names = [name.replace("_", " ") for name, _ in rows]
        for group, colour in zip(AGE_GROUPS, AGE_COLOURS, strict=True):
            fig.add_bar(
                y=names,
                x=[float((p.get("age") or {}).get(group) or 0) for _, p in rows],
                orientation="h",
                name=f"aged {group}",
                marker_color=colour,
                legendgroup=group,
                showlegend=col == 1,
                row=1,
                col=col,
            )
        fig.add_scatter(
            y=names,
            x=[float(p.get("male_share") or 0) for _, p in rows],
            mode="markers",
            marker={"symbol": "diamond", "size": 10, "color": "#222"},
            name="share of men",
            legendgroup="men",
            showlegend=col == 1,
            row=1,
            col=col,
        )
        if key == "shot":
            fig.add_vline(
                x=MEN_SHOT_LENINGRAD, line_dash="dot", line_color="#8c8c8c", row=1, col=col
            )
        fig.update_yaxes(autorange="reversed", row=1, col=col)
        fig.update_xaxes(range=[0, 1], tickformat=".0%", row=1, col=col)
    fig.update_layout(height=420, barmode="stack", **_LAYOUT)
    return fig


def all_figures(
    summary: Mapping[str, Any],
    timeseries: pa.Table,
    channels: pa.Table,
    members: Sequence[Mapping[str, Any]] = (),
) -> dict[str, go.Figure]:
    """Every figure of the report, keyed like ``captions.FIGURE_TITLES``."""
    targets = summary.get("targets") or []
    return {
        "yearly": yearly(summary, yearly_bands(members) if members else None),
        "operations": operations(timeseries),
        "limits": limits(summary.get("limit_fill") or []),
        "backlog": backlog(channels),
        "targeted": targeted(summary.get("targeted") or {}),
        "elites": elites(summary.get("elites") or {}, targets),
        "trials": trials(summary.get("trials") or []),
        "demography": demography(summary.get("demography") or {}),
    }


def report_divs(
    summary: Mapping[str, Any],
    timeseries: pa.Table,
    channels: pa.Table,
    members: Sequence[Mapping[str, Any]] = (),
) -> dict[str, str]:
    """Each figure as an HTML fragment; plotly's script is embedded once, in the first."""
    divs = {}
    for i, (key, fig) in enumerate(all_figures(summary, timeseries, channels, members).items()):
        divs[key] = fig.to_html(full_html=False, include_plotlyjs=bool(i == 0))
    return divs


def as_table(frame: Any) -> pa.Table:
    """A pandas table with a ``date`` column (the API's time series or channels) as the
    Arrow table the figures read; dates may be datetimes, dates or ISO strings."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    dates = np.asarray(frame["date"].astype(str).str.slice(0, 10), dtype="datetime64[D]")
    index = table.column_names.index("date")
    return table.set_column(index, "date", pa.array(dates, type=pa.date32()))
