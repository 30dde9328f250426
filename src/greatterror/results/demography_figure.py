"""The report panel of the summary's ``demography`` block: who the victims were.

Self-contained (one function and its caption) so that the report can place
it wherever its layout puts panels. For those arrested, convicted and
sentenced to death, in all operations and in each operation with any such
people: the share of men, and the shares of the four age groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

OUTCOMES = (("arrested", "arrested"), ("convicted", "convicted"), ("shot", "sentenced to death"))
AGE_GROUPS = ("0-15", "16-29", "30-49", "50+")
AGE_COLOURS = ("#c44e52", "#8fb0d9", "#4c72b0", "#2b3f66")
#: Validation fact G6-men-shot (Rayfield 2004, from the Leningradskii martirolog): drawn for
#: comparison only, never fitted.
MEN_SHOT_LENINGRAD = 0.95

CAPTION = (
    "Simulated only: among the people arrested, convicted and sentenced to death in this run, "
    "in all operations together and in each operation that had any, the share of men (dark "
    "bar) and the shares of four age groups (stacked bar; ages as at the 1937 census). Shares "
    "are of full-population equivalents, and each arrest of a person arrested twice counts. "
    "A person's operation is that of their last case. For comparison, the dotted line marks "
    "the share of men among those shot in the Leningrad data (Leningradskii martirolog, cited "
    "by Rayfield 2004: about 95%; validation fact G6-men-shot, never fitted)."
)


def _rows(block: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, Mapping[str, Any]]]:
    """'all' first, then the operations whose profile is not empty."""
    rows = []
    for name, prof in block.items():
        ages = prof.get("age") or {}
        if name == "all" or any(float(ages.get(g) or 0) > 0 for g in AGE_GROUPS):
            rows.append((name, prof))
    rows.sort(key=lambda item: item[0] != "all")
    return rows


def demography_figure(demography: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> Figure:
    """Three panels (arrested, convicted, sentenced to death): male share and age groups."""
    fig = Figure(figsize=(13, 5), layout="constrained")
    axes = fig.subplots(1, len(OUTCOMES), sharex=True)
    for ax, (key, title) in zip(axes, OUTCOMES, strict=True):
        ax.set_title(title)
        rows = _rows(demography.get(key) or {})
        if not rows:
            ax.text(0.5, 0.5, "no data in this run", ha="center", va="center",
                    transform=ax.transAxes, color="#666")  # fmt: skip
            ax.set_axis_off()
            continue
        y = np.arange(len(rows))
        left = np.zeros(len(rows))
        for group, colour in zip(AGE_GROUPS, AGE_COLOURS, strict=True):
            widths = np.array([float((p.get("age") or {}).get(group) or 0) for _, p in rows])
            ax.barh(y + 0.18, widths, left=left, height=0.34, color=colour, label=f"aged {group}")
            left += widths
        men = [float(p.get("male_share") or 0) for _, p in rows]
        ax.barh(y - 0.18, men, height=0.34, color="#333333", label="men")
        ax.set_yticks(y, [name.replace("_", " ") for name, _ in rows], fontsize="small")
        if key == "shot":
            ax.axvline(MEN_SHOT_LENINGRAD, color="#8c8c8c", linestyle=":",
                       label="men among those shot, Leningrad (G6-men-shot)")  # fmt: skip
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("share")
    handles: dict[str, Artist] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncol=6,
               fontsize="small", frameon=False)  # fmt: skip
    return fig
