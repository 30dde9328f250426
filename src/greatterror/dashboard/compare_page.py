"""The Compare page: two scenarios or parameter sets, the same seed, paired differences.

Both runs use the same seed and scale, so the named random streams draw the
same numbers wherever the two runs do the same thing: a difference is then
the effect of the change, not noise of the draw (``greatterror compare``
pairs runs the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import solara
import solara.lab
from plotly import graph_objects as go

from greatterror.dashboard.engine import (
    SCALES,
    InputProblem,
    RunOutcome,
    RunRequest,
    check_value,
    implemented_mechanisms,
    paired_differences,
    run_model,
)
from greatterror.dashboard.guard import GUARD
from greatterror.dashboard.inputs import ScaleAndSeed
from greatterror.dashboard.run_page import failure_text
from greatterror.dashboard.text import Prose
from greatterror.dashboard.widgets import RunWarnings, html_table
from greatterror.results.report_html import fmt

MECHANISM_LABELS = {f"{m.id} {m.switch}": m.id for m in implemented_mechanisms()}


@dataclass
class Side:
    scenario: solara.Reactive[str]
    changes: solara.Reactive[str]
    off: solara.Reactive[list[str]]


side_a = Side(solara.reactive("historical"), solara.reactive(""), solara.reactive([]))
side_b = Side(
    solara.reactive("historical"),
    solara.reactive(""),
    solara.reactive(["M12 denunciation"]),
)
scale = solara.reactive("1:10,000")
seed = solara.reactive(1)


def parse_changes(text: str, field: str) -> dict[str, float]:
    """``name=value`` pairs separated by commas or semicolons, each checked against the schema."""
    out: dict[str, float] = {}
    for item in (p.strip() for p in text.replace(";", ",").split(",")):
        if not item:
            continue
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise InputProblem(f"{field}: expected name=value, got {item!r}")
        out[name.strip()] = check_value(name.strip(), raw.strip())
    return out


def side_request(side: Side, field: str) -> RunRequest:
    return RunRequest(
        scenario=side.scenario.value,
        scale=SCALES[scale.value],
        seed=seed.value,
        pars=parse_changes(side.changes.value, f"{field} parameters"),
        mechanisms={MECHANISM_LABELS[label]: False for label in side.off.value},
    )


@solara.lab.task(prefer_threaded=True)
def compare_task(a: RunRequest, b: RunRequest, session: str) -> tuple[RunOutcome, RunOutcome]:
    def progress(offset: float) -> Any:
        return lambda share: setattr(compare_task, "progress", round(50 * (offset + share), 1))

    with GUARD.hold(session):
        first = run_model(a, progress(0.0))
        second = run_model(b, progress(1.0))
    return first, second


@solara.component
def SideInputs(side: Side, title: str, disabled: bool) -> None:
    from greatterror.dashboard.engine import shipped_scenarios

    with solara.Card(title, margin=0):
        solara.Select("scenario", values=shipped_scenarios(), value=side.scenario)
        solara.InputText(
            "parameter changes (name=value, name=value)",
            value=side.changes,
            disabled=disabled,
            classes=[f"gt-changes-{title[-1].lower()}"],
        )
        solara.SelectMultiple(
            "mechanisms switched off",
            values=side.off.value,
            all_values=list(MECHANISM_LABELS),
            on_value=side.off.set,
        )


def differences_figure(rows: list[dict[str, Any]]) -> go.Figure:
    yearly = [
        r for r in rows if r["kind"] == "yearly" and r["label"].split()[-1] in ("convicted", "shot")
    ]
    fig = go.Figure()
    for measure in ("convicted", "shot"):
        picked = [r for r in yearly if r["label"].endswith(measure)]
        fig.add_bar(
            x=[r["label"].split()[0] for r in picked],
            y=[r["differences"][1] for r in picked],
            name=f"{measure}: B minus A",
        )
    fig.update_layout(
        title="Yearly differences, B minus A (same seed)",
        barmode="group",
        template="plotly_white",
        height=360,
    )
    return fig


@solara.component
def Differences(a: RunOutcome, b: RunOutcome) -> None:
    rows = paired_differences(a, b)
    RunWarnings(a, "run A")
    RunWarnings(b, "run B")
    Prose(
        f"**A**: {a.request.describe()}\n**B**: {b.request.describe()}\n"
        "Paired: the same seed and scale. Differences are B minus A, in full-population "
        "equivalents."
    )
    solara.FigurePlotly(differences_figure(rows))
    table_rows = [
        [
            r["label"],
            r["archival"],
            r["values"][0],
            r["values"][1],
            "" if r["differences"][1] is None else f"{r['differences'][1]:+,.0f}",
        ]
        for r in rows
        if r["kind"] in ("target", "yearly", "elites")
    ]
    keys = [r["key"] for r in rows if r["kind"] in ("target", "yearly", "elites")]
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html_table(
            ["figure", "archival", "A", "B", "B minus A"],
            table_rows,
            numeric={1, 2, 3, 4},
            row_keys=keys,
            cell_classes={4: "diff"},
            table_id="differences",
        ),
    )
    changed = sum(1 for r in rows if r["differences"][1] not in (None, 0))
    Prose(f"{changed} of {len(rows)} figures differ; unchanged rows show {fmt(0)}.")


@solara.component
def ComparePage() -> None:
    solara.Title("greatterror: compare")
    running = compare_task.pending
    problem = solara.use_reactive("")

    def start() -> None:
        problem.value = ""
        try:
            a, b = side_request(side_a, "A"), side_request(side_b, "B")
        except InputProblem as exc:
            problem.value = str(exc)
            return
        session = solara.get_session_id()
        if GUARD.busy(session):
            problem.value = "run: another run of yours is still going (one run at a time per user)"
            return
        compare_task(a, b, session)

    Prose(
        "### Compare two runs\nTwo scenarios or parameter sets, run with the same seed and "
        "scale, so that their differences are paired."
    )
    ScaleAndSeed(scale, seed, disabled=running)
    with solara.Columns([1, 1]):
        SideInputs(side_a, "Run A", running)
        SideInputs(side_b, "Run B", running)
    solara.Button(
        "Run both", on_click=start, disabled=running, color="primary", classes=["gt-compare"]
    )
    if problem.value:
        solara.Error(problem.value, classes=["gt-run-problem"])
    if running:
        solara.Text(f"Running: {compare_task.progress or 0:.0f}%")
        solara.ProgressLinear(value=compare_task.progress or 0.0)
    elif compare_task.error:
        solara.Error(failure_text(compare_task.exception), classes=["gt-run-problem"])
    elif compare_task.value is not None:
        Differences(*compare_task.value)
