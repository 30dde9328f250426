"""The Hypotheses page: what the hypothesis scenarios are, and what a comparison or a fit found.

A comparison (``greatterror hypotheses compare --db``) or a fit
(``greatterror calibrate --db``) writes its history as an SQLite database. The
page lists the databases in one server-side folder,
``$GREATTERROR_HOME/calibration/*.db``, by file name: no path is taken from the
browser. A comparison is shown as ``hypotheses compare show`` shows it (the same
summary, ``dashboard/hypotheses_data.py``): the probabilities by generation and
over the repeats, the Bayes factors with their words or the reason they are
withheld, and the targets that separate the hypotheses. Without a database the
page says so, and how to make one.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pandas  # noqa: F401  (see below)
import solara
from plotly import graph_objects as go

from greatterror.calibration.compare_report import factor_rows, separation_rows
from greatterror.calibration.posterior import (
    GENERATION_COLUMNS,
    POSTERIOR_COLUMNS,
    generation_cells,
    posterior_cells,
)
from greatterror.dashboard.hypotheses_data import (
    COMPARISON,
    FIT,
    calibration_dir,
    comparison_title,
    databases,
    read_database,
    stability_rows,
)
from greatterror.dashboard.text import Prose
from greatterror.dashboard.widgets import html_table
from greatterror.errors import GreatterrorError

# A database is read in a worker thread (``Loaded``). Its first import of pandas or pyabc must
# not happen there: while a module is half imported in one thread, another sees it partially
# initialised, and reacton, in the server's thread, checks every state value against
# pandas.DataFrame (an AttributeError that left the page blank). Both are imported here, when
# the server loads the app; pyabc is the calibrate extra's, so its absence is the page's to say.
with contextlib.suppress(ImportError):
    import pyabc  # noqa: F401

#: what every comparison's probabilities are, said once above them
COMPARISON_CAVEAT = (
    "Posterior model probabilities are shares among the hypotheses in this database only, with "
    "a uniform prior over them, read at each run's last generation (threshold). A Bayes factor "
    "is the ratio of two pooled probabilities; its words are Kass and Raftery's (1995) and are "
    "withheld where a hypothesis rests on fewer than 10 effective particles. A probability is "
    "a reading of the scenarios' encodings and priors against the archival targets, not a "
    "verdict on a historian's argument: docs/hypotheses.md says what the data can and cannot "
    "decide."
)


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
        "(shared/reference/seed_system.md). A comparison fits them to the same archival "
        "targets with ABC-SMC and a model index, and gives each a posterior probability."
    )
    found = databases()
    chosen = solara.use_reactive(next(iter(found), ""))
    Database(found, chosen)
    Prose(
        "#### The hypotheses as scenarios\nEach can be run on the Run page, at its starting "
        "values: a run shows what the model does with its mechanisms, not a test of the "
        "hypothesis. H1e is not an explanation: it is H1 with the centre's decisions left to "
        "the leader's rule, to measure what H1 owes to the record's dated decisions."
    )
    solara.HTML(tag="div", unsafe_innerHTML=catalogue_html())


@solara.component
def Database(found: dict[str, Path], chosen: solara.Reactive[str]) -> None:
    """The chosen database's result, or the notice that there is none."""
    if not found:
        solara.Info(
            f"No comparison or calibration database yet: none found in {calibration_dir()}. "
            "`greatterror hypotheses compare H1 H2 ... --db "
            f"{calibration_dir() / 'NAME.db'}` (or `greatterror calibrate SCENARIO --db ...`) "
            "writes one there; this page then shows each hypothesis's posterior probability, "
            "the Bayes factors and the targets that separate them.",
            classes=["gt-no-calibration"],
        )
        return
    solara.Select("database", values=list(found), value=chosen)
    path = found.get(chosen.value)
    if path is None:
        solara.Error("database: choose one of the databases listed")
        return
    Loaded(path)


@solara.component
def Loaded(path: Path) -> None:
    """One database, read in a thread (a comparison's summary reads every run; seconds), with
    a progress bar meanwhile; its own component so that the hook is always called."""
    try:  # a database still being written is read again when the page is next drawn
        version = path.stat().st_mtime_ns
    except OSError:
        version = 0
    result = solara.use_thread(
        lambda: load(path), dependencies=[str(path), version], intrusive_cancel=False
    )
    if result.state != solara.ResultState.FINISHED or result.value is None:
        solara.ProgressLinear(True)
        solara.Text(f"reading {path.name} ...")
        return
    data, problem = result.value
    if problem is not None:
        solara.Error(problem, classes=["gt-db-error"])
        return
    if data["kind"] == COMPARISON:
        Comparison(data["summary"])
    elif data["kind"] == FIT:
        Fit(data)
    else:
        OtherHistory(data)


def load(path: Path) -> tuple[dict[str, Any], str | None]:
    """The database's contents, or the one line, naming the file, that says why it cannot be
    shown (a foreign, empty or half-written file: never a traceback on the page)."""
    try:
        return read_database(path), None
    except GreatterrorError as exc:
        said = str(exc).replace("--db: ", "").replace(str(path), path.name)
        return {}, said if said.startswith(path.name) else f"{path.name}: {said}"
    except Exception as exc:
        return {}, f"{path.name}: not a readable pyabc history ({type(exc).__name__}: {exc})"


def _table(
    header: list[str], rows: list[list[Any]], table_id: str, text: frozenset[int] = frozenset()
) -> None:
    """A table keyed by its first column; every other column right-aligned but ``text``'s."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html_table(
            header,
            rows,
            numeric=set(range(1, len(header))) - text,
            row_keys=[str(r[0]) for r in rows],
            table_id=table_id,
        ),
    )


def probability_figure(summary: dict[str, Any]) -> go.Figure:
    """Each hypothesis's probability by generation, one line per run (dotted: a run with scaled
    priors), a colour per hypothesis; the run and seed are in each point's hover text."""
    from plotly.colors import qualitative

    labels = summary["settings"]["labels"]
    colour = {k: qualitative.Plotly[i % len(qualitative.Plotly)] for i, k in enumerate(labels)}
    fig = go.Figure()
    for i, run in enumerate(summary["runs"]):
        scale = "" if run["prior_scale"] == 1.0 else f", priors ×{run['prior_scale']:g}"
        for label in labels:
            fig.add_scatter(
                x=[g["generation"] for g in run["generations"]],
                y=[g["probabilities"][label] for g in run["generations"]],
                name=label,
                legendgroup=label,
                showlegend=i == 0,
                hovertemplate=f"{label}, run {run['run']} (seed {run['seed']}{scale})<br>"
                "generation %{x}: %{y:.3f}<extra></extra>",
                line={"color": colour[label], "dash": "dot" if scale else "solid"},
                mode="lines+markers",
            )
    fig.update_layout(
        title="Posterior model probability by generation, each run",
        xaxis={"title": "generation", "dtick": 1},
        yaxis_title="probability",
        yaxis_range=[0, 1],
        template="plotly_white",
        height=380,
    )
    return fig


@solara.component
def Comparison(summary: dict[str, Any]) -> None:
    Prose(f"#### Comparison of {comparison_title(summary)}\n{COMPARISON_CAVEAT}")
    solara.FigurePlotly(probability_figure(summary))
    if summary["stability"]:
        Prose(
            "**Over the repeats** (declared priors; the pooled probability is the repeats' "
            "mean). First in each repeat: " + ", ".join(summary["best_per_repeat"]) + "."
        )
        _table(
            ["hypothesis", "pooled", "lowest", "highest", "effective particles"],
            stability_rows(summary),
            "compare-stability",
        )
        Prose(f"**Bayes factors of {summary['best']}** (the highest pooled probability)")
        _table(
            ["hypothesis", "probability", "Bayes factor", f"evidence for {summary['best']}"],
            factor_rows(summary),
            "compare-factors",
            text=frozenset({3}),
        )
    if summary["prior_sensitivity"]:
        labels = summary["settings"]["labels"]
        Prose("**Prior sensitivity** (the kept parameters' priors scaled about their centres)")
        _table(
            ["prior scale", "seed", "first", *labels],
            [
                [f"×{r['prior_scale']:g}", r["seed"], r["best"]]
                + [f"{r['final'][k]:.3f}" for k in labels]
                for r in summary["prior_sensitivity"]
            ],
            "compare-priors",
            text=frozenset({2}),
        )
    shown, rows = separation_rows(summary)
    if rows:
        Prose(
            "**The targets that separate them** (median misfit of the accepted simulations, "
            "in archival tolerances; the widest spread first)"
        )
        _table(["target", "spread", *shown], rows, "compare-separation")


@solara.component
def Fit(data: dict[str, Any]) -> None:
    Prose(
        f"#### Fit of {data['scenario']} at 1:{1 / data['scale']:,.0f}, seed {data['seed']}\n"
        "The posterior of one scenario's free parameters (ABC-SMC): medians and 90% intervals "
        "at the last generation, with the prior's median beside them."
    )
    _table(
        list(GENERATION_COLUMNS),
        [generation_cells(g) for g in data["generations"]],
        "fit-generations",
    )
    _table(
        list(POSTERIOR_COLUMNS),
        [posterior_cells(r) for r in data["posterior"]],
        "fit-posterior",
    )
    if data["held"]:  # a conditional fit (--free), as `calibrate show` says it
        Prose(
            "A conditional fit: only " + ", ".join(data["free"]) + " varied; the posterior is "
            "conditional on the values it held: "
            + ", ".join(f"{n} = {v:.4g}" for n, v in data["held"])
        )


@solara.component
def OtherHistory(data: dict[str, Any]) -> None:
    Prose(
        "#### A pyabc history not written by greatterror\nIts models are numbered as pyabc "
        "stores them; nothing in the file names them."
    )
    fig = go.Figure()
    for name, values in data["probabilities"].items():
        fig.add_scatter(x=data["generation_index"], y=values, name=name, mode="lines+markers")
    fig.update_layout(
        title="Posterior model probability by generation",
        xaxis_title="generation",
        yaxis_title="probability",
        template="plotly_white",
        height=360,
    )
    solara.FigurePlotly(fig)
    _table(
        ["model", "posterior probability (last generation)"],
        [[name, f"{values[-1]:.3f}"] for name, values in data["probabilities"].items()],
        "other-probabilities",
    )
    for name, fit in data["fits"].items():
        Prose(f"**{name}**: weighted posterior means, generation {data['last']}")
        _table(
            ["parameter", "posterior mean"],
            [[k, f"{v:.4g}"] for k, v in sorted(fit.items())],
            f"other-{name.replace(' ', '-')}",
        )
