"""Step 9: the Gulag's own events: terms that end today, and the stock on 1 January."""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.gulag import GF
from greatterror.model.kernels import distinct_sorted
from greatterror.model.loop import Component
from greatterror.model.world import World
from greatterror.vocabulary import Status


class TermEnd(Component):
    """Prisoners whose term ends today are released (the calendar's ``term_end``).

    A prisoner is released only if still held on the term he was given: one
    who died, was released by review, or was taken out for a new case (Order
    00447 reached camp prisoners) keeps a stale entry, which is skipped. On
    1 January the stock in camps and in colonies is counted from the camp
    roll (once a year, not a daily pass).
    """

    name = "term_end"
    reads = ("cases", "camps")
    writes = ("cases", "camps")

    def step(self, w: World, e: Engine, day: int) -> None:
        due = e.due(day, "term_end")
        if len(due):
            c = w.cases
            due = due[(c.status[due] == Status.CAMP) & (c.release_day[due] == day)]
            e.release(day, due)
            e.ledger.gulag[day, GF["released_term"]] += float(e.weights(due).sum())
        date = e.date(day)
        if date.month == 1 and date.day == 1:
            e.ledger.stock[day] = camp_stock(w, e)


def camp_stock(w: World, e: Engine) -> tuple[float, float]:
    """Camp (ITL) and colony (ITK) prisoners held now, in full-population equivalents."""
    held = distinct_sorted(w.camps.roll.peek().astype(np.int64))
    held = held[w.cases.status[held] == Status.CAMP]
    weight = e.weights(held)
    colony = w.cases.colony[held]
    return float(weight[~colony].sum()), float(weight[colony].sum())
