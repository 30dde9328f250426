"""Each calibration target judged against the record: ratio, archival range, miss.

The report and the dashboard open with these judgements, so they are made in
one place. Two questions are asked of every target, because they answer
different things:

- *inside the archival range*: does the simulated figure lie between the
  lowest and the highest value the sources give (``value_low`` and
  ``value_high`` of the fact)? Asked only of facts whose sources differ; a
  fact with one value has no range (``inside`` is None).
- *miss*: is the simulated figure more than ``TOLERANCE`` (20%) away from the
  archival value? This is the aim stated in docs/validation.md; a target
  inside the archival range is never a miss, even if the range is wide.

When a run is one member of an ensemble, the band of the ensemble is given
too (10th to 90th percentile of the members), so that a reader can see how
much of a difference is noise of the draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: the aim of the calibration (docs/validation.md): within 20% of the archival value
TOLERANCE = 0.2
#: the figures a reader asks about first: totals of the mass operations and the elite purge
HEADLINE = (
    "G2-detained",
    "G2-shot",
    "G3-final-conv",
    "G3-final-exec",
    "G4-all-conv",
    "G4-all-death",
    "G7-cc-shot",
    "G7-17cong-arr",
)
BAND_QUANTILES = (0.1, 0.9)


@dataclass(frozen=True)
class Judged:
    """One target with its verdict; ``band`` is set only for an ensemble."""

    id: str
    label: str
    archival: float | None
    low: float | None
    high: float | None
    simulated: float | None
    ratio: float | None
    inside: bool | None
    miss: bool | None
    band: tuple[float, float] | None = None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def archival_ranges(ids: Sequence[str]) -> dict[str, tuple[float | None, float | None]]:
    """(low, high) of each fact in the shipped evidence base; absent facts are left out.

    Used when a summary does not carry the range itself (summaries written
    before targets held ``low`` and ``high``).
    """
    from greatterror.evidence.errors import DataFileError
    from greatterror.evidence.loader import load_evidence

    try:
        facts = load_evidence().facts
    except (DataFileError, OSError):
        return {}
    return {i: (facts[i].value_low, facts[i].value_high) for i in ids if i in facts}


def judge(
    target: Mapping[str, Any],
    low: float | None = None,
    high: float | None = None,
    band: tuple[float, float] | None = None,
) -> Judged:
    archival = _number(target.get("archival"))
    simulated = _number(target.get("simulated"))
    low = _number(target.get("low", low))
    high = _number(target.get("high", high))
    if archival is not None:
        low = archival if low is None else min(low, archival)
        high = archival if high is None else max(high, archival)
    ratio = simulated / archival if simulated is not None and archival else None
    inside: bool | None = None
    if simulated is not None and low is not None and high is not None and low < high:
        inside = low <= simulated <= high
    miss = None if ratio is None else (not inside and abs(ratio - 1.0) > TOLERANCE)
    return Judged(
        id=str(target.get("id")),
        label=str(target.get("label", "")),
        archival=archival,
        low=low,
        high=high,
        simulated=simulated,
        ratio=ratio,
        inside=inside,
        miss=miss,
        band=band,
    )


def target_bands(members: Sequence[Mapping[str, Any]]) -> dict[str, tuple[float, float]]:
    """The 10-90% band of each target's simulated value over an ensemble's summaries."""
    values: dict[str, list[float]] = {}
    for summary in members:
        for target in summary.get("targets") or []:
            value = _number(target.get("simulated"))
            if value is not None:
                values.setdefault(str(target.get("id")), []).append(value)
    return {
        key: (
            float(np.quantile(v, BAND_QUANTILES[0])),
            float(np.quantile(v, BAND_QUANTILES[1])),
        )
        for key, v in values.items()
    }


def judge_all(
    summary: Mapping[str, Any], members: Sequence[Mapping[str, Any]] | None = None
) -> list[Judged]:
    """Every target of the summary, judged; ``members`` are the summaries of an ensemble."""
    targets = list(summary.get("targets") or [])
    lacking = [str(t.get("id")) for t in targets if "low" not in t or "high" not in t]
    ranges = archival_ranges(lacking) if lacking else {}
    bands = target_bands(members) if members else {}
    return [
        judge(t, *ranges.get(str(t.get("id")), (None, None)), band=bands.get(str(t.get("id"))))
        for t in targets
    ]


def headline(judged: Sequence[Judged]) -> list[Judged]:
    """The headline targets, in the order of HEADLINE, that the run has."""
    by_id = {j.id: j for j in judged}
    return [by_id[i] for i in HEADLINE if i in by_id]


def verdict_text(j: Judged) -> str:
    if j.miss is None:
        return "no archival value"
    if j.inside:
        return "inside the archival range"
    if j.miss:
        return "miss"
    return f"within {TOLERANCE:.0%}" + (", outside the range" if j.inside is False else "")
