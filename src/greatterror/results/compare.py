"""Several runs side by side: the same headline figures, and how far each run is from the first.

The first run is the reference (typically the historical scenario, or the
baseline of a sensitivity study), so differences are always "this run minus
the first". A figure missing from a run is None, never zero, so that a
headline a run does not report is not read as "nobody".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from greatterror.provenance import code_label, identity_differences, same_code
from greatterror.results import figures
from greatterror.vocabulary import POLITICAL_OPERATIONS

Summary = Mapping[str, Any]
_YEARLY_MEASURES = ("arrested", "convicted", "shot", "camp", "exile", "other")
_ELITE_MEASURES = ("size", "arrested", "shot")


def _ordered(keys: Iterator[str], preferred: Sequence[str] = ()) -> list[str]:
    """Known names in their canonical order, then any others as first met."""
    seen = list(dict.fromkeys(keys))
    return [k for k in preferred if k in seen] + [k for k in seen if k not in preferred]


def _targets(summaries: Sequence[Summary]) -> list[dict[str, Any]]:
    by_run = [{str(t.get("id")): t for t in s.get("targets") or []} for s in summaries]
    rows = []
    for target_id in _ordered(k for run in by_run for k in run):
        found = [run.get(target_id) for run in by_run]
        first = next(t for t in found if t is not None)
        rows.append(
            {
                "key": f"target:{target_id}",
                "kind": "target",
                "label": first.get("label") or target_id,
                "archival": figures.as_number(first.get("archival")),
                "values": [
                    None if t is None else figures.as_number(t.get("simulated")) for t in found
                ],
            }
        )
    return rows


def _nested(
    summaries: Sequence[Summary],
    section: str,
    measures: Sequence[str],
    preferred: Sequence[str] = (),
) -> list[dict[str, Any]]:
    blocks = [s.get(section) or {} for s in summaries]
    names = _ordered((k for b in blocks for k in b), preferred)
    rows = []
    for name in names:
        present = _ordered((m for b in blocks for m in b.get(name) or {}), measures)
        for measure in present:
            values = [figures.as_number((b.get(name) or {}).get(measure)) for b in blocks]
            rows.append(
                {
                    "key": f"{section}:{name}:{measure}",
                    "kind": section,
                    "label": f"{name} {measure}",
                    "archival": None,
                    "values": values,
                }
            )
    return rows


def compare_runs(summaries: Sequence[Summary]) -> list[dict[str, Any]]:
    """One row per headline: targets, then yearly, operation and elite figures.

    Each row holds ``key`` (e.g. ``target:G1-1937-conv``, ``yearly:1937:shot``),
    ``kind``, ``label``, ``archival`` (targets only), ``values`` (one per
    run, None where a run lacks the figure) and ``differences`` (each value
    minus the first run's; None where either is missing).
    """
    if not summaries:
        return []
    years = sorted({y for s in summaries for y in s.get("yearly") or {}})
    rows = (
        _targets(summaries)
        + _nested(summaries, "yearly", _YEARLY_MEASURES, years)
        + _nested(summaries, "operations", _YEARLY_MEASURES, POLITICAL_OPERATIONS)
        + _nested(summaries, "elites", _ELITE_MEASURES)
    )
    for row in rows:
        base = row["values"][0]
        row["differences"] = [
            None if base is None or v is None else v - base for v in row["values"]
        ]
    return rows


def comparison_figure(summaries: Sequence[Summary], labels: Sequence[str]) -> Figure:
    years = sorted({y for s in summaries for y in s.get("yearly") or {}})
    archival = figures.archival_yearly(summaries[0].get("targets") or []) if summaries else {}
    fig = Figure(figsize=(12, 4.5), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, measure in zip(axes, ("convicted", "shot"), strict=True):
        ax.set_title(f"{measure} per year")
        if not years:
            figures.no_data(ax)
            continue
        series: dict[str, list[float | None]] = {
            label: [
                figures.as_number(((s.get("yearly") or {}).get(y) or {}).get(measure))
                for y in years
            ]
            for label, s in zip(labels, summaries, strict=True)
        }
        record = [archival.get(y, {}).get(measure) for y in years]
        if any(v is not None for v in record):
            series["archival (G1 targets)"] = record
        figures.grouped_bars(ax, years, series, {"archival (G1 targets)": figures.ARCHIVAL})
    fig.supxlabel(
        "Simulated counts per run, in full-population equivalents; grey: archival yearly "
        "figures (death sentences set against the simulated number shot).",
        fontsize="small",
    )
    return fig


def write_comparison_plot(summaries: Sequence[Summary], labels: Sequence[str], path: Path) -> Path:
    """Grouped bars of yearly convicted and shot, one bar per run, saved as PNG at ``path``."""
    if len(labels) != len(summaries):
        raise ValueError(f"{len(summaries)} runs but {len(labels)} labels")
    if len(set(labels)) != len(labels):
        raise ValueError(f"run labels must be distinct: {list(labels)}")
    path = Path(path)
    path.write_bytes(figures.png_bytes(comparison_figure(summaries, labels)))
    return path


#: what must be equal for differences between runs to be paired (the same people, the
#: same random draws, the same code), each with the summary value that shows it; the
#: population block holds the population's own seed and scale
PAIRING = ("scale", "seed", "population", "version")


def unpaired(summaries: Sequence[Summary]) -> list[str]:
    """What differs between the runs that makes their differences unpaired; empty if paired.

    Runs at the same scale and seed, on the same population and code, share
    their random streams, so a difference between them comes from the
    settings alone; otherwise it mixes in sampling noise (or a change of the
    model), which the caller should say.
    """
    out = []
    for key in PAIRING:
        values = [s.get(key) for s in summaries]
        if any(v != values[0] for v in values[1:]):
            if key == "population":
                seeds = [(v or {}).get("seed") for v in values]
                out.append(f"population (seed {', '.join(map(str, seeds))})")
            else:
                out.append(f"{key} ({', '.join(str(v) for v in values)})")
    codes = [s.get("code") for s in summaries]
    if any(not same_code(c, codes[0]) for c in codes[1:]):
        out.append(f"code ({', '.join(code_label(c) for c in codes)})")
    return out


def parameter_differences(summaries: Sequence[Summary]) -> list[dict[str, Any]]:
    """Every setting in which the runs differ: the scenario (name, content, period), each
    mechanism switch, each parameter (``provenance.identity_differences``)."""
    return identity_differences(summaries)
