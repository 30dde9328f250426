"""A region's request for a higher Order 00447 limit, from the asking to the answer.

The request's state is kept on the institutions (``Institutions.pending_*``); this module
changes it: a dated decision answers it (``answer_with_dated_increase``), the operation's end
lets it lapse (``close_requests``), and every increase applied is logged
(``log_increase``, reported in summary.json's ``limit_requests``). Apart from
model/steps_quota.py (the quota rule: when a region asks and how the centre answers) because
three steps change a request: the quota step, the policy step (dated decisions, the
operation's end) and the regions' own start of the operation (model/regional_start.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from greatterror.model.state import Institutions

#: ``pending_day`` of a request answered by the region's next dated increase
AWAITS_DATED = -2


def log_increase(
    inst: Institutions,
    date: dt.date,
    region: str,
    cat1: float,
    cat2: float,
    kind: str,
    after_fact: bool,
) -> None:
    """One row of the log of limit increases."""
    inst.increases.append(
        {
            "date": date.isoformat(),
            "region": region,
            "cat1": round(float(cat1), 3),
            "cat2": round(float(cat2), 3),
            "kind": kind,
            "after_fact": bool(after_fact),
        }
    )


def answer_with_dated_increase(inst: Institutions, region: int) -> bool:
    """A dated decision answers the region's pending request; True if the region's troika
    had acted on it ahead of the sanction (its provisional increase gives way to the
    dated one)."""
    if inst.pending_day[region] == -1:
        return False
    ahead = bool(inst.pending_ahead[region])
    if ahead:
        inst.limit_cat1[region] -= inst.pending_cat1[region]
        inst.limit_cat2[region] -= inst.pending_cat2[region]
    clear_requests(inst, np.array([region]))
    return ahead


def close_requests(inst: Institutions, regions: np.ndarray) -> None:
    """The operation has ended in these regions: their pending requests lapse unanswered.

    A troika that had sentenced on a request ahead of the sanction keeps its sentences,
    and the part of the provisional increase it had not used is withdrawn with the
    operation's end, as on a refusal."""
    ahead = regions[inst.pending_ahead[regions] & (inst.pending_day[regions] != -1)]
    inst.limit_cat1[ahead] -= inst.pending_cat1[ahead]
    inst.limit_cat2[ahead] -= inst.pending_cat2[ahead]
    clear_requests(inst, regions)


def clear_requests(inst: Institutions, regions: np.ndarray) -> None:
    inst.pending_day[regions] = -1
    inst.pending_cat1[regions] = 0.0
    inst.pending_cat2[regions] = 0.0
    inst.pending_ahead[regions] = False
