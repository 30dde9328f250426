"""The camps' reception of new prisoners: deaths of those who arrive beyond the camps' plan.

The camps' barracks, clothing and food were planned on the intake the GULAG
expected, and that was the intake it had been receiving. When the mass
operations sent several times that intake in the second half of 1937 and in
1938, the new prisoners arrived at camps that had no places, clothing or
rations for them; the GULAG's own reports of 1938 put the year's mortality,
more than twice that of 1937, down to this (Khlevniuk, The History of the Gulag,
2004, ch. 5; Zemskov, "GULAG (istoriko-sotsiologicheskii aspekt)", 1991, on
the mortality of 1938). The rule, on today's arrivals only (no pass over the
camps):

- **The surge.** The intake of the last ``INTAKE_WINDOW`` days (yearly rate)
  over the intake of the year before that window (the plan):
  ``surge = max(0, recent / planned - 1)``. Before a full year of intake has
  been recorded before the window (the first 455 days of a run) the surge is 0:
  the intake of 1935 is taken to be the one planned for.
- **Who dies of it.** Each prisoner admitted to a camp today (after the deaths
  in transit; not to a colony, since 4 December 2026: the colonies were the
  OMZ's, supplied apart until autumn 1938, and their short-term convicts came
  by local transfer, not by the etap) is fatally weakened with probability
  ``1 - exp(-reception_risk * surge)`` and dies in the camp after a geometric
  delay of mean ``reception_death_days`` (the first winter), unless released
  first. These are camp deaths (``Ledger.gulag`` ``died_camp``), falling due
  with the exhausted of the holding stage (model/holding.py).

All draws come from the stream ``reception``, made for every arrival whether or
not the surge is 0, so that ``reception_risk`` 0 changes no other stream and no
other outcome.
"""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.gulag import GF
from greatterror.model.sentence_events import schedule_for_sentence

#: days over which the recent intake is measured (as for the deaths in transit)
INTAKE_WINDOW = 90
#: days of intake before the window that make the plan
PLAN_DAYS = 365

#: the parameters the reception reads
RECEPTION_PARAMS = ("reception_death_days", "reception_risk")


def intake_surge(admitted: np.ndarray, day: int) -> float:
    """How far the yearly rate of admissions over the last ``INTAKE_WINDOW`` days before
    ``day`` exceeds that of the ``PLAN_DAYS`` before them (0 if it does not, or if the run
    has not yet recorded that much intake). ``admitted``: admissions per day."""
    start = day - INTAKE_WINDOW
    if start - PLAN_DAYS < 0:
        return 0.0
    recent = float(admitted[start:day].sum()) / INTAKE_WINDOW
    planned = float(admitted[start - PLAN_DAYS : start].sum()) / PLAN_DAYS
    if planned <= 0.0:
        return 0.0
    return max(0.0, recent / planned - 1.0)


def reception_deaths_reference(
    e: Engine, day: int, arrivals: np.ndarray, colony: np.ndarray
) -> None:
    """Schedule the deaths of today's ``arrivals`` fatally weakened by the reception; those
    arriving in a colony (``colony``, a mask over ``arrivals``) are not: a colony convict (a
    short term, transferred locally, not by the etap to the camps of the north and east) is
    not received by a camp. The draws are made for them all the same.

    The NumPy code of the rule: the run uses ``gulag_kernels.transit_deaths_day`` (one
    compiled call with the deaths in transit; tests/test_core_transit_deaths.py holds the
    two equal)."""
    rng, p = e.rng.reception, e.params
    n = len(arrivals)
    if n == 0:
        return
    surge = intake_surge(e.ledger.gulag[:, GF["admitted"]], day)
    u = rng.random(n)
    # a delay for everyone: the stream's position does not depend on who is weakened
    delays = rng.geometric(1.0 / max(float(p["reception_death_days"]), 1.0), size=n)
    weak = (u < 1.0 - np.exp(-float(p["reception_risk"]) * surge)) & ~colony
    schedule_for_sentence(e, day, "exhausted_death", arrivals[weak], delays[weak])
