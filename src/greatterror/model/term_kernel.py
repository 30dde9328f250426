"""The arithmetic of a camp sentence's term, in one compiled call (model/prison_terms.py).

At every camp sentence (about 3,400 batches in a 1:1,000 run, most of one to a few
people) the term rules turn the drawn terms into release days: the split between colony
and camp (model/gulag.py), the work-day credits of the non-political convicts
(model/credits.py), the release day and its stored form. As NumPy expressions
(``term_ends_reference``) that is about fifteen calls on arrays of a few entries, about
25 microseconds a batch; ``term_ends`` does it in one pass, with the same floating-point
operations in the same order, so its results are bit for bit those of the reference
(tests/test_fast_paths.py). The random draws (the terms) stay in model/prison_terms.py.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from greatterror.model.case_flags import COLONY, SOCIAL_ORDER
from greatterror.model.credits import served_years
from greatterror.model.gulag import (
    COLONY_BELOW_YEARS,
    YEAR,
    as_day,
    release_days,
    served_in_colony,
)
from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.state import Cases

_INT16_MAX = int(np.iinfo(np.int16).max)


def term_ends_reference(
    cases: Cases, day: int, idx: NDArray[np.int64], years: NDArray[np.float64], credit: float,
    abolished_day: int, *, judicial: bool,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # fmt: skip
    """The rule, readably: who serves in a colony (a court's terms under three years, never an
    extrajudicial body's: ``gulag.served_in_colony``), the days from the sentence to the release
    less the non-political convicts' credits, the release day (at least the next day) stored in
    ``cases.release_day`` (-1 past the int16 range) and the place in ``cases.flags``
    (``COLONY``). Returns the release days and those of ``idx`` who go to a colony."""
    colony = served_in_colony(years, judicial)
    served = served_years(day, years, credit, cases.ordinary_offence(idx), colony, abolished_day)
    ends = release_days(day, served)
    cases.release_day[idx] = as_day(ends)
    cases.put(COLONY, idx, colony)
    return ends, idx[cases.has(COLONY, idx)]


def term_ends(
    cases: Cases, day: int, idx: NDArray[np.int64], years: NDArray[np.float64], credit: float,
    abolished_day: int, non_political: int, *, judicial: bool,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:  # fmt: skip
    """``term_ends_reference`` in one compiled call (``non_political``: the operation code of
    the courts' non-political convicts, ``vocabulary.NON_POLITICAL``; ``judicial``: passed by a
    court, whose short terms go to a colony; a required keyword, so that no caller gets the
    court rule by omission)."""
    return _term_ends(
        idx, years, day, credit, abolished_day, non_political, bool(judicial),
        cases.op, cases.flags, cases.release_day,
    )  # fmt: skip


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _term_ends(
    idx, years, day, credit, abolished_day, non_political, judicial, op, flags, release_day,
):  # fmt: skip  # pragma: no cover - compiled
    """``_term_ends_body`` for Python (``term_ends``); the compiled sentence calls the body (a
    kernel that cached kernels call is not called from Python too: docs/design/
    compiled-core.md, "Known problem")."""
    return _term_ends_body(
        idx, years, day, credit, abolished_day, non_political, judicial, op, flags, release_day,
    )  # fmt: skip


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def _term_ends_body(
    idx, years, day, credit, abolished_day, non_political, judicial, op, flags, release_day,
):  # fmt: skip  # pragma: no cover - compiled; tested against term_ends_reference
    n = idx.shape[0]
    ends = np.empty(n, dtype=np.int64)
    rate = 1.0 + credit
    before = float(max(abolished_day - day, 0))
    for i in range(n):
        person = idx[i]
        y = years[i]
        in_colony = judicial and y < COLONY_BELOW_YEARS
        served = y
        if credit > 0.0:  # credits.served_years, term by term
            full = y * YEAR
            if op[person] == non_political or flags[person] & SOCIAL_ORDER:
                fast = full / rate
                late = before + (full - before * rate)  # camps: in full after the decree
                days = fast if in_colony or fast <= before else late
            else:
                days = full
            served = days / YEAR
        end = day + max(np.int64(np.rint(served * YEAR)), 1)
        ends[i] = end
        release_day[person] = -1 if end > _INT16_MAX else end
        flags[person] = flags[person] | COLONY if in_colony else flags[person] & ~COLONY
    k = 0
    for i in range(n):
        if flags[idx[i]] & COLONY:
            k += 1
    moved = np.empty(k, dtype=np.int64)
    k = 0
    for i in range(n):
        if flags[idx[i]] & COLONY:
            moved[k] = idx[i]
            k += 1
    return ends, moved
