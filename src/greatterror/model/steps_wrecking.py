"""M11 and M10: plan failures blamed on "wreckers", and suspicion that good work cannot dispel.

M11 (seed_system.md lines 630-658): "Impossible targets cause accidents,
defects and deception. The political police never blame the system, so
failures are assigned to wreckers." Harris: "it was the pressures of plan
fulfilment that led to the bulk of accidents" and the investigations "at
no stage blamed the shortcomings of the economic system" (F003:49);
Trotsky's reviewer: "the need for scapegoats for the economic dislocation"
(F000:56); the base rate, "62,000 'mishaps'" on the railways in 1934
(F002:1402). Against this the apologists say the sabotage was real
(Littlepage, F002:1335-1346; Scott, F002:1305-1311). The hook: failures
per enterprise, each creating "wrecking" suspicion against its managers
with probability ``p_attr``; "The true share of deliberate sabotage,
``s_true``, is a hypothesis parameter".

Here each manager or official of the mass population has a yearly hazard
of a plan failure (``plan_failure_rate``). A failure is deliberate sabotage
with probability ``sabotage_true_share``; if a real conspiracy is drawn
(M24), the sabotage falls in proportion as its members are arrested, which
is H5's prediction that "sabotage and accident rates fall after the purge"
(line 1087, F002:1299). The NKVD attributes a failure to wrecking with
probability ``wrecking_attribution`` (raised by the vigilance campaign) and
arrests the manager; a manager arrested for real sabotage is counted as a
real saboteur (``truth.wreckers``), the others as innocent.

M10 (lines 606-628): the doctrine of February-March 1937 that "the hidden
enemy works even harder" (F002:1132), that saboteurs shelter behind
"excellent results" (Rittersporn, F002:1182), so that "no visible behaviour
clears a suspect". The hook: "suspicion ignores evidence of good
performance (likelihood ratio about 1, or even inverted)". From the
scenario's first plenum (the February-March 1937 plenum in the record)
managers whose enterprise did not fail are suspected too, at
``doctrine_likelihood_ratio`` times the rate at which a failing one is.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.registers import Register
from greatterror.model.world import World
from greatterror.population.codes import MIN_ARREST_AGE, Occupation
from greatterror.population.groups import Groups
from greatterror.vocabulary import AT_LIBERTY


def by_region(people: NDArray[np.integer], region: NDArray[np.integer], n: int) -> Register:
    """A register of ``people`` (ascending) by region, as registers.py builds its own."""
    order = np.argsort(region, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(region, minlength=n), out=indptr[1:])
    return Register(Groups(indptr=indptr, members=people[order].astype(np.int32)))


def managers_register(w: World) -> Register:
    """Managers and officials of the mass population, old enough to arrest, by region."""
    pop = w.people
    mass = pop["occupation"][: pop.n_mass]
    people = np.flatnonzero(mass == Occupation.MANAGER_OFFICIAL)
    people = people[pop["age"][people] >= MIN_ARREST_AGE]
    return by_region(people, pop["region"][people].astype(np.int64), len(pop.regions))


class Wrecking(Component):
    """Step 10 (M10, M11): plan failures, their attribution to wreckers, and the doctrine's
    suspicion of managers whose work gives no ground for it."""

    name = "wrecking"
    mechanisms = ("M10", "M11")
    gate = ("M10", "M11")
    params = (
        "doctrine_likelihood_ratio",
        "plan_failure_rate",
        "sabotage_true_share",
        "wrecking_attribution",
    )
    reads = ("people", "cases", "campaign", "truth")
    writes = ("truth", "cases", "camps")

    def __init__(self) -> None:
        self.managers: Register | None = None
        self.doctrine_day: int | None = None

    def step(self, w: World, e: Engine, day: int) -> None:
        m10, m11 = self.on(e, "M10"), self.on(e, "M11")
        if not (m10 or m11):
            return
        if self.managers is None:
            self.managers = managers_register(w)
            # the doctrine is proclaimed at the scenario's first plenum
            events = e.events_by_day
            plenums = [d for d in events if any(ev.action == "plenum" for ev in events[d])]
            self.doctrine_day = min(plenums, default=None)
        p, rng, t = e.params, e.rng.economy, w.truth
        sizes = self.managers.sizes()
        attribution = min(p["wrecking_attribution"] * w.levers.campaign, 1.0)
        rate = p["plan_failure_rate"] / 365.0 * sizes
        if m11:
            # sabotage falls as the real conspiracy (M24), if any, is arrested
            consp = t.conspirators
            at_large = float(AT_LIBERTY[w.cases.status[consp]].mean()) if len(consp) else 1.0
            s_true = p["sabotage_true_share"]
            accidents = rng.poisson(rate * (1.0 - s_true))
            sabotage = rng.poisson(rate * s_true * at_large)
            t.failures += float((accidents.sum() + sabotage.sum()) * e.w_mass)
            t.sabotage += float(sabotage.sum() * e.w_mass)
            blamed_accidents = self.managers.draw(rng.binomial(accidents, attribution), rng)
            blamed_sabotage = self.managers.draw(rng.binomial(sabotage, attribution), rng)
            t.attributed += float((len(blamed_accidents) + len(blamed_sabotage)) * e.w_mass)
            e.arrest(day, blamed_accidents, "ordinary")
            wreckers = e.arrest(day, blamed_sabotage, "ordinary")
            if len(wreckers):
                t.wreckers.append(wreckers)
        ratio = p["doctrine_likelihood_ratio"]
        if m10 and self.doctrine_day is not None and day >= self.doctrine_day:
            lam = ratio * rate * attribution
            suspected = self.managers.draw(rng.poisson(lam), rng)
            t.doctrine_suspicions += float(len(suspected) * e.w_mass)
            e.arrest(day, suspected, "ordinary")
