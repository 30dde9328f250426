"""The centre's own plan: a mode of the leader's decision rule (H1e; issue 10).

The leader's rule (model/leader.py) decides from perceived threat, perceived cost and the
expectation of war: a centre that reacts. H1 holds that the centre acted on its own plan:
Stalin, driven by suspicion and absolute power (F004:17), decided ahead to destroy those he
counted enemies, rivals and dissident communists first (F004:3; F000:40), took the Kirov
murder as the pretext, and directed the repression by dated central decisions and limits.
The plan chooses the executor and schedules the operations and their end; their targets are
the orders' own, which H1's sources do not explain. Under H1,
which switches off what raises perceived threat (M01, M02, M24), the reacting rule never
launches a mass operation; this mode gives H1e a centre that plans instead, without the
record's dates.

With ``centre_plan`` on (an endogenous scenario only), the rule's decisions that the record
dates (the new chief, the physical methods, Order 00447 with its limits and the families
order, the album procedure and the national operations, the halt with the change of chief)
are taken on the days of a plan whose timing and scale are parameters, each with a broad
stated prior (data/parameters.csv, the H1e scenario's ``[priors]``):

- Order 00447 is launched on ``plan_launch_year`` (a decimal year);
- the national operations and the album procedure ``plan_national_offset_days`` after it
  (negative: before it);
- the executor, Yezhov, is appointed ``plan_chief_lead_days`` before the plan's first
  operation, and the physical methods are sanctioned on that operation's day;
- the halt comes ``plan_duration_days`` after Order 00447's launch; a national operation
  the plan puts after its own halt is never launched, since the rule relaunches nothing;
- the limits of Order 00447 are a share ``plan_cat1_share`` (first category) and
  ``plan_cat2_share`` (second) of the people on each region's own register of former
  kulaks, criminals and "anti-Soviet elements" (``register_limits``), not the figures of
  the order's appendix (data/limits).

The decisions are carried out by the same ``apply_decision`` as the record's and the rule's
(model/steps_policy.py), so every downstream mechanism is unchanged; the plan draws nothing,
so it has no random stream. The rule's other decisions are not the plan's and stay the
rule's: the special troikas when the album's backlog grows, the releases after the halt,
and the limit increases, left to the regions' requests (model/steps_quota.py). The national
operations have no limits in the model, so the plan sets none for them. With the switch off
(the default) nothing here is read.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from greatterror.model.engine import Engine
from greatterror.model.world import World

#: The parameters of the plan (read by the policy component).
PARAMS = (
    "centre_plan",
    "plan_cat1_share",
    "plan_cat2_share",
    "plan_chief_lead_days",
    "plan_duration_days",
    "plan_launch_year",
    "plan_national_offset_days",
)


class Due(NamedTuple):
    """Which of the rule's dated decisions are due today (each is still taken only once)."""

    expand: bool  # the chief change to Yezhov
    methods: bool  # physical methods
    mass: bool  # Order 00447, its limits and the families order
    national: bool  # the album procedure and the national operations
    halt: bool  # the halt, with the change of chief to Beria


class Schedule(NamedTuple):
    """The plan's days, counted from the run's first day."""

    chief: int
    first: int
    mass: int
    national: int
    halt: int


def planned(p: dict[str, float]) -> bool:
    """Whether the centre decides from its own plan (``centre_plan``) rather than from the
    threat it perceives."""
    return float(p["centre_plan"]) > 0.5


def day_of(year: float, start: dt.date) -> int:
    """The run's day of a decimal year (1938.25: 2 April 1938, 91 days after 1 January)."""
    whole = math.floor(year)
    first = dt.date(whole, 1, 1)
    length = (dt.date(whole + 1, 1, 1) - first).days
    return (first - start).days + round((year - whole) * length)


def schedule(p: dict[str, float], start: dt.date) -> Schedule:
    """The days of the plan's decisions in a run that starts on ``start``."""
    mass = day_of(float(p["plan_launch_year"]), start)
    national = mass + round(float(p["plan_national_offset_days"]))
    first = min(mass, national)
    return Schedule(
        chief=first - round(float(p["plan_chief_lead_days"])),
        first=first,
        mass=mass,
        national=national,
        halt=mass + round(float(p["plan_duration_days"])),
    )


def due(p: dict[str, float], start: dt.date, day: int, launched: bool) -> Due:
    """The plan's decisions due on ``day``; the halt once its day has come and an operation
    has been launched."""
    plan = schedule(p, start)
    return Due(
        expand=day >= plan.chief,
        methods=day >= plan.first,
        mass=day >= plan.mass,
        national=day >= plan.national,
        halt=launched and day >= plan.halt,
    )


def register_limits(w: World, e: Engine) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The plan's Order 00447 limits per region (full-population equivalents): its shares of
    the people on the region's register of former kulaks, criminals and 'anti-Soviet
    elements' (``Registers.kulak``), in the first and the second category."""
    register = np.asarray(w.registers.kulak.sizes() * e.w_mass, dtype=np.float64)
    p = e.params
    return register * float(p["plan_cat1_share"]), register * float(p["plan_cat2_share"])
