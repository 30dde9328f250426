"""The show trials' pools and the 17th Congress delegates' arrests, for one historical run.

A diagnostic for the elite purge's in-sample misses (issue 9; docs/validation-log.md, "The show
trials and the 17th Congress" and "The show trials' cases"). For each show trial it prints its
case (model/trial_cases.py: when it opened, its leading figure, how its members joined, how
many were brought back from a sentence, how many names were given in it), the confessed
members held on the day (by elite group, former oppositionists, and how long since their
arrest) and the trial's result; for the 17th Congress delegates it prints how
many were arrested, by post (``Elite.APPARATUS_1934``, the army, the others), by the route
that arrested them (the purge's hazard, the names given under interrogation, the army purge)
and by year. The elite layer is kept at full size at every scale, so 1:1000 shows the same
layer as 1:100.

    python scripts/diagnose_elites.py --scale 0.001 --seed 1 [--set name=value ...]
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import numpy as np
from _diagnose import historical_sim, options

from greatterror.model import steps_trials
from greatterror.population.codes import Elite, Mark
from greatterror.vocabulary import ARMY_FLAGS, Status

GROUPS = ("CC_1934", "CONGRESS_1934", "APPARATUS_1934", "PROMINENT_OPPOSITIONIST")
ROUTES = {"PurgeOfElites": "purge hazard", "_arrest_named": "named", "ArmyPurge": "army purge"}


def _groups(flags: np.ndarray, marks: np.ndarray) -> str:
    counts = {g.lower(): int(((flags & int(Elite[g])) != 0).sum()) for g in GROUPS}
    counts["army"] = int(((flags & ARMY_FLAGS) != 0).sum())
    counts["former_oppositionists"] = int(((marks & int(Mark.OPPOSITIONIST)) != 0).sum())
    return ", ".join(f"{k} {v}" for k, v in counts.items())


def main() -> None:
    a = options(__doc__).parse_args()
    sim = historical_sim(a)
    e = sim.engine.engine
    pop = e.world.people
    trial = steps_trials.ShowTrials._trial

    def traced(self: Any, w: Any, eng: Any, day: int, event: Any) -> None:
        held = w.signals.held[w.cases.status[w.signals.held] == Status.AWAITING_SENTENCE]
        case = next((k for k in w.trial_cases.cases if k.trial == event.trial), None)
        if case is not None:
            held = held[np.isin(held, np.fromiter(case.members, dtype=np.int64))]
            ways = Counter(case.joined.values())
            head = int(pop["elite"][case.head]) if case.head >= 0 else None
            print(
                f"{event.trial} ({event.date}): case opened on {sim.engine.date(case.opens)}, "
                f"head's flags {head}, {len(case.members)} members ({dict(ways)}), "
                f"{len(case.brought_back)} brought back from a sentence, "
                f"{len(case.names)} names given in the case"
            )
        waited = day - w.cases.arrest_day[held].astype(np.int64)
        print(f"    {len(held)} confessed members held awaiting the trial")
        print(f"    pool: {_groups(pop['elite'][held], pop['marks'][held])}")
        if len(held):
            print(f"    days since arrest: median {np.median(waited):.0f}, max {waited.max()}")
        trial(self, w, eng, day, event)
        print(f"    result: {w.trials[-1]}")

    steps_trials.ShowTrials._trial = traced  # type: ignore[method-assign]
    heads = e.world.registers.elite_heads
    delegates = heads[(pop["elite"][heads] & int(Elite.CONGRESS_1934)) != 0]
    delegate = np.zeros(len(e.is_elite), dtype=bool)
    delegate[delegates] = True
    route: dict[int, tuple[int, str]] = {}
    arrest = e.arrest

    def tracked(day: int, idx: np.ndarray, op: str, *args: Any, **kw: Any) -> np.ndarray:
        out = arrest(day, idx, op, *args, **kw)
        caught = out[delegate[out]] if len(out) else out
        if len(caught):
            frame = sys._getframe(1)
            name = frame.f_code.co_name
            if name == "step":
                name = type(frame.f_locals.get("self")).__name__
            for i in caught.tolist():
                route.setdefault(i, (day, ROUTES.get(name, name)))
        return out

    e.arrest = tracked  # type: ignore[method-assign]
    sim.run()
    flags = pop["elite"][delegates]
    arrested = e.world.cases.arrests[delegates] > 0
    posts = {
        "apparatus (party, soviet)": (flags & int(Elite.APPARATUS_1934)) != 0,
        "military": (flags & ARMY_FLAGS) != 0,
        "others (economy, production)": (flags & (int(Elite.APPARATUS_1934) | ARMY_FLAGS)) == 0,
        "of whom 1934 CC": (flags & int(Elite.CC_1934)) != 0,
    }
    print(f"17th Congress delegates: {int(arrested.sum())} of {len(delegates)} arrested")
    for post, mask in posts.items():
        print(f"    {post}: {int(arrested[mask].sum())} of {int(mask.sum())}")
    by = Counter((sim.engine.date(d).year, r) for d, r in route.values())
    for (year, r), n in sorted(by.items()):
        print(f"    {year} {r}: {n}")


if __name__ == "__main__":
    main()
