"""The NumPy code of the engine's arrest transition, kept as the reference of its compiled rule.

``Engine.arrest`` (model/engine.py) is one compiled call, ``arrest_kernel.arrest_core``;
``arrest_reference`` is the NumPy code it replaced (branch transk), which tests/test_core_arrest.py
runs beside it over a whole run and requires equal bit for bit. It is not used by a run.
One change from that code: the ``arrested`` event is added to the ledger with an array of
operation codes rather than one code (the same cells, in the same order), as the compiled
rule adds it, so that the test can compare the ledger's rows of every day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from greatterror.model.case_flags import HOLDING
from greatterror.model.flatcalls import open_cases_flat
from greatterror.model.gulag import GF
from greatterror.vocabulary import EV, OP

if TYPE_CHECKING:
    from greatterror.model.engine import Engine

KULAK = OP["kulak_00447"]


def investigation_reference(e: Engine, code: int, n: int) -> NDArray[np.int64]:
    """Days from arrest to the end of investigation of ``n`` cases of operation ``code``
    opened today, drawn by NumPy (``Engine.investigation_p``'s rule)."""
    p = e.investigation_p(code)
    if code == KULAK:
        return e.rng.duration.negative_binomial(3, p, size=n) + 3
    return e.rng.duration.geometric(p, size=n)


def arrest_reference(
    e: Engine,
    day: int,
    idx: np.ndarray,
    op: str,
    allow_in_camp: bool = False,
    investigate: bool = True,
    camps_region: int | None = None,
) -> np.ndarray:
    """``Engine.arrest(day, idx, op, allow_in_camp, investigate, camps_region)`` in NumPy."""
    if len(idx) == 0:
        return np.empty(0, dtype=np.int64)
    assert e.world is not None
    world = e.world
    code, inst = OP[op], world.institutions
    idx = np.asarray(idx, dtype=np.int64)
    barred = e._unarrestable_sorted[0]  # (ascending: its first and last the least and most)
    if len(barred) and idx.min() <= barred[-1] and idx.max() >= barred[0]:
        idx = idx[e.arrestable(day, idx)]
        if len(idx) == 0:
            return idx
    idx, region, weight, left, left_w, total = open_cases_flat(
        idx,
        *e.case_arrays,
        *e.layers,
        code,
        day,
        allow_in_camp,
        inst.camps_region if camps_region is None else camps_region,
        world.cases.line,
    )
    if len(idx) == 0:
        return idx
    e.arrests += len(idx)
    if e._changed is not None:
        e._changed.append(idx)
    if left:
        world.camps.n -= left
        world.camps.w -= left_w
    world.camps.pretrial_w += total
    held = idx[world.cases.has(HOLDING, idx)] if allow_in_camp else idx[:0]
    if len(held):
        held_w = float(e.weights(held).sum())
        e._leave_holding(day, held, "left_holding")
        world.camps.n, world.camps.w = world.camps.n + len(held), world.camps.w + held_w
        left_w -= held_w
    if left_w:
        e.ledger.gulag[day, GF["taken_for_case"]] += left_w
    ops = np.full(len(idx), code, dtype=np.uint8)
    e.ledger.add(day, region, ops, EV["arrested"], weight)
    if investigate:
        e.schedule_after(day, "investigation_end", idx, investigation_reference(e, code, len(idx)))
    if op == "kulak_00447":
        inst.arrested_00447 += np.bincount(region, weight, minlength=len(inst.arrested_00447))
    return idx
