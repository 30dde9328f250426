"""Steps 4, 5 and 10: denunciations, register-based selection, and the purge of elites.

Every step samples a number of events per region (or per group) first and
then draws who they happen to; none of them passes over the population.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from greatterror.model.kernels import thin
from greatterror.population.codes import Cohort, Elite, Mark, Occupation

if TYPE_CHECKING:
    from greatterror.model.sim import Simulation

ELITE_GROUPS = {
    "opposition": None,  # selected by the oppositionist mark, not by a post
    # the party-state elite includes the army high command, many of whom sat in the CC
    "party": int(
        Elite.CC_1934 | Elite.CONGRESS_1934 | Elite.REGIONAL_SECRETARY | Elite.ARMY_HIGH_COMMAND
    ),
    "army": int(Elite.ARMY_HIGH_COMMAND | Elite.ARMY_OFFICER),
    "nkvd": int(Elite.NKVD_OFFICER | Elite.NKVD_LEADERSHIP),
}
ADULT_SHARE = 0.62  # adults among the sampled people; only a level for the denunciation rate
CANDIDATES_PER_DENUNCIATION = 3


def denunciation(sim: Simulation, day: int) -> None:
    """Step 4 (M12, M13): people denounce someone at their workplace.

    Targets are drawn from the denouncer's workplace, weighted towards
    superiors (grievance) and towards people with register marks.
    """
    if not sim.on["denunciation"]:
        return
    p, reg, pop = sim.params, sim.registers, sim.pop
    rng = sim.rng.denunciation
    lam = p["denunciation_rate"] / 365.0 * reg.region_size * ADULT_SHARE * sim.campaign
    denouncers = reg.draw_anyone(rng.poisson(lam), rng)
    wp = pop["workplace"][denouncers]
    denouncers, wp = denouncers[wp >= 0], wp[wp >= 0]
    if len(wp) == 0:
        return
    indptr, workplaces = pop.workplaces.indptr, pop.workplaces
    starts, sizes = indptr[wp], indptr[wp + 1] - indptr[wp]
    pick = (rng.random((len(wp), CANDIDATES_PER_DENUNCIATION)) * sizes[:, None]).astype(np.int64)
    cand = workplaces.at(starts[:, None] + pick).astype(np.int64)
    weight = np.where(
        pop["occupation"][cand] == Occupation.MANAGER_OFFICIAL, p["grievance_weight_superiors"], 1.0
    )
    if sim.on["vulnerability_marks"]:
        weight = weight * np.where(pop["marks"][cand] != 0, p["vulnerability_weight_marks"], 1.0)
    weight = np.where(cand == denouncers[:, None], 0.0, weight)
    score = np.log(np.maximum(weight, 1e-300)) + rng.gumbel(size=weight.shape)
    targets = cand[np.arange(len(cand)), np.argmax(score, axis=1)]
    targets = targets[
        (targets != denouncers) & (rng.random(len(targets)) < p["denunciation_acted_on"])
    ]
    sim.arrest(day, targets, "ordinary")


def register_selection(sim: Simulation, day: int) -> None:
    """Step 5 (M13, M16, M18, M23): arrests from the NKVD's registers.

    Ordinary work arrests a small share of registered people all the time;
    the mass operation arrests towards each region's limit, within its
    officers' capacity; national operations arrest from their nationality's
    register while they run.
    """
    p, reg, pol, inst = sim.params, sim.registers, sim.policy, sim.inst
    scale = sim.pop.scale
    if sim.on["baseline_repression"]:
        rng = sim.rng.register
        # while the mass operation runs, the registered are its targets, not ordinary work's
        mass_operation = "kulak_00447" in pol.operations
        lam = (
            p["base_arrest_rate"] / 365.0 * reg.kulak.sizes() * sim.intensity * (not mass_operation)
        )
        sim.arrest(day, reg.kulak.draw(rng.poisson(lam), rng), "ordinary")
        # the operation's officers and channels take over ordinary work's cases
        ordinary = p["ordinary_during_operation"] if mass_operation else 1.0
        lam = p["base_unmarked_arrest_rate"] / 365.0 * reg.region_size * sim.intensity * ordinary
        sim.arrest(day, reg.draw_anyone(rng.poisson(lam), rng), "ordinary")
    if "kulak_00447" in pol.operations:
        rng = sim.rng.operation
        goal = (inst.limit_cat1 + inst.limit_cat2) * p["overfill_target"]
        remaining = np.maximum(goal - inst.arrested_00447, 0.0)
        wanted = np.minimum(p["operation_pace"] * remaining, p["nkvd_capacity"] * sim.officers)
        n = rng.poisson(wanted * scale)
        unmarked = rng.binomial(
            n, p["unmarked_share_00447"] if sim.on["vulnerability_marks"] else 1.0
        )
        chosen = np.concatenate([reg.kulak.draw(n - unmarked, rng), reg.draw_anyone(unmarked, rng)])
        sim.arrest(day, chosen, "kulak_00447", allow_in_camp=True)
    rng = sim.rng.national
    for op, register in reg.national.items():
        if op in pol.operations:
            lam = p["national_op_rate"] / 365.0 * register.sizes() * sim.intensity
            sim.arrest(day, register.draw(rng.poisson(lam), rng), op)


def _elite_weights(sim: Simulation, idx: np.ndarray) -> np.ndarray:
    """Relative yearly hazards, in units of ``elite_hazard``."""
    p, pop = sim.params, sim.pop
    w = np.where((pop["marks"][idx] & Mark.OPPOSITIONIST) != 0, p["oppositionist_weight"], 1.0)
    w = np.where((pop["elite"][idx] & Elite.CC_1934) != 0, w * p["prominence_weight"], w)
    army = (pop["elite"][idx] & ELITE_GROUPS["army"]) != 0
    w = np.where(army, w * p["army_hazard"] / max(p["elite_hazard"], 1e-12), w)
    if sim.on["bureaucracy_vs_generation"]:
        old_guard = pop["cohort"][idx] <= Cohort.Y1917_1920
        w = w * np.where(
            old_guard & (pop["cohort"][idx] > 0), p["revolutionary_generation_weight"], 1.0
        )
    return w


def _eligible(sim: Simulation) -> np.ndarray:
    heads = sim.registers.elite_heads
    flags = sim.pop["elite"][heads]
    mask = np.zeros(len(heads), dtype=bool)
    for group in sim.policy.elite_groups:
        bits = ELITE_GROUPS[group]
        if bits is None:
            mask |= (sim.pop["marks"][heads] & Mark.OPPOSITIONIST) != 0
        else:
            mask |= (flags & bits) != 0
    return heads[mask]


def purge_of_elites(sim: Simulation, day: int) -> None:
    """Step 10 (M14, M20, M21, M26): arrests in the elite layer and their cascades."""
    p = sim.params
    sim.arrest(day, sim.due(day, "arrest_elite"), "elite")
    sim.arrest(day, sim.due(day, "arrest_client"), "elite")
    if not (sim.on["elite_turnover"] and sim.policy.elite_groups):
        return
    key = tuple(sorted(sim.policy.elite_groups))
    if sim.eligible_key != key:
        sim.eligible_key = key
        sim.eligible = _eligible(sim)
        sim.eligible_w = _elite_weights(sim, sim.eligible)
        sim.eligible_w_max = float(sim.eligible_w.max()) if len(sim.eligible) else 0.0
    eligible, w = sim.eligible, sim.eligible_w
    if len(eligible) == 0:
        return
    rng = sim.rng.elite
    w_max = sim.eligible_w_max
    n = rng.poisson(p["elite_hazard"] / 365.0 * len(eligible) * w_max * sim.campaign)
    if n == 0:
        return  # draws of size 0 take nothing from the stream
    pick = rng.integers(0, len(eligible), size=n)
    arrested = sim.arrest(day, thin(pick, rng.random(n), w, w_max, eligible), "elite")
    if sim.on["patronage_cascade"] and len(arrested):
        _patron_cascade(sim, day, arrested)


def _patron_cascade(sim: Simulation, day: int, arrested: np.ndarray) -> None:
    """M14: when a regional first secretary falls, his clients follow over the next weeks."""
    patrons = arrested[(sim.pop["elite"][arrested] & Elite.REGIONAL_SECRETARY) != 0]
    if len(patrons) == 0:
        return
    rng = sim.rng.cascade
    clients = sim.registers.clients.members_of(sim.pop["region"][patrons].astype(np.int64)).astype(
        np.int64
    )
    clients = clients[rng.random(len(clients)) < sim.params["patron_cascade"]]
    sim.schedule_after(day + 1, "arrest_client", clients, rng.integers(0, 60, size=len(clients)))
