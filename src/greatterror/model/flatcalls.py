"""Flat-argument entry points to the two kernels the engine calls most.

``open_cases`` and ``close_cases`` (model/kernels.py) take their arrays as
named tuples, so that arrays cannot be given in each other's place. Numba
unboxes a named tuple argument slowly: a call with the seven case arrays as
one named tuple costs about 6 microseconds before any work, against about 1
for the same arrays one by one, and the engine makes about 12,000 such calls
in a 1:1,000 run. These wrappers take the arrays one by one and build the
named tuples inside compiled code, where that costs nothing; the engine
passes them by unpacking its own named tuples (``*cases``), so their order
is still the one the named tuples define.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from greatterror.model.arrays import ArrestOrder, CaseArrays, Closing, Layers
from greatterror.model.kernels import close_cases, open_cases


@njit(cache=True)
def open_cases_flat(
    idx, status, op, arrest_day, sentence_day, confessed, linked, arrests,
    region, is_elite, weight_of_layer, op_code, day, allow_in_camp, camps_region,
    line, named, social_order,
):  # pragma: no cover - compiled  # fmt: skip
    """``kernels.open_cases`` with its named tuples' fields as arguments; then, for each case
    opened, ``line[i] = 0``, ``named[i] = False`` and ``social_order[i] = False`` (the engine's
    writes after the opening, ``Engine.arrest``, in the same call)."""
    cases = CaseArrays(status, op, arrest_day, sentence_day, confessed, linked, arrests)
    people = Layers(region, is_elite, weight_of_layer)
    order = ArrestOrder(op_code, day, allow_in_camp, camps_region)
    opened, out_region, weight, left, left_w = open_cases(idx, cases, people, order)
    for i in range(opened.shape[0]):
        p = opened[i]
        line[p] = 0
        named[p] = False
        social_order[p] = False
    return opened, out_region, weight, left, left_w


@njit(cache=True)
def close_cases_flat(
    idx, new_status, sentence_day_of_closing,
    status, op, arrest_day, sentence_day, confessed, linked, arrests,
    region, is_elite, weight_of_layer, pretrial_a, pretrial_b,
):  # pragma: no cover - compiled  # fmt: skip
    """``kernels.close_cases`` with its named tuples' fields as arguments; also returns who
    of ``idx`` had status ``pretrial_a`` or ``pretrial_b`` before (under investigation or
    awaiting sentence: ``Engine._close``), read before any is closed."""
    pretrial = np.empty(idx.shape[0], dtype=np.bool_)
    for i in range(idx.shape[0]):
        before = status[idx[i]]
        pretrial[i] = (before == pretrial_a) | (before == pretrial_b)
    cases = CaseArrays(status, op, arrest_day, sentence_day, confessed, linked, arrests)
    people = Layers(region, is_elite, weight_of_layer)
    closing = Closing(new_status, sentence_day_of_closing)
    out_op, out_region, weight, was_camp = close_cases(idx, closing, cases, people)
    return out_op, out_region, weight, was_camp, pretrial
