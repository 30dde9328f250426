"""The show trials' docks and verdicts, for one historical run (issue 9, G11-trial17/21).

For each show trial, on its date, before the dock is sentenced: the case's members by how they
joined (list, names, window), by whether they are of the trial's group, by status (held for
the trial and confessed, still silent under investigation, sentenced or dead before the date)
and the dock the rule draws (model/steps_trials.py ``dock``); then the trial's result and the
death share its verdicts were drawn with. A diagnostic, not a check: it reads the run's state.

    python scripts/diagnose_trials.py --scale 0.001 --seed 1 [--set name=value ...]
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import numpy as np
from _diagnose import historical_sim, options

from greatterror.model import steps_trials
from greatterror.model.case_flags import CONFESSED
from greatterror.model.trial_cases import group_name, in_group, open_session
from greatterror.vocabulary import STATUSES

_ORIGINAL = steps_trials.ShowTrials._trial
_OPEN = steps_trials.open_case


def _open_case(w: Any, e: Any, day: int, case: Any) -> None:
    """The group's people when the case opens: in custody (free to be listed, or held by
    another pending case), at liberty, sentenced or dead."""
    heads = w.registers.elite_heads.astype(np.int64)
    mine = heads[in_group(w.people, heads, group_name(case))]
    st = w.cases.status[mine]
    other = w.trial_cases.case_of(mine, day) >= 0
    by = Counter(STATUSES[int(x)] for x in st.tolist())
    _OPEN(w, e, day, case)
    print(
        f"{case.trial}: case opens day {day}; the group {len(mine)}: {dict(sorted(by.items()))},"
        f" held by another pending case {int(other.sum())}; listed {len(case.listed)}"
    )


def _report(w: Any, e: Any, day: int, event: Any) -> None:
    case = next((k for k in w.trial_cases.cases if k.trial == event.trial), None)
    print(f"{event.trial} ({event.date}):")
    if case is None or not case.opened:
        print("    no case opened")
        return
    order = np.fromiter(case.joined, dtype=np.int64)
    c = w.cases
    ours = in_group(w.people, order, group_name(case)) | np.isin(order, case.listed)
    held = np.isin(order, w.signals.held)
    confessed = c.has(CONFESSED, order)
    status = Counter(
        (case.joined[i], bool(g), STATUSES[int(c.status[i])], bool(k), bool(h))
        for i, g, h, k in zip(
            order.tolist(), ours.tolist(), held.tolist(), confessed.tolist(), strict=True
        )
    )
    print(
        f"    case opened day {case.opens}, {len(order)} members, listed {len(case.listed)},"
        f" open session {open_session(case)}, share {_share(w, e, event):.3f}"
    )
    print("    (joined, of the group, status, confessed, held for the trial): count")
    for key, n in sorted(status.items()):
        print(f"      {key}: {n}")
    pool = w.signals.held[np.isin(w.signals.held, order)]
    chosen, silent = steps_trials.dock(w, e, case, pool)
    named_by = Counter(a for a, _ in case.names)
    print(
        f"    dock {len(chosen)} (cap {int(e.params['trial_dock_size'])}), silent to the"
        f" Collegium {len(silent)}; names given by the dock's members:"
        f" {[named_by.get(i, 0) for i in chosen.tolist()]}"
    )


def _trial(self: Any, w: Any, e: Any, day: int, event: Any) -> None:
    _report(w, e, day, event)
    _ORIGINAL(self, w, e, day, event)
    print(f"    result: {w.trials[-1]}")


def _share(w: Any, e: Any, event: Any) -> float:
    charge = steps_trials.charges().get(event.trial, "")
    return steps_trials.verdict_share(w, e.params, charge)


def main() -> None:
    args = options(__doc__).parse_args()
    steps_trials.ShowTrials._trial = _trial  # type: ignore[method-assign]
    steps_trials.open_case = _open_case
    sim = historical_sim(args)
    sim.run(until=dt.date(1938, 3, 14))  # the last trial


if __name__ == "__main__":
    main()
