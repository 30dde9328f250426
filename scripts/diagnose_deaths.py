"""Death sentences by year and by where they came from: operation, sentencing path, elite layer.

A diagnostic for the death sentences outside the mass operations (issue 9; docs/validation.md,
"Death sentences by year"): one run at the given scale and seed, with every death sentence
tallied by the year it was passed, the operation of the case, the path that passed it (a
troika or the album under its limits, a show trial, or a channel's verdict: the courts, the
Military Collegium, the album or special troikas) and whether the person is of the elite
layer. Figures are full-population equivalents (the run's weights).

    python scripts/diagnose_deaths.py --scale 0.001 --seed 1 [--set name=value ...]
"""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Any

import numpy as np
from _diagnose import historical_sim, options

from greatterror.vocabulary import OPERATIONS

YEARS = range(1934, 1941)


def main() -> None:
    a = options(__doc__).parse_args()
    sim = historical_sim(a)
    e = sim.engine.engine
    tally: dict[tuple[int, str, str], float] = defaultdict(float)
    sentence = e.sentence

    def counted(day: int, idx: np.ndarray, kind: str, *args: Any, **kw: Any) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        if kind == "death" and len(idx):
            caller = sys._getframe(1)
            path = caller.f_code.co_name
            if path == "_decide":
                path = "channel:" + str(caller.f_locals.get("channel"))
            year = sim.engine.date(day).year
            ops = e.world.cases.op[idx]
            elite = e.is_elite[idx]
            weights = e.weights(idx)
            for op in np.unique(ops).tolist():
                for el in (False, True):
                    sel = (ops == op) & (elite == el)
                    if sel.any():
                        who = f"{OPERATIONS[op]}{'/elite' if el else ''}"
                        tally[(year, path, who)] += float(weights[sel].sum())
        sentence(day, idx, kind, *args, **kw)

    e.sentence = counted  # type: ignore[method-assign]
    sim.run()
    for year in YEARS:
        rows = sorted(((k[1], k[2], v) for k, v in tally.items() if k[0] == year))
        print(f"{year}  total {sum(r[2] for r in rows):10.0f}")
        for path, who, v in rows:
            print(f"    {path:28s} {who:24s} {v:10.0f}")


if __name__ == "__main__":
    main()
