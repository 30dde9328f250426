"""Step 8 (M12, M13): denunciations at the workplace.

Kept apart from the NKVD's own selection (model/steps_register_selection.py) because a
denunciation starts from a citizen, not from a register: the step samples a number of
denouncers per region, then one target each among his workplace's people, and passes
the ones acted on to the arrest. It never passes over the population.
"""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.fast_draws import poisson_counts
from greatterror.model.loop import Component
from greatterror.model.nkvd_capacity import bound_denunciations
from greatterror.model.world import World
from greatterror.population.codes import Occupation


class Denunciation(Component):
    """Step 8 (M12, M13): people denounce someone at their workplace.

    Targets are drawn from the denouncer's workplace, weighted towards
    superiors (grievance) and towards people with register marks.
    """

    name = "denunciation"
    mechanisms = ("M12", "M13")
    params = (
        "denunciation_acted_on",
        "denunciation_candidates",
        "denunciation_rate",
        "grievance_weight_superiors",
        "nkvd_capacity",
        "vulnerability_weight_marks",
    )
    reads = ("people", "registers", "cases", "campaign", "institutions")
    writes = ("cases", "camps", "institutions")

    def step(self, w: World, e: Engine, day: int) -> None:
        if not self.on(e, "M12"):
            return
        p, reg, pop = e.params, w.registers, w.people
        rng = e.rng.denunciation
        lam = p["denunciation_rate"] / 365.0 * reg.region_adults * w.levers.campaign
        # those acted on are arrested by the region's officers (model/nkvd_capacity.py)
        lam = bound_denunciations(w, e, day, lam, float(p["denunciation_acted_on"]))
        n, counts = poisson_counts(rng, lam)  # as rng.poisson(lam), in distribution
        if n == 0:
            return
        denouncers = reg.draw_anyone(counts, rng)
        wp = pop["workplace"][denouncers]
        denouncers, wp = denouncers[wp >= 0], wp[wp >= 0]
        if len(wp) == 0:
            return
        indptr, workplaces = pop.workplaces.indptr, pop.workplaces
        starts, sizes = indptr[wp], indptr[wp + 1] - indptr[wp]
        u = rng.random((len(wp), int(p["denunciation_candidates"])))
        pick = (u * sizes[:, None]).astype(np.int64)
        cand = workplaces.at(starts[:, None] + pick).astype(np.int64)
        weight = np.where(
            pop["occupation"][cand] == Occupation.MANAGER_OFFICIAL,
            p["grievance_weight_superiors"],
            1.0,
        )
        if self.on(e, "M13"):
            weight = weight * np.where(
                pop["marks"][cand] != 0, p["vulnerability_weight_marks"], 1.0
            )
        weight = np.where(cand == denouncers[:, None], 0.0, weight)
        score = np.log(np.maximum(weight, 1e-300)) + rng.gumbel(size=weight.shape)
        targets = cand[np.arange(len(cand)), np.argmax(score, axis=1)]
        targets = targets[
            (targets != denouncers) & (rng.random(len(targets)) < p["denunciation_acted_on"])
        ]
        arrested = e.arrest(day, targets, "ordinary")
        counted = w.institutions.region_denounced
        if len(counted) and len(arrested):
            # the chiefs' signal under H3 and H4 (model/regional_surge.py); no draw, so the
            # scenarios without it are unchanged
            counted += np.bincount(
                pop["region"][arrested], weights=e.weights(arrested), minlength=len(counted)
            )
