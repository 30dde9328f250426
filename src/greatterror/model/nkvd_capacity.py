"""The NKVD's capacity to arrest: a ceiling on the arrests its officers make on their own
initiative each day, in each region.

Why. The perceived threat (M01, M02, M03) multiplies the NKVD's ordinary work (its arrest
intensity, 1 + threat) and, with the vigilance campaign (M09), the denunciations acted on
(M12); the arrests it brings are reported up and named under interrogation, and raise the
threat again. Nothing in that loop has a ceiling: under H3's and H4's priors its gain can
exceed one, and a run then arrested ten million people in a quarter (docs/hypotheses-log.md,
"The NKVD's capacity and H3's and H4's priors", "What bounds it: the NKVD's capacity to arrest"). Harris's "no limit to the conspiracies" (F003:83) is a
limit-free perception; the arrests were made by people. The regional organs' state-security
officers (25,000 in 1937, pop_gugb_staff_1937; ``Institutions.officers``, lowered while
recruits replace arrested officers) can each arrest ``nkvd_capacity`` people a day: the bound
Order 00447's own arrests already obey (model/operation_00447.py). No new parameter.

What is bounded, and what is not. The capacity is taken in the day's order of steps
(model/components.py): first the expected arrests on denunciations (the denunciations written
times ``denunciation_acted_on``), then ordinary work on the registers and beyond them. Where
either exceeds what is left, the day's denunciations or the region's ordinary-work means are
scaled down by one factor; elsewhere they are returned unchanged, so a run in which the
ceiling never binds is the run without it, draw for draw. Both are bounded as expected
numbers (means), which do not depend on the sampling scale. Last, the people named under
interrogation and taken up (mass layer) are bounded by what is left of the Union's capacity
that day (``bound_named``): the names come whole, and at 1:1,000 a region's daily capacity is
a fraction of one sampled person, so a regional bound on them would bind on single sampled
names (it did so in the historical scenario when tried). Order 00447 keeps its own bound; the
national lines (finite lists, worked for the orders' terms) and the elite hunt are not
bounded here. In the historical scenario the ceiling never binds (tests/test_nkvd_capacity.py;
the baseline regenerates byte-identical).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model.engine import Engine
from greatterror.model.state import Institutions
from greatterror.model.world import World


def capacity(w: World, e: Engine) -> NDArray[np.float64]:
    """What each region's officers can arrest in a day, in sampled rows of the mass layer."""
    return np.asarray(
        e.params["nkvd_capacity"] * w.institutions.officers / e.w_mass, dtype=np.float64
    )


def taken_today(w: World, day: int) -> NDArray[np.float64]:
    """What the day's arrests took of the officers' capacity so far (sampled rows per region;
    reset on a new day)."""
    inst = w.institutions
    n = len(inst.officers)
    if inst.capacity_taken_day != day or len(inst.capacity_taken) != n:
        inst.capacity_taken = np.zeros(n)
        inst.capacity_taken_day = day
    return inst.capacity_taken


def capacity_left(w: World, e: Engine, day: int) -> NDArray[np.float64]:
    """The officers' capacity left today, after what the day's earlier steps took of it."""
    return np.maximum(capacity(w, e) - taken_today(w, day), 0.0)


def bound_denunciations(
    w: World, e: Engine, day: int, lam: NDArray[np.float64], acted_on: float
) -> NDArray[np.float64]:
    """The day's expected denunciations per region, bounded so that those acted on fit the
    officers' capacity left; what they are expected to take is recorded."""
    cap = capacity_left(w, e, day)
    taken = lam * acted_on
    over = taken > cap
    if over.any():
        _bound(w.institutions, day, over)
        w.institutions.capacity_turned_away["denunciations"] += float((taken - cap)[over].sum())
        lam = np.where(over, lam * cap / np.where(over, taken, 1.0), lam)
        taken = np.minimum(taken, cap)
    taken_today(w, day)[:] += taken
    return lam


def within_capacity(
    means: dict[str, NDArray[np.float64]], cap: NDArray[np.float64], inst: Institutions, day: int
) -> dict[str, NDArray[np.float64]]:
    """The day's means, each region's sum bounded by ``cap``: where the sum exceeds it, every
    mean of the region is scaled by one factor; otherwise the means are returned unchanged."""
    if not means:
        return means
    total = sum(means.values())
    over = np.asarray(total > cap)
    if not over.any():  # (the method: ``np.any`` adds its Python wrapper's calls, every day)
        return means
    _bound(inst, day, over)
    inst.capacity_turned_away["ordinary"] += float((total - cap)[over].sum())
    factor = np.where(over, cap / np.where(over, total, 1.0), 1.0)
    return {k: np.where(over, v * factor, v) for k, v in means.items()}


def take_ordinary(w: World, day: int, means: dict[str, NDArray[np.float64]]) -> None:
    """Record what ordinary work's (bounded) means take of the day's capacity."""
    if means:
        taken_today(w, day)[:] += sum(means.values())


def bound_named(
    w: World, e: Engine, day: int, named: NDArray[np.int64], rng: np.random.Generator
) -> NDArray[np.bool_]:
    """Which of the people named today (and taken up) the officers can arrest: all of them
    while the named of the mass layer fit the Union's capacity left today (summed over the
    regions); beyond it each with the share that fits, drawn from ``rng`` only then. The
    elite layer's named are all kept. The Union's capacity, not the region's: at 1:1,000 a
    region's daily capacity is a fraction of one sampled person (7 people for 28 officers),
    and realised names, unlike the other arrests' expected numbers, come whole."""
    keep = np.ones(len(named), dtype=bool)
    if len(named) == 0:
        return keep
    mass = ~e.is_elite[named]
    n = int(np.count_nonzero(mass))
    left = float(capacity_left(w, e, day).sum())
    if n <= left:
        return keep
    _bound(w.institutions, day, np.ones(1, dtype=bool))
    keep[mass] = rng.random(n) < left / n
    w.institutions.capacity_turned_away["named"] += float(np.count_nonzero(~keep))
    return keep


def capacity_block(inst: Institutions, w_mass: float, start: dt.date) -> dict[str, Any]:
    """summary.json's ``nkvd_capacity``: the region-days the bound held arrests back (the
    named count one Union-day each), the first such date, and what it turned away in
    full-population equivalents (expected numbers for the denunciations acted on and
    ordinary work, realised names for the named). ``warning`` is set when it bound: the run
    is then not the run without the bound (docs/outputs.md)."""
    first = inst.capacity_first_bound
    when = (start + dt.timedelta(days=first)).isoformat() if first >= 0 else None
    days = int(inst.capacity_bound_days)
    return {
        "bound_region_days": days,
        "first_bound": when,
        "turned_away": {k: float(v) * w_mass for k, v in inst.capacity_turned_away.items()},
        "warning": f"the NKVD's capacity to arrest (nkvd_capacity) held arrests back on "
        f"{days} region-days from {when}: the run is not the run without the bound "
        "(summary.json, nkvd_capacity)"
        if days > 0
        else None,
    }


def _bound(inst: Institutions, day: int, over: NDArray[np.bool_]) -> None:
    """Count the regions the ceiling binds in today, and remember the first such day."""
    inst.capacity_bound_days += int(np.count_nonzero(over))
    if inst.capacity_first_bound < 0:
        inst.capacity_first_bound = day
