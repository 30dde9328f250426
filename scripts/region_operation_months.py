"""One region's arrests and convictions under one mass operation, with its arrests by month.

The table of the Far Eastern krai and Irkutsk in docs/validation-log.md ("Order 00447's end in
the regions") comes from this script: one historical run at the given scale and seed, to
``--until``, read from the ledger (full-population equivalents, rounded to 100).

    python scripts/region_operation_months.py --region far_eastern_krai \
        --operation kulak_00447 --scale 0.01 --seed 1 --until 1939-01-01 [--year 1938]

Printed: arrests, convictions (category 1, camp, exile, other measures), of them category 1,
convictions of 1937, convictions on 1 August 1938 (the day of the krai's late decision),
and the arrests of each month of ``--year``.
"""

from __future__ import annotations

import datetime as dt

from _diagnose import historical_sim, options, until_date

from greatterror.vocabulary import EV, OP

CONVICTED = ("convicted_cat1", "convicted_camp", "convicted_exile", "convicted_other")


def main() -> None:
    ap = options(__doc__, until="1939-01-01")
    ap.add_argument("--region", required=True, help="region code, e.g. far_eastern_krai")
    ap.add_argument("--operation", default="kulak_00447")
    ap.add_argument("--year", type=int, default=1938)
    a = ap.parse_args()
    sim = historical_sim(a)
    sim.run(until=until_date(a).isoformat())
    w, e = sim.engine.world, sim.engine.engine
    codes = [r.code for r in w.people.regions]
    if a.region not in codes or a.operation not in OP:
        raise SystemExit(f"error: unknown --region or --operation ({a.region}, {a.operation})")
    cube = e.ledger.cube()[:, codes.index(a.region), OP[a.operation], :]
    start = sim.scenario.start

    def day(d: dt.date) -> int:
        return max((d - start).days, 0)

    def hundreds(x: float) -> str:
        return f"{round(float(x) / 100) * 100:,}"

    convicted = cube[:, [EV[k] for k in CONVICTED]].sum(axis=1)
    y37 = slice(day(dt.date(1937, 1, 1)), day(dt.date(1938, 1, 1)))
    aug1 = day(dt.date(1938, 8, 1))
    print(f"{a.region} {a.operation} scale {a.scale} seed {a.seed} to {a.until}")
    print("arrests", hundreds(cube[:, EV["arrested"]].sum()))
    print("convictions", hundreds(convicted.sum()))
    print("of them category 1", hundreds(cube[:, EV["convicted_cat1"]].sum()))
    print("convictions of 1937", hundreds(convicted[y37].sum()))
    print("convictions on 1938-08-01", hundreds(convicted[aug1 : aug1 + 1].sum()))
    months = []
    for m in range(1, 13):
        first = dt.date(a.year, m, 1)
        last = dt.date(a.year + (m == 12), m % 12 + 1, 1)
        months.append(hundreds(cube[day(first) : day(last), EV["arrested"]].sum()))
    print(f"arrests by month of {a.year}", " / ".join(months))


if __name__ == "__main__":
    main()
