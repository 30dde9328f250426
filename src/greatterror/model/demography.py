"""Who the victims were: sex and age of those arrested, convicted and sentenced to death.

Computed once, at the end of a run, from the per-person case arrays and the
people's sex and age, so no daily pass over the population is needed. Each
person counts with their weight (full-population equivalents); a person
arrested twice counts twice among the arrested. A person's operation is that
of their last case. Ages are the ages at the 1937 census (the model does not
age people during the run).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model.blocks import nonzero_by_blocks
from greatterror.vocabulary import NON_POLITICAL, OP, POLITICAL_OPERATIONS, Status

#: The age groups of the demography block: label -> first and last year of age.
AGE_GROUPS: dict[str, tuple[int, int]] = {
    "0-15": (0, 15),
    "16-29": (16, 29),
    "30-49": (30, 49),
    "50+": (50, 255),
}
OUTCOMES = ("arrested", "convicted", "shot")


def profile(
    male: NDArray[np.bool_], age: NDArray[np.integer], weight: NDArray[np.float64]
) -> dict[str, Any]:
    """Male share and age-group shares among people with these weights (0 if none)."""
    total = float(weight.sum())
    if total <= 0:
        return {"male_share": 0.0, "age": {label: 0.0 for label in AGE_GROUPS}}
    shares = {
        label: float(weight[(age >= lo) & (age <= hi)].sum()) / total
        for label, (lo, hi) in AGE_GROUPS.items()
    }
    return {"male_share": float(weight[male].sum()) / total, "age": shares}


def outcome_people(sim: Any, outcome: str) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The people with an outcome and how many times each counts (before weighting)."""
    cases = sim.cases
    if outcome == "arrested":
        idx = np.flatnonzero(cases.arrests)
        return idx, cases.arrests[idx].astype(np.float64)
    # the tests by blocks of people (model/blocks.py): masks of the population's size
    # would be made at the run's peak of memory
    status, n = cases.status, len(cases.status)
    if outcome == "convicted":
        idx = nonzero_by_blocks(lambda s: cases.sentence_day[s] >= 0, n)
    elif outcome == "shot":  # sentenced to death, whether or not yet executed at the end
        idx = nonzero_by_blocks(
            lambda s: (status[s] == Status.SHOT) | (status[s] == Status.SENTENCED_DEATH), n
        )
    else:
        raise ValueError(f"outcome: {outcome!r}; allowed values: {', '.join(OUTCOMES)}")
    return idx, np.ones(len(idx))


def demography(sim: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """``{outcome: {"all" | operation: {"male_share": f, "age": {group: f}}}}``."""
    male, age = sim.pop["male"], sim.pop["age"]
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for outcome in OUTCOMES:
        idx, times = outcome_people(sim, outcome)
        # the repressed only: the ordinary courts' non-political convicts are not counted
        political = sim.cases.op[idx] != NON_POLITICAL
        idx, times = idx[political], times[political]
        weight = sim.weights(idx) * times
        m, a, op = male[idx], age[idx], sim.cases.op[idx]
        block = {"all": profile(m, a, weight)}
        for name in POLITICAL_OPERATIONS:
            sel = op == OP[name]
            block[name] = profile(m[sel], a[sel], weight[sel])
        out[outcome] = block
    return out
