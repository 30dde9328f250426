"""Which bodies and which kinds of case pass the death sentences of 1935, 1936, 1939 and 1940.

A diagnostic for ``G1-1935..1940-death`` (issue 9, item 9; docs/validation-log.md, "Death
sentences by year outside the mass operations"). Every sentence the run passes is traced
(``Engine.sentence``) with the body that passed it (the channel of ``steps_justice._decide``,
the troikas, the show trials, the social-order bodies) and the case it closes: its operation
(a case pending at the halt is shown under the operation it was opened in, ``halt:<op>``), its
charge class (``model/charges.py``, if the model has one), and for the elite layer the group
(army high command, officers, NKVD, party-state elite, others). A re-sentence of a case whose
sentence was void at the halt is shown apart and is not counted, as the ledger does not count
it (``Transitions._void_again``). Counts are full-population equivalents (the sampled cases'
weights).

    python scripts/diagnose_death_sentences.py --scale 0.01 --seed 1 [--set name=value ...]
"""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Any

import numpy as np
from _diagnose import elite_group, historical_sim, options, trace_halted_operations

from greatterror.model.charges import charge_of
from greatterror.vocabulary import OPERATIONS, Status

YEARS = (1935, 1936, 1937, 1938, 1939, 1940)
SHOWN = (1935, 1936, 1939, 1940)


def main() -> None:
    a = options(__doc__).parse_args()
    sim = historical_sim(a)
    e = sim.engine.engine
    w = e.world
    c, pop = w.cases, w.people
    n = len(c.op)
    halted_op = trace_halted_operations(n)  # the operation a case pending at the halt had
    # (year, kind, body, case) -> weight
    tally: dict[tuple[int, str, str, str], float] = defaultdict(float)
    sentence = e.sentence

    def traced(day: int, idx: np.ndarray, kind: str, *args: Any, **kw: Any) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx):
            frame = sys._getframe(1)
            body = frame.f_code.co_name
            if body == "_decide":
                body = str(frame.f_locals["channel"])
            elif body == "step":
                body = type(frame.f_locals.get("self")).__name__
            again = (c.status[idx] == Status.AWAITING_SENTENCE) & (c.sentence_day[idx] >= 0)
            year = sim.engine.date(day).year
            weight = e.weights(idx)
            charges = charge_of(w, idx)
            for k, i in enumerate(idx.tolist()):
                op = OPERATIONS[int(c.op[i])]
                if op == "non_political":
                    continue
                case = op if halted_op[i] < 0 else f"halt:{OPERATIONS[int(halted_op[i])]}"
                group = elite_group(int(pop["elite"][i]))
                if group:
                    case += f" [{group}]"
                case += f" <{charges[k]}>"
                label = f"{body} (re-sentence)" if again[k] else body
                tally[(year, kind, label, case)] += float(weight[k])
        sentence(day, idx, kind, *args, **kw)

    e.sentence = traced  # type: ignore[method-assign]
    sim.run()
    for year in YEARS:
        deaths = sum(
            v for (y, k, b, _), v in tally.items() if y == year and k == "death" and "re-" not in b
        )
        conv = sum(v for (y, _, b, _), v in tally.items() if y == year and "re-" not in b)
        print(f"{year}: {deaths:,.0f} death sentences of {conv:,.0f} convictions")
        if year not in SHOWN:
            continue
        rows: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        for (y, k, b, case), v in tally.items():
            if y == year:
                rows[(b, case)][0] += v * (k == "death")
                rows[(b, case)][1] += v
        for (b, case), (d, t) in sorted(rows.items(), key=lambda r: -r[1][0]):
            if d > 0 or t >= 0.01 * conv:
                print(f"    {b:34s} {case:52s} death {d:8,.0f} of {t:9,.0f} ({d / t:6.1%})")


if __name__ == "__main__":
    main()
