"""The terms of the camp and colony prisoners: drawn, shortened by credits, put on the calendar.

A term is set in two places: for the prisoners already held on the first day (the evidence
base's stock of 1 January 1935) and at every camp sentence passed during the run. Both must
apply the same rules: the split between colonies and camps by the length of the term and,
for a sentence passed during the run, by the body that passed it (model/gulag.py,
``served_in_colony``), the work-day credits of the non-political convicts (model/credits.py),
the release put on the calendar as ``term_end``, and the local transfer of the colony
convicts from the prisons (model/holding.py). Keeping these rules here, apart from the
engine's transitions (model/engine.py), lets the engine keep only the changes of a case's
status and their counting; nothing here changes a status or adds to the ledger.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from greatterror.model.case_flags import COLONY
from greatterror.model.credits import CREDITS_ABOLISHED, served_years
from greatterror.model.gulag import (
    TermRange,
    as_day,
    draw_terms,
    initial_terms,
    release_days,
)
from greatterror.model.sentence_events import Scheduler, schedule_for_sentence
from greatterror.model.streams import Streams
from greatterror.model.term_kernel import term_ends
from greatterror.model.world import World
from greatterror.vocabulary import NON_POLITICAL


class TermKeeper(Scheduler, Protocol):
    """What the term rules need of the engine (model/engine.py): its first day, parameters,
    evidence base, random streams and calendar."""

    start: dt.date
    params: dict[str, Any]
    evidence: Any
    rng: Streams


def set_initial_terms(keeper: TermKeeper, world: World) -> None:
    """The remaining terms of the prisoners held on the first day (model/gulag.py).

    The stock is split between colonies and camps as the evidence base's counts of
    1 Jan 1935 (IN-gulag-itk-1935, IN-gulag-itl-1935; medium confidence); the remaining
    terms are those of prisoners of a steady inflow on each one's term range
    (``gulag.residual_terms``)."""
    held = world.camps.roll.peek().astype(np.int64)
    if len(held) == 0:
        return
    evidence, rng = keeper.evidence, keeper.rng
    itl, itk = (evidence.value(f"IN-gulag-{k}-1935") for k in ("itl", "itk"))
    years, colony = initial_terms(rng.term, len(held), itk / (itl + itk))
    # who of them was held for a non-political offence (model/steps_courts.py): all but
    # the counter-revolutionaries the GULAG counted in its camps on 1 January 1935
    # (IN-gulag-cr-1935); none is counted as political in the colonies (their split is
    # not found in the evidence base)
    political = evidence.value("IN-gulag-cr-1935") / (itl + itk)
    other = rng.courts.random(len(held)) >= political
    world.cases.op[held[other]] = NON_POLITICAL
    ends = release_days(0, _served(keeper, 0, years, other, colony))
    world.cases.release_day[held] = as_day(ends)
    world.cases.put(COLONY, held, colony)
    keeper.schedule_after(0, "term_end", held, ends)


def begin_terms(keeper: TermKeeper, day: int, idx: NDArray[np.int64], terms: TermRange) -> None:
    """Draw the terms of ``idx`` sentenced to camp today from ``terms``; note and schedule
    their release, and the transfer of those sentenced to a colony from the prisons."""
    world = keeper.world
    assert world is not None
    years = draw_terms(keeper.rng.term, len(idx), terms)
    # the rules of ``set_initial_terms`` (colony or camp, credits, release day) in one
    # compiled call, bit for bit ``term_kernel.term_ends_reference``
    abolished = (CREDITS_ABOLISHED - keeper.start).days
    credit = float(keeper.params["workday_credit"])
    ends, to_colony = term_ends(
        world.cases, day, idx, years, credit, abolished, NON_POLITICAL, judicial=terms.judicial
    )
    keeper.schedule_after(0, "term_end", idx, ends)
    _colony_transfer(keeper, day, to_colony)


def _colony_transfer(keeper: TermKeeper, day: int, idx: NDArray[np.int64]) -> None:
    """Schedule the local transfer of ``idx`` (sentenced to a colony) from the prisons
    (model/holding.py): a geometric delay of mean ``colony_transfer_days``."""
    if len(idx):
        mean = max(float(keeper.params["colony_transfer_days"]), 1.0)
        delays = keeper.rng.transfer.geometric(1.0 / mean, len(idx))
        schedule_for_sentence(keeper, day, "to_colony", idx, delays)


def _served(
    keeper: TermKeeper, day: int, years: np.ndarray, credited: np.ndarray, colony: np.ndarray
) -> NDArray[np.float64]:
    """Years from ``day`` to the release of terms of ``years``, less the work-day
    credits of the non-political convicts (``credited``; model/credits.py)."""
    abolished = (CREDITS_ABOLISHED - keeper.start).days
    credit = float(keeper.params["workday_credit"])
    return served_years(day, years, credit, credited, colony, abolished)
