"""Who the Military Collegium sentences on the execution lists, by group, for one historical run.

A diagnostic for the list track's excess (issue 9; docs/validation.md, ``V-mc-conv-3638``,
``V-lists-names-3739``). Every death or camp sentence passed from 1 October 1936 to 30
September 1938 (the window of ``V-mc-conv-3638``) is counted by court (the Collegium, the
districts' military tribunals, the other channels for a case of the elite operation) and by
the convict's group: in the elite layer the nomenklatura (the 1934 Central Committee and
congress, the apparatus, the regional secretaries), the army's high command and officers, the
NKVD, the prominent former oppositionists and the elite's households; in the mass layer the
patron cascade's clients (``patron >= 0``), those named under interrogation and the others.
Then Order 00486: the wives arrested and the children counted, with the convictions that
reached them. Counts are full-population persons.

    python scripts/diagnose_list_track.py --scale 0.01 --seed 1 [--set name=value ...]
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import numpy as np
from _diagnose import historical_sim, options

from greatterror.model import transitions
from greatterror.model.case_flags import NAMED
from greatterror.population.codes import Elite, Mark
from greatterror.vocabulary import ARMY_FLAGS, NKVD_FLAGS, OP

NOMENKLATURA = int(
    Elite.CC_1934 | Elite.CONGRESS_1934 | Elite.APPARATUS_1934 | Elite.REGIONAL_SECRETARY
)
WINDOW = (dt.date(1936, 10, 1), dt.date(1938, 9, 30))


def group_of(w: Any, e: Any, idx: np.ndarray) -> np.ndarray:
    """A label per person of ``idx`` (the first rule that applies)."""
    pop = w.people
    flags = pop["elite"][idx].astype(np.int64)
    elite = e.is_elite[idx]
    out = np.full(len(idx), "mass: other", dtype=object)
    mass_rules = (
        ("mass: former oppositionist", (pop["marks"][idx] & int(Mark.OPPOSITIONIST)) != 0),
        ("mass: named", w.cases.has(NAMED, idx)),
        ("mass: cascade client", pop["patron"][idx] >= 0),
    )
    for label, rule in mass_rules:
        out[~elite & rule] = label
    out[elite] = "elite: other"
    elite_rules = (
        ("elite: household", (flags & int(Elite.ELITE_FAMILY)) != 0),
        ("elite: oppositionist", (flags & int(Elite.PROMINENT_OPPOSITIONIST)) != 0),
        ("elite: NKVD", (flags & NKVD_FLAGS) != 0),
        ("elite: army officer", (flags & ARMY_FLAGS) == int(Elite.ARMY_OFFICER)),
        ("elite: army high command", (flags & int(Elite.ARMY_HIGH_COMMAND)) != 0),
        ("elite: nomenklatura", (flags & NOMENKLATURA) != 0),
    )
    for label, rule in elite_rules:
        out[elite & rule] = label
    return out


def main() -> None:
    a = options(__doc__).parse_args()
    sim = historical_sim(a)
    e = sim.engine.engine
    w = e.world
    table: dict[tuple[str, str], float] = defaultdict(float)
    monthly: dict[tuple[str, str], float] = defaultdict(float)
    sentence = transitions.Transitions.sentence

    def traced(self: Any, day: int, idx: np.ndarray, kind: str, channel: str = "courts",
               terms: Any = None) -> None:  # fmt: skip
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx) and kind in ("death", "camp") and WINDOW[0] <= e.date(day) <= WINDOW[1]:
            elite_op = w.cases.op[idx] == OP["elite"]
            court = channel if channel in transitions.ORDER_00486_COURTS else "other"
            keep = elite_op | (court != "other")
            for label in np.unique(group_of(w, e, idx[keep])).tolist():
                sel = idx[keep][group_of(w, e, idx[keep]) == label]
                table[(label, court)] += float(e.weights(sel).sum())
                if court == "military_collegium":
                    monthly[(e.date(day).strftime("%Y-%m"), label)] += float(e.weights(sel).sum())
        sentence(self, day, idx, kind, channel, terms)

    transitions.Transitions.sentence = traced  # type: ignore[method-assign]
    try:
        sim.run()
    finally:
        transitions.Transitions.sentence = sentence  # type: ignore[method-assign]
    courts = ("military_collegium", "military_tribunal", "other")
    print(f"death and camp sentences {WINDOW[0]} - {WINDOW[1]}, elite operation or military court")
    print(f"{'group':32s}" + "".join(f"{c:>20s}" for c in courts))
    for label in sorted({k[0] for k in table}):
        print(f"{label:32s}" + "".join(f"{table[(label, c)]:20,.0f}" for c in courts))
    print(f"{'total':32s}" + "".join(
        f"{sum(v for k, v in table.items() if k[1] == c):20,.0f}" for c in courts
    ))  # fmt: skip
    labels = sorted({k[1] for k in monthly})
    print("the Military Collegium's death and camp sentences by month")
    print(f"{'month':8s}" + "".join(f"{lb.split(': ')[1][:12]:>13s}" for lb in labels))
    for month in sorted({k[0] for k in monthly}):
        print(f"{month:8s}" + "".join(f"{monthly[(month, lb)]:13,.0f}" for lb in labels))
    s = sim.results.summary
    fam = s["operations"]["family"]
    print(
        f"Order 00486: wives arrested {fam['arrested']:,.0f}, "
        f"children counted {s['families']['children_to_homes']:,.0f}"
    )


if __name__ == "__main__":
    main()
