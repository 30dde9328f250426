"""Posterior predictive check of each hypothesis from a reference table.

Rejection ABC's posterior of a hypothesis at a tolerance is its rows whose distance to the
record is within the tolerance, with equal weights (Pritchard et al. 1999; Grelaud et al.
2009). Here the tolerance of each block (an independent repeat: its own population and
draws, calibration/reference_table.py) is the ``fraction``-quantile of that block's
distances over all hypotheses, the rule the model probabilities use
(calibration/reference_choice.py), and the accepted rows of every block are pooled.

A model probability says how often a hypothesis came within the tolerance; it does not
say whether its accepted simulations agree with what the table never scored. So, as
``hypotheses compare check`` does for the ABC-SMC comparison (calibration/compare_check.py):
``draws`` of each hypothesis's accepted parameter sets (with replacement, equal weights)
are run again, each on a validation seed (1-10 in turn, never a fitting seed), and compared
with the in-sample targets and the validation figures (``holdout.MEASURES``, never fitted).
A hypothesis with no accepted row is checked from its prior instead (draws of its own rows
in the table, which are prior draws), so that the figures it misses are seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from greatterror import __version__
from greatterror.calibration.check import check_plans, run_warnings, split_validation
from greatterror.calibration.reference_choice import distances, within
from greatterror.calibration.reference_table import PAR, Reference
from greatterror.calibration.seeds import VALIDATION_SEEDS, check_validation_seeds
from greatterror.calibration.statistics import Archival
from greatterror.provenance import code_change


def accepted_rows(ref: Reference, fraction: float, bands: Sequence[Archival]) -> Any:
    """Which rows are accepted: in each block, those whose distance is at most the block's
    ``fraction``-quantile of distances, read as ``reference_choice.within`` reads it (a
    boolean array in the rows' order). ``bands``: ``reference_summary.table_bands``."""
    if not 0 < fraction <= 1:
        raise ValueError(f"--fraction: {fraction:g} is out of range; allowed: above 0, at most 1")
    distance = distances(ref.rows, bands)
    blocks = ref.rows["block"].to_numpy()
    keep = np.zeros(len(distance), dtype=bool)
    for b in np.unique(blocks):
        mine = blocks == b
        keep[mine] = within(distance[mine], fraction)[1]
    return keep


def accepted_counts(ref: Reference, keep: Any) -> dict[str, int]:
    """Each hypothesis's accepted rows (``keep``: ``accepted_rows``), known before any run, so
    that a check from too few of them is said before its reruns (review25 F12)."""
    hypothesis = ref.rows["hypothesis"].astype(str).to_numpy()
    return {m: int((keep & (hypothesis == m)).sum()) for m in ref.manifest["hypotheses"]}


def _values(row: Any) -> dict[str, float]:
    return {k[len(PAR) :]: float(v) for k, v in row.items() if k.startswith(PAR) and v == v}


def reference_check(
    ref: Reference,
    bands: Sequence[Archival],
    fraction: float = 0.05,
    draws: int = 10,
    scale: float | None = None,
    workers: int = 1,
    draw_seed: int = 0,
    keep: Any = None,
) -> dict[str, Any]:
    """Run each hypothesis's accepted draws again on validation seeds and compare them with the
    in-sample targets and the validation figures. ``ref`` and ``bands`` as ``choose`` checks
    them (``reference_summary.table_bands`` and ``table_hypotheses``), before any run;
    ``keep``, the accepted rows if the caller has them (``accepted_rows``)."""
    seeds = check_validation_seeds(VALIDATION_SEEDS)
    keep = accepted_rows(ref, fraction, bands) if keep is None else keep
    scale = float(ref.manifest["scale"]) if scale is None else scale
    rng = np.random.default_rng(draw_seed)
    plans: dict[str, list[tuple[str, float, int, dict[str, float]]]] = {}
    source: dict[str, dict[str, Any]] = {}
    hypotheses = ref.manifest["hypotheses"]
    for label, scenario in hypotheses.items():
        mine = (ref.rows["hypothesis"] == label).to_numpy()
        if not mine.any():
            continue
        pool = np.flatnonzero(mine & keep)
        kind = "accepted"
        if len(pool) == 0:
            pool, kind = np.flatnonzero(mine), "prior"
        picks = rng.choice(pool, size=draws, replace=True)
        values = [_values(ref.rows.iloc[int(i)]) for i in picks]
        plans[label] = [(scenario, scale, seeds[i % len(seeds)], v) for i, v in enumerate(values)]
        n = len(pool) if kind == "accepted" else 0
        source[label] = {
            "source": kind,
            "particles": n,
            "effective_particles": float(n),
            "rows": int(mine.sum()),
        }
    out, results = check_plans(plans, source, ref.statistics, workers)
    return {
        "table": str(ref.path),
        "version": __version__,
        "code_change": code_change(ref.manifest.get("code")),
        "fraction": fraction,
        "rows": len(ref.rows),
        "blocks": sorted(int(b) for b in ref.rows["block"].unique()),
        "scale": scale,
        "draws": draws,
        "seeds": sorted({j[2] for plan in plans.values() for j in plan}),
        "no_posterior": [h["hypothesis"] for h in out if h["source"] == "prior"],
        "in_sample_targets": len(out[0]["in_sample"]) if out else 0,
        "validation_figures": len(split_validation(out[0]["validation"])[0]) if out else 0,
        "hypotheses": out,
        **run_warnings(results),
    }
