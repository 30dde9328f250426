"""Who sentences whom after the halt of 17 November 1938, and to what: the political
convictions of 1939 and 1940 by body, by kind of sentence and by the case's origin.

A diagnostic for ``G1-1939/1940-conv``, ``-death``, ``-camps``, ``-exile`` and ``-other``
(issue 9; docs/validation-log.md, "After the halt: who sentences whom in 1939-40"). Every
sentence the run passes is traced (``Engine.sentence``) with the body that passed it (the
channel of ``steps_justice._decide``, the social-order bodies, the show trials) and the case it
closes: its origin (a case the halt put up for review, pending before the troikas, the album or
the special troikas, under investigation, or whose death sentence the halt made void, or an
elite case whose investigation it suspended, is ``halt:<operation it was opened in>``; a case
opened after the halt is ``new:<operation>``; one opened before it and not taken by the halt is
``old:<operation>``), the elite group of the person, the charge
class (model/charges.py), the operational line the person was arrested on and the year of the
arrest. It also prints the political cases under investigation or awaiting sentence on the day
of the halt, and the elite layer's arrests of 1938-40 with their status at the end of the run. A re-sentence of a
case whose sentence was void at the halt is not counted, as the ledger does not count it
(``Transitions._void_again``); non-political cases (the ordinary courts' and the militia's) are
left out, as the G1 series leaves them out. Counts are full-population equivalents.

    python scripts/diagnose_post_halt.py --scale 0.01 --seed 1 [--set name=value ...]
"""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Any

import numpy as np
from _diagnose import elite_group, historical_sim, options, trace_halted_operations

from greatterror.model import steps_halt, steps_policy
from greatterror.model.charges import charge_of
from greatterror.vocabulary import LINES, OPERATIONS, STATUSES, Status

YEARS = (1939, 1940)
KINDS = ("death", "camp", "exile", "other")
#: the 1953 series (Popov 1992; by kind Kurashvili 1996), data/evidence/facts.csv G1-*
RECORD = {
    1939: (63889, 2552, 54666, 3783, 2888),
    1940: (71806, 1649, 65727, 2142, 2288),
}


def _print(title: str, rows: dict[str, dict[str, float]], total: float, floor: float) -> None:
    print(f"  {title}")
    print(f"    {'':44s} {'all':>8s} " + " ".join(f"{k:>8s}" for k in KINDS))
    for name, row in sorted(rows.items(), key=lambda r: -sum(r[1].values())):
        n = sum(row.values())
        if n < floor * total:
            continue
        cells = " ".join(f"{row.get(k, 0.0):8,.0f}" for k in KINDS)
        print(f"    {name:44s} {n:8,.0f} {cells}")


def main() -> None:
    a = options(__doc__).parse_args()
    sim = historical_sim(a)
    e = sim.engine.engine
    w = e.world
    c, pop = w.cases, w.people
    n = len(c.op)
    halted_op = trace_halted_operations(n)  # the operation a case pending at the halt had
    schedule_after = e.schedule_after

    def scheduled(day: int, kind: str, idx: np.ndarray, delays: np.ndarray) -> None:
        # a case put up for the halt's review that kept its operation (not a mass one's)
        if kind in (steps_halt.HALT_REVIEW, getattr(steps_halt, "HALT_REINVESTIGATION", "")):
            fresh = np.asarray(idx, dtype=np.int64)
            fresh = fresh[halted_op[fresh] < 0]
            halted_op[fresh] = c.op[fresh]
        schedule_after(day, kind, idx, delays)

    e.schedule_after = scheduled  # type: ignore[method-assign]
    # (year, kind, body, origin, group, charge, line, year of arrest) -> weight
    tally: dict[tuple[Any, ...], float] = defaultdict(float)
    sentence = e.sentence

    def traced(day: int, idx: np.ndarray, kind: str, *args: Any, **kw: Any) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        year = sim.engine.date(day).year
        if len(idx) and year in YEARS:
            frame = sys._getframe(1)
            body = frame.f_code.co_name
            if body == "_decide":
                body = str(frame.f_locals["channel"])
            elif body == "step":
                body = type(frame.f_locals.get("self")).__name__
            again = (c.status[idx] == Status.AWAITING_SENTENCE) & (c.sentence_day[idx] >= 0)
            halt = w.policy.first_day.get(("halt", None), 10**9)
            weight = e.weights(idx)
            charges = charge_of(w, idx)
            for k, i in enumerate(idx.tolist()):
                op = OPERATIONS[int(c.op[i])]
                if op == "non_political" or again[k]:
                    continue
                if halted_op[i] >= 0:
                    origin = f"halt:{OPERATIONS[int(halted_op[i])]}"
                elif int(c.arrest_day[i]) >= halt:
                    origin = f"new:{op}"
                else:
                    origin = f"old:{op}"
                key = (
                    year,
                    kind,
                    body,
                    origin,
                    elite_group(int(pop["elite"][i]), "mass"),
                    charges[k],
                    LINES[int(c.line[i])],
                    f"arrested {sim.engine.date(int(c.arrest_day[i])).year}",
                )
                tally[key] += float(weight[k])
        sentence(day, idx, kind, *args, **kw)

    e.sentence = traced  # type: ignore[method-assign]
    pending_at_halt: dict[str, float] = defaultdict(float)
    halt_step = steps_policy._halt

    def halt_traced(world: Any, eng: Any, day: int, extrajudicial: bool) -> None:
        held = np.flatnonzero(
            (c.status == Status.INVESTIGATION) | (c.status == Status.AWAITING_SENTENCE)
        )
        weight = eng.weights(held)
        for k, i in enumerate(held.tolist()):
            state = "investigation" if c.status[i] == Status.INVESTIGATION else "awaiting"
            key = (
                f"{OPERATIONS[int(c.op[i])]} [{elite_group(int(pop['elite'][i]), 'mass')}] {state}"
            )
            pending_at_halt[key] += float(weight[k])
        halt_step(world, eng, day, extrajudicial)

    steps_policy._halt = halt_traced  # type: ignore[attr-defined]
    summary = sim.run().results.summary
    # the people held in the NKVD's prisons (under investigation, awaiting sentence or the
    # etap; G8-prisons-1939 and V-prisons-*: validation figures, never fitted)
    print("held in prisons (political cases), model; the record's G8-prisons-1939, V-prisons-*")
    for date, held in summary["gulag"]["prisons"].items():
        if date >= "1938-10-01":
            print(f"    {date}  {held:9,.0f}")
    print("political cases under investigation or awaiting sentence on the day of the halt")
    for key, v in sorted(pending_at_halt.items(), key=lambda r: -r[1]):
        if not key.startswith("non_political"):
            print(f"    {key:60s} {v:9,.0f}")
    # the elite layer's arrests by year and where they stand at the end of the run
    elite = np.flatnonzero((pop["elite"] != 0) & (c.arrest_day >= 0))
    fate: dict[tuple[str, int, str], float] = defaultdict(float)
    weight = e.weights(elite)
    for k, i in enumerate(elite.tolist()):
        year = sim.engine.date(int(c.arrest_day[i])).year
        if year >= 1938:
            fate[(elite_group(int(pop["elite"][i]), "mass"), year, STATUSES[int(c.status[i])])] += (
                float(weight[k])
            )
    print("the elite layer's last arrest, by year (1938-40), and its status at the end")
    for key, v in sorted(fate.items()):
        print(f"    {key[0]:20s} {key[1]}  {key[2]:20s} {v:7,.0f}")
    for year in YEARS:
        total = sum(v for key, v in tally.items() if key[0] == year)
        by = {
            k: sum(v for key, v in tally.items() if key[0] == year and key[1] == k) for k in KINDS
        }
        rec = RECORD[year]
        print(
            f"{year}: convicted {total:,.0f} (record {rec[0]:,}); "
            + ", ".join(
                f"{k} {by[k]:,.0f} (record {r:,})" for k, r in zip(KINDS, rec[1:], strict=True)
            )
        )
        for title, pos in (
            ("by body", (2,)),
            ("by origin of the case", (3,)),
            ("by body and origin", (2, 3)),
            ("by group and charge", (4, 5)),
            ("by body, group and charge", (2, 4, 5)),
            ("by line arrested on", (6,)),
            ("by year of arrest", (7,)),
            ("by year of arrest and body", (7, 2)),
        ):
            rows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
            for key, v in tally.items():
                if key[0] == year:
                    rows[" / ".join(key[p] for p in pos)][key[1]] += v
            # the small groups (the elite layer) are shown whole; the other tables from 0.5%
            _print(title, rows, total, 0.0 if "group" in title else 0.005)


if __name__ == "__main__":
    main()
