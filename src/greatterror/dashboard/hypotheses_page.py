"""The Hypotheses page: posterior model probabilities and fits from a calibration database.

A calibration (ABC-SMC with pyabc, issue 10) writes its history as an SQLite
database. The page looks for them in one server-side folder,
``$GREATTERROR_HOME/calibration/*.db``, and offers them by file name: no
path is taken from the browser. Without such a database it says so, and how
to make one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import solara
from plotly import graph_objects as go

from greatterror.dashboard.text import Prose
from greatterror.dashboard.widgets import html_table
from greatterror.paths import home_dir

#: model names are read from the history when it has them; otherwise "model 0", "model 1", ...
HYPOTHESIS_NAMES_TABLE = "model_names"


def calibration_dir() -> Path:
    return home_dir() / "calibration"


def databases() -> dict[str, Path]:
    """Calibration histories by file name; the browser only ever sees and sends the name."""
    folder = calibration_dir()
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.glob("*.db")) if p.is_file()}


def read_history(path: Path) -> dict[str, Any]:
    """Model probabilities per generation and the last generation's weighted parameters."""
    import pyabc

    history = pyabc.History(f"sqlite:///{path}", create=False)
    probabilities = history.get_model_probabilities()  # rows: t, columns: model index
    last = int(history.max_t)
    fits = {}
    for m in probabilities.columns:
        frame, weights = history.get_distribution(m=int(m), t=last)
        if len(frame):
            means = frame.mul(weights, axis=0).sum()
            fits[int(m)] = {name: float(v) for name, v in means.items()}
    return {
        "generations": int(history.n_populations),
        "probabilities": probabilities,
        "last": last,
        "fits": fits,
    }


def heading() -> str:
    """The page's heading: every shipped hypothesis scenario's id, as ``hypotheses list`` gives
    them (H1, the check H1e, H2-H7 and the variant H5b), read from the catalogue so that a new
    one is never left out."""
    from greatterror.model.hypothesis_catalog import hypothesis_scenarios

    ids = [s.hypothesis.id for s in hypothesis_scenarios() if s.hypothesis]
    return "Hypotheses " + ", ".join(ids)


def catalogue_html() -> str:
    """H1-H7, the variant H5b and the check H1e as shipped scenarios: what each claims and
    what the model cannot yet represent."""
    from greatterror.model.hypothesis_catalog import describe, hypothesis_scenarios

    rows = []
    for scenario in hypothesis_scenarios():
        h = describe(scenario)
        gaps = " ".join(f"{g['mechanism']}: {g['what']}" for g in h.get("gaps") or [])
        rows.append([h["id"], h["title"], h["scenario"], h["statement"], gaps])
    return html_table(
        ["id", "explanation", "scenario (Run page)", "claim", "not yet in the model"],
        rows,
        row_keys=[r[0] for r in rows],
        table_id="hypotheses",
    )


@solara.component
def HypothesesPage() -> None:
    solara.Title("greatterror: hypotheses")
    Prose(
        f"### {heading()}\nEach hypothesis is a set of mechanisms and parameters "
        "(shared/reference/seed_system.md). A calibration fits all of them to the same "
        "archival targets with ABC-SMC and gives each a posterior probability."
    )
    found = databases()
    chosen = solara.use_reactive(next(iter(found), ""))
    Calibration(found, chosen)
    Prose(
        "#### The hypotheses as scenarios\nEach can be run on the Run page. Unless a "
        "calibration above says otherwise, none has been fitted (docs/hypotheses.md): a run "
        "shows what the model does with its mechanisms at starting values. H1e is not an "
        "explanation: it is H1 with the centre's decisions left to the leader's rule, to "
        "measure what H1 owes to the record's dated decisions."
    )
    solara.HTML(tag="div", unsafe_innerHTML=catalogue_html())


@solara.component
def Calibration(found: dict[str, Path], chosen: solara.Reactive[str]) -> None:
    """The posterior of a calibration database, or the notice that there is none."""
    if not found:
        solara.Info(
            f"No calibration database yet: none found in {calibration_dir()}. A calibration "
            "(pyabc ABC-SMC, issue 10) writes its history there as NAME.db; this page then "
            "shows the posterior probability of each hypothesis and its fitted parameters.",
            classes=["gt-no-calibration"],
        )
        return
    solara.Select("calibration", values=list(found), value=chosen)
    path = found.get(chosen.value)
    if path is None:
        solara.Error("calibration: choose one of the databases listed")
        return
    try:
        data = read_history(path)
    except Exception as exc:  # a foreign or half-written file: say so, never a traceback
        solara.Error(f"{chosen.value}: not a readable pyabc history ({type(exc).__name__}: {exc})")
        return
    probabilities = data["probabilities"]
    fig = go.Figure()
    for m in probabilities.columns:
        fig.add_scatter(
            x=list(probabilities.index),
            y=list(probabilities[m]),
            name=f"model {m}",
            mode="lines+markers",
        )
    fig.update_layout(
        title="Posterior model probability by generation",
        xaxis_title="generation",
        yaxis_title="probability",
        template="plotly_white",
        height=360,
    )
    solara.FigurePlotly(fig)
    final = probabilities.iloc[-1]
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html_table(
            ["model", "posterior probability (last generation)"],
            [[f"model {m}", f"{float(final[m]):.3f}"] for m in probabilities.columns],
            numeric={1},
        ),
    )
    for m, fit in data["fits"].items():
        Prose(f"**Model {m}**: weighted posterior means, generation {data['last']}")
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html_table(
                ["parameter", "posterior mean"], sorted(fit.items()), numeric={1}
            ),
        )
