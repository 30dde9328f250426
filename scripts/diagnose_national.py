"""The national operations month by month: arrests, sentences and the album's caseload.

A diagnostic for the national operations' pace (docs/validation.md, "National operations"):
one run at the given scale and seed, with the ledger read at the end.

    python scripts/diagnose_national.py --scale 0.001 --seed 1 [--set name=value ...]

Columns (full-population equivalents): per national operation, arrests and sentences
(death and camp) in the month; then the album's and the special troikas' sentences in the
month, and the national-operation cases pending before them at the month's end.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
from _diagnose import historical_sim, options, until_date

from greatterror.vocabulary import CH, EV, NATIONAL_OPERATIONS, OP


def main() -> None:
    a = options(__doc__, until="1939-03-31").parse_args()
    until = until_date(a)
    sim = historical_sim(a)
    eng = sim.engine
    e = eng.engine
    starts: list[tuple[dt.date, int]] = []
    while sim.date <= until and not sim.finished:
        today = sim.date
        if today.day == 1:
            starts.append((today, eng.day))
        sim.step()
    starts.append((sim.date, eng.day))
    cube = e.ledger.cube()
    ops = list(NATIONAL_OPERATIONS)
    print("month   " + "".join(f"{op[9:]:>24}" for op in ops) + "   album  sp_troika  pending")
    print("        " + "".join(f"{'arr':>8}{'death':>8}{'camp':>8}" for _ in ops))
    totals = {op: np.zeros(3) for op in ops}
    for (m, d0), (_, d1) in itertools.pairwise(starts):
        row = f"{m:%Y-%m} "
        for op in ops:
            c = cube[d0:d1, :, OP[op], :].sum(axis=(0, 1))
            v = np.array([c[EV["arrested"]], c[EV["convicted_cat1"]], c[EV["convicted_camp"]]])
            totals[op] += v
            row += "".join(f"{x:8.0f}" for x in v)
        alb = e.ledger.decided[d0:d1, CH["album"]].sum()
        spt = e.ledger.decided[d0:d1, CH["special_troika"]].sum()
        pend = (
            e.ledger.backlog[d1 - 1, CH["album"]] + e.ledger.backlog[d1 - 1, CH["special_troika"]]
        )
        if m >= dt.date(1937, 7, 1):
            print(row + f"{alb:8.0f}{spt:10.0f}{pend:9.0f}")
    print("total   " + "".join("".join(f"{x:8.0f}" for x in totals[op]) for op in ops))
    # the record's shares by 7 Feb 1938 (V-natop-*-arr-070238): arrests to that day over all
    # convictions of the operation
    feb7 = (dt.date(1938, 2, 7) - eng.start).days + 1  # "by 7 Feb": the day itself counts
    row = "arrested by 7 Feb 1938, share of convictions:"
    for op in ops:
        c = cube[:, :, OP[op], :]
        conv = c[:, :, EV["convicted_cat1"]].sum() + c[:, :, EV["convicted_camp"]].sum()
        row += f" {op[9:]} {c[:feb7, :, EV['arrested']].sum() / max(conv, 1):.2f}"
    print(row)


if __name__ == "__main__":
    main()
