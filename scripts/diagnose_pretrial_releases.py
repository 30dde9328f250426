"""Who the model releases before sentence, by which component and from which operation.

A diagnostic for the releases from investigation or awaiting sentence (summary.json's
``pretrial.released``, ``Ledger.released_pretrial``) beside the 12,903 released that the 1st
Special Department's note of 1 November 1938 gives for 1 October 1936 - 1 November 1938
(``V-nkvd-011138-pending``; docs/design/pretrial-releases.md). Every call of ``Engine.release``
is traced; a case counts if it was under investigation or awaiting sentence just before (the
camps' releases at term end and by review are left out, as ``released_pretrial`` leaves them
out). Each release is keyed by:

- the route: the component that called ``release`` (``Investigation``: a silent prisoner
  outside the mass operations, ``release_without_confession``; ``HaltReview``: a case pending at
  the halt, ``halt_release_share``), and for ``Investigation`` whether the case was one the
  halt put up for review, one a special troika sent back (model/no_sentence.py) or neither;
- the operation the case was opened in (before the halt or a special troika moved it to
  ``ordinary``), and whether the person is in the elite layer;
- the year, and whether the day falls in the note's window (1 Oct 1936 - 31 Oct 1938, the
  releases ``V-nkvd-011138-pending``'s measure takes off).

Counts are full-population equivalents. The window's total is checked against the summary's
``pretrial.released`` (printed side by side).

    python scripts/diagnose_pretrial_releases.py --scale 0.01 --seed 1 [--set name=value ...]
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from _diagnose import elite_group, historical_sim, options, trace_halted_operations

from greatterror.model import no_sentence
from greatterror.vocabulary import EV, OPERATIONS, POLITICAL_OPERATIONS, Status

WINDOW = ("1936-10-01", "1938-11-01")
YEARS = tuple(range(1934, 1941))
#: the 1st Special Department's released, 1 Oct 1936 - 1 Nov 1938 (facts.csv,
#: V-nkvd-011138-conv's note; nkvd_spravka_1nov1938): all NKVD cases, not only political ones
RECORD_RELEASED = 12903
#: the same note's arrested in the window (V-nkvd-011138-arr), all NKVD cases
RECORD_ARRESTED = 1565041


Key = tuple[str, ...]


def _table(
    title: str, tally: dict[Key, float], label: Callable[[Key], str], width: int = 60
) -> None:
    """Rows ``label(key)``, columns the years and the window (keys: year, "in"/"out", ...)."""
    rows: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key, v in tally.items():
        rows[label(key)][key[0]] += v
        if key[1] == "in":
            rows[label(key)]["window"] += v
    cols = [str(y) for y in YEARS] + ["window"]
    print(f"  {title}")
    print(f"    {'':{width}s} " + " ".join(f"{c:>8s}" for c in cols))
    order = sorted(rows.items(), key=lambda r: (-r[1]["window"], -sum(r[1].values())))
    for name, row in order:
        print(f"    {name:{width}s} " + " ".join(f"{row.get(c, 0.0):8,.0f}" for c in cols))
    total = {col: sum(r.get(col, 0.0) for r in rows.values()) for col in cols}
    print(f"    {'all':{width}s} " + " ".join(f"{total[col]:8,.0f}" for col in cols))


def main() -> None:
    a = options(__doc__).parse_args()
    sim = historical_sim(a)
    e = sim.engine.engine
    w = e.world
    c, pop = w.cases, w.people
    n = len(c.op)
    halted_op = trace_halted_operations(n)  # the operation a case had when the halt took it
    returned_op = np.full(n, -1, dtype=np.int16)  # ... or when a special troika sent it back
    leave = no_sentence.leave_operation

    def sent_back(world: Any, eng: Any, day: int, idx: np.ndarray) -> None:
        returned_op[idx] = world.cases.op[idx]
        leave(world, eng, day, idx)

    no_sentence.leave_operation = sent_back  # type: ignore[attr-defined]
    # (year, "in"/"out" of the window, route, operation, layer, stage, methods) -> weight
    tally: dict[tuple[str, ...], float] = defaultdict(float)
    release = e.release

    def traced(day: int, idx: np.ndarray) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx):
            status = c.status[idx]
            pre = (status == Status.INVESTIGATION) | (status == Status.AWAITING_SENTENCE)
            if pre.any():
                frame = sys._getframe(1)
                caller = type(frame.f_locals.get("self")).__name__
                date = sim.engine.date(day).isoformat()
                year = date[:4]
                inside = "in" if WINDOW[0] <= date < WINDOW[1] else "out"
                weight = e.weights(idx)
                for k in np.flatnonzero(pre).tolist():
                    i = int(idx[k])
                    route = caller
                    origin = int(c.op[i])
                    if halted_op[i] >= 0:
                        origin = int(halted_op[i])
                        route += " (case pending at the halt)" if caller != "HaltReview" else ""
                    elif returned_op[i] >= 0:
                        origin = int(returned_op[i])
                        route += " (sent back by a special troika)"
                    stage = "investigation" if status[k] == Status.INVESTIGATION else "awaiting"
                    layer = elite_group(int(pop["elite"][i]), "mass")
                    methods = "with" if w.policy.physical_methods else "without"
                    key = (year, inside, route, OPERATIONS[origin], layer, stage, methods)
                    tally[key] += float(weight[k])
        release(day, idx)

    e.release = traced  # type: ignore[method-assign]
    # (year or "window", operation) -> weight of the investigated arrests
    arrests: dict[tuple[str, str], float] = defaultdict(float)
    arrest = e.arrest

    def arrest_traced(day: int, idx: np.ndarray, op: str, *args: Any, **kw: Any) -> np.ndarray:
        done = arrest(day, idx, op, *args, **kw)
        if len(done) and kw.get("investigate", True) and not (len(args) > 1 and not args[1]):
            date = sim.engine.date(day).isoformat()
            weight = float(e.weights(done).sum())
            arrests[(date[:4], op)] += weight
            if WINDOW[0] <= date < WINDOW[1]:
                arrests[("window", op)] += weight
        return done

    e.arrest = arrest_traced  # type: ignore[method-assign]
    summary = sim.run().results.summary
    released = summary["pretrial"]["released"]
    in_window = sum(v for k, v in tally.items() if k[1] == "in")
    print(
        f"releases before sentence, {WINDOW[0]} to {WINDOW[1]} (exclusive): traced "
        f"{in_window:,.0f}; summary pretrial.released {released[WINDOW[1]] - released[WINDOW[0]]:,.0f}"
        f"; the record's released (all NKVD cases) {RECORD_RELEASED:,}"
    )
    # the political operations' arrests in the window (the ledger's, with the social-order
    # bodies' arrests, as V-nkvd-011138-pending's measure counts them), and the share released
    cube = e.ledger.cube()
    days = [
        d for d in range(cube.shape[0]) if WINDOW[0] <= sim.engine.date(d).isoformat() < WINDOW[1]
    ]
    political = [OPERATIONS.index(op) for op in POLITICAL_OPERATIONS]
    n_arrested = float(cube[days][:, :, political, EV["arrested"]].sum())
    print(
        f"political arrests in the window {n_arrested:,.0f}; released before sentence per arrest "
        f"{in_window / n_arrested:.4f} (the record's {RECORD_RELEASED / RECORD_ARRESTED:.4f}, all NKVD cases)"
    )
    print(f"scale {a.scale:g}, seed {a.seed}; full-population equivalents, by year and the window")
    _table("by route (the component that releases)", tally, lambda k: k[2])
    _table("by operation the case was opened in", tally, lambda k: k[3])
    _table("by route and operation", tally, lambda k: f"{k[2]} / {k[3]}")
    _table("by layer (elite group or mass)", tally, lambda k: k[4])
    _table("by stage at release", tally, lambda k: k[5])
    # the confession's probability, and so the share of silent prisoners the investigation can
    # release, changes when physical methods are sanctioned (M06; 5 Aug 1937 in the scenario)
    _table("by route, physical methods sanctioned or not", tally, lambda k: f"{k[2]} / {k[6]}")
    # the investigated arrests of the operations outside the mass operations (the social-order
    # bodies' arrests, judged the same day without investigation, are left out), and the
    # investigation's releases per such arrest (a year's releases need not be its arrests')
    print("  arrests investigated outside the mass operations, and the investigation's releases")
    cols = [str(y) for y in YEARS] + ["window"]
    print(f"    {'':60s} " + " ".join(f"{col:>8s}" for col in cols))
    for op in ("ordinary", "elite", "family"):
        n_arr = [arrests.get((col, op), 0.0) for col in cols]
        rel = [
            sum(
                v
                for k, v in tally.items()
                if (k[0] == col or (col == "window" and k[1] == "in"))
                and k[3] == op
                and k[2].startswith("Investigation")
            )
            for col in cols
        ]
        share = [r / x if x else 0.0 for r, x in zip(rel, n_arr, strict=True)]
        print(f"    {op + ' arrested (investigated)':60s} " + " ".join(f"{v:8,.0f}" for v in n_arr))
        print(
            f"    {op + ' released by the investigation / arrested':60s} "
            + " ".join(f"{v:8.3f}" for v in share)
        )


if __name__ == "__main__":
    main()
