"""The NKVD's extrajudicial bodies for "socially harmful elements", until Order 00447.

Before the mass operations a large part of the people convicted on NKVD cases
were not political suspects at all. From its creation (5 November 1934) the
NKVD's Special Board (OSO) judged, besides counter-revolutionary cases, the
cases of "socially harmful and socially dangerous elements" (recidivists,
people "linked to the criminal milieu", people "leading a parasitic way of
life") and of passport-regime violators; from January 1935 special NKVD
troikas in the republics and regions took the passport cases, and NKVD Order
00192 of 27 May 1935 gave them the criminal and "declassed" elements as well
(Mozokhin, Pravo na repressii, 2006, ch. 3; Hagenloh, Stalin's Police, 2009;
Shearer, Policing Stalin's Socialism, 2009; timeline G12-03). They judged on
the militia's file, without the accused, and could send people to a camp for
up to five years or into exile, never to death. In 1935 the Special Board
sentenced 33,823 people and these troikas more than 122,000 (the Procurator
of the USSR, Vyshinsky, in February 1936, cited by Mozokhin 2006; facts
IN-oso-1935 and IN-nkvd-troikas-1935).

Order 00447 (30 July 1937) took the same people, criminals and "other
anti-Soviet elements", into its own troikas and lines, and the decree of 17
November 1938 abolished the troikas altogether. From 1939 the NKVD's case
flow was the ordinary political work of the GUGB and the Special Board's
political cases (``RegisterSelection``).

The rule (one per day): while the bodies sit, that is from the start of the
run until Order 00447 first runs or the halt comes, whichever is first (both
dated decisions of the scenario), a Poisson number of convictions, at
``social_order_convictions_per_year`` in full-population equivalents spread
over the regions by their adults (none in the Gulag's own unit), falls on
adults at liberty who never had a case. Who they are is the profile of
those convicted outside the operations (``Registers.draw_ordinary``: the
camp prisoners' share of men, a sourced basis, with the census ages of that
sex, a prior), the same draw as the ordinary courts' convicts
(``steps_courts.draw_convicts``), from a random stream of its own. Each is
arrested in the NKVD's ordinary work (operation ``ordinary``, no line) and
sentenced the same day by the Special Board's rule: exile with
``exile_share``, otherwise a camp term in the Special Board's range (up to
five years). No investigation is put on the calendar and no investigation
length is drawn for them (``Engine.arrest(..., investigate=False)``): their
draws come from their own stream only, so the other cases' investigation
lengths are the same with these bodies as without them. The militia's days
of inquiry are not modelled; nobody is named, since these were not interrogations about accomplices. These people
are counted in the NKVD's arrests and convictions (the 1953 series counts
convictions "on cases of the NKVD" by every sentencing body; whether it
counts all of the troikas' sentences is discussed in docs/validation.md).
"""

from __future__ import annotations

from collections.abc import Container

import numpy as np
from numpy.typing import NDArray

from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.steps_courts import adults_share, draw_convicts
from greatterror.model.world import World

#: the operation whose start ends these bodies' separate work (it took their people in)
FOLDED_INTO = "kulak_00447"


def bodies_sitting(operations: Container[str], halted: bool, ended_before: bool) -> bool:
    """Whether the Special Board's and the NKVD troikas' separate social-order work goes on
    today: not once Order 00447 has run (it took these people into its own troikas) nor
    after the halt (the decree of 17 November 1938 abolished the troikas)."""
    return not (ended_before or halted or FOLDED_INTO in operations)


class SocialOrderBoards(Component):
    """Step 29 (M23): the Special Board's and the NKVD troikas' convictions of "socially harmful
    elements" and passport violators, from the start until Order 00447 takes them in."""

    name = "social_order_boards"
    mechanisms = ("M23",)
    params = ("exile_share", "social_order_convictions_per_year")
    reads = ("people", "registers", "cases", "policy", "institutions")
    writes = ("cases", "camps")

    def __init__(self) -> None:
        self.ended = False
        self._share: NDArray[np.float64] | None = None
        self._for: object = None

    def step(self, w: World, e: Engine, day: int) -> None:
        pol = w.policy
        if not self.on(e, "M23"):
            return
        if not bodies_sitting(pol.operations, pol.halted, self.ended):
            self.ended = True  # a dated end: the bodies do not come back
            return
        p = e.params
        rate = float(p["social_order_convictions_per_year"])
        if rate <= 0.0:
            return
        rng = e.rng.social_order
        if self._share is None or self._for is not w:
            self._share, self._for = adults_share(w), w
        counts = rng.poisson(rate / e.w_mass / 365.0 * self._share)
        if not counts.any():
            return
        # judged on the militia's file the same day: no investigation is scheduled, so
        # nothing is drawn from the investigations' ``duration`` stream (engine.arrest)
        arrested = e.arrest(day, draw_convicts(w, counts, rng), "ordinary", investigate=False)
        if len(arrested) == 0:
            return
        w.cases.social_order[arrested] = True
        exile = rng.random(len(arrested)) < float(p["exile_share"])
        e.sentence(day, arrested[exile], "exile")
        e.sentence(day, arrested[~exile], "camp", "oso")
