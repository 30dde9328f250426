"""Pieces shared by the dashboard's pages: tables as escaped HTML, the results view.

Tables are written as HTML with ``data-`` attributes naming each row, so that
a reader can copy them and the browser tests can find a number without
depending on the layout. Every value from a run or the evidence base is
escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import solara

from greatterror.dashboard.engine import RunOutcome
from greatterror.dashboard.text import Prose
from greatterror.results import figures_interactive as fi
from greatterror.results.captions import captions
from greatterror.results.findings import TOLERANCE, judge_all, verdict_text
from greatterror.results.guilt import guilt_text
from greatterror.results.report_html import fmt

TABLE_STYLE = (
    "<style>.gt-table{border-collapse:collapse;font-size:0.9em;margin:0.5em 0}"
    ".gt-table th,.gt-table td{border:1px solid #ddd;padding:2px 8px;text-align:left}"
    ".gt-table td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".gt-table tr.miss td{background:#fbe3e1}.gt-table tr.miss td.verdict{color:#9b1c13;"
    "font-weight:bold}.gt-table tr.inside td.verdict{color:#1d6b32}</style>"
)

#: the result views of a run, in the order the page offers them
RESULT_VIEWS = {
    "Against the record": "yearly",
    "Operations over time": "operations",
    "Regions": "limits",
    "Who was targeted": "targeted",
    "Demography": "demography",
    "Elites": "elites",
    "Show trials": "trials",
    "Sentencing backlog": "backlog",
}


def html_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    numeric: set[int] = frozenset(),  # type: ignore[assignment]
    row_keys: Sequence[str] | None = None,
    row_classes: Sequence[str] | None = None,
    cell_classes: Mapping[int, str] | None = None,
    table_id: str = "",
) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for r, row in enumerate(rows):
        cells = []
        for i, value in enumerate(row):
            css = " ".join(
                c for c in ("num" if i in numeric else "", (cell_classes or {}).get(i, "")) if c
            )
            text = value if isinstance(value, str) else fmt(value)
            cells.append(f'<td class="{css}">{escape(text)}</td>')
        key = f' data-key="{escape(row_keys[r])}"' if row_keys else ""
        css = f' class="{escape(row_classes[r])}"' if row_classes else ""
        body.append(f"<tr{key}{css}>{''.join(cells)}</tr>")
    ident = f' id="{escape(table_id)}"' if table_id else ""
    return (
        f'{TABLE_STYLE}<table class="gt-table"{ident}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def targets_html(outcome: RunOutcome) -> str:
    """Every calibration target of a run; misses shaded and labelled."""
    judged = judge_all(outcome.summary)
    rows = [
        [
            j.id,
            j.label,
            j.archival,
            "" if j.low is None or j.low == j.high else f"{fmt(j.low)}–{fmt(j.high)}",
            j.simulated,
            "" if j.ratio is None else f"{j.ratio:.2f}",
            verdict_text(j),
        ]
        for j in judged
    ]
    return html_table(
        ["target", "what", "archival", "archival range", "simulated", "ratio", "verdict"],
        rows,
        numeric={2, 3, 4, 5},
        row_keys=[j.id for j in judged],
        row_classes=["miss" if j.miss else ("inside" if j.inside else "") for j in judged],
        cell_classes={4: "sim", 6: "verdict"},
        table_id="targets",
    )


@solara.component
def RunWarnings(outcome: RunOutcome, run: str = "this run") -> None:
    """The run's warnings (``gt.Sim.results.warnings``: the NKVD's capacity bound held arrests
    back, cases held for a sanction at the end), one neutral alert each, above its results:
    the command line prints them on stderr, and a reader of the page would otherwise not
    know that its numbers are not those of the run without the bound (at 1:10,000 the
    capacity bound binds on the default run)."""
    for warning in outcome.warnings:
        solara.Info(f"Warning of {run}: {warning}", classes=["gt-run-warning"])


@solara.component
def Results(outcome: RunOutcome) -> None:
    """A finished run: its warnings, the key numbers, one figure at a time, and the targets
    table."""
    view = solara.use_reactive("Against the record")
    RunWarnings(outcome)
    judged = [j for j in judge_all(outcome.summary) if j.miss is not None]
    misses = [j for j in judged if j.miss]
    Prose(
        f"**Run finished** in {outcome.seconds:.1f} s: {outcome.request.describe()}. "
        f"{len(judged) - len(misses)} of {len(judged)} targets within {TOLERANCE:.0%} of the "
        f"record or inside its range; {len(misses)} missed (shaded in the table below). "
        "Simulated counts are full-population equivalents; they are model output, not "
        "historical findings."
        + (
            " At 1:10,000 small figures (single years, trials, elite groups) are noisy; "
            "judge the calibration at 1:100."
            if outcome.request.scale < 1e-3
            else ""
        )
    )
    views = [
        label
        for label, key in RESULT_VIEWS.items()
        if key != "demography" or outcome.summary.get("demography")
    ]
    solara.ToggleButtonsSingle(value=view, values=views)
    key = RESULT_VIEWS[view.value]
    figure = _figure(outcome, key)
    solara.FigurePlotly(figure)
    Prose(captions(outcome.summary)[key])
    guilt = guilt_text(outcome.summary)
    if guilt is not None:
        Prose("#### Who of those arrested really acted\n\n" + guilt)
    Prose("#### Calibration targets")
    solara.HTML(tag="div", unsafe_innerHTML=targets_html(outcome))


def _figure(outcome: RunOutcome, key: str) -> Any:
    s = outcome.summary
    targets = s.get("targets") or []
    if key == "yearly":
        return fi.yearly(s)
    if key == "operations":
        return fi.operations(outcome.timeseries)
    if key == "limits":
        return fi.limits(s.get("limit_fill") or [])
    if key == "targeted":
        return fi.targeted(s.get("targeted") or {})
    if key == "elites":
        return fi.elites(s.get("elites") or {}, targets)
    if key == "trials":
        return fi.trials(s.get("trials") or [])
    if key == "demography":
        return fi.demography(s.get("demography") or {})
    return fi.backlog(outcome.channels)
