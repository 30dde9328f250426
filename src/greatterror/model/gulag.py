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
    "taken_for_case",  # taken out of a camp or colony for a new case (Order 00447, model/engine.py)
)
GF = {name: i for i, name in enumerate(GULAG_FLOWS)}


@dataclass(frozen=True)
class TermRange:
    """A channel's camp terms: uniform between ``low`` and ``high`` years, and why.

    With ``mid`` set, two ranges: a share ``below`` of the terms is uniform on ``low``-``mid``,
    the rest on ``mid``-``high`` (``non_political_terms``). Either way a term takes one
    uniform draw, so the streams are drawn as for one range."""

    low: float
    high: float
    basis: str
    mid: float | None = None
    below: float = 0.0


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


def term_range(channel: str, params: dict[str, Any]) -> TermRange:
    """The term range of ``channel`` (``courts`` and any channel without its own act: courts)."""
    return TERMS.get(channel) or court_terms(float(params["court_term_mean_years"]))


def draw_terms(rng: np.random.Generator, n: int, terms: TermRange) -> NDArray[np.float64]:
    """``n`` terms in years, uniform on the channel's range (or on its two ranges, by the
    inverse of their distribution function: one uniform each)."""
    u = rng.random(n)
    if terms.mid is None:
        return terms.low + (terms.high - terms.low) * u
    p, mid = min(max(terms.below, 0.0), 1.0), terms.mid
    short = terms.low + (mid - terms.low) * u / max(p, 1e-300)
    long_ = mid + (terms.high - mid) * (u - p) / max(1.0 - p, 1e-300)
    return np.where(u < p, short, long_)


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
#: in the colonies terms from half a year (the courts' shortest deprivation of liberty, a prior)
#: to three years
INITIAL_CAMP_TERMS = TermRange(
    COLONY_BELOW_YEARS,
    10.0,
    "1934 division (3 years and over in the camps); 10 years the Code's maximum (RSFSR 1926, "
    "art. 28) and the term of the law of 7 Aug 1932",
)
INITIAL_COLONY_TERMS = TermRange(
    0.5, COLONY_BELOW_YEARS, "terms under 3 years (1934 division); lower bound as the courts'"
)


def non_political_terms(itl: float, itk: float, political: float) -> TermRange:
    """Terms of the ordinary courts' non-political convicts (model/steps_courts.py), by the
    same rule as those of the first day's prisoners (``initial_terms``): in a colony on
    ``INITIAL_COLONY_TERMS``, in a camp on ``INITIAL_CAMP_TERMS`` (the law of 7 August 1932,
    the largest group of the camps' non-political prisoners, gave 10 years).

    Which share of them went to a colony is the one that, by a steady inflow of such
    sentences, gives the first day's stock (the evidence base's counts of 1 January 1935:
    ``itl`` camp prisoners, of them ``political`` counter-revolutionaries, and ``itk`` colony
    prisoners, all non-political): the stock of a range is its inflow times its mean term, so
    the colonies' share of the inflow is ``itk / m_k`` over ``itk / m_k + (itl - political) /
    m_l``, ``m`` the ranges' mean terms (the work-day credits, model/credits.py, shorten both
    alike). With the counts of 1935 it is about 0.6: two in five of these sentences were to a
    camp, for 3 to 10 years. No distribution of the courts' sentences by length is sourced
    here (Solomon, Soviet Criminal Justice under Stalin, 1996, and the courts' statistics,
    GARF f.9492, were not found in a stored copy); the ranges and the 1935 stock are.
    """
    lo, hi = INITIAL_COLONY_TERMS, INITIAL_CAMP_TERMS
    camp_flow = max(itl - political, 0.0) / ((hi.low + hi.high) / 2.0)
    colony_flow = max(itk, 0.0) / ((lo.low + lo.high) / 2.0)
    below = colony_flow / (colony_flow + camp_flow) if colony_flow + camp_flow > 0 else 0.0
    return TermRange(
        lo.low,
        hi.high,
        "as the first day's stock: 0.5-3 years in the colonies, 3-10 in the camps, the colonies' "
        "share from the stocks of 1 Jan 1935 (IN-gulag-itl-1935, IN-gulag-itk-1935, "
        "IN-gulag-cr-1935)",
        mid=COLONY_BELOW_YEARS,
        below=below,
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
    in the camps and in transit, and those taken out of a camp or colony for a new case), in
    full-population equivalents; ``prisons``: the people in
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
