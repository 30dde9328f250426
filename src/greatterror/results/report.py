"""A finished run as one self-contained HTML page for reading and archiving.

The page opens with what a reader asks first: does the run match the record?
The headline figures come first, each with its ratio to the archival value
and whether it lies inside the archival range, misses marked; then a table of
contents, the figures, every target, the policy decisions, and last the run's
parameters, rounded for reading (summary.json keeps them exact).

The static page embeds its plots as PNG data, so it can be mailed or filed
with no other file. The optional interactive page draws the same figures with
plotly and embeds plotly's script, so it too works with no network.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import pyarrow as pa
from matplotlib.figure import Figure

from greatterror.results import demography_figure, figures, figures_purges
from greatterror.results.captions import FIGURE_TITLES, captions
from greatterror.results.derived import record_derived
from greatterror.results.findings import TOLERANCE, Judged, headline, judge_all
from greatterror.results.guilt import guilt_rows, guilt_text
from greatterror.results.outputs import (
    CHANNELS_FILE,
    REPORT_FILE,
    SUMMARY_FILE,
    TIMESERIES_FILE,
    RunOutputError,
    read_channels,
    read_summary,
    read_timeseries,
)
from greatterror.results.report_html import (
    STYLE,
    contents,
    html_section,
    judged_table,
    png_section,
    scale_text,
    table,
)

INTERACTIVE_REPORT_FILE = "report-interactive.html"
#: figures are drawn in up to this many processes (forked, so nothing is imported again)
RENDER_WORKERS = 2

Builders = dict[str, Callable[[], Figure]]


def _figures(
    summary: Mapping[str, Any],
    timeseries: pa.Table,
    channels: pa.Table,
    members: Sequence[Mapping[str, Any]] = (),
) -> Builders:
    # Built lazily so that only one figure is in memory at a time.
    targets = summary.get("targets") or []
    bands = figures.yearly_bands(members) if members else None
    return {
        "yearly": lambda: figures.yearly_figure(summary.get("yearly") or {}, targets, bands),
        "operations": lambda: figures.operations_figure(timeseries),
        "limits": lambda: figures.limit_fill_figure(summary.get("limit_fill") or []),
        "backlog": lambda: figures.backlog_figure(channels),
        "targeted": lambda: figures_purges.targeted_figure(summary.get("targeted") or {}),
        "elites": lambda: figures_purges.elites_figure(summary.get("elites") or {}, targets),
        "trials": lambda: figures_purges.trials_figure(summary.get("trials") or []),
        "demography": lambda: demography_figure.demography_figure(summary.get("demography") or {}),
    }


_WORKER_BUILDERS: Builders = {}


def _init_worker(builders: Builders) -> None:
    # runs in a forked child only: the builders arrive by fork, not by pickling
    # A drawing process forked from the output worker inherits its SIGTERM handler, which
    # raises SystemExit wherever the process happens to be; a process that catches it (or
    # gets it while idle) would then block on the pool's queue and ``Pool.terminate`` would
    # wait for it forever. The default action ends it at once, which is what terminate needs.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Ctrl-C reaches every process of the terminal's group: the drawing processes leave it to
    # the process that forked them, whose pool ends them (else each prints a traceback)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_BUILDERS.update(builders)


def _render_one(key: str) -> bytes:
    return figures.png_bytes(_WORKER_BUILDERS[key]())


def render_pngs(builders: Builders, workers: int = RENDER_WORKERS) -> dict[str, bytes]:
    """Each figure as PNG bytes, drawn in forked processes when more than one core is free.

    Drawing is pure Python in matplotlib and holds the interpreter lock, so
    threads would not help; forked processes inherit the imported modules and
    the run's data, and only the PNG bytes come back.
    """
    workers = min(workers, len(builders), os.cpu_count() or 1)
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_init_worker, initargs=(builders,)) as pool:
            return dict(zip(builders, pool.map(_render_one, list(builders)), strict=True))
    return {key: figures.png_bytes(make()) for key, make in builders.items()}


def _run_line(summary: Mapping[str, Any], members: int) -> str:
    run_id = summary.get("run_id")
    identity = (
        f"Run <strong>{escape(str(run_id))}</strong>"
        if run_id
        else "Run id: not recorded in this summary"
    )
    ensemble = f"; ensemble of {members} runs" if members else ""
    return (
        f"<p>{identity}: scenario {escape(str(summary.get('scenario')))}, scale "
        f"{escape(scale_text(summary.get('scale')))}, seed {escape(str(summary.get('seed')))}, "
        f"version {escape(str(summary.get('version')))}, {escape(str(summary.get('start')))} "
        f"to {escape(str(summary.get('end')))}{escape(ensemble)}.</p>"
    )


def _findings(summary: Mapping[str, Any], judged: Sequence[Judged], members: int) -> str:
    judgeable = [j for j in judged if j.miss is not None]
    ranged = [j for j in judgeable if j.inside is not None]
    inside = [j for j in ranged if j.inside]
    misses = [j for j in judgeable if j.miss]
    miss_text = (
        "Misses (more than "
        f"{TOLERANCE:.0%} from the archival value and outside its range): "
        + ", ".join(f"{j.label} ({j.ratio:.2f})" for j in misses if j.ratio is not None)
        + "."
        if misses
        else f"No target is more than {TOLERANCE:.0%} from its archival value."
    )
    return (
        '<section id="findings" class="findings"><h2>Key findings</h2>'
        + _run_line(summary, members)
        + f"<p>{len(judgeable) - len(misses)} of {len(judgeable)} calibration targets are "
        f"within {TOLERANCE:.0%} of the archival value or inside its range; of the "
        f"{len(ranged)} whose sources give a range, {len(inside)} lie inside it. "
        f"{escape(miss_text)}</p>"
        + '<p class="note">Headline figures: the totals of the mass operations of 1937-38 and '
        "the purge of the party elite. Ratio: simulated divided by archival. Archival range: "
        "the lowest and highest value the sources give, where they differ. Rows marked "
        "'miss' are shaded.</p>" + judged_table(headline(judged)) + "</section>"
    )


def _targets(judged: Sequence[Judged]) -> str:
    return (
        '<section id="targets"><h2>All calibration targets</h2>'
        '<p class="note">Archival: the sourced figure of the evidence base. Simulated: the same '
        "quantity in this run, in full-population equivalents. Ratio: simulated divided by "
        f"archival. A miss is more than {TOLERANCE:.0%} from the archival value and outside the "
        "archival range (docs/validation.md).</p>" + judged_table(judged) + "</section>"
    )


def _run_and_parameters(summary: Mapping[str, Any]) -> str:
    population = summary.get("population") or {}
    run_rows = [
        ("run id", summary.get("run_id") or "not recorded"),
        ("content hash (SHA-256)", summary.get("content_hash") or "not computed"),
        ("scenario", summary.get("scenario")),
        ("scale", f"{summary.get('scale')} ({scale_text(summary.get('scale'))})"),
        ("seed", summary.get("seed")),
        ("version", summary.get("version")),
        ("period", f"{summary.get('start')} to {summary.get('end')}"),
        ("simulated persons, mass population", population.get("mass")),
        ("simulated persons, elite layer", population.get("elite")),
        ("population represented (full-population equivalent)", population.get("represented")),
    ]
    parameters = summary.get("parameters") or {}
    mechanisms = summary.get("mechanisms")
    mech_html = ""
    if isinstance(mechanisms, Mapping) and mechanisms:
        mech_html = "<h3>Mechanism switches</h3>" + table(
            ["mechanism", "on"], sorted(mechanisms.items()), set()
        )
    return (
        '<section id="run"><h2>Run and parameters</h2>'
        + table(["", "value"], run_rows, set())
        + mech_html
        + "<h3>Parameters</h3>"
        + '<p class="note">Rounded for reading (at most four significant digits). The exact '
        "values, needed to rerun the scenario, are in summary.json beside this page.</p>"
        + table(["parameter", "value"], sorted(parameters.items()), {1})
        + "</section>"
    )


def _policy(summary: Mapping[str, Any]) -> str:
    """The centre's decisions as they were applied, and who took them."""
    mode = summary.get("policy_mode", "scripted")
    rows = [
        [
            d.get("date"),
            d.get("action"),
            d.get("detail") or "",
            d.get("by"),
            d.get("threat"),
            d.get("cost"),
            d.get("war"),
        ]
        for d in summary.get("policy") or []
    ]
    source = (
        "dated events of the scenario, each citing the evidence base"
        if mode == "scripted"
        else "the leader's decision rule (model/leader.py), from perceived threat, perceived "
        "cost and the expectation of war; its thresholds are parameters of this run"
    )
    return (
        '<section id="policy"><h2>Policy decisions</h2>'
        f'<p class="note">Policy mode: {escape(str(mode))}. Decisions came from {escape(source)}. '
        "Threat, cost and war expectation are the leader's perceptions in the model on the day, "
        "in model units; they are not measured historical quantities.</p>"
        + table(["date", "action", "detail", "taken by", "threat", "cost", "war"], rows, {4, 5, 6})
        + "</section>"
    )


def _guilt(summary: Mapping[str, Any]) -> str:
    """M11, M24, M25: how many of those arrested really acted (summary.json fifth_column)."""
    text = guilt_text(summary)
    if text is None:
        return ""
    rows = guilt_rows(summary)
    return (
        '<section id="guilt"><h2>Who of those arrested really acted</h2>'
        f"<p>{escape(text)}</p>"
        + table(["group", "drawn", "arrested", "shot"], rows, {1, 2, 3})
        + '<p class="note">Full-population equivalents; a person arrested twice counts once. '
        "Empty cells: not counted for that group.</p></section>"
    )


def render_report(
    summary: Mapping[str, Any],
    timeseries: pa.Table,
    channels: pa.Table,
    members: Sequence[Mapping[str, Any]] = (),
    interactive: bool = False,
    workers: int = RENDER_WORKERS,
) -> str:
    """The report page as a string; ``members`` are the summaries of an ensemble, if any."""
    text = captions(summary, len(members))
    if interactive:
        from greatterror.results import figures_interactive as fi

        divs = fi.report_divs(summary, timeseries, channels, members)
        sections = [html_section(k, FIGURE_TITLES[k], divs[k], text[k]) for k in FIGURE_TITLES]
    else:
        pngs = render_pngs(_figures(summary, timeseries, channels, members), workers)
        sections = [png_section(k, FIGURE_TITLES[k], pngs[k], text[k]) for k in FIGURE_TITLES]
    judged = judge_all(summary, members)
    toc = [
        ("findings", "Key findings"),
        *((f"fig-{k}", t) for k, t in FIGURE_TITLES.items()),
        ("targets", "All calibration targets"),
        ("policy", "Policy decisions"),
        *((("guilt", "Who of those arrested really acted"),) if "fifth_column" in summary else ()),
        ("run", "Run and parameters"),
    ]
    title = escape(f"greatterror run report: {summary.get('scenario')}")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{STYLE}</style></head><body>"
        f"<h1>{title}</h1>"
        '<p class="note">This page shows the output of a simulation model. Simulated figures '
        "are what the model produced under the stated assumptions; they are not historical "
        "findings. Archival figures are from the sourced evidence base and are marked as such "
        "in every caption.</p>"
        + _findings(summary, judged, len(members))
        + contents(toc)
        + "".join(sections)
        + _targets(judged)
        + _policy(summary)
        + _guilt(summary)
        + _run_and_parameters(summary)
        + "</body></html>\n"
    )


def write_report(
    out_dir: Path,
    members: Sequence[Mapping[str, Any]] = (),
    interactive: bool = False,
) -> Path:
    """Write the report from the run's other files in out_dir, and return its path.

    The static page is out_dir/report.html; the interactive one
    out_dir/report-interactive.html, beside it; with ensemble ``members``
    (this run first), report-ensemble.html or report-interactive-ensemble.html,
    so that the run's own report.html is never replaced by another kind of page.
    A page written into a finished run folder is recorded in its marker as
    derived (results/derived.py), so that the folder still checks as the run's.
    """
    out_dir = Path(out_dir)
    missing = [
        name
        for name in (SUMMARY_FILE, TIMESERIES_FILE, CHANNELS_FILE)
        if not (out_dir / name).is_file()
    ]
    if missing:
        raise RunOutputError(f"cannot write the report: {out_dir} lacks {', '.join(missing)}")
    page = render_report(
        read_summary(out_dir / SUMMARY_FILE),
        read_timeseries(out_dir / TIMESERIES_FILE),
        read_channels(out_dir / CHANNELS_FILE),
        members,
        interactive,
    )
    name = report_name(interactive, ensemble=bool(members))
    target = out_dir / name
    partial = out_dir / f".{name}.partial"
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, target)
    kind = ("interactive " if interactive else "") + ("ensemble" if members else "report")
    record_derived(out_dir, name, kind.strip(), members)
    return target


def report_name(interactive: bool = False, ensemble: bool = False) -> str:
    """report.html, report-interactive.html, report-ensemble.html or both suffixes."""
    if not ensemble:
        return INTERACTIVE_REPORT_FILE if interactive else REPORT_FILE
    return "report-interactive-ensemble.html" if interactive else "report-ensemble.html"
