"""Flat-argument entry points to the two kernels the engine calls most.

``open_cases`` and ``close_cases`` (model/kernels.py) take their arrays as
named tuples, so that arrays cannot be given in each other's place. Numba
unboxes a named tuple argument slowly: a call with the seven case arrays as
one named tuple costs about 6 microseconds before any work, against about 1
for the same arrays one by one, and the engine makes about 12,000 such calls
in a 1:1,000 run. These wrappers take the arrays one by one and build the
named tuples inside compiled code, where that costs nothing; the engine
passes them by unpacking its own named tuples (``*cases``), so their order
is still the one the named tuples define. Two arrays of one dtype given in each
other's place would still compile, so tests/test_flatcalls.py checks that the
parameter names are the named tuples' ``_fields`` in order, and that in a run every
call binds each array to its own name. The calls stay positional: Numba folds keyword
arguments in Python at each call (a call of a 3-argument kernel by keyword took about
1.4 times as long as by position, measured in turn on a loaded machine, 5 Dec 2026).

Both also return what the engine computed from their results with NumPy calls of its
own (branch speed7): the weight sums, bit for bit NumPy's (model/pairwise.py), the count
of elite cases closed and the holding flags of a camp sentence; a call returns fewer
arrays to box, and the engine makes none of those calls.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.arrays import ArrestOrder, CaseArrays, Closing, Layers
from greatterror.model.case_flags import HOLDING, NAMED, SOCIAL_ORDER
from greatterror.model.kernels import close_cases, open_cases
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.pairwise import pairwise_sum
from greatterror.vocabulary import OP, Status

#: the statuses of a case before its sentence (``close_cases_flat``'s ``pretrial``)
_INVESTIGATION, _AWAITING = int(Status.INVESTIGATION), int(Status.AWAITING_SENTENCE)
#: the elite operation (its death and camp sentences are a signal: ``Engine.sentence``)
_ELITE = OP["elite"]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def open_cases_flat(
    idx, status, op, arrest_day, sentence_day, flags, arrests,
    region, is_elite, weight_of_layer, op_code, day, allow_in_camp, camps_region,
    line,
):  # pragma: no cover - compiled  # fmt: skip
    """``open_cases_flat_body`` for Python callers (the engine's reference); the compiled
    arrest calls the body (a kernel that cached kernels call is not called from Python too:
    docs/design/compiled-core.md, "Known problem")."""
    return open_cases_flat_body(
        idx, status, op, arrest_day, sentence_day, flags, arrests,
        region, is_elite, weight_of_layer, op_code, day, allow_in_camp, camps_region,
        line,
    )  # fmt: skip


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def open_cases_flat_body(
    idx, status, op, arrest_day, sentence_day, flags, arrests,
    region, is_elite, weight_of_layer, op_code, day, allow_in_camp, camps_region,
    line,
):  # pragma: no cover - compiled  # fmt: skip
    """``kernels.open_cases`` with its named tuples' fields as arguments; then, for each case
    opened, ``line[i] = 0`` and the flags ``NAMED`` and ``SOCIAL_ORDER`` cleared (the engine's
    writes after the opening, ``Engine.arrest``, in the same call). Also returns the sum of
    the weights opened, ``np.sum(weight)`` bit for bit (model/pairwise.py)."""
    cases = CaseArrays(status, op, arrest_day, sentence_day, flags, arrests)
    people = Layers(region, is_elite, weight_of_layer)
    order = ArrestOrder(op_code, day, allow_in_camp, camps_region)
    opened, out_region, weight, left, left_w = open_cases(idx, cases, people, order)
    for i in range(opened.shape[0]):
        p = opened[i]
        line[p] = 0
        flags[p] = flags[p] & ~(NAMED | SOCIAL_ORDER)
    total = pairwise_sum(weight, np.int64(0), weight.shape[0])  # no literal 0: model/pairwise.py
    return opened, out_region, weight, left, left_w, total


@njit(cache=True, **NO_CFUNC_WRAPPER)
def close_cases_flat(
    idx, new_status, sentence_day_of_closing,
    status, op, arrest_day, sentence_day, flags, arrests,
    region, is_elite, weight_of_layer, hold,
):  # pragma: no cover - compiled  # fmt: skip
    """``close_cases_flat_body`` for Python callers (``Transitions``); the compiled closings
    call the body (as ``open_cases_flat``)."""
    return close_cases_flat_body(
        idx, new_status, sentence_day_of_closing,
        status, op, arrest_day, sentence_day, flags, arrests,
        region, is_elite, weight_of_layer, hold,
    )  # fmt: skip


@njit(cache=True, **NO_CFUNC_WRAPPER)
def close_cases_flat_body(
    idx, new_status, sentence_day_of_closing,
    status, op, arrest_day, sentence_day, flags, arrests,
    region, is_elite, weight_of_layer, hold,
):  # pragma: no cover - compiled  # fmt: skip
    """``kernels.close_cases`` with its named tuples' fields as arguments, and what
    ``Engine._close`` and ``Engine.sentence`` derive from its results, in the same call:

    - the sum of the weights of those of ``idx`` who were under investigation or awaiting
      sentence before (read before any is closed; ``np.sum(weight[pretrial])``),
    - the sum of all their weights (``np.sum(weight)``), both bit for bit NumPy's sums
      (model/pairwise.py),
    - how many are cases of the elite operation (``np.count_nonzero(op == OP["elite"])``),
    - with ``hold`` (a camp sentence: to a prison until the etap) the flag ``HOLDING`` of ``idx``.

    ``close_cases_flat_reference`` is the same rule in NumPy.
    """
    n = idx.shape[0]
    pretrial = np.empty(n, dtype=np.bool_)
    k = 0
    for i in range(n):
        before = status[idx[i]]
        pretrial[i] = (before == _INVESTIGATION) | (before == _AWAITING)
        k += pretrial[i]
    cases = CaseArrays(status, op, arrest_day, sentence_day, flags, arrests)
    people = Layers(region, is_elite, weight_of_layer)
    closing = Closing(new_status, sentence_day_of_closing)
    out_op, out_region, weight, was_camp = close_cases(idx, closing, cases, people)
    pre = np.empty(k, dtype=np.float64)
    k = 0
    elite = 0
    for i in range(n):
        if pretrial[i]:
            pre[k] = weight[i]
            k += 1
        elite += out_op[i] == _ELITE
        if hold:
            flags[idx[i]] = flags[idx[i]] | HOLDING
    pre_w = pairwise_sum(pre, np.int64(0), pre.shape[0])  # ``k`` values; no literals: pairwise.py
    total = pairwise_sum(weight, np.int64(0), n)
    return out_op, out_region, weight, was_camp, pre_w, total, elite


def close_cases_flat_reference(
    idx: np.ndarray, new_status: int, day: int, cases: CaseArrays, people: Layers, hold: bool,
) -> tuple:  # fmt: skip
    """``close_cases_flat``'s rule in NumPy (the engine's code before branch speed7)."""
    before = cases.status[idx]
    pretrial = (before == _INVESTIGATION) | (before == _AWAITING)
    was_camp = before == int(Status.CAMP)
    cases.status[idx] = new_status
    if day >= 0:
        cases.sentence_day[idx] = day
    ops, region = cases.op[idx], people.region[idx]
    weight = people.weight_of_layer[people.is_elite[idx].view(np.uint8)]
    if hold:
        cases.flags[idx] |= HOLDING
    pre_w = float(weight[pretrial].sum())
    elite = int(np.count_nonzero(ops == _ELITE))
    return ops, region, weight, was_camp, pre_w, float(weight.sum()), elite
