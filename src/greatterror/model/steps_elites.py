"""Step 20 (M14, M20, M26): the purge of elites and the patronage cascade.

Its own module because the elite layer is selected by a hazard on named heads in the
open groups (the 1934 Central Committee, the congress delegates, the army's high
command), weighted by opposition, prominence, protection and generation, not by the
regional registers and limits of the NKVD's mass selection (model/
steps_register_selection.py). The eligible heads and their weights are kept until the
open groups change; a fallen regional first secretary's clients are scheduled to follow.
"""

from __future__ import annotations

import numpy as np

from greatterror.model.central_committee import politburo_rows
from greatterror.model.engine import Engine
from greatterror.model.kernels import thin
from greatterror.model.list_selection import arrest_circle
from greatterror.model.loop import Component
from greatterror.model.opposition_register import arrest_register, register_of
from greatterror.model.world import World
from greatterror.population.codes import Cohort, Elite, Mark
from greatterror.vocabulary import ARMY_FLAGS, ELITE_GROUPS


def leader_circle(world: World) -> np.ndarray:
    """Rows of the 1934 Central Committee who are the leader's own circle (M14): the
    Politburo's members and candidates of 1934-38 (data/population/cc_1934.csv, model/
    central_committee.py). The leader himself is never arrested (model/engine.py)."""
    return politburo_rows(world.people["elite"], world.registers.elite_heads)


def _elite_weights(
    comp: Component, world: World, e: Engine, idx: np.ndarray, circle: np.ndarray
) -> np.ndarray:
    """Relative yearly hazards, in units of ``elite_hazard``."""
    p, pop = e.params, world.people
    w = np.where((pop["marks"][idx] & Mark.OPPOSITIONIST) != 0, p["oppositionist_weight"], 1.0)
    w = np.where((pop["elite"][idx] & Elite.CC_1934) != 0, w * p["prominence_weight"], w)
    if comp.on(e, "M14"):
        # protection first (M14): the leader stands throughout, so his circle, the Politburo,
        # is protected; not exempt: five of its members were shot in 1937-38 (Khrushchev 1956)
        w = np.where(np.isin(idx, circle), w * p["patron_protection"], w)
    if comp.on(e, "M26"):
        old_guard = pop["cohort"][idx] <= Cohort.Y1917_1920
        w = w * np.where(
            old_guard & (pop["cohort"][idx] > 0), p["revolutionary_generation_weight"], 1.0
        )
    return w


def _eligible(w: World) -> np.ndarray:
    """Heads in the open groups; the army's high command only in the army's own group.

    The party group's 1934 congress delegates are those of the party and soviet apparatus
    and the CC (``PARTY_FLAGS``; population/elite.py ``congress_posts``). No officer is drawn
    by this step's hazard in the party or the opposition group: in the record the army's
    commanders were taken in the army's own purge, opened by its trial (11 June 1937; the
    arrests of its defendants from May 1937), and before it only as men named under
    interrogation, as Primakov and Putna were in August 1936 (Suvenirov 1998; Conquest
    1990); the named reach the army's channel through model/steps_investigation.py and the
    army's trial case (model/trial_cases.py). Once the army group is open its high command
    carries the elite hazard as any open group does (by Cherushev 2003's reference note,
    V-army-arr-1938, arrest was near-total among corps and division commanders), while the
    rank-and-file officers are purged through dismissal only (model/steps_army.py). Until
    branch army37 (5 Dec 2026) the high command was of the party group from the
    February-March 1937 plenum and of the opposition group, when marked, from Kirov's
    murder: about 170 of its 850 were arrested before May 1937 at 1:1,000, seed 1."""
    heads = w.registers.elite_heads
    flags = w.people["elite"][heads]
    mask = np.zeros(len(heads), dtype=bool)
    for group in w.policy.elite_groups:
        bits = ELITE_GROUPS[group]
        if group == "army":
            mask |= (flags & Elite.ARMY_HIGH_COMMAND) != 0
        elif bits is None:
            mask |= ((w.people["marks"][heads] & Mark.OPPOSITIONIST) != 0) & (
                (flags & ARMY_FLAGS) == 0
            )
        else:
            mask |= ((flags & bits) != 0) & ((flags & ARMY_FLAGS) == 0)
    return heads[mask]


class PurgeOfElites(Component):
    """Step 20 (M14, M20, M26): arrests in the elite layer and their cascades.

    The people eligible, and their weights, are kept until the open groups change.
    """

    name = "purge_of_elites"
    mechanisms = ("M14", "M20", "M26")
    params = (
        "elite_hazard",
        "oppositionist_weight",
        "circle_list_share",
        "patron_cascade",
        "patron_protection",
        "prominence_weight",
        "revolutionary_generation_weight",
    )
    reads = ("people", "registers", "cases", "policy", "campaign")
    writes = ("cases", "camps")

    def __init__(self) -> None:
        self.eligible_key: tuple[str, ...] = ()
        self.eligible = np.empty(0, dtype=np.int32)
        self.eligible_w = np.empty(0)
        self.eligible_w_max = 0.0
        self.circle: np.ndarray | None = None
        self.register: tuple[Engine, np.ndarray] | None = None

    def step(self, w: World, e: Engine, day: int) -> None:
        p = e.params
        # (most days no one is due: an arrest of no one changes and draws nothing, so the calls
        # are left out; the cascade's clients each take a uniform only when there are some)
        due = e.due(day, "arrest_elite")
        if len(due):
            e.arrest(day, due, "elite")
        clients = e.due(day, "arrest_client")
        if len(clients):
            # on the lists or in the NKVD's ordinary work (model/list_selection.py)
            arrest_circle(w, e, day, clients)
        if not (self.on(e, "M20") and w.policy.elite_groups):
            return
        if w.policy.opposition_register and "opposition" in w.policy.elite_groups:
            # the closed letter of 29 July 1936: the register's rank and file too
            if self.register is None or self.register[0] is not e:
                self.register = (e, register_of(w, e))
            arrest_register(w, e, day, self.register[1])
        key = tuple(sorted(w.policy.elite_groups))
        if self.eligible_key != key:
            self.eligible_key = key
            self.eligible = _eligible(w)
            if self.circle is None:
                self.circle = leader_circle(w)
            self.eligible_w = _elite_weights(self, w, e, self.eligible, self.circle)
            self.eligible_w_max = float(self.eligible_w.max()) if len(self.eligible) else 0.0
        eligible, weight = self.eligible, self.eligible_w
        if len(eligible) == 0:
            return
        rng = e.rng.elite
        w_max = self.eligible_w_max
        n = rng.poisson(p["elite_hazard"] / 365.0 * len(eligible) * w_max * w.levers.campaign)
        if n == 0:
            return  # draws of size 0 take nothing from the stream
        pick = rng.integers(0, len(eligible), size=n)
        arrested = e.arrest(day, thin(pick, rng.random(n), weight, w_max, eligible), "elite")
        if self.on(e, "M14") and len(arrested):
            _patron_cascade(w, e, day, arrested)


def _patron_cascade(w: World, e: Engine, day: int, arrested: np.ndarray) -> None:
    """M14: when a regional first secretary falls, his clients follow over the next weeks."""
    patrons = arrested[(w.people["elite"][arrested] & Elite.REGIONAL_SECRETARY) != 0]
    if len(patrons) == 0:
        return
    rng = e.rng.cascade
    regions = w.people["region"][patrons].astype(np.int64)
    clients = w.registers.clients.members_of(regions).astype(np.int64)
    clients = clients[rng.random(len(clients)) < e.params["patron_cascade"]]
    e.schedule_after(day + 1, "arrest_client", clients, rng.integers(0, 60, size=len(clients)))
