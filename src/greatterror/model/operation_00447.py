"""Order 00447's daily arrests in each region: its goal, its pace, its first blow, its lines.

Apart from the general register selection (model/steps_register_selection.py) because
this is the one operation run to regional limits (the order's appendix and the
increases granted on request), so it carries rules no other arrest has: the goal
rounded to whole sampled people, a pace that drives each region to finish within the
order's four months, the first category's July lists arrested in the first days, and
the line of the order each arrested person is put on. Those rules are documented in
docs/ODD.md 7.5 and tested in tests/test_pace_00447.py, tests/test_order_start.py and
tests/test_scale_free.py.
"""

from __future__ import annotations

import numpy as np

from greatterror.model.case_flags import FIRST_CATEGORY
from greatterror.model.engine import Engine
from greatterror.model.lines import line_00447, list_opening, opened_acceptance
from greatterror.model.operation_term import days_into_term, from_below
from greatterror.model.order_start import first_blow
from greatterror.model.state import Institutions, Policy
from greatterror.model.world import World
from greatterror.vocabulary import LN


def arrests_00447(w: World, e: Engine, day: int, delays: np.ndarray, unmarked_on: bool) -> None:
    """Order 00447's arrests of the day: in each region from its start (G3-start), the
    first category's July list within the first days, and the operation's pace on what
    is left of its goal (model/order_start.py). ``delays``: per region, the days from the
    launch to its start there (``order_start.start_delays``); ``unmarked_on``: whether M13
    is on, so that a share of the arrests is drawn from beyond the registers."""
    p, reg, pol, inst = e.params, w.registers, w.policy, w.institutions
    rng = e.rng.operation
    # each region from its own chief's start (model/regional_start.py), or from the launch
    # and the region's delay
    term_day = days_into_term(w, p, day)
    since = np.asarray(term_day if from_below(p) else term_day - delays, dtype=np.int64)
    goal = (inst.limit_cat1 + inst.limit_cat2) * p["overfill_target"]
    # where the operation has ended by a dated decision, its troika arrests no more; where
    # it has not started yet, its NKVD arrests nobody under it
    left = np.where(inst.op_closed | (since < 0), 0, persons_left(goal, e.w_mass, inst, rng))
    # launched from above, the model reads the order's four months as one term for every
    # region, whatever its start (G3-start; a reading, review12 F11): the ramp counts from the
    # national launch; started from below, from each region's own start (days_into_term)
    pace = scheduled_pace(float(p["operation_pace"]), term_day, float(p["operation_term_days"]))
    blow = np.where(
        left > 0,
        first_blow(inst.initial_cat1, inst.listed_cat1, since, float(p["first_blow_days"])),
        0.0,
    )
    # the officers' own daily work is bounded by their capacity; the first blow's lists,
    # prepared in July, were arrested with the troop and militia units the order attached
    # to the operational groups (the order, section III.4), beyond it
    wanted = np.minimum(pace * left * e.w_mass, p["nkvd_capacity"] * inst.officers) + blow
    n = np.minimum(rng.poisson(wanted * w.people.scale), left)
    # the July lists held former kulaks and criminals; the lines the order added
    # come on the lists as they are compiled (model/lines.py list_opening)
    opened = list_opening(days_since_order(pol, day), float(p["list_compile_days"]))
    share = p["unmarked_share_00447"] * opened if unmarked_on else 1.0
    unmarked = rng.binomial(n, share)
    accept = opened_acceptance(reg.accept, opened)
    listed = reg.draw_listed(reg.kulak, n - unmarked, rng, accept)
    # the first blow's July list was of registered people: its share of the day's
    # registered arrests (review12 F10: not of the people drawn from the whole population)
    on_registers = wanted * (1.0 - share)
    with np.errstate(divide="ignore", invalid="ignore"):
        listed_share = np.where(on_registers > 0, np.minimum(blow / on_registers, 1.0), 0.0)
    _arrest_00447(w, e, day, listed, LN["none"], listed_share)
    other = reg.specs["anti_soviet_other"]
    profiled = reg.draw_profiled(unmarked, other, w.people, rng)
    _arrest_00447(w, e, day, profiled, other.code, np.zeros_like(listed_share))


def _arrest_00447(
    w: World,
    e: Engine,
    day: int,
    chosen: np.ndarray,
    unregistered: int,
    listed_share: np.ndarray,
) -> np.ndarray:
    """Order 00447 arrests, each on the line of the order that put the person on the list
    (model/lines.py ``line_00447``), a share ``listed_share[region]`` of them the first
    category's July list (model/order_start.py). Returns those arrested (of ``chosen``, the
    ones at liberty)."""
    arrested = e.arrest(day, chosen, "kulak_00447", allow_in_camp=True)
    pop = w.people
    region = pop["region"][arrested]
    w.cases.line[arrested] = line_00447(
        pop["marks"][arrested], region, w.institutions.camps_region,
        w.registers.mark_lines, unregistered,
    )  # fmt: skip
    first = e.rng.first_category.random(len(arrested)) < listed_share[region]
    w.cases.put(FIRST_CATEGORY, arrested, first)
    if first.any():
        inst = w.institutions
        inst.listed_cat1 += np.bincount(
            region[first], e.weights(arrested[first]), minlength=len(inst.listed_cat1)
        )
    return arrested


def days_since_order(pol: Policy, day: int) -> int:
    """Days from Order 00447 (the regional limits of its appendix, ``set_limits``: 30 July
    1937 in the historical scenario, G12-16) to ``day``; its launch if no limits were set."""
    named = pol.first_day.get(("set_limits", None), pol.launch_day("kulak_00447"))
    return 0 if named is None else day - named


def scheduled_pace(
    pace: float, days_since_launch: int | np.ndarray, term_days: float
) -> float | np.ndarray:
    """The share of its remaining goal a region's NKVD arrests in a day under Order 00447.

    The order gave the operation four months (evidence G3-start; ``operation_term_days``,
    counted from the launch). A region works at ``operation_pace`` of what is left, and at
    least fast enough to finish what is left by the end of that term: 1 / (days left). So
    arrests come on faster towards the planned end, as the regional administrations drove
    to complete their limits on schedule, and what is granted late in the term is arrested
    within it. After the first term only ``operation_pace`` applies: the extension of 31
    January 1938 (G12-24) came with new limits for some regions (G3-inc-310138), not with a
    new deadline for all of them to be driven to.

    ``days_since_launch`` may be one number for every region or one per region (a term from
    each region's own start, ``operation_term.days_into_term``); the result is then per region.
    """
    if isinstance(days_since_launch, np.ndarray):
        since = days_since_launch.astype(np.float64)
        rest = term_days - since
        within = (since >= 0) & (rest >= 1)
        return np.where(within, np.maximum(pace, 1.0 / np.where(within, rest, 1.0)), pace)
    left = term_days - days_since_launch
    if days_since_launch < 0 or left < 1:
        return pace
    return max(pace, 1.0 / left)


def persons_left(
    goal: np.ndarray, weight: float, inst: Institutions, rng: np.random.Generator
) -> np.ndarray:
    """Sampled people each region may still arrest under Order 00447 (its goal, less its arrests).

    A sampled person stands for ``weight`` people, so at small scales a region's goal
    is often a fraction of a person from its end. The goal is rounded to whole sampled
    people stochastically (up with probability its fraction), once each time it
    changes: the expected arrests equal the goal at any scale, and the operation's
    pace (a share of what is left each day) runs on whole people, so a region whose
    remaining goal is 0.4 of a person is not slowed to 0.4 of the pace, as it was when
    a fraction was accepted day by day (docs/calibration.md, "Scale").
    """
    changed = goal != inst.goal_00447
    if changed.any():
        units = goal[changed] / weight
        whole = np.floor(units)
        up = rng.random(int(np.count_nonzero(changed))) < units - whole
        inst.goal_persons_00447[changed] = whole + up
        inst.goal_00447[changed] = goal[changed]
    taken = np.rint(inst.arrested_00447 / weight)
    return np.maximum(inst.goal_persons_00447 - taken, 0.0).astype(np.int64)
