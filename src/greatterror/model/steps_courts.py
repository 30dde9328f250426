"""The ordinary courts' non-political convicts: the Gulag's largest inflow, outside the terror.

Most prisoners of the camps (ITL) and colonies (ITK) in 1935-1940 were not
political: the counter-revolutionaries were 12.6 to 34.5 per cent of the camp
prisoners on each 1 January (Zemskov, "GULAG (istoriko-sotsiologicheskii
aspekt)", 1991; Getty, Rittersporn & Zemskov 1993, from GULAG accounting,
GARF f.9414). The others had been sentenced by the ordinary courts (and, from
May 1935, the militia's troikas, NKVD Order 00192, whose sentences are
model/steps_social_order.py's, not this step's; so are the militia's cases the
courts convicted after the troikas were abolished at the halt, which that step
sentences by this module's ``convict_non_political``) for theft, speculation,
hooliganism, official and economic crimes, passport offences (Solomon, Soviet
Criminal Justice under Stalin, 1996). Without them the model's Gulag holds too
few people to die, to crowd the prisons and to fill the camps.

Every day a Poisson number of such sentences per region (in proportion to the
region's adults in the mass population; none in the Gulag's own unit) falls on adults at
liberty who never had a case. Who they are is drawn exactly as ordinary work's arrests of
people on no register are (``Registers.draw_ordinary``): one profile of those convicted
outside the operations (``registers.ordinary_profile``), whose share of men is that of the
prisoners of camps and colonies (``pop_camp_male_share_1937``, Zemskov 1991) and whose
ages are those of the adults of the census population of that sex (a prior: no age
profile of these convicts is sourced here). The camp share is the sourced basis for both
because most of those prisoners were these very convicts: the counter-revolutionaries
were at most about a third of them (above). They are sentenced to camp or colony with a
term from ``gulag.non_political_terms`` (about four in five to a colony for half a year to
three years, the rest to a camp for three to ten, as the first day's prisoners; the share is
the one by which they and the social-order bodies, model/steps_social_order.py, hold the
stock of 1935) and then go the way of every camp sentence:
the holding stage, the etap, the camps' and colonies' mortality, release at
term end. Their cases are of the ``non_political`` category
(``vocabulary.NON_POLITICAL``): counted in the Gulag's stocks and deaths, never
in the political arrests, convictions, operations or the demography of the
repressed. The yearly number of such sentences is not found in the evidence
base (data/parameters.csv says so): ``nonpolitical_sentences_per_year`` is a
prior, constant over the years.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.case_flags import NAMED
from greatterror.model.engine import Engine
from greatterror.model.gulag import SPLIT_PARAMS, TermRange, non_political_terms
from greatterror.model.loop import Component
from greatterror.model.sorting import distinct_with, first_per_group
from greatterror.model.state import Cases
from greatterror.model.world import World
from greatterror.vocabulary import NON_POLITICAL, Status

#: candidates drawn per wanted convict (some had a case already, some are drawn twice)
OVERSAMPLE = 2

#: the parameters this step reads (and, for the terms' split, ``gulag.SPLIT_PARAMS``)
COURTS_PARAMS = ("nonpolitical_sentences_per_year", *SPLIT_PARAMS)


class OrdinaryCourts(Component):
    """Non-political sentences to camp or colony, drawn per region and day."""

    name = "ordinary_courts"
    params = COURTS_PARAMS
    reads = ("people", "registers", "cases", "institutions")
    writes = ("cases", "camps")

    def __init__(self) -> None:
        self._share: NDArray[np.float64] | None = None
        self._for: object = None
        self._terms: tuple[object, TermRange] | None = None

    def region_share(self, w: World) -> NDArray[np.float64]:
        """Each region's share of the mass population's adults outside the Gulag's own unit
        (``adults_share``, kept for the run's world)."""
        if self._share is None or self._for is not w:
            self._share = adults_share(w)
            self._for = w
        return self._share

    def step(self, w: World, e: Engine, day: int) -> None:
        p = e.params
        rate = float(p["nonpolitical_sentences_per_year"])
        if rate <= 0.0:
            return
        rng = e.rng.courts
        counts = rng.poisson(rate / e.w_mass / 365.0 * self.region_share(w))
        if not counts.any():
            return
        convicts = draw_convicts(w, counts, rng)
        if self._terms is None or self._terms[0] is not e:  # the same for the whole run
            self._terms = (e, court_terms_of(e))
        convict_non_political(e, day, convicts, self._terms[1])


def convict_non_political(e: Engine, day: int, idx: NDArray[np.int64], terms: TermRange) -> None:
    """Sentence ``idx`` (at liberty) to camp or colony for a non-political offence, with a term
    from ``terms``. Their case is of the ``non_political`` category: counted in the Gulag,
    never among the political arrests and convictions. Their time before the sentence
    (militia, court) is not modelled: their exposure to overcrowded prisons (model/holding.py)
    counts from the sentence. The status changes in the engine's transition
    (``Engine.sentence``), which counts it."""
    idx = np.asarray(idx, dtype=np.int64)
    if len(idx) == 0:
        return
    assert e.world is not None
    open_non_political_case(e.world.cases, idx, day)
    e.sentence(day, idx, "camp", terms=terms)


def open_non_political_case(cases: Cases, idx: NDArray[np.int64], day: int) -> None:
    """Open a ``non_political`` case for ``idx`` today, with no NKVD arrest: no operation line,
    not named, the case's day is ``day`` (the ordinary courts' convicts, and the militia
    troikas' after Order 00447, model/steps_social_order.py)."""
    cases.op[idx] = NON_POLITICAL
    cases.line[idx] = 0
    cases.clear(NAMED, idx)
    cases.arrest_day[idx] = day


def court_terms_of(e: Engine) -> TermRange:
    """The non-political convicts' terms (``gulag.non_political_terms``): the colonies' share
    from the model's inputs (the stock of 1 January 1935, the social-order bodies' sentences
    of 1935) and parameters."""
    return non_political_terms(e.evidence, e.params)


def adults_share(w: World) -> NDArray[np.float64]:
    """Each region's share of the mass population's adults outside the Gulag's own unit: how a
    yearly number of convictions at liberty is spread over the regions."""
    size = w.registers.region_adults.astype(np.float64).copy()
    camps = w.institutions.camps_region
    if camps >= 0:
        size[camps] = 0.0
    total = size.sum()
    return size / total if total > 0 else size


def draw_convicts(
    w: World, counts: NDArray[np.integer], rng: np.random.Generator
) -> NDArray[np.int64]:
    """Up to ``counts[r]`` distinct adults of region r who never had a case, of the profile of
    those convicted outside the operations.

    The candidates come from ``Registers.draw_ordinary``, the draw of ordinary work's arrests
    of people on no register (one profile, ``registers.ordinary_profile``, for both); those
    who ever had a case are dropped (a person has one case record), and of the rest the
    first ``counts[r]`` of region r in random order are kept (fewer if too few were drawn).
    """
    reg = w.registers
    counts = np.asarray(counts, dtype=np.int64)
    drawn = reg.draw_ordinary(OVERSAMPLE * counts + 2 * (counts > 0), w.people, rng)
    drawn = distinct_with(drawn, w.cases.status, int(Status.FREE))  # np.unique, then the free
    drawn = drawn[rng.permutation(len(drawn))]  # no preference by position in the region
    # the first counts[r] of region r in that order, sorted (sorting.first_per_group)
    return first_per_group(drawn, w.people["region"], counts)
