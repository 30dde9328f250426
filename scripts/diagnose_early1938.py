"""Arrests month by month from the autumn of 1937 to the summer of 1938, by operation, and the
record's dated counts that bound when they were made (issue 9: is there a second wave?).

    python scripts/diagnose_early1938.py --scale 0.01 --seed 1 [--set name=value ...]

The evidence base holds no all-Union monthly series of arrests. What it holds are counts to a
date, and this script sets the model beside them, each window read from the evidence's own
facts (their ids, never their values, are written here):

- every NKVD arrest from 1 October 1936 to 1 July 1938 (``V-arrests-010738``) and from 1 July
  to 1 November 1938 (``V-nkvd-011138-arr`` less it);
- the national operations' arrests to 1 July 1938 (``V-natop-arr-010738``) and from 1 July to
  1 November 1938 (``V-nkvd-011138-natop-arr`` less it);
- the share of each national operation's final convictions arrested by 7 February 1938
  (``V-natop-*-arr-070238``, Potapova 2020: the NKVD's report from five-day telegrams);
- Order 00447's troika sentences to 1 January 1938 and in 1938 (``V-00447-conv-010138``,
  ``V-00447-conv-1938``).

Columns of the monthly table: arrests in the month by operation (full-population equivalents).
The one monthly series of the evidence base, Order 00447's arrests in the Kama region
(``V-perm-00447-arr-*``), is printed beside the model's Sverdlovsk oblast, the region that
held the Kama region in 1937-38, each as a share of its December 1937.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
from _diagnose import historical_sim, options

from greatterror.calibration.series import CONVICTED
from greatterror.evidence.loader import load_evidence
from greatterror.vocabulary import EV, NATIONAL_OPERATIONS, OP

#: the record's shares by 7 February 1938, by the model's operation (the Greek share stands
#: for the other national operations, whose lines hold the Greeks)
SHARE_070238 = {
    "national_polish": "V-natop-pol-arr-070238",
    "national_german": "V-natop-ger-arr-070238",
    "national_harbin": "V-natop-har-arr-070238",
    "national_latvian": "V-natop-lat-arr-070238",
    "national_other": "V-natop-gre-arr-070238",
}
#: the Kama region's monthly series (Order 00447), December 1937 - April 1938
PERM = ("1937-12", "1938-01", "1938-02", "1938-03", "1938-04")


def main() -> None:
    a = options(__doc__).parse_args()
    sim = historical_sim(a).run()
    e = sim.engine.engine
    start = sim.engine.start
    cube = e.ledger.cube()  # day, region, operation, event
    facts = load_evidence().facts

    def day(text: str) -> int:
        return (dt.date.fromisoformat(text) - start).days

    def arrests(lo: str, hi: str, ops: list[str] | None = None, region: int | None = None) -> float:
        c = cube[day(lo) : day(hi), :, :, EV["arrested"]]
        if region is not None:
            c = c[:, region : region + 1, :]
        if ops is not None:
            c = c[:, :, [OP[o] for o in ops]]
        return float(c.sum())

    ops = ["kulak_00447", *NATIONAL_OPERATIONS]
    months = [dt.date(1937 + (7 + k) // 12, (7 + k) % 12 + 1, 1) for k in range(14)]
    print("month   " + "".join(f"{o.replace('national_', ''):>12}" for o in ops) + f"{'all':>12}")
    for m0, m1 in itertools.pairwise(months):
        lo, hi = m0.isoformat(), m1.isoformat()
        row = "".join(f"{arrests(lo, hi, [o]):12.0f}" for o in ops)
        print(f"{m0:%Y-%m} {row}{arrests(lo, hi):12.0f}")

    def value(fact_id: str) -> float:
        v = facts[fact_id].value
        if v is None:
            raise SystemExit(f"fact {fact_id} has no value")
        return float(v)

    nat = list(NATIONAL_OPERATIONS)
    print("\ndated windows                          model      record   ratio")
    windows = [
        ("all arrests 1 Oct 1936 - 1 Jul 1938", arrests("1936-10-01", "1938-07-01"),
         value("V-arrests-010738")),
        ("all arrests 1 Jul - 1 Nov 1938", arrests("1938-07-01", "1938-11-01"),
         value("V-nkvd-011138-arr") - value("V-arrests-010738")),
        ("national arrests to 1 Jul 1938", arrests("1936-10-01", "1938-07-01", nat),
         value("V-natop-arr-010738")),
        ("national arrests 1 Jul - 1 Nov 1938", arrests("1938-07-01", "1938-11-01", nat),
         value("V-nkvd-011138-natop-arr") - value("V-natop-arr-010738")),
    ]  # fmt: skip
    k447 = OP["kulak_00447"]
    convicted = [EV[k] for k in CONVICTED]
    sentenced = cube[:, :, k447, :][:, :, convicted].sum(axis=(1, 2))
    windows.append(("Order 00447 sentenced to 1 Jan 1938", float(sentenced[: day("1938-01-01")].sum()),
                    value("V-00447-conv-010138")))  # fmt: skip
    windows.append(("Order 00447 sentenced in 1938", float(sentenced[day("1938-01-01") :].sum()),
                    value("V-00447-conv-1938")))  # fmt: skip
    for label, model, record in windows:
        print(f"{label:<37}{model:10.0f}{record:12.0f}{model / record:8.2f}")

    print("\narrested by 7 Feb 1938, share of the operation's convictions (model, record)")
    feb7 = day("1938-02-08")  # "by 7 Feb": the day itself counts
    for op, fact_id in SHARE_070238.items():
        c = cube[:, :, OP[op], :]
        conv = float(c[:, :, EV["convicted_cat1"]].sum() + c[:, :, EV["convicted_camp"]].sum())
        share = float(c[:feb7, :, EV["arrested"]].sum()) / max(conv, 1.0)
        print(f"  {op:<18}{share:6.2f}{value(fact_id) / 100:8.2f}  ({fact_id})")

    codes = [r.code for r in sim.engine.world.people.regions]
    sverdlovsk = codes.index("sverdlovsk_obl")
    model_perm, record_perm = [], []
    for ym in PERM:
        y, m = (int(x) for x in ym.split("-"))
        lo = dt.date(y, m, 1)
        hi = dt.date(y + m // 12, m % 12 + 1, 1)
        model_perm.append(arrests(lo.isoformat(), hi.isoformat(), ["kulak_00447"], sverdlovsk))
        record_perm.append(value(f"V-perm-00447-arr-{ym}"))
    mp, rp = np.array(model_perm), np.array(record_perm)
    print(
        "\nOrder 00447 by month, share of December 1937: model Sverdlovsk oblast, record Kama region"
    )
    for ym, x, y in zip(PERM, mp / max(mp[0], 1.0), rp / rp[0], strict=True):
        print(f"  {ym}  {x:5.2f}  {y:5.2f}")


if __name__ == "__main__":
    main()
