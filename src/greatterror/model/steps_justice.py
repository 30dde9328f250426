"""Steps 6, 7, 8 and 11: investigation, sentencing, punishment, and the halt."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from greatterror.model.channels import affordable, split_verdicts
from greatterror.model.kernels import (
    confessions,
    dispositions,
    distinct_sorted,
    first_distinct,
    named_colleagues,
    namers,
    troika_verdicts,
)
from greatterror.model.state import CH, CHANNELS, MASS_OP, OPERATIONS, S
from greatterror.population.codes import Party

if TYPE_CHECKING:
    from greatterror.model.sim import Simulation

PARTY_MEMBER = int(Party.MEMBER)
_NO_MEMBERS = np.empty(0, dtype=np.int32)  # CSR groups whose members are their positions


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
    idx = idx[c.status[idx] == S.INVESTIGATION]
    if len(idx) == 0:
        return  # nothing below draws or changes anything for no one
    u = sim.rng.investigation.random((2, len(idx)))
    confessors, silent, u_silent = confessions(
        idx, u, pop["party"], PARTY_MEMBER, sim.confession_p, p["loyalty_confession_boost"],
        bool(sim.on["capitulation"]), c.confessed,
    )  # fmt: skip
    _name_accomplices(sim, day, confessors)
    # M07: confessed elite prisoners linked to the 'centre' are held for a show trial
    hold = bool(sim.on["amalgam_trials"]) and day < sim.last_trial_day
    released, to_court, held = dispositions(
        confessors, silent, u_silent, c.op, MASS_OP, p["release_without_confession"], c.status,
        S.AWAITING_SENTENCE, hold, sim.is_elite, c.confessed, c.linked,
    )  # fmt: skip
    sim.release(day, released)
    if len(held):
        sim.held = np.concatenate([sim.held, held])
    channels = sim.channel_for(to_court)
    for ch in np.flatnonzero(np.bincount(channels, minlength=len(CHANNELS))).tolist():
        sim.inst.queues[ch].push(to_court[channels == ch])


def _name_accomplices(sim: Simulation, day: int, confessors: np.ndarray) -> None:
    if len(confessors) == 0 or sim.naming_mean <= 0:
        return
    rng = sim.rng.naming
    pop, c = sim.pop, sim.cases
    k = rng.poisson(sim.naming_mean, size=len(confessors))
    who, wp = namers(confessors, k, pop["workplace"])
    if len(wp) == 0:
        return
    workplaces = pop.workplaces
    members = workplaces.members if workplaces.members is not None else _NO_MEMBERS
    # one draw of 2m uniforms is the same stream as the two draws of m it replaces
    u = rng.random(2 * len(wp))
    named, who = named_colleagues(
        who, wp, u, workplaces.indptr, members, sim.params["names_acted_on"], c.linked
    )
    sim.named_today += float(sim.weights(who).sum())
    ops = c.op[who]
    for op in np.flatnonzero(np.bincount(ops, minlength=len(OPERATIONS))).tolist():
        group = named[ops == op]
        elite = sim.is_elite[group]
        sim.arrest(day, group[elite], "elite")
        sim.arrest(day, group[~elite], _op_name(op))


def _op_name(code: int) -> str:
    return OPERATIONS[code]


def sentencing(sim: Simulation, day: int) -> None:
    """Step 7 (M16, M17): each channel decides up to its daily capacity.

    Capacity is in full-population cases per day; what a day cannot use of
    it (less than one sampled case) carries over, so throughput does not
    depend on the scale. Troikas decide within their region's category
    limits: cases that fit no limit wait, without using the day's capacity,
    until the centre raises the limit.
    """
    p, c, inst = sim.params, sim.cases, sim.inst
    rng = sim.rng.sentencing
    capacity = {
        "troika": p["troika_capacity"],
        "album": p["album_capacity"],
        "special_troika": p["album_capacity"],
        "oso": p["oso_capacity"],
        "military_collegium": np.inf,
        "courts": p["courts_capacity"],
    }
    for name in CHANNELS:
        ch = CH[name]
        queue = inst.queues[ch]
        if len(queue) == 0:
            inst.carry[ch] = 0.0
            continue
        budget = capacity[name] + inst.carry[ch]
        if name == "troika":
            spent = _troika(sim, day, queue, budget, rng)
        else:
            n, spent = affordable(queue.peek(), sim.is_elite, sim.w_mass, sim.w_elite, budget)
            batch = queue.pop(n)
            _decide(sim, day, batch[c.status[batch] == S.AWAITING_SENTENCE], name, rng)
        inst.carry[ch] = 0.0 if np.isinf(budget) else budget - spent
        sim.ledger.decided[day, ch] += spent


def _decide(
    sim: Simulation, day: int, batch: np.ndarray, channel: str, rng: np.random.Generator
) -> None:
    p = sim.params
    u = rng.random(len(batch))
    v = rng.random(len(batch))
    never = -1.0  # below every uniform: the channel cannot pass this sentence
    if channel in ("album", "special_troika"):
        death_p, exile_p = p["album_death_share"], never
    elif channel == "military_collegium":
        death_p, exile_p = p["military_collegium_death_share"], never
    elif channel == "oso":  # the Special Board could not pass death sentences before 1941
        death_p, exile_p = never, p["exile_share"]
    else:
        death_p, exile_p = p["courts_death_share"], p["exile_share"]
    death, exile, camp = split_verdicts(batch, u, v, float(death_p), float(exile_p))
    sim.sentence(day, death, "death")
    sim.sentence(day, exile, "exile")
    sim.sentence(day, camp, "camp")


def _troika(sim: Simulation, day: int, queue, budget: float, rng: np.random.Generator) -> float:
    """Troika verdicts within limits; deferred cases go back to the queue in order."""
    inst, p = sim.inst, sim.params
    waiting = queue.clear()
    waiting = waiting[sim.cases.status[waiting] == S.AWAITING_SENTENCE]
    want_death = rng.random(len(waiting)) < p["cat1_share_troika"]
    u = rng.random(len(waiting))
    verdict, spent = troika_verdicts(
        sim.pop["region"][waiting].astype(np.int64),
        sim.weights(waiting),
        want_death,
        u,
        inst.limit_cat1,
        inst.used_cat1,
        inst.limit_cat2,
        inst.used_cat2,
        float(budget),
    )
    sim.sentence(day, waiting[verdict == 1], "death")
    sim.sentence(day, waiting[verdict == 2], "camp")
    queue.push(waiting[verdict <= 0])
    return float(spent)


def punishment(sim: Simulation, day: int) -> None:
    """Step 8: executions fall due; deaths in the camps; families of 'traitors'."""
    due = sim.due(day, "execute")
    due = due[sim.cases.status[due] == S.SENTENCED_DEATH]
    sim.cases.status[due] = S.SHOT
    sim.record(day, due, "executed")
    _gulag_deaths(sim, day)
    fam = sim.due(day, "family")
    if len(fam):
        sim.arrest(day, fam, "family")


def _camp_sample(sim: Simulation, n: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``n`` distinct current camp prisoners, by rejection from the camp list."""
    roll = sim.camp_roll
    if n <= 0 or len(roll) == 0:
        return np.empty(0, dtype=np.int64)
    if sim.camp_n < len(roll) // 2:
        everyone = roll.clear()
        roll.push(distinct_sorted(everyone[sim.cases.status[everyone] == S.CAMP]))
    listed = roll.peek()
    pick = listed[rng.integers(0, len(listed), size=3 * n + 8)].astype(np.int64)
    pick = pick[sim.cases.status[pick] == S.CAMP]
    return first_distinct(pick, n)


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


def halt_and_release(sim: Simulation, day: int) -> None:
    """Step 11 (M22): after the halt, reviews release camp prisoners."""
    if not sim.policy.releases:
        return
    rng = sim.rng.review
    in_camp = sim.camp_count()
    n = rng.binomial(
        int(in_camp["sampled"]), min(sim.params["release_rate_after_halt"] / 365.0, 1.0)
    )
    freed = _camp_sample(sim, n, rng)
    sim.release(day, freed)
