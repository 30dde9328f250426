"""Step 13 (M19, Order 00486): household members of convicted 'traitors' are arrested.

The engine signals every death or camp sentence in the elite operation
(``convicted``); once the families order has been given, this step draws
their relatives and schedules their arrests over the following month
(carried out by the punishment step). Batches are taken in the order they
were sentenced, so the draws are those the sentencing itself once made.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.engine import Engine
from greatterror.model.kernels import run_relatives
from greatterror.model.loop import Component
from greatterror.model.world import World


class Families(Component):
    name = "families"
    mechanisms = ("M19",)
    params = ("family_arrest",)
    reads = ("people", "policy", "convicted")
    writes = ("convicted",)

    def step(self, w: World, e: Engine, day: int) -> None:
        batches, w.signals.convicted = w.signals.convicted, []
        if not (w.policy.families_order and self.on(e, "M19")):
            return
        for convicted in batches:
            _families(w, e, day, convicted)


def _families(w: World, e: Engine, day: int, convicted: np.ndarray) -> None:
    """The relatives of ``convicted`` (aged 16 and over) drawn for arrest, and when."""
    if len(convicted) == 0:
        return
    rng = e.rng.family
    pop = w.people
    households, age = pop.households, pop["age"]
    if households.members is None:  # households are runs of people
        members = run_relatives(households.indptr, pop["household"], convicted, age)
    else:
        of = pop["household"][convicted].astype(np.int64)
        members = households.members_of(of).astype(np.int64)
        members = members[(age[members] >= 1) & ~_within(members, convicted)]
    members = members[rng.random(len(members)) < e.params["family_arrest"]]
    e.schedule_after(day + 1, "family", members, rng.integers(0, 30, size=len(members)))


def _within(values: np.ndarray, pool: np.ndarray) -> NDArray[np.bool_]:
    """``np.isin(values, pool)`` for small arrays, by one sort and a binary search."""
    pool = np.sort(pool)
    pos = np.minimum(np.searchsorted(pool, values), len(pool) - 1)
    return pool[pos] == values
