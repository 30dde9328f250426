"""The Gulag's events: terms that end today (step 18), the stock on 1 January, and the
deaths in the camps that step 8 (``Punishment``) draws (those in transit: model/steps_transit.py)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from greatterror.model import slots
from greatterror.model.calendar import KIND
from greatterror.model.case_flags import COLONY, HOLDING
from greatterror.model.engine import Engine
from greatterror.model.gulag import GF
from greatterror.model.gulag_kernels import camp_deaths_day, term_end_day
from greatterror.model.kernels import distinct_sorted, first_distinct
from greatterror.model.loop import Component
from greatterror.model.world import World
from greatterror.vocabulary import LN, Status

_TERM_END = KIND["term_end"]


class TermEnd(Component):
    """Prisoners whose term ends today are released (the calendar's ``term_end``).

    A prisoner is released only if still held on the term he was given: one
    who died, was released by review, or was taken out for a new case (Order
    00447 reached camp prisoners) keeps a stale entry, which is skipped. On
    1 January the stock in camps and in colonies is counted from the camp
    roll (once a year, not a daily pass).

    The day's work is one compiled call on the compiled core (``gulag_kernels.term_end_day``,
    model/core.py); ``term_end_reference`` is the same rule in NumPy, which the tests run
    beside it. Days on which no one is due skip the call (the calendar's mark, a Python
    index).
    """

    name = "term_end"
    reads = ("cases", "camps")
    writes = ("cases", "camps")

    def step(self, w: World, e: Engine, day: int) -> None:
        if e.calendar.marked[_TERM_END * e.days + day]:
            e.core.call(term_end_day, day)
        date = e.date(day)
        if date.month == 1 and date.day == 1:
            e.ledger.stock[day] = camp_stock(w, e)


def term_end_reference(w: World, e: Engine, day: int) -> None:
    """TermEnd's day in NumPy, through the engine's Python ``release`` (the code the kernel
    replaced; tests/test_core_term_end.py)."""
    due = e.due(day, "term_end")
    if len(due):
        c = w.cases
        due = due[(c.status[due] == Status.CAMP) & (c.release_day[due] == day)]
        # a term that ends before the etap is counted as leaving the prisons (engine)
        in_camp = due[~c.has(HOLDING, due)]
        e.release(day, due)
        e.ledger.gulag[day, GF["released_term"]] += float(e.weights(in_camp).sum())


def camp_stock(w: World, e: Engine) -> tuple[float, float, float, float, float]:
    """Camp (ITL) and colony (ITK) prisoners held now; of them the non-political convicts
    (model/steps_courts.py, model/steps_social_order.py); and the camp prisoners of Order
    00447's line of criminals (``criminal_line``), in full-population equivalents."""
    held = camp_prisoners(w)
    weight = e.weights(held)
    colony = w.cases.has(COLONY, held)
    other = w.cases.ordinary_offence(held)
    criminal = criminal_line(w, held) & ~other
    return (
        float(weight[~colony].sum()),
        float(weight[colony].sum()),
        float(weight[~colony & other].sum()),
        float(weight[colony & other].sum()),
        float(weight[~colony & criminal].sum()),
    )


def camp_prisoners(w: World) -> np.ndarray:
    """The people in a camp or colony now, in order: on the camps' roll, status CAMP, and not
    still in a prison waiting for transport (model/holding.py)."""
    held = distinct_sorted(w.camps.roll.peek().astype(np.int64))
    return held[(w.cases.status[held] == Status.CAMP) & ~w.cases.has(HOLDING, held)]


def criminal_line(w: World, idx: np.ndarray) -> np.ndarray:
    """Whether ``idx`` were sentenced on Order 00447's line of criminals (recidivists and
    others with a prior conviction, model/lines.py).

    The order's troikas sentenced them with the "anti-Soviet elements", and the NKVD's
    statistics of 1953 count them among the convictions for counter-revolutionary crimes
    (G1-*), but they were not political prisoners: a note on that statistic puts the
    ordinary criminals at about 30% of those convicted "for counter-revolutionary crimes"
    in 1921-1938 (G1-criminals-share), and the order's arrests by line were 27% criminals by
    15 August 1937 (V-00447-kulak-share-150837). The GULAG's count of counter-revolutionary
    prisoners by the article of conviction (Zemskov 1991, the V-gulag-cr-* figures) is taken
    to leave them out; that the GULAG's table did so is a reading of these figures, not
    found stated in a stored source (docs/validation.md, "Who is in the Gulag"). Their
    sentences, terms and credits are unchanged: only the count differs.
    """
    return w.cases.line[idx] == LN["criminal"]


def camp_sample(w: World, n: int, rng: np.random.Generator) -> np.ndarray:
    """Up to ``n`` distinct current camp prisoners, by rejection from the camp list.

    A prisoner of the camps unit taken for a new case and sentenced again to camp keeps his
    old entry while he waits for the etap; he is not in a camp until it takes him."""
    roll, c = w.camps.roll, w.cases
    if n <= 0 or len(roll) == 0:
        return np.empty(0, dtype=np.int64)
    if w.camps.n < len(roll) // 2:
        everyone = roll.clear()
        roll.push(distinct_sorted(everyone[c.status[everyone] == Status.CAMP]))
    listed = roll.peek()
    pick = listed[rng.integers(0, len(listed), size=3 * n + 8)].astype(np.int64)
    pick = pick[(c.status[pick] == Status.CAMP) & ~c.has(HOLDING, pick)]
    return first_distinct(pick, n)


INTAKE_WINDOW = 90  # days over which the inflow of new prisoners is measured


def intake_load(e: Engine, day: int) -> float:
    """The yearly rate of new camp prisoners over the last 90 days, over the camp places."""
    start = max(0, day - INTAKE_WINDOW)
    admitted = e.ledger.gulag[start:day, GF["admitted"]].sum()
    return float(admitted) * 365.0 / INTAKE_WINDOW / e.params["camp_capacity"]


def supply_shortfall(e: Engine, day: int) -> float:
    """The share of today's prisoners the supply plan did not provide for.

    Food and clothing were allocated by a yearly plan (Khlevniuk, The History of the Gulag,
    2004, ch. 5; Zemskov 1991 on the mortality of 1938), and Soviet plans were set from the
    level achieved: the plan expected the intake the camps had been receiving. What it did
    not provide for is the intake beyond that: the admissions of the last ``supply_lag_days``
    less those of the same span before them (the plan's year), over today's headcount:

        S = max(0, A(t - lag, t) - A(t - 2 lag, t - lag)) / H(t)

    (until two spans of intake have been recorded, the plan is the intake of the run's first
    span, as for the reception, model/reception.py; 0 before one span). The headcount's own
    growth is not a shortfall: the camps grew by a fifth or more a year in 1931-32 and by a
    third in 1935 (IN-gulag-*, V-gulag-itl-1936, V-gulag-itk-1936; G8-itl-1930's note) at
    rates of 2.1-4.8% a year, while the intake of the mass operations of 1937-38, decided in
    July 1937 after the year's plan was set, met camps with no supplies for it. Until
    4 December 2026 S was ``1 - H(t - lag) / H(t)``, which the growth of 1935-36 raised.
    """
    lag = int(e.params["supply_lag_days"])
    if day < lag:
        return 0.0
    now = float(e.ledger.held[max(day - 1, 0)])
    if now <= 0.0:
        return 0.0
    admitted = e.ledger.gulag[:, GF["admitted"]]
    recent = float(admitted[day - lag : day].sum())
    start = day - 2 * lag
    planned = float(admitted[start : day - lag].sum() if start >= 0 else admitted[:lag].sum())
    return min(max(0.0, recent - planned) / now, 1.0)


def undernourishment(e: Engine, day: int) -> float:
    """The supply shortfall as the prisoners' bodies feel it: ``supply_shortfall`` averaged
    over the preceding months, with a mean lag of ``undernourishment_days`` (an exponential
    moving average, kept in ``Ledger.hunger``). Deaths from hunger follow a cut in rations
    by months, not days (alimentary dystrophy and pellagra, the camps' commonest causes of
    death from hunger); the lag is a prior, not a sourced value."""
    led, tau = e.ledger, max(float(e.params["undernourishment_days"]), 1.0)
    prev = float(led.hunger[day - 1]) if day > 0 else 0.0
    led.hunger[day] = prev + (supply_shortfall(e, day) - prev) / tau
    return float(led.hunger[day])


def camp_deaths(w: World, e: Engine, day: int) -> None:
    """Deaths in the camps and colonies: a count from their population, then who.

    The yearly rate rises with the undernourishment (``undernourishment``: the supply
    shortfall, ``supply_shortfall``, felt with a lag of months). It is the camps'
    (ITL) rate; in a colony (ITK) it is ``colony_mortality_ratio`` times that. The colonies
    held short-term, mostly non-political convicts near their regions, not the camps of the
    far north and east: in 1939 the GULAG's colonies lost 2.30% of their yearly average
    number against 3.29% in the camps (Zemskov, "GULAG (istoriko-sotsiologicheskii aspekt)",
    Sotsiologicheskie issledovaniia 1991, no. 7; the ratio is the parameter's default; the 3.1%
    of the GULAG's reference note on mortality for 1939, G8-deaths-1939, is camps and colonies
    together, and Zemskov's two rates weighted by the numbers held give it). The
    count is drawn at the camps' rate over everyone held, and a colony prisoner drawn dies
    with probability ``colony_mortality_ratio`` (a thinning: the colonies' count is then
    binomial at their own rate). The thinning draws come from their own stream,
    ``colony_deaths``, one for everyone drawn, so that at a ratio of 1 the run is the one
    without the rule.

    The supply shortfall is the camps' until the GULAG took the colonies over
    (``colony_keep``, ``COLONIES_TAKEN_OVER``): before, the colonies and prisons were the
    OMZ's, supplied apart from the GULAG's camps (Getty, Rittersporn & Zemskov 1993, on the
    joint statistics of 1935-38; the evidence base's IN-gulag-itk-1935), and the mass
    operations' convicts, sentenced to 5-10 years, went to the camps; a colony prisoner drawn
    at the camps' rate with the supply factor then dies with probability
    ``colony_mortality_ratio`` over that factor, so that the colonies die at the ratio times
    the base rate whatever the camps' supply. From the takeover the colonies were supplied
    by the GULAG with the camps, and the ratio is that of the two places' whole rates, as
    the source of the ratio measures it (Zemskov's rates of 1939, both under the GULAG).
    (The shortfall itself is measured over the camps and colonies together: the camps' own
    share of the headcount is not counted daily; it understates the camps' shortfall by the
    colonies' share of those held, about a sixth in 1938.)"""
    p = e.params
    rates = _death_rates(w, e, day)
    if rates is None:
        return
    supply, yearly = rates
    # the draws and deaths in one compiled call (gulag_kernels.camp_deaths_day); the rates
    # are computed here, in Python, and handed in slots (the camp roll is the core's queue
    # ``Q_ROLL``: its buffer, head and tail are the kernel's already)
    f = w.camps.slots.fs
    f[slots.DEATH_P] = min(yearly / 365.0, 1.0)
    f[slots.COLONY_KEPT] = colony_keep(float(p["colony_mortality_ratio"]), supply, e.date(day))
    e.core.call(camp_deaths_day, day)


def _death_rates(w: World, e: Engine, day: int) -> tuple[float, float] | None:
    """The day's weight held (into the ledger's ``held``, which ``undernourishment`` reads),
    then the supply factor and the camps' yearly death rate, or None when no one is held;
    shared by ``camp_deaths`` and its reference so that the two cannot drift apart."""
    p = e.params
    held = w.camps.w  # (read once: a property of the run's slots, model/slots.py)
    e.ledger.held[day] = held
    hunger = undernourishment(e, day)
    if held <= 0:
        return None
    supply = 1.0 + p["supply_mortality"] * hunger
    return supply, p["gulag_mortality"] * supply


def camp_deaths_reference(w: World, e: Engine, day: int) -> None:
    """``camp_deaths`` in NumPy, through the engine's Python ``die_in_custody`` (the code the
    kernel replaced; tests/test_core_camp_deaths.py)."""
    p, rng = e.params, e.rng.gulag
    rates = _death_rates(w, e, day)
    if rates is None:
        return
    supply, yearly = rates
    n = rng.binomial(int(w.camps.n), min(yearly / 365.0, 1.0))
    if n == 0:
        return  # no one drawn: the thinning below draws nothing for no one
    drawn = camp_sample(w, n, rng)
    colony_kept = colony_keep(float(p["colony_mortality_ratio"]), supply, e.date(day))
    spared = e.rng.colony_deaths.random(len(drawn)) >= colony_kept
    died = drawn[~(w.cases.has(COLONY, drawn) & spared)]
    e.die_in_custody(day, died)
    record_camp_deaths(w, e, day, died)


#: the day from which the GULAG, not the NKVD's department of places of detention (OMZ),
#: ran and supplied the colonies (ITK): "autumn 1938" in the evidence base (the notes of
#: G8-itl-1934 and IN-gulag-itk-1935, after Getty, Rittersporn & Zemskov 1993); the day within
#: the autumn is a prior (the NKVD's prisons were given their own Main Prison Directorate in
#: September 1938, as a stored chronicle dates it, not a scholarly work: not checked)
COLONIES_TAKEN_OVER = dt.date(1938, 10, 1)


def colony_keep(ratio: float, supply: float, date: dt.date) -> float:
    """The probability that a colony prisoner drawn by the camps' draw (``camp_deaths``, at the
    base rate times the supply factor ``supply``) dies: ``ratio`` over ``supply`` while the OMZ
    supplied the colonies apart from the camps, so that they die at ``ratio`` times the base
    rate; ``ratio`` from ``COLONIES_TAKEN_OVER``, when the GULAG supplied both and the colonies
    die at ``ratio`` times the camps' whole rate.

    The ratio (``colony_mortality_ratio``, 0.70) is Zemskov's 2.30% over 3.29%, the colonies'
    and camps' deaths per average prisoner in 1939, a year in which both were the GULAG's and
    the camps' rate still carried the crisis of 1938. Until 5 December 2026 the colonies kept
    the OMZ's exemption to the end of the run, so that in 1939 the model's colonies died at
    about half the camps' rate (1.7% against 3.35%, 1:100, seed 11), not 0.70 of it."""
    if date >= COLONIES_TAKEN_OVER:
        return ratio
    return ratio / max(supply, 1e-300)


#: the GULAG's camp deaths of 1934 and its camp stocks on 1 January 1934 and 1935 (the
#: evidence base: the reference note on mortality, OURZ GULAG, GARF f.9414; Getty, Rittersporn
#: & Zemskov 1993), from which the camps' death rate of 1934 is read (never a calibration
#: target: the targets are the deaths of 1935-40, model/targets.py)
FAMINE_INPUTS = ("G8-deaths-1934", "G8-itl-1934", "IN-gulag-itl-1935")
#: the date at which the rate of 1934 (a yearly mean) is taken to hold
MID_1934 = dt.date(1934, 7, 1)


def famine_excess(evidence: Any, params: dict[str, Any], start: dt.date) -> float:
    """The yearly excess death rate that the prisoners held on the first day carry, on that
    day: the aftermath of the famine of 1932-33 in the camps (deaths 15.3% of the average
    number held in 1933, 4.28% in 1934, against 2.1-2.4% in 1936-37: the note on mortality,
    G8-deaths-*).

    The camps' rate of 1934 is the note's deaths of 1934 (camps only, if the note counts the
    colonies from 1935, as its footnotes' marks suggest; their wording NOT FOUND) over the mean
    of the camps' stocks of 1 January 1934 and 1935, 4.1% (the note itself gives 4.28% of its
    own average). What the model's normal rate (``gulag_mortality``) does not give of it is the
    debility the prisoners of 1934 carried, taken at mid-1934 and recovered from with a mean
    time ``debility_recovery_days`` up to the first day::

        x0 = max(r_1934 - gulag_mortality, 0) * exp(-(start - 1 Jul 1934) / recovery)

    That the excess of 1934 is a debility carried from the famine, not a harm of 1934 itself,
    is an assumption (the camps' rations were cut in 1933, and the camps took in prisoners
    from the famine's villages in 1932-34: Khlevniuk, The History of the Gulag, 2004, ch. 2,
    as read by the compiler, not checked in a stored copy)."""
    deaths, stock_1934, stock_1935 = (float(evidence.value(k)) for k in FAMINE_INPUTS)
    rate_1934 = deaths / (0.5 * (stock_1934 + stock_1935))
    recovery = max(float(params["debility_recovery_days"]), 1.0)
    excess = max(rate_1934 - float(params["gulag_mortality"]), 0.0)
    return excess * math.exp(-(start - MID_1934).days / recovery)


def famine_debility(w: World, e: Engine, day: int, x0: float | None = None) -> None:
    """Deaths of the famine's debility among the prisoners held on the first day.

    A prisoner held on the first day (``Camps.debilitated``) who is still in a camp dies, on
    top of the camps' draw (``camp_deaths``), at the yearly excess rate

        x(t) = x0 * exp(-t / debility_recovery_days)

    (``famine_excess``: ``x0`` from the camps' rate of 1934), in a colony at
    ``colony_mortality_ratio`` times that. The debility is the prisoner's: it leaves the
    camps with him (release, death, a new case) and the prisoners who arrive later do not
    carry it, so the excess falls both by recovery and by the turnover of the stock. The
    count is drawn over the first day's list, stale entries included, and those drawn who are
    no longer held are dropped (a thinning: the count over those held is binomial at the
    rate); the list is compacted every 91 days. The draws come from their own stream,
    ``debility``, so that no other stream moves. The prisoners weakened by the crisis of
    1938 are not given it: at the fitted crisis strength a debility carried out of 1938 at
    this recovery puts the deaths of 1939 far above the record (docs/validation-log.md,
    "The Gulag's deaths of 1935 and 1940").

    ``x0`` is ``famine_excess`` for this run, if the caller keeps it (``Punishment``: it
    depends only on the evidence, two parameters and the first day, and computing it every
    day took about 14 of the day's Python-level calls); None computes it here."""
    listed = w.camps.debilitated
    if len(listed) == 0:
        return
    p, c = e.params, w.cases
    if day % 91 == 0:
        listed = listed[(c.status[listed] == Status.CAMP) & ~c.has(HOLDING, listed)]
        w.camps.debilitated = listed
    if x0 is None:
        x0 = famine_excess(e.evidence, p, e.start)
    yearly = x0 * math.exp(-day / max(float(p["debility_recovery_days"]), 1.0))
    if yearly < 1e-6 or len(listed) == 0:
        w.camps.debilitated = listed[:0]
        return
    rng = e.rng.debility
    n = int(rng.binomial(len(listed), min(yearly / 365.0, 1.0)))
    if n == 0:
        return
    drawn = listed[rng.choice(len(listed), size=n, replace=False)]
    drawn = drawn[(c.status[drawn] == Status.CAMP) & ~c.has(HOLDING, drawn)]
    spared = rng.random(len(drawn)) >= float(p["colony_mortality_ratio"])
    died = drawn[~(c.has(COLONY, drawn) & spared)]
    e.die_in_custody(day, died)
    record_camp_deaths(w, e, day, died)


def record_camp_deaths(w: World, e: Engine, day: int, died: np.ndarray) -> None:
    """Count ``died`` (dead today in a camp or colony) as ``died_camp``, and those of them in a
    colony also as ``died_colony``: the GULAG's camp-only series (Getty, Rittersporn & Zemskov
    1993; ``G2-gulag-deaths``) leaves the colonies out, its reference note on mortality
    (``G8-deaths-*``) counts them from 1935."""
    weight = e.weights(died)
    e.ledger.gulag[day, GF["died_camp"]] += float(weight.sum())
    e.ledger.gulag[day, GF["died_colony"]] += float(weight[w.cases.has(COLONY, died)].sum())
