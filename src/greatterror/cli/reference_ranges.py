"""What `reference choose` prints of the pooled readings' spread: the pooled probabilities
with their range over the blocks, at the declared priors and under narrowed ones.

A pooled probability carries no uncertainty of its own; the three blocks are independent
repeats (each its own population and draws), so the lowest and highest of their
probabilities at the same acceptance fraction show how far one repeat moves it (review25
F10). Under narrowed priors (``--prior-scale``, calibration/reference_prior.py) each cell
also gives the hypothesis's effective accepted rows (Kish), so that a reader sees where the
reweighted table is too thin to read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from greatterror.cli.output import console, print_table


def block_ranges(readings: Sequence[dict[str, Any]]) -> dict[float, dict[str, tuple[float, float]]]:
    """For each fraction, each hypothesis's lowest and highest probability over the blocks
    (the scopes other than "pooled") whose reading is read (enough accepted rows)."""
    out: dict[float, dict[str, tuple[float, float]]] = {}
    for a in readings:
        if a["scope"] == "pooled" or not a["read"]:
            continue
        spans = out.setdefault(a["fraction"], {})
        for m, p in a["probabilities"].items():
            if p != p:
                continue
            low, high = spans.get(m, (p, p))
            spans[m] = (min(low, p), max(high, p))
    return out


def _span(spans: dict[str, tuple[float, float]], m: str) -> str:
    return f"{spans[m][0]:.2f}-{spans[m][1]:.2f}" if m in spans else "no block read"


def print_pooled_ranges(summary: dict[str, Any]) -> None:
    """The pooled rejection probabilities, each with its min-max over the blocks."""
    labels = summary["hypotheses"]
    ranges = block_ranges(summary["rejection"])
    pooled = [a for a in summary["rejection"] if a["scope"] == "pooled"]
    print_table(
        "Rejection ABC, pooled: P (lowest-highest of the blocks alone)",
        ["fraction", *labels],
        [
            [f"{a['fraction']:g}" + ("" if a["read"] else " (not read)")]
            + [
                f"{_p(a['probabilities'][m])} ({_span(ranges.get(a['fraction'], {}), m)})"
                for m in labels
            ]
            for a in pooled
        ],
        caption="each block is an independent repeat (its own population and draws); the "
        "range is over the blocks read alone at the same fraction, those with enough accepted "
        f"rows to be read; not read: fewer than {summary['min_accepted']:g} accepted in all; "
        "-: no probability",
    )


def _p(p: float) -> str:
    return "-" if p != p else f"{p:.2f}"


def print_prior_sensitivity(summary: dict[str, Any]) -> None:
    """For each prior scale: the pooled probabilities under the narrowed priors with the
    blocks' range and the effective accepted rows, the best's rate and whether the others
    are told from it, then each hypothesis's effective rows."""
    sensitivity = summary.get("prior_sensitivity")
    if not sensitivity:
        return
    labels = summary["hypotheses"]
    least = sensitivity["min_effective_accepted"]
    for factor in sensitivity["prior_scales"]:
        readings = [a for a in sensitivity["rows"] if a["prior_scale"] == factor]
        ranges = block_ranges(readings)
        pooled = [a for a in readings if a["scope"] == "pooled"]
        rows = [
            [f"{a['fraction']:g}", _effective(a), _best(a), _split(a)]
            + [_cell(a, m, ranges.get(a["fraction"], {})) for m in labels]
            for a in pooled
        ]
        rows.append(
            ["effective rows", "", "", ""]
            + [f"{pooled[0]['effective_rows'][m]:.1f} of {pooled[0]['drawn'][m]}" for m in labels]
        )
        drawn = float(summary.get("prior_scale", 1.0))  # the table's (reference build)
        how = f"narrowed x{factor:g}"
        if drawn != 1.0:
            how = (
                f"scaled x{factor:g} (the table's priors x{drawn:g}, narrowed x{factor / drawn:g})"
            )
        print_table(
            f"Rejection ABC, pooled, every prior {how} about its centre "
            "(the table's rows reweighted; no new simulation): P (lowest-highest of the "
            "blocks; effective accepted rows)",
            ["fraction", "effective accepted", "best (rate)", "split", *labels],
            rows,
            caption="weights: narrowed prior density / the table's prior density of each row's "
            "drawn values (zero outside the narrowed support); thresholds as at the declared "
            "priors; effective: Kish's (sum w)^2 / sum w^2; not read: fewer than "
            f"{least:g} effective accepted rows in all, or a hypothesis with fewer effective "
            "rows; 0 (rate <b): no accepted weight, and b the 95% upper bound on its rate from "
            "its effective rows; split not resolved: a hypothesis whose bound reaches the "
            f"best's rate; thin: fewer than {least:g} effective accepted rows, a probability "
            "not to be compared with the others'; -: no row inside the narrowed priors; per "
            "block: prior_sensitivity.csv",
        )
    console.print(sensitivity["widened"], highlight=False)


def _effective(a: dict[str, Any]) -> str:
    total = f"{sum(a['effective_accepted'].values()):.1f}"
    return total if a["read"] else f"{total} (not read)"


def _best(a: dict[str, Any]) -> str:
    best = a["best"]
    return "-" if best is None else f"{best} ({a['rates'][best]:.3f})"


def _split(a: dict[str, Any]) -> str:
    return "not resolved: " + ", ".join(a["unresolved"]) if a["unresolved"] else "resolved"


def _cell(a: dict[str, Any], m: str, spans: dict[str, tuple[float, float]]) -> str:
    p, bound = a["probabilities"][m], a["rate_bounds"][m]
    if bound == bound and a["rates"][m] == a["rates"][m]:  # no accepted weight
        return f"0 (rate <{bound:.2f})"
    thin = ", thin" if m in a["thin"] else ""
    return f"{_p(p)} ({_span(spans, m)}; {a['effective_accepted'][m]:.1f}{thin})"
