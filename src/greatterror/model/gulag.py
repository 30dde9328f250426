"""The Gulag's terms: how long a camp sentence runs, where it is served, and the initial stock.

A camp sentence carries a term drawn from the range its channel could pass
(``TERMS``); the release day is case state (``Cases.release_day``) and is put
on the calendar, so that a prisoner is released on the day the term ends
without any daily pass over the prisoners. Where the term is served follows
the rule set by the SNK's resolution of 11 July 1929 on the labour of criminal
prisoners and the Regulation on corrective-labour camps of 7 April 1930 (SNK
SSSR, Sobranie zakonov SSSR 1930 no. 22 art. 248, art. 2): a court's sentence
of three years and more in the camps (ITL), a shorter one in the
corrective-labour colonies (ITK); a sentence of the OGPU-NKVD's extrajudicial
bodies in the camps whatever its term (``served_in_colony``; Khlevniuk, The
History of the Gulag, 2004, ch. 1; Getty, Rittersporn & Zemskov 1993, on the
division of the GULAG population). The daily flows (releases at term end and by review,
deaths in the camps and in transit) are counted in ``Ledger.gulag``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

YEAR = 365.25
_INT16_MAX = int(np.iinfo(np.int16).max)
#: a court's sentences shorter than this were served in colonies (ITK), longer ones in camps
#: (ITL) (the resolution of 11 July 1929; the Regulation of 7 April 1930, art. 2)
COLONY_BELOW_YEARS = 3.0
#: the columns of ``Ledger.gulag`` (full-population equivalents per day)
GULAG_FLOWS = (
    "entered_holding",  # sentenced to camp: into a prison or transit point (model/holding.py)
    "died_holding",  # died there, awaiting the etap
    "left_holding",  # released or taken for a new case before the etap
    "admitted",  # arrived in a camp or colony (the etap)
    "released_term",
    "released_review",
    "died_camp",  # died in a camp or colony
    "died_transit",  # died on the way to one (the etap)
    "died_colony",  # of ``died_camp``, those who died in a colony (ITK)
    "taken_for_case",  # taken out of a camp or colony for a new case (Order 00447, model/engine.py)
)
GF = {name: i for i, name in enumerate(GULAG_FLOWS)}


@dataclass(frozen=True)
class TermRange:
    """A channel's camp terms: uniform between ``low`` and ``high`` years, and why.

    With ``mid`` set, two ranges: a share ``below`` of the terms is uniform on ``low``-``mid``,
    the rest on ``mid``-``high`` (``non_political_terms``). Either way a term takes one
    uniform draw, so the streams are drawn as for one range. ``judicial``: passed by a court
    (its term decides camp or colony), else by an extrajudicial body of the NKVD (a camp
    whatever the term: ``served_in_colony``); a required keyword, so that a new range cannot
    take the court rule by omission."""

    low: float
    high: float
    basis: str
    mid: float | None = None
    below: float = 0.0
    judicial: bool = field(kw_only=True)


#: Camp terms by sentencing channel. ``courts`` is set by the parameter
#: ``court_term_mean_years`` (a prior); the others are fixed by the acts that
#: set each channel's powers.
TERMS: dict[str, TermRange] = {
    "troika": TermRange(
        8.0,
        10.0,
        "Order 00447 (30 Jul 1937), sec. II: category 2, camps for 8 to 10 years",
        judicial=False,
    ),
    "album": TermRange(
        5.0,
        10.0,
        "Order 00485 (11 Aug 1937): category 2, prison or camp for 5 to 10 years",
        judicial=False,
    ),
    "special_troika": TermRange(
        5.0,
        10.0,
        "Special troikas of Sep 1938 took over the album cases (Order 00606): as album",
        judicial=False,
    ),
    "oso": TermRange(
        3.0,
        5.0,
        "Regulation on the Special Board of 5 Nov 1934: camps up to 5 years; lower bound a prior "
        "(the Board's later power to give 8 years, from 1937, is not modelled)",
        judicial=False,
    ),
    "military_collegium": TermRange(
        8.0,
        10.0,
        "prior: the Military Collegium's camp sentences were mostly 10 years",
        judicial=True,
    ),
    "military_tribunal": TermRange(
        5.0,
        10.0,
        "prior: the districts' military tribunals' terms under art. 58 (treason under "
        "mitigating circumstances 10 years, law of 8 June 1934; agitation, 58-10, from six "
        "months); no distribution of their terms by length is sourced",
        judicial=True,
    ),
}


def served_in_colony(years: NDArray[np.float64], judicial: bool) -> NDArray[np.bool_]:
    """Who of those sentenced on ``years`` serves in a colony (ITK) rather than a camp (ITL).

    The Regulation on corrective-labour camps of 7 April 1930 (SNK SSSR; Sobranie zakonov
    SSSR 1930, no. 22, art. 248), art. 2: only persons sentenced by a court to deprivation of
    liberty for not less than three years, and persons sentenced by a special decision of the
    OGPU, may be sent to a camp; the resolution of 11 July 1929 left the shorter court terms
    to the republics' colonies. A court's sentence (``judicial``) goes to a colony when its
    term is under ``COLONY_BELOW_YEARS``; an extrajudicial body's (the NKVD's troikas, the
    Special Board, the militia troikas, which judged by the Special Board's powers) to a camp
    whatever its term. At the ranges of ``TERMS`` the second half changes nobody's place: no
    extrajudicial range reaches below three years."""
    short = np.asarray(years) < COLONY_BELOW_YEARS
    return short if judicial else np.zeros_like(short)


def court_terms(mean_years: float) -> TermRange:
    """Court terms: uniform from 1 year to ``2 * mean - 1`` (a prior; the courts passed terms
    from under a year to 10 years, and no distribution by length is sourced here)."""
    return TermRange(
        1.0, max(2.0 * mean_years - 1.0, 1.0), "prior: court_term_mean_years", judicial=True
    )


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
#: three years (the division of 1929, ``COLONY_BELOW_YEARS``) to ten, the longest deprivation of
#: liberty of the Criminal Code of the RSFSR of 1926 (art. 28) and the term of the law of
#: 7 August 1932 on socialist property, the largest group of the camps' non-political
#: prisoners (Khlevniuk, The History of the Gulag, 2004, ch. 1: terms mostly 3 to 10 years);
#: in the colonies terms from half a year (the courts' shortest deprivation of liberty, a prior)
#: to three years
INITIAL_CAMP_TERMS = TermRange(
    COLONY_BELOW_YEARS,
    10.0,
    "1929 division (3 years and over in the camps); 10 years the Code's maximum (RSFSR 1926, "
    "art. 28) and the term of the law of 7 Aug 1932",
    judicial=True,
)
INITIAL_COLONY_TERMS = TermRange(
    0.5,
    COLONY_BELOW_YEARS,
    "terms under 3 years (1929 division); lower bound as the courts'",
    judicial=True,
)


#: what the split of the ordinary courts' convicts reads (``non_political_terms``): the
#: evidence base's stock of 1 January 1935 (camps, of them counter-revolutionaries, colonies)
#: and the social-order bodies' sentences of 1935, all model inputs (never a calibration
#: target or a validation figure: tests/test_gulag_flows.py) ...
SPLIT_INPUTS = (
    "IN-gulag-itl-1935",
    "IN-gulag-cr-1935",
    "IN-gulag-itk-1935",
    "IN-oso-1935",
    "IN-nkvd-troikas-1935",
)
#: ... and the parameters: the social-order bodies' exile share, and how long the model keeps a
#: prisoner (work-day credits, mortality in the camps and colonies, the colonies' transfer)
SPLIT_PARAMS = (
    "exile_share",
    "workday_credit",
    "gulag_mortality",
    "colony_mortality_ratio",
    "colony_transfer_days",
)
_NODES = 256  # midpoint rule over a term range: exact to about 1e-6 for these integrands


def years_held(terms: TermRange, credit: float, mortality: float, wait_days: float = 0.0) -> float:
    """Mean years a sentence on ``terms`` (uniform) keeps a prisoner in a camp or colony, in
    the model's steady state of 1935.

    A term ``T`` is served in ``s = T / (1 + credit) - wait`` years there: the work-day credits
    of the non-political convicts (model/credits.py; before the decree of June 1939), less the
    days spent in a prison before arriving (``wait_days``: a colony convict's transfer,
    model/holding.py). He dies there at the yearly rate ``mortality`` (model/steps_gulag.py,
    ``camp_deaths``, with no supply shortfall), so he is held ``min(s, D)``, ``D`` exponential,
    on average ``(1 - exp(-mortality s)) / mortality`` (``s`` without deaths); the mean of that
    over the range is taken by the midpoint rule."""
    u = (np.arange(_NODES) + 0.5) / _NODES
    served = terms.low + (terms.high - terms.low) * u
    s = np.maximum(served / (1.0 + max(credit, 0.0)) - wait_days / YEAR, 0.0)
    if mortality <= 0.0:
        return float(s.mean())
    return float(-np.expm1(-mortality * s).mean() / mortality)


def colony_share(
    colony_stock: float, colony_years: float, camp_stock: float, camp_years: float
) -> float:
    """The share of a steady inflow that goes to the colonies, for it to hold ``colony_stock``
    and ``camp_stock`` (each range's stock is its inflow times its mean years held)."""
    colony_flow = max(colony_stock, 0.0) / colony_years
    camp_flow = max(camp_stock, 0.0) / camp_years
    total = colony_flow + camp_flow
    return colony_flow / total if total > 0 else 0.0


def non_political_terms(evidence: Any, params: dict[str, Any]) -> TermRange:
    """Terms of the ordinary courts' non-political convicts (model/steps_courts.py), by the
    same rule as those of the first day's prisoners (``initial_terms``): in a colony on
    ``INITIAL_COLONY_TERMS``, in a camp on ``INITIAL_CAMP_TERMS`` (the law of 7 August 1932,
    the largest group of the camps' non-political prisoners, gave 10 years).

    Which share of them went to a colony is the one that, by a steady inflow, gives the first
    day's stock of non-political prisoners less what the model's other non-political flow,
    the Special Board's and the militia troikas' "socially harmful elements"
    (model/steps_social_order.py), holds in the camps (the prior of
    ``nonpolitical_sentences_per_year`` subtracts the same flow, so that the two flows do not
    count the same people twice). With ``h(range, mortality, wait)`` the mean years held
    (``years_held``; ``c`` = ``workday_credit``, ``mu`` = ``gulag_mortality``, ``mu_k`` = ``mu``
    times ``colony_mortality_ratio``, ``d`` = ``colony_transfer_days``)::

        S    = (IN-oso-1935 + IN-nkvd-troikas-1935) (1 - exile_share) h(TERMS["oso"], mu, 0)
        L    = (IN-gulag-itl-1935 - IN-gulag-cr-1935 - S) / h(INITIAL_CAMP_TERMS, mu, 0)
        K    = IN-gulag-itk-1935 / h(INITIAL_COLONY_TERMS, mu_k, d)
        share to a colony = K / (K + L)

    ``S`` is the social-order bodies' camp stock in a steady state at their sentences of 1935
    (their terms are all 3 years or more: camps); both bodies sat in 1935, so ``S`` takes both
    counts, whichever of them the step later stops (the Special Board's social-order cases at
    Order 00447, the militia troikas at the halt: the split of the step's rate by these same
    two counts leaves its 1935 flow, and so ``S``, unchanged); ``L`` and ``K`` are the courts' yearly camp
    and colony inflows that hold the rest of the stock. At the shipped values (``gulag_mortality``
    0.043, ``workday_credit`` 0.25) ``S`` is about 409,000 of the 607,227 non-political camp
    prisoners and the share 0.81 (0.94 without the credits, deaths and transfer; 0.60 without
    ``S``, as until 4 Dec 2026). The flow is the
    sourced counts of 1935, not the rate ``social_order_convictions_per_year`` (whose default
    is their sum): the courts' practice does not move with a fit of another body's rate or
    with a counterfactual without those bodies. The etap's wait for the camps (at most a day
    in 1935 while the inflow is below ``etap_capacity``), the deaths in transit (half a per
    cent) and in prisons, and the review releases are left out. The split is an approximation:
    the camps grew in 1934 (``residual_terms``), not a steady state, and the social-order
    bodies were set up in November 1934 and January 1935, so a steady state at their rate of
    1935 assumes that the OGPU's bodies before them sent such people to the camps at that
    rate (no count of theirs is in the evidence base). No distribution of the courts' sentences by length is sourced
    here (Solomon, Soviet Criminal Justice under Stalin, 1996, and the courts' statistics,
    GARF f.9492, were not found in a stored copy); the ranges and the 1935 stock are.
    """
    itl, cr, itk, oso, troikas = (float(evidence.value(k)) for k in SPLIT_INPUTS)
    credit = float(params["workday_credit"])
    mu = float(params["gulag_mortality"])
    social = (
        (oso + troikas)
        * (1.0 - float(params["exile_share"]))
        * years_held(TERMS["oso"], credit, mu)
    )
    below = colony_share(
        itk,
        years_held(
            INITIAL_COLONY_TERMS,
            credit,
            mu * float(params["colony_mortality_ratio"]),
            float(params["colony_transfer_days"]),
        ),
        itl - cr - social,
        years_held(INITIAL_CAMP_TERMS, credit, mu),
    )
    lo, hi = INITIAL_COLONY_TERMS, INITIAL_CAMP_TERMS
    return TermRange(
        lo.low,
        hi.high,
        "as the first day's stock: 0.5-3 years in the colonies, 3-10 in the camps, the colonies' "
        "share from the stocks of 1 Jan 1935 less the social-order bodies' camp stock "
        "(" + ", ".join(SPLIT_INPUTS) + ")",
        mid=COLONY_BELOW_YEARS,
        below=below,
        judicial=True,
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
