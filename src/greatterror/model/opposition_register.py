"""Part of step 20 (M20): the arrests of the former oppositionists on the NKVD's register.

From Kirov's murder the purge's opposition group (``elite_groups`` "opposition") reaches the
prominent former oppositionists of the elite layer (model/steps_elites.py). The tens of
thousands of rank-and-file former Trotskyists and Zinovievists the population holds
(``pop_former_oppositionists_1937``, the OPPOSITIONIST register mark) were reached only by
ordinary work and denunciations: about 1,100 of 43,400 arrested by February 1937 at 1:100
(review11 F5), a purge that dies away after mid-1935 as the Kirov campaign's vigilance decays.

The record has a second wave, decided by the centre: the Central Committee's closed letter
of 29 July 1936, "On the terrorist activity of the Trotskyist-Zinovievist counter-
revolutionary bloc", sent to every party organisation, called for the exposure of all
former oppositionists, and the arrests of the rank and file grew from it and the Trial of
the Sixteen (August 1936), under Yagoda (Getty and Naumov 1999, The Road to Terror, ch. 6,
the letter's text as document 71; Khlevniuk 2009, Master of the House, ch. 4). By the
February-March plenum Stalin reported about 18,000 of them arrested (G12-11): the model does
not read that figure; it is a validation figure (V-opp-arrested-0237).

The mechanism: from the decision (``closed_letter``, a decision of the centre; in an
endogenous run the leader's rule opens the register with its appointment of Yezhov,
model/steps_policy.py), each former oppositionist of the mass layer at liberty is arrested
at the opposition group's own yearly hazard, ``elite_hazard * oppositionist_weight``, times
the day's campaign factor (M09), the hazard the prominent oppositionists already carry. No
new parameter. Their cases are ordinary NKVD cases of the marked: the Special Board
(channels.py), which sentenced the rank-and-file Trotskyists of 1936 to camps (Khlevniuk
2004, The History of the Gulag, ch. 4, as recalled, not checked in a stored copy).
"""

from __future__ import annotations

import numpy as np

from greatterror.model.blocks import nonzero_by_blocks
from greatterror.model.engine import Engine
from greatterror.model.world import World
from greatterror.population.codes import Mark


def register_of(w: World, e: Engine) -> np.ndarray:
    """The mass layer's former oppositionists (the elite layer's are the group's own).

    The flag is taken as a plain ``int``: NumPy takes an ``IntFlag`` member for an int64
    array, so ``marks & Mark.OPPOSITIONIST`` made an int64 copy of every person's marks
    (8 bytes a person, 1.3 GB at 1:1, at a time the run's arrays are all in memory) and took
    four times as long as the uint8 ``marks & int(...)``, which gives the same people. The
    test runs by blocks of people (model/blocks.py): over everyone at once its uint8 and bool
    arrays were 2 bytes a person (0.3 GB at 1:1)."""
    marks, bit = w.people["marks"], int(Mark.OPPOSITIONIST)
    marked = nonzero_by_blocks(lambda s: (marks[s] & bit) != 0, len(marks))
    return marked[~e.is_elite[marked]]


def arrest_register(w: World, e: Engine, day: int, register: np.ndarray) -> np.ndarray:
    """Today's arrests from the register: a Poisson number of uniform draws from it, each at
    ``elite_hazard * oppositionist_weight / 365 * campaign``; a draw of someone no longer at
    liberty opens no case (``Engine.arrest``), so the hazard is per person at liberty."""
    if len(register) == 0:
        return register
    p = e.params
    rate = p["elite_hazard"] * p["oppositionist_weight"] / 365.0 * w.levers.campaign
    rng = e.rng.opposition
    n = rng.poisson(rate * len(register))
    if n == 0:
        return register[:0]
    pick = register[rng.integers(0, len(register), size=n)]
    return e.arrest(day, np.unique(pick), "ordinary")
