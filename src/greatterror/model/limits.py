"""Initial Order 00447 limits per region, from the evidence and the region table.

Regions with a limit in the data keep it. A region without one (or without
one category) gets its republic's unallocated limit in proportion to
population; the derivation is listed in docs/ODD.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.population.people import Population
from greatterror.vocabulary import LINES_OF


def initial_limits(
    pop: Population, evidence: Any
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    regions = pop.regions
    cat1 = np.array([r.limit_cat1 for r in regions])
    cat2 = np.array([r.limit_cat2 for r in regions])
    republic_rows = {
        lim.region_code: lim for lim in evidence.limits if lim.level in ("republic", "camps")
    }
    for republic, row in republic_rows.items():
        members = [r.index for r in regions if r.republic == republic]
        if not members:
            continue
        pops = np.array([regions[i].population for i in members])
        for arr, total in ((cat1, row.cat1), (cat2, row.cat2)):
            if total is None:
                continue
            missing = [k for k, i in enumerate(members) if arr[i] == 0]
            remainder = total - sum(arr[i] for i in members)
            if missing and remainder > 0:
                share = pops[missing] / pops[missing].sum()
                for k, s in zip(missing, share, strict=True):
                    arr[members[k]] = remainder * s
    return cat1, cat2


def regions_of(regions: list[Any], code: str | None) -> list[int]:
    """The indices of the regions a limit decision names: the region, or a republic's regions."""
    return [r.index for r in regions if code in (r.code, r.republic)]


def rows_of(event: Any, increases: list[Any]) -> list[Any]:
    """The ``limit_increases.csv`` rows a dated ``limit_increase`` event applies: those citing
    its fact, restricted to its region if it names one."""
    return [
        row
        for row in increases
        if row.fact_id == event.evidence and (not event.region or row.region_code == event.region)
    ]


def operation_ended(
    policy: Any, inst: Any, op: str, regions: NDArray[np.integer]
) -> NDArray[np.bool_]:
    """Whether a case in each of ``regions`` can no longer be opened under the mass operation
    ``op``: it is not running (ended by a dated decision, or the halt), or, for Order 00447,
    it has ended in that region (``Institutions.op_closed``)."""
    if op not in LINES_OF:
        return np.zeros(len(regions), dtype=bool)
    if op not in policy.operations:
        return np.ones(len(regions), dtype=bool)
    if op == "kulak_00447":
        return np.asarray(inst.op_closed[regions], dtype=bool)
    return np.zeros(len(regions), dtype=bool)


def increase_cat1_share(increases: list[Any]) -> float:
    """The share of category 1 in the limit increases whose split the evidence gives.

    Only rows that give both categories count (a 0 where the source names an increase of
    one category only, limit_increases.csv): 47,750 of 61,850 (77%) in the shipped file. The
    increases asked for mostly the first category (Werth 2010: category-1 limits rose about
    fivefold, category-2 about twofold, fact G3-inc-factor). Requested increases and dated
    increases given only as a total are split by this share (model/steps_quota.py,
    steps_policy.py). An error if no row gives both.
    """
    known = [r for r in increases if r.cat1 is not None and r.cat2 is not None]
    cat1 = sum(float(r.cat1) for r in known)
    total = cat1 + sum(float(r.cat2) for r in known)
    if total <= 0:
        raise ValueError(
            "limit_increases.csv: no row gives both cat1 and cat2, so the split of the "
            "requested increases cannot be taken from the evidence"
        )
    return cat1 / total
