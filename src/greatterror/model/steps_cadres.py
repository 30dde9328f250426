"""The purge of the purgers costs capacity (issue 9, item 7).

An arrested NKVD officer is replaced, one for one, by a recruit (the record
describes mass recruitment from the party, the Komsomol and the army in
1937-38). A recruit does a fraction of an experienced officer's work and
becomes experienced with a half-life. The operation's capacity
(``Institutions.officers``, read by the register selection) follows, and so
does the length of investigations (``Institutions.investigation_slowdown``,
read when a case is opened): the same, diminished, cadres investigate.
The outcome of an investigation (confession, naming) does not depend on the
recruits: the direction of such an effect is not in the evidence base.
"""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.world import World


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
