"""The deaths in transit (the etap) that step 8 (``Punishment``, model/steps_justice.py) draws
before the camps' deaths: compiled on the core (``gulag_kernels.transit_deaths_day``), with
the NumPy code it replaced kept as ``transit_deaths_reference`` (tests/test_core_transit_deaths.py
runs both side by side). Apart from model/steps_gulag.py to keep that module short."""

from __future__ import annotations

import numpy as np

from greatterror.model import slots
from greatterror.model.case_flags import COLONY
from greatterror.model.engine import Engine
from greatterror.model.gulag import GF
from greatterror.model.gulag_kernels import transit_deaths_day
from greatterror.model.reception import intake_surge, reception_deaths_reference
from greatterror.model.steps_gulag import intake_load
from greatterror.model.world import World
from greatterror.vocabulary import Status


def transit_deaths(w: World, e: Engine, day: int) -> None:
    """Deaths on the way to the camps (etap): today's new camp prisoners die with a
    probability that rises with the inflow relative to the camp places (transit prisons and
    trains were filled beyond capacity when the inflow was high; Barnes, Death and
    Redemption, 2011). A colony convict is not on the etap: he reaches his region's colony by
    a local transfer (model/holding.py; docs/ODD.md 7.8), so he does not die in transit (since
    5 Dec 2026; a draw is still made for him, so that no stream moves). Those who arrive are
    then received by camps that may not be ready for them (model/reception.py).

    The probabilities are computed here (``intake_load``, ``intake_surge``: NumPy sums; the
    reception's ``exp`` in Python, as NumPy rounds it) and handed in slots; the draws, the
    deaths, the ``died_transit`` flow and the reception's scheduling are one compiled call
    (``gulag_kernels.transit_deaths_day``)."""
    arrivals = w.camps.arrivals
    if not arrivals:
        return
    new = arrivals[0] if len(arrivals) == 1 else np.concatenate(arrivals)
    w.camps.arrivals = []
    p, fs = e.params, w.camps.slots.fs
    fs[slots.TRANSIT_P] = min(p["transit_mortality"] * (1.0 + intake_load(e, day)), 1.0)
    surge = intake_surge(e.ledger.gulag[:, GF["admitted"]], day)
    fs[slots.RECEPTION_P] = float(1.0 - np.exp(-float(p["reception_risk"]) * surge))
    fs[slots.RECEPTION_DELAY_P] = 1.0 / max(float(p["reception_death_days"]), 1.0)
    e.core.call(transit_deaths_day, day, np.ascontiguousarray(new, dtype=np.int64))


def transit_deaths_reference(w: World, e: Engine, day: int) -> None:
    """``transit_deaths`` in NumPy, through the engine's Python ``die_in_custody`` and
    ``reception_deaths_reference`` (the code the kernel replaced; tests/test_core_transit_deaths.py)."""
    arrivals = w.camps.arrivals
    if not arrivals:
        return
    new = arrivals[0] if len(arrivals) == 1 else np.concatenate(arrivals)
    w.camps.arrivals = []
    new = new[w.cases.status[new] == Status.CAMP]
    prob = e.params["transit_mortality"] * (1.0 + intake_load(e, day))
    dies = (e.rng.gulag.random(len(new)) < min(prob, 1.0)) & ~w.cases.has(COLONY, new)
    died = new[dies]
    e.die_in_custody(day, died)
    e.ledger.gulag[day, GF["died_transit"]] += float(e.weights(died).sum())
    arrived = new[~dies]
    reception_deaths_reference(e, day, arrived, w.cases.has(COLONY, arrived))
