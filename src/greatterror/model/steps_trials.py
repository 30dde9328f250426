"""Step 12 (M07): show trials assembled from confessed prisoners linked to the 'centre'.

On a scripted trial date the organisers take the most visible elite
prisoners who have confessed and who are linked, through the chain of
names, to the absent centre (former oppositionists start linked). The
number of defendants and the verdicts come out of this pool and of the
parameters; the archival trials are the check, not an input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from greatterror.model.state import CH, S
from greatterror.population.codes import Elite

if TYPE_CHECKING:
    from greatterror.model.sim import Simulation

ARMY = int(Elite.ARMY_HIGH_COMMAND | Elite.ARMY_OFFICER)


def _visibility(flags: np.ndarray) -> np.ndarray:
    score = np.ones(len(flags))
    score += 2 * (
        (flags & (Elite.CC_1934 | Elite.PROMINENT_OPPOSITIONIST | Elite.ARMY_HIGH_COMMAND)) != 0
    )
    score += 1 * ((flags & Elite.CONGRESS_1934) != 0)
    return score


def show_trials(sim: Simulation, day: int) -> None:
    c, p = sim.cases, sim.params
    rng = sim.rng.trial
    for event in sim.trials_today:
        held = sim.held[c.status[sim.held] == S.AWAITING_SENTENCE]
        flags = sim.pop["elite"][held]
        military = event.trial.startswith("military")
        pool = held[((flags & ARMY) != 0) if military else ((flags & ARMY) == 0)]
        chosen = np.empty(0, dtype=np.int64)
        if sim.on["amalgam_trials"] and len(pool):
            score = _visibility(sim.pop["elite"][pool]) + rng.random(len(pool))
            chosen = pool[np.argsort(-score, kind="stable")[: int(p["trial_max_defendants"])]]
        # verdicts harden as the leadership's perceived threat grows (M01)
        hardening = 1.0 - np.exp(-sim.inst.threat / p["trial_threat_scale"])
        early, late = p["trial_death_share_early"], p["trial_death_share_late"]
        share = early + (late - early) * hardening
        death = rng.random(len(chosen)) < share
        sim.sentence(day, chosen[death], "death")
        sim.sentence(day, chosen[~death], "camp")
        sim.held = held[~np.isin(held, chosen)]
        archival = sim.evidence.trials.get(event.trial)
        sim.trials.append(
            {
                "id": event.trial,
                "date": event.date.isoformat(),
                "defendants": len(chosen),
                "death_sentences": int(death.sum()),
                "other_sentences": int((~death).sum()),
                "archival": {
                    "defendants": archival.defendants if archival else None,
                    "death_sentences": archival.death_sentences if archival else None,
                },
            }
        )
    if day >= sim.last_trial_day and len(sim.held):
        # no trial is left to stage: the remaining prisoners go to the Military Collegium
        waiting = sim.held[c.status[sim.held] == S.AWAITING_SENTENCE]
        sim.inst.queues[CH["military_collegium"]].push(waiting)
        sim.held = np.empty(0, dtype=np.int64)
