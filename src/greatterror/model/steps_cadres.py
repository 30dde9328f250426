"""The purge of the purgers: who a new chief takes (M21), and what it costs in capacity (issue 9,
item 7).

An arrested NKVD officer is replaced, one for one, by a recruit (the record
describes mass recruitment from the party, the Komsomol and the army in
1937-38). A recruit does a fraction of an experienced officer's work and
becomes experienced with a half-life. The operation's capacity
(``Institutions.officers``, read by the register selection) follows, and so
does the length of investigations (``Institutions.investigation_slowdown``,
read when a case is opened): the same, diminished, cadres investigate.
The outcome of an investigation (confession, naming) does not depend on the
recruits: the direction of such an effect is not in the evidence base.
The purge itself (``purge_nkvd``) is what a change of chief sets off (model/steps_policy.py
``apply_decision``); it lives here, with its cost, so that the policy step stays one job.
"""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.world import World
from greatterror.population.codes import Elite
from greatterror.vocabulary import AT_LIBERTY


class NkvdCadres(Component):
    """Step 23 (M21): arrested officers are replaced by recruits, who learn the work."""

    name = "nkvd_cadres"
    mechanisms = ("M21",)
    params = ("nkvd_recruit_efficiency", "nkvd_training_half_life")
    reads = ("cases", "cadres", "institutions")
    writes = ("cadres", "institutions")

    def step(self, w: World, e: Engine, day: int) -> None:
        if not self.on(e, "M21"):
            return
        c, p = w.cadres, e.params
        lost = c.take_lost(w.cases.status, e.arrests, e.status_changes)
        if len(lost):
            where = np.bincount(c.region[lost], minlength=len(c.experienced)).astype(np.float64)
            c.experienced -= np.minimum(where, c.experienced)
            c.recruits += where
            c.lost[day] = float(len(lost))
        if c.recruits.any():
            learned = c.recruits * (1.0 - 0.5 ** (1.0 / max(p["nkvd_training_half_life"], 1e-9)))
            c.recruits -= learned
            c.experienced += learned
        w.institutions.officers[:] = c.experienced + p["nkvd_recruit_efficiency"] * c.recruits
        # the same investigators carry the cases: fewer experienced-officer equivalents
        # make every investigation opened from tomorrow longer (engine.arrest)
        now = float(w.institutions.officers.sum())
        w.institutions.investigation_slowdown = c.initial_capacity / max(now, 1e-9)


def purge_nkvd(w: World, e: Engine, day: int) -> None:
    """M21: a new chief purges the officer corps he takes over, over his first months.

    Each stratum of the NKVD's elite layer (the senior officers of 1936, the
    rank-and-file state-security officers) at liberty loses a share of its members:
    the count is drawn (binomial), then who. The leadership's share is its own
    (``purge_of_purgers_leadership``): the old chief's senior men went first and
    most completely. The rank and file's share is ``purge_of_purgers`` during the
    terror (Yezhov's purge of Yagoda's cadres) and ``purge_of_purgers_after_halt``
    after the halt (Beria's of Yezhov's, sized from the 1939 dismissals and arrests;
    data/parameters.csv gives the derivations and their status). The arrests start
    ``purge_of_purgers_delay`` days after the appointment (the new chief first works
    with the old cadres: Yagoda's deputies were arrested from March 1937, Yezhov's
    circle from the winter of 1938-39) and then fall at a constant hazard on those
    still to be taken, with mean ``purge_of_purgers_days``: an exponential wait, not
    a fixed window. A chief's scheduled arrests are not withdrawn if he is replaced.
    """
    p, rng = e.params, e.rng.purge
    heads = w.registers.elite_heads
    flags = w.people["elite"][heads]
    # at liberty: never arrested, or released (after investigation, other measures, review)
    at_liberty = AT_LIBERTY[w.cases.status[heads]]
    rank_and_file = p["purge_of_purgers_after_halt" if w.policy.halted else "purge_of_purgers"]
    for bits, share in (
        (int(Elite.NKVD_LEADERSHIP), p["purge_of_purgers_leadership"]),
        (int(Elite.NKVD_OFFICER), rank_and_file),
    ):
        pool = heads[((flags & bits) != 0) & at_liberty]
        n = int(rng.binomial(len(pool), min(max(share, 0.0), 1.0)))
        if n == 0:
            continue
        chosen = rng.choice(pool, size=n, replace=False).astype(np.int64)
        waits = p["purge_of_purgers_delay"] + rng.exponential(p["purge_of_purgers_days"], size=n)
        e.schedule_after(day + 1, "arrest_elite", chosen, np.floor(waits).astype(np.int64))
