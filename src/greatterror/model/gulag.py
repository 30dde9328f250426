"""The Gulag's terms: how long a camp sentence runs, where it is served, and the initial stock.

A camp sentence carries a term drawn from the range its channel could pass
(``TERMS``); the release day is case state (``Cases.release_day``) and is put
on the calendar, so that a prisoner is released on the day the term ends
without any daily pass over the prisoners. Where the term is served follows
the rule of 1934: sentences under three years in the corrective-labour
colonies (ITK), longer ones in the camps (ITL) (Getty, Rittersporn & Zemskov
1993, on the division of the GULAG population; Khlevniuk, The History of the
Gulag, 2004, ch. 1). The daily flows (releases at term end and by review,
deaths in the camps and in transit) are counted in ``Ledger.gulag``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

YEAR = 365.25
_INT16_MAX = int(np.iinfo(np.int16).max)
#: sentences shorter than this were served in colonies (ITK), longer ones in camps (ITL)
COLONY_BELOW_YEARS = 3.0
#: the columns of ``Ledger.gulag`` (full-population equivalents per day)
GULAG_FLOWS = (
    "entered_holding",  # sentenced to camp: into a prison or transit point (model/holding.py)
    "died_holding",  # died there, awaiting the etap
    "left_holding",  # released or taken for a new case before the etap
    "admitted",  # arrived in a camp or colony (the etap)
    "released_term",
    "released_review",
    "died_camp",
    "died_transit",
)
GF = {name: i for i, name in enumerate(GULAG_FLOWS)}


@dataclass(frozen=True)
class TermRange:
    """A channel's camp terms: uniform between ``low`` and ``high`` years, and why."""

    low: float
    high: float
    basis: str


#: Camp terms by sentencing channel. ``courts`` is set by the parameter
#: ``court_term_mean_years`` (a prior); the others are fixed by the acts that
#: set each channel's powers.
TERMS: dict[str, TermRange] = {
    "troika": TermRange(
        8.0, 10.0, "Order 00447 (30 Jul 1937), sec. II: category 2, camps for 8 to 10 years"
    ),
    "album": TermRange(
        5.0, 10.0, "Order 00485 (11 Aug 1937): category 2, prison or camp for 5 to 10 years"
    ),
    "special_troika": TermRange(
        5.0, 10.0, "Special troikas of Sep 1938 took over the album cases (Order 00606): as album"
    ),
    "oso": TermRange(
        3.0,
        5.0,
        "Regulation on the Special Board of 5 Nov 1934: camps up to 5 years; lower bound a prior "
        "(the Board's later power to give 8 years, from 1937, is not modelled)",
    ),
    "military_collegium": TermRange(
        8.0, 10.0, "prior: the Military Collegium's camp sentences were mostly 10 years"
    ),
}


def court_terms(mean_years: float) -> TermRange:
    """Court terms: uniform from 1 year to ``2 * mean - 1`` (a prior; the courts passed terms
    from under a year to 10 years, and no distribution by length is sourced here)."""
    return TermRange(1.0, max(2.0 * mean_years - 1.0, 1.0), "prior: court_term_mean_years")


def non_political_terms(mean_years: float) -> TermRange:
    """Terms of the ordinary courts' non-political convicts (model/steps_courts.py): uniform
    from half a year to ``2 * mean - 0.5`` (a prior: the courts passed terms from a few
    months to 10 years and the militia troikas up to 5; no distribution by length of the
    non-political sentences is sourced here)."""
    return TermRange(0.5, max(2.0 * mean_years - 0.5, 0.5), "prior: nonpolitical_term_mean_years")


def term_range(channel: str, params: dict[str, Any]) -> TermRange:
    """The term range of ``channel`` (``courts`` and any channel without its own act: courts)."""
    return TERMS.get(channel) or court_terms(float(params["court_term_mean_years"]))


def draw_terms(rng: np.random.Generator, n: int, terms: TermRange) -> NDArray[np.float64]:
    """``n`` terms in years, uniform on the channel's range."""
    return terms.low + (terms.high - terms.low) * rng.random(n)


def release_days(day: int, years: NDArray[np.float64]) -> NDArray[np.int64]:
    """The day each term ends: at least the day after the sentence."""
    return day + np.maximum(np.rint(years * YEAR).astype(np.int64), 1)


def as_day(days: NDArray[np.int64]) -> NDArray[np.int16]:
    """Release days as stored in ``Cases.release_day`` (past the int16 range: never, -1 reads
    as 'no release scheduled'; a run is at most 6 years and terms at most 10)."""
    return np.where(days > _INT16_MAX, -1, days).astype(np.int16)


#: the terms of the prisoners held on the first day, by where they served them: in the camps
#: three years (the 1934 division, ``COLONY_BELOW_YEARS``) to ten, the longest deprivation of
#: liberty of the Criminal Code of the RSFSR of 1926 (art. 28) and the term of the law of
#: 7 August 1932 on socialist property, the largest group of the camps' non-political
#: prisoners (Khlevniuk, The History of the Gulag, 2004, ch. 1: terms mostly 3 to 10 years);
#: in the colonies the non-political courts' range below three years (``non_political_terms``)
INITIAL_CAMP_TERMS = TermRange(
    COLONY_BELOW_YEARS,
    10.0,
    "1934 division (3 years and over in the camps); 10 years the Code's maximum (RSFSR 1926, "
    "art. 28) and the term of the law of 7 Aug 1932",
)
INITIAL_COLONY_TERMS = TermRange(
    0.5, COLONY_BELOW_YEARS, "terms under 3 years (1934 division); lower bound as the courts'"
)


def residual_terms(rng: np.random.Generator, n: int, terms: TermRange) -> NDArray[np.float64]:
    """Remaining terms (years) of ``n`` prisoners found in custody on one day, whose terms
    were passed uniformly on ``terms`` by a steady inflow.

    On a given day a prisoner with a longer term is more likely to be found held (he stays
    longer): the terms of those held are length-biased, with density proportional to the term
    on its range, and the time already served is uniform on the term (renewal theory: the
    inspection paradox). A term ``t`` drawn so is ``sqrt(low^2 + u (high^2 - low^2))``; the
    remaining part is ``v t``, ``u`` and ``v`` uniform. A steady inflow is an assumption: the
    camps grew in 1933-34 (510,307 on 1 Jan 1934, 725,483 on 1 Jan 1935), so more of those held
    had been sentenced recently than a steady inflow gives, and their remaining terms were, if
    anything, longer.
    """
    lo2, hi2 = terms.low**2, terms.high**2
    served = np.sqrt(lo2 + rng.random(n) * (hi2 - lo2))
    return rng.random(n) * served


def initial_terms(
    rng: np.random.Generator, n: int, colony_share: float
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Remaining terms (years) of the prisoners held at the start, and who is in a colony.

    A share ``colony_share`` of the stock is in colonies (the evidence base's ITK and ITL
    counts of 1 Jan 1935). The remaining terms are those of a steady inflow's prisoners
    (``residual_terms``): on ``INITIAL_CAMP_TERMS`` in the camps (mean remaining term about
    3.6 years) and on ``INITIAL_COLONY_TERMS`` in the colonies (about 1.0 year). No
    distribution of the 1935 stock by remaining term is sourced here; the term ranges are.
    """
    colony = rng.random(n) < colony_share
    camp_years = residual_terms(rng, n, INITIAL_CAMP_TERMS)
    colony_years = residual_terms(rng, n, INITIAL_COLONY_TERMS)
    return np.where(colony, colony_years, camp_years), colony


def gulag_summary(
    flows: NDArray[np.float64],
    stock: NDArray[np.float64],
    years: NDArray[np.int64],
    prisons: NDArray[np.float64] | None = None,
    holding: NDArray[np.float64] | None = None,
    prison_dates: dict[str, float] | None = None,
) -> dict[str, Any]:
    """The ``gulag`` block of summary.json (docs/outputs.md): the stock on each 1 January
    in camps, colonies and prisons (all held there, and of them those sentenced to camp
    awaiting the etap; of the camp and colony prisoners those held for non-political
    offences, model/steps_courts.py; and the camp prisoners of Order 00447's line of
    criminals, model/steps_gulag.py), and each year's flows (into and out of the holding stage,
    admissions, releases at term end and by review, deaths in prisons awaiting the etap,
    in the camps and in transit), in full-population equivalents; ``prisons``: the people in
    prisons on each 1 January, April, July and October."""
    out: dict[str, Any] = {"stock_1jan": {}, "yearly": {}}
    for day in np.flatnonzero(~np.isnan(stock[:, 0])).tolist():
        camps, colonies, np_camps, np_colonies, criminal_camps = stock[day].tolist()
        row = {
            "camps": camps,
            "colonies": colonies,
            "non_political_camps": np_camps,
            "non_political_colonies": np_colonies,
            "criminal_line_camps": criminal_camps,
        }
        if prisons is not None and holding is not None:
            row |= {"prisons": float(prisons[day]), "awaiting_etap": float(holding[day])}
        out["stock_1jan"][str(int(years[day]))] = row
    if prison_dates is not None:
        out["prisons"] = dict(prison_dates)
    for year in np.unique(years).tolist():
        sums = flows[years == year].sum(axis=0)
        out["yearly"][str(year)] = {k: float(sums[i]) for i, k in enumerate(GULAG_FLOWS)}
    return out
