"""HTML pieces of the run report: tables, number formats, the verdict column, figures.

Everything taken from a run is escaped here: scenario names and parameters are
user input. Numbers are formatted for reading; the run's files keep full
precision.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from greatterror.results.findings import Judged, verdict_text

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1150px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.miss td { background: #fbe3e1; } tr.miss td.verdict { font-weight: bold; color: #9b1c13; }
tr.inside td.verdict { color: #1d6b32; }
nav ol { columns: 2; font-size: 0.95em; }
figure { margin: 0; } img { max-width: 100%; height: auto; }
figcaption, .note { font-size: 0.9em; color: #444; }
.findings { font-size: 1.05em; }
"""


def fmt(value: Any) -> str:
    """A value for reading: thousands separated, at most 4 significant digits below 100."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() or abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.4g}"
    if isinstance(value, Mapping | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def scale_text(scale: Any) -> str:
    if isinstance(scale, int | float) and 0 < scale <= 1:
        return f"1:{1 / scale:,.0f}"
    return str(scale)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: set[int]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{escape(fmt(v))}</td>'
            if i in numeric
            else f"<td>{escape(fmt(v))}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _range(j: Judged) -> str:
    if j.low is None or j.high is None or j.low == j.high:
        return ""
    return f"{fmt(j.low)}–{fmt(j.high)}"


def judged_table(judged: Sequence[Judged]) -> str:
    """Targets against the record; a miss is a shaded row whose verdict says 'miss'."""
    with_band = any(j.band for j in judged)
    header = ["target", "what", "archival", "archival range", "simulated"]
    header += ["ensemble 10–90%"] if with_band else []
    header += ["ratio", "verdict"]
    rows = []
    for j in judged:
        kind = "miss" if j.miss else ("inside" if j.inside else "")
        cells = [
            f"<td>{escape(j.id)}</td>",
            f"<td>{escape(j.label)}</td>",
            f'<td class="num">{escape(fmt(j.archival))}</td>',
            f'<td class="num">{escape(_range(j))}</td>',
            f'<td class="num">{escape(fmt(j.simulated))}</td>',
        ]
        if with_band:
            band = f"{fmt(j.band[0])}–{fmt(j.band[1])}" if j.band else ""
            cells.append(f'<td class="num">{escape(band)}</td>')
        ratio = "" if j.ratio is None else f"{j.ratio:.2f}"
        cells.append(f'<td class="num">{ratio}</td>')
        cells.append(f'<td class="verdict">{escape(verdict_text(j))}</td>')
        rows.append(f'<tr class="{kind}">{"".join(cells)}</tr>')
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def png_section(key: str, title: str, png: bytes, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<section id="fig-{key}"><h2>{escape(title)}</h2><figure>'
        f'<img alt="{escape(title)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure></section>"
    )


def html_section(key: str, title: str, figure_html: str, caption: str) -> str:
    """A figure given as HTML (an interactive plot); the caption is escaped, the plot is not."""
    return (
        f'<section id="fig-{key}"><h2>{escape(title)}</h2><figure>{figure_html}'
        f"<figcaption>{escape(caption)}</figcaption></figure></section>"
    )


def contents(entries: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="#{escape(a)}">{escape(t)}</a></li>' for a, t in entries)
    return f'<nav id="contents"><h2>Contents</h2><ol>{items}</ol></nav>'
