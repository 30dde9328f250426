"""A reference table's model choice as plain data: both readings, per block and pooled.

``read_choice`` reads a table (``reference_table.read_reference``), checks it
against today's evidence base, and returns what the command prints, the files
hold (``reference_files.py``) and ``--json`` gives: the rejection ABC
probabilities at each acceptance fraction (``reference_choice.py``) and each
forest's reading (``reference_rf.py``). Every check is made before the first
forest is grown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from greatterror.calibration.reference_choice import (
    FRACTIONS,
    MIN_ACCEPTED,
    ReferenceChoiceError,
    check_rows,
    distances,
    rejection,
    scopes,
)
from greatterror.calibration.reference_rf import TREES, forest_choices, forest_problem
from greatterror.calibration.statistics import Archival


def table_bands(manifest: dict[str, Any], evidence: Any) -> tuple[Archival, ...]:
    """The archival bands of the table's statistics, from the evidence base; refused when a
    statistic is no longer a calibration target or its archival value has changed since the
    table was made (its log ratios would then measure against another record)."""
    from greatterror.calibration.statistics import archival_targets

    ids = list(manifest["statistics"])
    try:
        bands = archival_targets(evidence, ids)
    except (ValueError, KeyError) as exc:
        raise ReferenceChoiceError(f"PATH: the table's statistics: {exc}") from None
    stored = manifest.get("archival", {})
    changed = [
        b.fact_id
        for b in bands
        if b.fact_id not in stored
        or not math.isclose(float(stored[b.fact_id]), b.value, rel_tol=1e-9)
    ]
    if changed:
        raise ReferenceChoiceError(
            f"PATH: the table was made against other archival values of {', '.join(changed)} "
            "than the evidence base holds today; build a new table"
        )
    return bands


def table_hypotheses(rows: Any, labels: Sequence[str], ids: Sequence[str]) -> np.ndarray:
    """The rows' hypotheses, after refusing rows no reading can use (``check_rows``, or a
    hypothesis the manifest does not name): ``choose`` and ``check`` refuse the same tables."""
    check_rows(rows, ids)
    hypothesis = rows["hypothesis"].astype(str).to_numpy()
    unknown = sorted(set(hypothesis.tolist()) - set(labels))
    if unknown:
        raise ReferenceChoiceError(
            f"PATH: the rows hold hypotheses the manifest does not name: {', '.join(unknown)}"
        )
    return hypothesis


def check_composition(rows: Any) -> None:
    """Refuse a block in which the hypotheses hold different numbers of rows.

    Every pooled reading (the pooled quantile of ``rejection``, the forest's ``balanced``
    rows, ``check``'s resampling) treats the blocks' populations as a nuisance drawn
    alike for every hypothesis: rejection over the joint prior of (population, values).
    That holds only if each hypothesis has the same share of rows in each block; if not,
    a_m / n_m mixes which populations a hypothesis ran on with the hypothesis itself. The
    build's pieces guarantee it (every hypothesis, the same draws, one block, written
    whole), so a table that breaks it was changed by hand or by other code: it is refused
    rather than read with rates averaged over blocks, which would hide the change."""
    counts = rows.groupby(["block", "hypothesis"]).size().unstack(fill_value=0)
    for block, n in counts.iterrows():
        if n.nunique() > 1:
            held = ", ".join(f"{m} {int(k)}" for m, k in n.items())
            raise ReferenceChoiceError(
                f"PATH: block {block} holds different numbers of draws of the hypotheses "
                f"({held}); a build gives each the same (a part added or removed by hand?)"
            )


def readable_table(reference: Any, evidence: Any) -> tuple[tuple[Archival, ...], np.ndarray]:
    """The bands of a table's statistics and its rows' hypotheses, after refusing what no
    reading can use (``table_bands``, ``table_hypotheses``, ``check_composition``):
    ``choose`` and ``check`` refuse the same tables, before any forest or run."""
    manifest, rows = reference.manifest, reference.rows
    bands = table_bands(manifest, evidence)
    hypothesis = table_hypotheses(rows, list(manifest["hypotheses"]), list(manifest["statistics"]))
    check_composition(rows)
    return bands, hypothesis


def read_choice(
    reference: Any,
    trees: int = TREES,
    seed: int = 0,
    fractions: Sequence[float] = FRACTIONS,
    evidence: Any = None,
    prior_scales: Sequence[float] = (),
) -> dict[str, Any]:
    """Both readings of ``reference`` (a ``reference_table.Reference``), and with
    ``prior_scales`` (each below 1) the rejection reading under priors narrowed by each
    (``reference_prior.prior_sensitivity``), made before the first forest is grown."""
    from greatterror.calibration.reference_table import log_ratio_features, table_prior_scale

    if evidence is None:
        from greatterror.evidence.loader import load_evidence

        evidence = load_evidence()
    manifest, rows = reference.manifest, reference.rows
    labels, ids = list(manifest["hypotheses"]), list(manifest["statistics"])
    bands, hypothesis = readable_table(reference, evidence)
    problem = forest_problem(hypothesis, labels)
    if problem:
        raise ReferenceChoiceError(f"PATH: the table {problem}")
    # once (the rows were checked by readable_table): the declared reading and the narrowed
    # ones use it
    d = distances(rows, bands)
    sensitivity = {}
    if prior_scales:
        from greatterror.calibration.reference_prior import prior_sensitivity

        sensitivity = prior_sensitivity(reference, hypothesis, d, prior_scales, fractions)
    features = log_ratio_features(reference)[ids].to_numpy(dtype=np.float64)
    parts = scopes(rows)
    runaway = rows["runaway"].to_numpy(dtype=bool)
    draws = {
        scope: {
            m: int((hypothesis[mask] == m).sum()) for m in labels if (hypothesis[mask] == m).any()
        }
        for scope, mask in parts
    }
    out = {
        "table": str(reference.path),
        "scale": manifest.get("scale"),
        "prior_scale": table_prior_scale(manifest),
        "code": manifest.get("code"),
        "created": manifest.get("created"),
        "hypotheses": [m for m in labels if m in draws["pooled"]],
        "statistics": ids,
        "draws": draws,
        "runaways": {m: int((runaway & (hypothesis == m)).sum()) for m in draws["pooled"]},
        "fractions": list(fractions),
        "min_accepted": MIN_ACCEPTED,
        "trees": trees,
        "seed": seed,
        "rejection": [a.as_dict() for a in rejection(rows, bands, labels, fractions, d)],
        "forest": [
            f.as_dict()
            for f in forest_choices(parts, features, hypothesis, ids, labels, trees, seed)
        ],
    }
    if sensitivity:
        out["prior_sensitivity"] = sensitivity
    return out
