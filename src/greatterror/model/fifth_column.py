"""M24 and M25: real conspirators and a small real opposition, and the NKVD's hunt for them.

seed_system.md section 2 (M24, lines 764-800): the apologists' core claim
is that "a real conspiracy existed and was defeated by the purge" (Sayers
and Kahn, F002:32-57; Schuman, F002:60-63; Stalin, F002:1080-1092), while
their own figures keep it small: "not more than a few thousand members and
some 20 or 30 leaders" (F002:48), a military "Agentura" of 13 (F002:1082),
Thurston's "Forty thousand real and desperate foes" (F002:160). The model
hook: "Seed a true-conspirator subpopulation of size N_true ... The NKVD's
detection has a precision that the hypothesis sets." Harris grants that
"There almost certainly were counter-revolutionary conspiracies" (F003:31).

M25 (lines 802-823): "Some opposition was real but small": the Riutin
platform (F003:71), "conversations over vodka" (F003:71), youth who said
"now let them kill Stalin" (F002:1028), embittered saboteurs (F002:1311),
labour protest (F002:1405). "It gives the NKVD real leads"; the hook is "a
small true-dissident share q_dissent".

Both groups are drawn once, on the first day, from their own random stream
(``covert``), so that switching them on changes nothing else's draws. They
are sized by parameters with a prior per hypothesis (tiny unless the
hypothesis says otherwise). Each day the NKVD finds some of those still at
liberty (a yearly hazard raised by the vigilance campaign, stream
``detection``) and arrests them; each discovery is a real threat and raises
the leadership's perceived threat as a confessed naming does (M01's
``threat_per_conspiracy``; through the centre's desk where the scenario's
``centre_reading`` is "desk", model/centre_reading.py), which is how H5's "repression follows
discoveries of plots" (line 1085) enters. How many of all those arrested
were real conspirators is counted at the end (``guilt_summary``). The
variant in which conspirators inside the NKVD arrested the wrong people
(H5b) is ``model/penetration.py``; its counts are reported here too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model.case_flags import LINKED
from greatterror.model.centre_reading import report, through_desk
from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.world import World
from greatterror.population.codes import Mark
from greatterror.vocabulary import AT_LIBERTY, Status


def detect(
    w: World,
    e: Engine,
    day: int,
    people: NDArray[np.int64],
    rate: float,
    rng: np.random.Generator | None = None,
    read: bool = False,
) -> NDArray[np.int64]:
    """Arrest today's discoveries among ``people`` at liberty; returns who was arrested.

    A yearly hazard ``rate``, multiplied by the campaign factor (M09), per
    person at liberty; the count is sampled first, then who. ``rng``: the
    stream to draw from (the ``detection`` stream unless a step has its own).
    Each discovery is a report of an uncovered enemy: where the scenario's ``centre_reading``
    is "desk" (``read``) the centre reads it through its desk (model/centre_reading.py),
    otherwise it raises the threat at once.
    """
    per_discovery = e.params["threat_per_conspiracy"]
    if len(people) == 0:
        return people
    free = people[AT_LIBERTY[w.cases.status[people]]]
    rng = e.rng.detection if rng is None else rng
    lam = rate / 365.0 * len(free) * w.levers.campaign
    n = rng.poisson(lam) if len(free) else 0
    if n == 0:
        return free[:0]
    chosen = np.unique(free[rng.integers(0, len(free), size=n)])
    elite = e.is_elite[chosen]
    arrested = np.concatenate(
        [e.arrest(day, chosen[elite], "elite"), e.arrest(day, chosen[~elite], "ordinary")]
    )
    if len(arrested):
        report(w.institutions, per_discovery, float(e.weights(arrested).sum()), read)
    return arrested


def _elite_conspirators(w: World, e: Engine, rng: np.random.Generator) -> NDArray[np.int64]:
    heads = w.registers.elite_heads.astype(np.int64)
    n = min(round(e.params["conspirators_elite"]), len(heads))
    opp = (w.people["marks"][heads] & Mark.OPPOSITIONIST) != 0
    pools = (heads[opp], heads[~opp])
    # a share of them former oppositionists; if there are too few of those, the rest
    # come from the other members
    n_opp = min(int(rng.binomial(n, e.params["conspirator_oppositionist_share"])), len(pools[0]))
    counts = (n_opp, min(n - n_opp, len(pools[1])))
    return np.concatenate(
        [
            pool[rng.choice(len(pool), size=k, replace=False)]
            for pool, k in zip(pools, counts, strict=True)
        ]
    )


def _foreign_agents(w: World, e: Engine, rng: np.random.Generator) -> NDArray[np.int64]:
    """Agents among people with foreign ties: the national operations' lines (model/lines.py)."""
    registers = list(w.registers.lines.values())
    sizes = [r.sizes() for r in registers]
    total = float(sum(s.sum() for s in sizes))
    if total == 0:
        return np.empty(0, dtype=np.int64)
    mean = e.params["agents_per_million"] * 1e-6 * w.people.n_mass
    drawn = [
        r.draw(rng.poisson(mean * s / total), rng) for r, s in zip(registers, sizes, strict=True)
    ]
    return np.unique(np.concatenate(drawn)).astype(np.int64)


class FifthColumn(Component):
    """Step 11 (M24): a real conspiracy in the elite and foreign agents among people with foreign ties."""

    name = "fifth_column"
    mechanisms = ("M24",)
    gate = ("M24",)
    params = (
        "agents_per_million",
        "conspirator_detection_rate",
        "conspirator_oppositionist_share",
        "conspirators_elite",
        "threat_per_conspiracy",
    )
    reads = ("people", "registers", "cases", "campaign", "truth")
    writes = ("truth", "cases", "camps", "institutions")

    def step(self, w: World, e: Engine, day: int) -> None:
        if not self.on(e, "M24"):
            return
        t = w.truth
        if day == 0:
            rng = e.rng.covert
            elite = _elite_conspirators(w, e, rng)
            t.conspirators = np.unique(np.concatenate([elite, _foreign_agents(w, e, rng)]))
            # a real conspiracy is linked to its centre: its members are show-trial material
            w.cases.set(LINKED, t.conspirators)
        rate = e.params["conspirator_detection_rate"]
        detect(w, e, day, t.conspirators, rate, read=through_desk(e))


class RealOpposition(Component):
    """Step 12 (M25): a small share of adults engaged in real opposition activity, and its discovery."""

    name = "real_opposition"
    mechanisms = ("M25",)
    gate = ("M25",)
    params = ("dissident_detection_rate", "dissident_share", "threat_per_conspiracy")
    reads = ("people", "registers", "cases", "campaign", "truth")
    writes = ("truth", "cases", "camps", "institutions")

    def step(self, w: World, e: Engine, day: int) -> None:
        if not self.on(e, "M25"):
            return
        t, reg = w.truth, w.registers
        if day == 0:
            rng = e.rng.covert
            lam = e.params["dissident_share"] * reg.region_adults
            t.dissidents = np.unique(reg.draw_anyone(rng.poisson(lam), rng)).astype(np.int64)
        rate = e.params["dissident_detection_rate"]
        detect(w, e, day, t.dissidents, rate, read=through_desk(e))


def fate(sim: Any, people: NDArray[np.int64]) -> dict[str, float]:
    """How many of ``people`` there were, and were arrested and shot (full-population
    equivalents; ``people`` is the number of sampled rows)."""
    arrested = people[sim.cases.arrests[people] > 0]
    shot = people[np.isin(sim.cases.status[people], [Status.SHOT, Status.SENTENCED_DEATH])]
    return {
        "people": len(people),
        "represented": float(sim.weights(people).sum()) if len(people) else 0.0,
        "arrested": float(sim.weights(arrested).sum()) if len(arrested) else 0.0,
        "shot": float(sim.weights(shot).sum()) if len(shot) else 0.0,
    }


def guilt_summary(sim: Any) -> dict[str, Any]:
    """summary.json ``fifth_column``: how many of those arrested really acted, and how many not.

    Counts are full-population equivalents (elite-layer people count once),
    of people arrested at least once in the run.
    """
    t = sim.world.truth
    arrested = np.flatnonzero(sim.cases.arrests)
    guilty = t.guilty()
    real = guilty[sim.cases.arrests[guilty] > 0]
    elite = sim.is_elite[arrested]
    total = float(sim.weights(arrested).sum())
    n_real = float(sim.weights(real).sum()) if len(real) else 0.0
    elite_real = real[sim.is_elite[real]]
    wreckers = np.unique(np.concatenate(t.wreckers)) if t.wreckers else np.empty(0, np.int64)
    return {
        "conspirators": fate(sim, t.conspirators),
        "dissidents": fate(sim, t.dissidents),
        "provocation": provocation_summary(sim, guilty),
        "saboteurs_arrested": float(sim.weights(wreckers).sum()) if len(wreckers) else 0.0,
        "arrested": total,
        "arrested_who_acted": n_real,
        "arrested_who_did_not": total - n_real,
        "elite_arrested": int(elite.sum()),
        "elite_arrested_who_acted": len(elite_real),
    }


def provocation_summary(sim: Any, guilty: NDArray[np.int64]) -> dict[str, Any]:
    """summary.json ``fifth_column.provocation``: the penetrated NKVD of variant H5b
    (model/penetration.py).

    ``officers``: the conspirators among the NKVD's officers and their fate;
    ``exposed_by_hunt``: how many of them the hunt for conspirators found (persons);
    ``arrests``: the arrests they made on the conspiracy's behalf, as weighed when made;
    ``arrests_who_acted`` and ``arrests_who_did_not``: those arrests split by whether the
    person arrested really acted (``guilty``: conspirators, dissidents, saboteurs), weighed
    at the end of the run; ``arrested_people``: the fate of the people they arrested.
    """
    t = sim.world.truth
    people = np.concatenate(t.provoked) if t.provoked else np.empty(0, dtype=np.int64)
    weight = sim.weights(people) if len(people) else np.empty(0)
    acted = np.isin(people, guilty)
    exposed = np.unique(np.concatenate(t.exposed)) if t.exposed else people[:0]
    return {
        "officers": fate(sim, t.provocateurs),
        "exposed_by_hunt": len(exposed),
        "arrests": float(sum(t.provoked_w)),
        "arrests_who_acted": float(weight[acted].sum()),
        "arrests_who_did_not": float(weight[~acted].sum()),
        "arrested_people": fate(sim, np.unique(people)),
    }


def mechanism_counts(sim: Any) -> dict[str, Any]:
    """summary.json ``mechanism_counts``, with the fate of the leader's personal enemies (M27)."""
    counts = sim.world.truth.counts()
    counts["personal_enemies"] = fate(sim, sim.world.truth.enemies)
    return counts
