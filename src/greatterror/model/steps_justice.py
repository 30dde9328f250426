"""Steps 6, 7, 8 and 11: investigation, sentencing, punishment, and the halt."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from greatterror.model.state import CH, CHANNELS, EV, OP, OPERATIONS, Status
from greatterror.population.codes import Elite, Party

if TYPE_CHECKING:
    from greatterror.model.sim import Simulation

TRAITOR_FAMILY_OPS = (OP["elite"],)


def investigation(sim: Simulation, day: int) -> None:
    """Step 6 (M05, M06, M30): cases whose investigation ends today.

    A prisoner confesses with a probability set by the methods sanctioned and
    by party loyalty; a confessing prisoner names accomplices from his own
    workplace (for the elite layer: his apparatus, command or NKVD office),
    and those named are arrested in turn. Prisoners who do not confess are
    released or sent on to sentencing.
    """
    idx = sim.due(day, "investigation_end")
    if len(idx) == 0:
        return
    c, p, pop = sim.cases, sim.params, sim.pop
    idx = idx[c.status[idx] == Status.INVESTIGATION]
    rng = sim.rng.investigation
    prob = np.full(len(idx), sim.confession_p)
    if sim.on["capitulation"]:
        prob = np.minimum(
            prob + p["loyalty_confession_boost"] * (pop["party"][idx] == Party.MEMBER), 1.0
        )
    confess = rng.random(len(idx)) < prob
    c.confessed[idx[confess]] = True
    confessors = idx[confess]
    _name_accomplices(sim, day, confessors)
    silent = idx[~confess]
    mass_op = (c.op[silent] == OP["kulak_00447"]) | (
        (c.op[silent] >= OP["national_polish"]) & (c.op[silent] <= OP["national_other"])
    )
    released = ~mass_op & (rng.random(len(silent)) < p["release_without_confession"])
    sim.release(day, silent[released])
    to_court = np.concatenate([confessors, silent[~released]])
    c.status[to_court] = Status.AWAITING_SENTENCE
    if sim.on["amalgam_trials"] and day < sim.last_trial_day:
        # M07: confessed elite prisoners linked to the 'centre' are held for a show trial
        held = sim.is_elite[to_court] & c.confessed[to_court] & c.linked[to_court]
        sim.held = np.concatenate([sim.held, to_court[held]])
        to_court = to_court[~held]
    channels = sim.channel_for(to_court)
    for ch in np.unique(channels):
        sim.inst.queues[ch].push(to_court[channels == ch])


def _name_accomplices(sim: Simulation, day: int, confessors: np.ndarray) -> None:
    if len(confessors) == 0 or sim.naming_mean <= 0:
        return
    rng = sim.rng.naming
    pop, c = sim.pop, sim.cases
    k = rng.poisson(sim.naming_mean, size=len(confessors))
    who = np.repeat(confessors, k)
    wp = pop["workplace"][who]
    who, wp = who[wp >= 0], wp[wp >= 0]
    if len(wp) == 0:
        return
    indptr, members = pop.workplaces.indptr, pop.workplaces.members
    sizes = indptr[wp + 1] - indptr[wp]
    named = members[indptr[wp] + (rng.random(len(wp)) * sizes).astype(np.int64)].astype(np.int64)
    keep = (named != who) & (rng.random(len(named)) < sim.params["names_acted_on"])
    named, who = named[keep], who[keep]
    sim.named_today += float(sim.weights(who).sum())
    # being named by someone linked to the 'centre' links you to it (the amalgam's raw material)
    c.linked[named[c.linked[who]]] = True
    for op in np.unique(c.op[who]):
        group = named[c.op[who] == op]
        elite = sim.is_elite[group]
        sim.arrest(day, group[elite], "elite")
        sim.arrest(day, group[~elite], _op_name(int(op)))


def _op_name(code: int) -> str:
    return OPERATIONS[code]


def sentencing(sim: Simulation, day: int) -> None:
    """Step 7 (M16, M17): each channel decides up to its daily capacity.

    Troikas decide within their region's category limits: a case that would
    exceed both limits waits, so limits are never exceeded and backlogs
    build up until the centre raises them.
    """
    p, c, inst = sim.params, sim.cases, sim.inst
    rng = sim.rng.sentencing
    scale = sim.pop.scale
    capacity = {
        "troika": p["troika_capacity"],
        "album": p["album_capacity"],
        "special_troika": p["album_capacity"],
        "oso": p["oso_capacity"],
        "military_collegium": np.inf,
        "courts": p["courts_capacity"],
    }
    for name in CHANNELS:
        queue = inst.queues[CH[name]]
        if len(queue) == 0:
            continue
        waiting = queue.peek()
        weights = sim.weights(waiting)
        budget = capacity[name]
        n = (
            len(waiting)
            if np.isinf(budget)
            else int(np.searchsorted(np.cumsum(weights), budget, side="right"))
        )
        if n == 0 and rng.random() < budget / max(weights[0], 1e-9):
            n = 1  # a sampled case stands for 1/scale cases: decide it with the matching probability
        batch = queue.pop(n)
        batch = batch[c.status[batch] == Status.AWAITING_SENTENCE]
        if name == "troika":
            deferred = _troika(sim, day, batch, rng)
            queue.push(deferred)
            decided = len(batch) - len(deferred)
        else:
            _decide(sim, day, batch, name, rng)
            decided = len(batch)
        sim.ledger.decided[day, CH[name]] += decided / scale if decided else 0.0


def _decide(
    sim: Simulation, day: int, batch: np.ndarray, channel: str, rng: np.random.Generator
) -> None:
    p = sim.params
    u = rng.random(len(batch))
    if channel in ("album", "special_troika"):
        death = u < p["album_death_share"]
        exile = np.zeros(len(batch), dtype=bool)
    elif channel == "military_collegium":
        death = u < p["military_collegium_death_share"]
        exile = np.zeros(len(batch), dtype=bool)
    elif channel == "oso":  # the Special Board could not pass death sentences before 1941
        death = np.zeros(len(batch), dtype=bool)
        exile = u < p["exile_share"]
    else:
        death = u < p["courts_death_share"]
        exile = ~death & (rng.random(len(batch)) < p["exile_share"])
    sim.sentence(day, batch[death], "death")
    sim.sentence(day, batch[exile & ~death], "exile")
    sim.sentence(day, batch[~death & ~exile], "camp")


def _troika(sim: Simulation, day: int, batch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Troika verdicts within limits; returns the cases that must wait for a higher limit."""
    inst, p = sim.inst, sim.params
    region = sim.pop["region"][batch]
    w = sim.weights(batch)
    want_death = rng.random(len(batch)) < p["cat1_share_troika"]
    verdict = np.full(len(batch), -1)
    # decide in queue order, so that the limits bind exactly
    for i in range(len(batch)):
        r = region[i]
        fits1 = inst.used_cat1[r] + w[i] <= inst.limit_cat1[r] + 1e-9
        fits2 = inst.used_cat2[r] + w[i] <= inst.limit_cat2[r] + 1e-9
        if (want_death[i] and fits1) or (fits1 and not fits2):
            inst.used_cat1[r] += w[i]
            verdict[i] = 1
        elif fits2:
            inst.used_cat2[r] += w[i]
            verdict[i] = 2
    sim.sentence(day, batch[verdict == 1], "death")
    sim.sentence(day, batch[verdict == 2], "camp")
    return batch[verdict < 0]


def punishment(sim: Simulation, day: int) -> None:
    """Step 8: executions fall due; deaths in the camps; families of 'traitors'."""
    due = sim.due(day, "execute")
    due = due[sim.cases.status[due] == Status.SENTENCED_DEATH]
    sim.cases.status[due] = Status.SHOT
    sim.record(day, due, "executed")
    _gulag_deaths(sim, day)
    fam = sim.due(day, "family")
    if len(fam):
        sim.arrest(day, fam, "family")


def _camp_sample(sim: Simulation, n: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``n`` distinct current camp prisoners, by rejection from the camp list."""
    if n <= 0 or len(sim.camp_list) == 0:
        return np.empty(0, dtype=np.int64)
    pick = sim.camp_list[rng.integers(0, len(sim.camp_list), size=2 * n + 8)]
    pick = pick[sim.cases.status[pick] == Status.CAMP]
    _, first = np.unique(pick, return_index=True)
    return pick[np.sort(first)][:n]


def _gulag_deaths(sim: Simulation, day: int) -> None:
    """Deaths in the camps: a count per layer from the camp population, then who."""
    p, rng = sim.params, sim.rng.gulag
    in_camp = sim.camp_count()
    if in_camp["weight"] <= 0:
        return
    load = in_camp["weight"] / p["camp_capacity"]
    yearly = p["gulag_mortality"] * (1.0 + p["overcrowding_mortality"] * max(0.0, load - 1.0))
    n = rng.binomial(int(in_camp["sampled"]), min(yearly / 365.0, 1.0))
    sim.die_in_custody(day, _camp_sample(sim, n, rng))
    if len(sim.camp_list) > 4 * max(in_camp["sampled"], 1) + 1000:
        sim.camp_list = sim.camp_list[sim.cases.status[sim.camp_list] == Status.CAMP]


def halt_and_release(sim: Simulation, day: int) -> None:
    """Step 11 (M22): after the halt, reviews release camp prisoners."""
    if not sim.policy.releases:
        return
    rng = sim.rng.release
    in_camp = sim.camp_count()
    n = rng.binomial(
        int(in_camp["sampled"]), min(sim.params["release_rate_after_halt"] / 365.0, 1.0)
    )
    freed = _camp_sample(sim, n, rng)
    sim.release(day, freed)


__all__ = ["EV", "Elite", "halt_and_release", "investigation", "punishment", "sentencing"]
