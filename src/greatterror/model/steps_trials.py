"""Step 27 (M07): show trials assembled from confessed prisoners linked to the 'centre'.

On a scripted trial date the organisers take the most visible elite
prisoners who have confessed and who are linked, through the chain of
names, to the absent centre (former oppositionists start linked). The
number of defendants and the verdicts come out of this pool and of the
parameters; the archival trials are the check, not an input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.world import World
from greatterror.population.codes import Elite
from greatterror.vocabulary import ARMY_FLAGS, CH, Status


def _visibility(flags: np.ndarray) -> np.ndarray:
    score = np.ones(len(flags))
    score += 2 * (
        (flags & (Elite.CC_1934 | Elite.PROMINENT_OPPOSITIONIST | Elite.ARMY_HIGH_COMMAND)) != 0
    )
    score += 1 * ((flags & Elite.CONGRESS_1934) != 0)
    return score


class ShowTrials(Component):
    """Step 27 (M07): on a scripted trial date, defendants are chosen and sentenced."""

    name = "show_trials"
    mechanisms = ("M07",)
    params = (
        "trial_death_share_early",
        "trial_death_share_late",
        "trial_max_defendants",
        "trial_threat_scale",
    )
    reads = ("people", "cases", "institutions", "trials_today", "held")
    writes = ("cases", "camps", "institutions", "held", "trials", "convicted")

    def step(self, w: World, e: Engine, day: int) -> None:
        for event in w.signals.trials_today:
            self._trial(w, e, day, event)
        if day >= e.last_trial_day and len(w.signals.held):
            # no trial is left to stage: the remaining prisoners go to the Military Collegium
            held = w.signals.held
            waiting = held[w.cases.status[held] == Status.AWAITING_SENTENCE]
            w.institutions.queues[CH["military_collegium"]].push(waiting)
            w.signals.held = np.empty(0, dtype=np.int64)

    def _trial(self, w: World, e: Engine, day: int, event: Any) -> None:
        c, p = w.cases, e.params
        rng = e.rng.trial
        held = w.signals.held[c.status[w.signals.held] == Status.AWAITING_SENTENCE]
        flags = w.people["elite"][held]
        military = event.trial.startswith("military")
        pool = held[((flags & ARMY_FLAGS) != 0) if military else ((flags & ARMY_FLAGS) == 0)]
        chosen = np.empty(0, dtype=np.int64)
        if self.on(e, "M07") and len(pool):
            score = _visibility(w.people["elite"][pool]) + rng.random(len(pool))
            chosen = pool[np.argsort(-score, kind="stable")[: int(p["trial_max_defendants"])]]
        # verdicts harden as the leadership's perceived threat grows (M01)
        hardening = 1.0 - np.exp(-w.institutions.threat / p["trial_threat_scale"])
        early, late = p["trial_death_share_early"], p["trial_death_share_late"]
        share = early + (late - early) * hardening
        death = rng.random(len(chosen)) < share
        e.sentence(day, chosen[death], "death")
        e.sentence(day, chosen[~death], "camp", "military_collegium")
        w.signals.held = held[~np.isin(held, chosen)]
        archival = e.evidence.trials.get(event.trial)
        w.trials.append(
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
