"""A finished run as one self-contained HTML page for reading and archiving.

The page embeds its plots as PNG data, so it can be mailed or filed with no
other file. Every caption says which numbers come from the simulation and
which from the archival record, because a reader who mistakes one for the
other is misled about real people's fates. All text from the run is escaped:
scenario names and parameters are user input.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import pyarrow as pa
from matplotlib.figure import Figure

from greatterror.results import demography_figure, figures
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

FIGURE_TITLES = {
    "yearly": "Yearly totals against the archival series",
    "operations": "Arrests, death sentences and executions by operation",
    "limits": "Use of the Order No. 00447 limits by region",
    "backlog": "Backlog of each sentencing channel",
    "targeted": "Who was targeted: arrest rates by group",
    "elites": "The elite layer",
    "trials": "Show trials against the record",
    "demography": "Who the victims were: sex and age",
}

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1150px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 0; } img { max-width: 100%; height: auto; }
figcaption, .note { font-size: 0.9em; color: #444; }
"""


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() or abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}"
    if isinstance(value, Mapping | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _scale_text(scale: Any) -> str:
    if isinstance(scale, int | float) and 0 < scale <= 1:
        return f"1:{1 / scale:,.0f}"
    return str(scale)


def _equivalents(summary: Mapping[str, Any]) -> str:
    scale = summary.get("scale")
    per_person = (
        f"each simulated person of the mass population counts as {1 / scale:,.0f} people"
        if isinstance(scale, int | float) and 0 < scale <= 1
        else "each simulated person of the mass population is weighted by the inverse of the scale"
    )
    return (
        f"Counts are full-population equivalents: at scale {_scale_text(scale)} {per_person}; "
        "members of the elite layer, simulated at full size, count as one each."
    )


def _partial_years(start: Any, end: Any) -> str:
    """A warning for calendar years the run covers only in part, whose totals are not comparable."""
    try:
        first, last = date.fromisoformat(str(start)), date.fromisoformat(str(end))
    except ValueError:
        return ""
    notes = []
    if (first.month, first.day) != (1, 1):
        notes.append(f"{first.year} from {first.isoformat()} only")
    if (last.month, last.day) != (12, 31):
        notes.append(f"{last.year} up to {last.isoformat()} only")
    return f" The run covers {' and '.join(notes)}." if notes else ""


def captions(summary: Mapping[str, Any]) -> dict[str, str]:
    """The caption of each figure, keyed like FIGURE_TITLES."""
    counts = _equivalents(summary)
    partial = _partial_years(summary.get("start"), summary.get("end"))
    return {
        "yearly": (
            "Simulated: persons arrested, convicted and shot in each calendar year of this run. "
            "Archival: the yearly figures among the run's calibration targets whose id begins "
            "with G1- (G1-<year>-conv for persons convicted; G1-<year>-death for death "
            "sentences, set against the simulated number shot because the archival series "
            "counts sentences, not executions). A measure or year without a grey bar has no "
            f"archival yearly figure among the targets.{partial} {counts}"
        ),
        "operations": (
            "Simulated only: weekly sums (weeks beginning on Monday) of arrests, death "
            "sentences (category 1) and executions in all regions, by the operation under "
            "which each case was handled. No archival series is drawn; archival totals by "
            f"operation, where the record has them, are in the targets table below. {counts}"
        ),
        "limits": (
            "Simulated: the share of each region's category 1 (death sentence) and category 2 "
            "(camp) limit under NKVD Order No. 00447 used by the end of the run. Archival: the "
            "limits themselves, as supplied by the scenario (the order's appendix of 30 July "
            "1937 and any later increases the scenario applies). Regions are sorted by the "
            "category 1 share; a bar past the dashed line means the simulated sentences "
            f"exceeded the limit. {counts}"
        ),
        "backlog": (
            "Simulated only: cases awaiting a decision at the end of each day, for each "
            "sentencing channel (troikas, the 'album' procedure, special troikas, the Special "
            "Board (OSO), the Military Collegium and the courts). There is no archival daily "
            f"series to compare with. {counts}"
        ),
        "targeted": (
            "Simulated only: arrests during the run per 1,000 people of each group of the "
            "simulated population, by occupation, by register mark (the category under which "
            "a person was held on NKVD or police registers) and by party status. No archival "
            "comparison is drawn here. Rates are computed from full-population equivalents "
            f"and so do not depend on the scale. {counts}"
        ),
        "elites": (
            "Simulated: the size of each elite group and how many of its members were arrested "
            "and shot during the run; a missing bar means the run does not report that figure "
            "for the group. The elite layer is simulated person by person, so these are "
            "counts of individuals. Archival figures for these groups, where the calibration "
            f"targets hold them, are in the targets table below. {counts}"
        ),
        "trials": (
            "Simulated: defendants and death sentences in each show trial as it took place in "
            "this run. Archival: the numbers of defendants and death sentences recorded for "
            f"that trial, as carried in the run summary. {counts}"
        ),
        "demography": f"{demography_figure.CAPTION} {counts}",
    }


def _figures(
    summary: Mapping[str, Any], timeseries: pa.Table, channels: pa.Table
) -> dict[str, Callable[[], Figure]]:
    # Built lazily so that only one figure is in memory at a time.
    return {
        "yearly": lambda: figures.yearly_figure(
            summary.get("yearly") or {}, summary.get("targets") or []
        ),
        "operations": lambda: figures.operations_figure(timeseries),
        "limits": lambda: figures.limit_fill_figure(summary.get("limit_fill") or []),
        "backlog": lambda: figures.backlog_figure(channels),
        "targeted": lambda: figures.targeted_figure(summary.get("targeted") or {}),
        "elites": lambda: figures.elites_figure(summary.get("elites") or {}),
        "trials": lambda: figures.trials_figure(summary.get("trials") or []),
        "demography": lambda: demography_figure.demography_figure(summary.get("demography") or {}),
    }


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: set[int]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{escape(_fmt(v))}</td>'
            if i in numeric
            else f"<td>{escape(_fmt(v))}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _exact(parameters: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Parameters as written, not rounded: a reader must be able to rerun the scenario."""
    return [
        (name, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        for name, value in sorted(parameters.items())
    ]


def _header(summary: Mapping[str, Any]) -> str:
    population = summary.get("population") or {}
    run_rows = [
        ("run id", summary.get("run_id", "not recorded")),
        ("content hash (SHA-256)", summary.get("content_hash", "not computed")),
        ("scenario", summary.get("scenario")),
        ("scale", f"{summary.get('scale')} ({_scale_text(summary.get('scale'))})"),
        ("seed", summary.get("seed")),
        ("version", summary.get("version")),
        ("period", f"{summary.get('start')} to {summary.get('end')}"),
        ("simulated persons, mass population", population.get("mass")),
        ("simulated persons, elite layer", population.get("elite")),
        ("population represented (full-population equivalent)", population.get("represented")),
    ]
    parameters = summary.get("parameters") or {}
    return (
        '<section id="run"><h2>Run</h2>'
        + _table(["", "value"], run_rows, set())
        + "<h3>Parameters</h3>"
        + _table(["parameter", "value"], _exact(parameters), set())
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
        + _table(["date", "action", "detail", "taken by", "threat", "cost", "war"], rows, {4, 5, 6})
        + "</section>"
    )


def _targets(summary: Mapping[str, Any]) -> str:
    rows = [
        [t.get("id"), t.get("label"), t.get("archival"), t.get("simulated"), t.get("ratio")]
        for t in summary.get("targets") or []
    ]
    return (
        '<section id="targets"><h2>Calibration targets</h2>'
        '<p class="note">Archival: the sourced figure of the evidence base. Simulated: the same '
        "quantity in this run, in full-population equivalents. Ratio: simulated divided by "
        "archival.</p>"
        + _table(["id", "label", "archival", "simulated", "ratio"], rows, {2, 3, 4})
        + "</section>"
    )


def _figure_section(key: str, png: bytes, caption: str) -> str:
    title = escape(FIGURE_TITLES[key])
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<section id="fig-{key}"><h2>{title}</h2><figure>'
        f'<img alt="{title}" src="data:image/png;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure></section>"
    )


def render_report(summary: Mapping[str, Any], timeseries: pa.Table, channels: pa.Table) -> str:
    """The report page as a string; split from write_report so it can be used without files."""
    text = captions(summary)
    sections = [
        _figure_section(key, figures.png_bytes(make()), text[key])
        for key, make in _figures(summary, timeseries, channels).items()
    ]
    title = escape(f"greatterror run report: {summary.get('scenario')}")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{title}</h1>"
        '<p class="note">This page shows the output of a simulation model. Simulated figures '
        "are what the model produced under the stated assumptions; they are not historical "
        "findings. Archival figures are from the sourced evidence base and are marked as such "
        "in every caption.</p>"
        + _header(summary)
        + _policy(summary)
        + "".join(sections)
        + _targets(summary)
        + "</body></html>\n"
    )


def write_report(out_dir: Path) -> Path:
    """Write out_dir/report.html from the run's other files there, and return its path."""
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
    )
    target = out_dir / REPORT_FILE
    partial = out_dir / f".{REPORT_FILE}.partial"
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, target)
    return target
