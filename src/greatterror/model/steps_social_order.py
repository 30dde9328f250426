"""The NKVD's extrajudicial bodies for "socially harmful elements": the Special Board's
social-order cases until Order 00447, the militia troikas until the halt.

Before the mass operations a large part of the people convicted on NKVD cases
were not political suspects at all. Two bodies judged them, on the militia's
file, without the accused, with camp terms of up to five years or exile, never
death (Mozokhin, Pravo na repressii, 2006, ch. 3; Hagenloh, Stalin's Police,
2009; Shearer, Policing Stalin's Socialism, 2009; timeline G12-03):

- the NKVD's Special Board (OSO, from 5 November 1934), which judged, besides
  counter-revolutionary cases, those of "socially harmful and socially
  dangerous elements" (recidivists, people "linked to the criminal milieu",
  people "leading a parasitic way of life"); 33,823 sentenced in 1935, of all
  kinds (fact IN-oso-1935);
- the troikas in the republics, krais and oblasts, formed in January 1935 for
  passport violators and given the criminal and "declassed" elements by NKVD
  Order 00192 of 27 May 1935: the militia troikas (troikas at the regional
  administrations of the Workers' and Peasants' Militia; Mozokhin 2006, p. 142,
  seen cited, not in a stored copy of the book); more than 122,000 sentenced in
  1935 (IN-nkvd-troikas-1935; both counts from the Procurator of the USSR,
  Vyshinsky, and Yagoda, February 1936, cited by Mozokhin 2006).

**When each sits.** Order 00447 (30 July 1937) took criminals and "other
anti-Soviet elements" into its own troikas and lines: the Special Board's
social-order cases end the day the order first runs (no source was found on
the Special Board's social-order work of August 1937 - November 1938; the
model keeps the ending of the last sessions). The militia troikas did not end
then: they went on sitting in 1937-38 beside the troikas of Order 00447 (the
militia troika of the Altai krai, whose protocols of 1937-38 are kept in the
information centre of the krai's militia: N.V. Kudenko, "Militseiskaia troika
Altaiskogo kraia kak vnesudebnyi organ massovykh repressii 1937-1938 gg.",
Izvestiia AltGU; N.V. Kudenko and V.N. Razgon, "Prigovornaia deiatel'nost'
troiki pri UNKVD i militseiskoi troiki v Altaiskom krae v 1937-1938 gg.:
sravnitel'nyi analiz", Izvestiia AltGU: the UNKVD troika took the recidivists,
the militia troika petty offenders, beggars, vagrants and others "leading an
asocial way of life"; years and pages of both not seen), and the resolution
of the SNK and the CC of 17 November 1938 "On arrests, procuratorial
supervision and the conduct of investigation", item 2, abolished "the troikas
at the regional, krai and republican militia administrations" together with
those formed by special NKVD orders (Lubianka. Stalin i Glavnoe upravlenie
gosbezopasnosti NKVD 1937-1938, Moscow 2004; page not verified here). So the
militia troikas sit from the start of the run until the halt, a dated
decision of the scenario (``Policy.halted``), never a date written here.

**How many.** The step has one rate, ``social_order_convictions_per_year``
(the two bodies' sum in 1935 by default), split between them by their sourced
1935 counts (``SHARES``: 33,823 to 122,000, so 0.217 to the Special Board and
0.783 to the militia troikas); no new parameter. No yearly count of the
militia troikas for 1936-38 was found (the Altai studies count one krai, and
their national totals were not in a stored text): their share of the rate is
constant until the halt, a prior. The Special Board's whole 33,823 of 1935 is
taken as social-order work, though 13,255 of them were counter-revolutionaries
(IN-oso-1935's note): an upper bound on its share.

**How the 1953 series counts them.** The MVD's series of persons convicted on
cases of the OGPU-NKVD (``G1-*``) is labelled "counter-revolutionary and
especially dangerous state crimes", all sentencing bodies; no source seen says
whether it includes the militia troikas' sentences. Before Order 00447 the
model counts them there, as before (docs/validation-log.md, "The Special Board
and the NKVD troikas before Order 00447": the 1935-36 totals leave room for
them). From the day Order 00447 first runs it does not (``COUNTED_AFTER_00447``
is False): their cases are of the ``non_political`` category, like the
ordinary courts' convicts (model/steps_courts.py), counted in the Gulag's
stocks and deaths but not among the NKVD's arrests and convictions. The reason
is the record's own arithmetic: of the 1,344,923 convicted in 1937-38
(G1-1937-conv, G1-1938-conv), Order 00447's troikas sentenced about 767,000
(G3-final-conv, range 750,000-820,000) and the national operations 335,513
(G4-all-conv), which leaves 190,000-240,000 for the Military Collegium, the
Special Board, the courts and the military tribunals on NKVD cases; the
militia troikas at their 1935 rate would take about 160,000 of it from August
1937 to the halt alone. The memorandum of Rudenko, Kruglov and Gorshenin
(February 1954, G1-rudenko-total) names the bodies it counts (the OGPU's
Collegium, the NKVD troikas, the Special Board, the Military Collegium, the
courts and military tribunals) and not the militia's. This is a reading, not a
sourced statement; docs/validation-log.md ("The militia troikas until the
halt") reports G1-1937/1938 under both.

**After the halt: the courts take the militia's caseload.** The same item 2
of the resolution of 17 November 1938 ordered that from then on all cases go,
by the laws on jurisdiction, to the courts or to the NKVD's Special Board. The
model reads this as: the militia went on detaining passport violators,
vagrants and petty recidivists, and their cases went to the people's courts
(the passport offences under the RSFSR Criminal Code, art. 192a). A reading,
not verified: Hagenloh, Stalin's Police, 2009, and Shearer, Policing Stalin's
Socialism, 2009, the works on the militia's social-order policing and its 1939
aftermath, were not read in a stored copy. No count of those convictions for 1939-40,
nor a share taken by the Special Board, was found (data/parameters.csv, NOT
FOUND), so from the halt on the ordinary courts convict them at the militia
troikas' own rate times ``militia_cases_to_courts_share`` (a fixed value of
1, an upper bound: every case converted one for one into a court sentence,
none to the Special Board, none to a non-custodial penalty; 0 is the model
before 4 Dec 2026, in which nobody takes it over). Who they are is the same
draw (``draw_convicts``). How they are sentenced keeps the troikas' rule in
kind, the sentence a court could pass for these offences: exile (ssylka or
vysylka, penalties of the RSFSR Criminal Code of 1926 that the courts passed
too: its art. 82 punishes escape from exile and return from banishment) with
``exile_share`` (the troikas' own share, a prior), otherwise deprivation of liberty on ``TAKEOVER_TERMS``, the
colonies' range (half a year to three years, below ``COLONY_BELOW_YEARS``:
all to a colony, mean 1.75 years). The basis is the passport law: RSFSR
Criminal Code art. 192a as amended in 1934-35 is said to allow deprivation of
liberty up to 2 years for passport violations; that reading is UNVERIFIED (no
text of the article as amended was found in a stored copy, searched 4 Dec
2026), so the range is a prior, the colonies' own (``INITIAL_COLONY_TERMS``),
which contains it. It is not the courts' general distribution
(``gulag.non_political_terms``: mean 2.6 years, a fifth to the camps for 3-10
years), derived for the courts' other convicts, nor the troikas' 3-5 years
(``TERMS["oso"]``), the Special Board's powers, not a court's. They are
non-political cases, never the NKVD's arrests or convictions (the reading of
``COUNTED_AFTER_00447``: the G1 series is the NKVD's cases, and these are the
courts'), and not flagged ``Cases.flags`` ``SOCIAL_ORDER`` (their category says what
they are). They do not double count ``nonpolitical_sentences_per_year``, the
courts' other non-political inflow, at that parameter's prior only: the prior
is the turnover of the 1935 stock *less* the social-order bodies' camp
sentences (data/parameters.csv; ``gulag.non_political_terms`` subtracts the
same flow), constant over the years, so it stands for the courts' own
caseload without the militia's. The parameter is free: a fit moves it (to
177,280 in scenarios/historical.toml) to whatever the targets ask of all the
courts' non-political convicts, and a fitted value no longer strictly means
the caseload without the militia's (a refit with the takeover may absorb part
of it, or the reverse). The draws come from this step's stream (``social_order``) only after
the halt (the terms' draws are the engine's, as for every sentence), so
everything before the halt is the same with the takeover as without it.

**Scenarios without these dates.** Where no halt comes (the halt switched off,
or a leader rule that never decides it) the militia troikas sit to the end of
the run, as non-political cases once Order 00447 has run, and the courts never
take their caseload over; where Order 00447 never runs both bodies sit until
the halt and are counted as the NKVD's, as before Order 00447 in the historical
scenario, and the courts take the militia's caseload from the halt on.

The rule (one per day): a Poisson number of convictions, at the rate of the
bodies sitting today (the Special Board's share while it sits, the militia
troikas' share until the halt) in full-population equivalents spread over
the regions by their adults (none in the Gulag's own unit), falls on adults
at liberty who never had a case. Who they are is the profile of those
convicted outside the operations (``Registers.draw_ordinary``: the camp
prisoners' share of men, a sourced basis, with the census ages of that sex, a
prior), the same draw as the ordinary courts' convicts
(``steps_courts.draw_convicts``), from a random stream of its own. While the
NKVD counts them each is arrested in the NKVD's ordinary work (operation
``ordinary``, no line); afterwards (the militia troikas only) the case is
opened as non-political and not counted as an arrest. Either way the sentence
is the Special Board's rule, passed the same day: exile with
``exile_share``, otherwise a camp term in the Special Board's range (up to
five years). The two bodies' sentences are the same, so which body judged a
person is not drawn while both sit (the same draws as one body). No
investigation is put on the calendar and no investigation length is drawn for
them (``Engine.arrest(..., investigate=False)``): their draws come from their
own stream only, so the other cases' investigation lengths are the same with
these bodies as without them. The militia's days of inquiry are not modelled;
nobody is named, since these were not interrogations about accomplices. In
the camps and colonies they are held as non-political prisoners
(``Cases.flags`` ``SOCIAL_ORDER``).
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model.case_flags import SOCIAL_ORDER
from greatterror.model.engine import Engine
from greatterror.model.gulag import COLONY_BELOW_YEARS, INITIAL_COLONY_TERMS, TermRange
from greatterror.model.loop import Component
from greatterror.model.steps_courts import (
    adults_share,
    draw_convicts,
    open_non_political_case,
)
from greatterror.model.world import World

#: the operation whose start ends the Special Board's social-order work (it took these people in)
FOLDED_INTO = "kulak_00447"
#: the two bodies' sentences of 1935, by which the rate is split: (Special Board, militia troikas)
SHARES = ("IN-oso-1935", "IN-nkvd-troikas-1935")
#: whether the NKVD's arrests and convictions (the G1 series) count the militia troikas'
#: sentences once Order 00447 has started; False is the reading the module docstring argues
COUNTED_AFTER_00447 = False
#: the courts' terms for the militia's cases after the halt: the colonies' range (a prior, all
#: under ``COLONY_BELOW_YEARS``); RSFSR Criminal Code art. 192a as amended in 1934-35 (up to
#: 2 years for passport violations) is an unverified reading inside it (module docstring)
TAKEOVER_TERMS = TermRange(
    INITIAL_COLONY_TERMS.low,
    COLONY_BELOW_YEARS,
    "prior: the colonies' range (0.5-3 years); RSFSR Criminal Code art. 192a as amended in "
    "1934-35, up to 2 years for passport violations, unverified",
    judicial=True,
)


def board_sitting(operations: Container[str], halted: bool, ended_before: bool) -> bool:
    """Whether the Special Board's separate social-order work goes on today: not once Order
    00447 has run (it took these people into its own troikas) nor after the halt."""
    return not (ended_before or halted or FOLDED_INTO in operations)


def militia_sitting(halted: bool) -> bool:
    """Whether the militia troikas sit today: until the halt (the resolution of 17 November
    1938, item 2, abolished them), whatever the operations."""
    return not halted


def militia_share(evidence: Any) -> float:
    """The militia troikas' share of the two bodies' sentences of 1935 (``SHARES``)."""
    board, militia = (float(evidence.value(k)) for k in SHARES)
    return militia / (board + militia)


def rates_today(
    rate: float, share: float, operations: Container[str], halted: bool, board_ended: bool
) -> tuple[float, float]:
    """The yearly rates of the Special Board's social-order cases and of the militia troikas
    today: ``rate`` split by the militia troikas' ``share``, each while its body sits."""
    board = rate * (1.0 - share) if board_sitting(operations, halted, board_ended) else 0.0
    militia = rate * share if militia_sitting(halted) else 0.0
    return board, militia


def courts_rate(rate: float, share: float, to_courts: float) -> float:
    """The yearly rate at which the ordinary courts convict the militia's social-order cases
    after the halt (only then called): the militia troikas' own rate (``rate`` times their
    ``share``) times ``to_courts`` (``militia_cases_to_courts_share``)."""
    return rate * share * to_courts


def counted_by_nkvd(board_sits: bool) -> bool:
    """Whether today's convicts are counted among the NKVD's arrests and convictions: while
    the Special Board still sits (before Order 00447) all are; afterwards only under the
    reading ``COUNTED_AFTER_00447``."""
    return board_sits or COUNTED_AFTER_00447


class SocialOrderBoards(Component):
    """Step 29 (M23): the Special Board's social-order cases until Order 00447 and the militia
    troikas' cases until the halt ("socially harmful elements", passport violators); after the
    halt the ordinary courts take the militia's caseload."""

    name = "social_order_boards"
    mechanisms = ("M23",)
    params = ("social_order_convictions_per_year", "militia_cases_to_courts_share", "exile_share")
    reads = ("people", "registers", "cases", "policy", "institutions")
    writes = ("cases", "camps")

    def __init__(self) -> None:
        self.board_ended = False
        self._share: NDArray[np.float64] | None = None
        self._militia: float | None = None
        self._for: object = None

    def step(self, w: World, e: Engine, day: int) -> None:
        pol = w.policy
        if not self.on(e, "M23"):
            return
        if self._share is None or self._for is not w:
            self._share, self._for = adults_share(w), w
            self._militia = militia_share(e.evidence)
        assert self._militia is not None
        rate = float(e.params["social_order_convictions_per_year"])
        if not self.board_ended and not board_sitting(pol.operations, pol.halted, False):
            self.board_ended = True  # a dated end: its social-order work does not come back
        if pol.halted:
            self.courts_take_over(w, e, day, rate)
            return
        board, militia = rates_today(
            rate, self._militia, pol.operations, pol.halted, self.board_ended
        )
        if board + militia <= 0.0:
            return
        # while both sit their sum is the rate itself; taking it as is keeps the draws of the
        # years before Order 00447 bit for bit those of the single body this step once was
        total = rate if board > 0.0 and militia > 0.0 else board + militia
        convicts = self._convicts_today(w, e, total)
        if convicts is None:
            return
        # both bodies pass the same sentences: which one judged a person is not drawn
        sentence_social_order(e, day, convicts, e.rng.social_order, counted_by_nkvd(board > 0.0))

    def _convicts_today(self, w: World, e: Engine, yearly: float) -> NDArray[np.int64] | None:
        """Today's convicts at ``yearly`` full-population convictions a year: a Poisson count
        per region (by its share of adults), then who (``draw_convicts``); None if none."""
        assert self._share is not None
        rng = e.rng.social_order
        counts = rng.poisson(yearly / e.w_mass / 365.0 * self._share)
        if not counts.any():
            return None
        return draw_convicts(w, counts, rng)

    def courts_take_over(self, w: World, e: Engine, day: int, rate: float) -> None:
        """After the halt: a Poisson number of the militia's cases per region, at
        ``courts_rate``, convicted by the ordinary courts as non-political cases: exile with
        ``exile_share``, otherwise a colony term on ``TAKEOVER_TERMS``."""
        assert self._militia is not None
        to_courts = float(e.params["militia_cases_to_courts_share"])
        courts = courts_rate(rate, self._militia, to_courts)
        if courts <= 0.0:
            return
        convicts = self._convicts_today(w, e, courts)
        if convicts is None:
            return
        open_non_political_case(w.cases, convicts, day)
        exile = e.rng.social_order.random(len(convicts)) < float(e.params["exile_share"])
        e.sentence(day, convicts[exile], "exile")
        e.sentence(day, convicts[~exile], "camp", terms=TAKEOVER_TERMS)


def sentence_social_order(
    e: Engine, day: int, idx: NDArray[np.int64], rng: np.random.Generator, counted: bool
) -> NDArray[np.int64]:
    """Sentence ``idx`` (at liberty, no case) the same day by the Special Board's rule: exile
    with ``exile_share``, otherwise a camp term on the Special Board's range. ``counted``:
    arrested in the NKVD's ordinary work (counted among its arrests and convictions), else
    a ``non_political`` case as the ordinary courts' (model/steps_courts.py). Returns those
    sentenced."""
    assert e.world is not None
    cases = e.world.cases
    if counted:
        # judged on the militia's file the same day: no investigation is scheduled, so
        # nothing is drawn from the investigations' ``duration`` stream (engine.arrest)
        idx = e.arrest(day, idx, "ordinary", investigate=False)
    else:
        idx = np.asarray(idx, dtype=np.int64)
        open_non_political_case(cases, idx, day)
    if len(idx) == 0:
        return idx
    cases.set(SOCIAL_ORDER, idx)
    exile = rng.random(len(idx)) < float(e.params["exile_share"])
    e.sentence(day, idx[exile], "exile")
    e.sentence(day, idx[~exile], "camp", "oso")
    return idx
