"""The Gulag's flows close, and every path's camp terms are those the model sets (issue 9).

Validity tests of the camps' accounting (docs/validation-log.md, "Why the camps stopped growing in
1938-39"): over any stretch of days the camp and colony prisoners change by the flows the
ledger counts, nothing more; every path that passes camp terms draws them on the range
model/gulag.py sets for it; the ordinary courts' non-political convicts are split between
colonies and camps so that, beside the social-order bodies' convicts, a steady inflow holds
the first day's stock; and the holding stage lets nobody wait long.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import greatterror as gt
from greatterror.calibration.holdout import MEASURES
from greatterror.calibration.statistics import CALIBRATION_IDS
from greatterror.evidence.loader import load_evidence
from greatterror.model import holding
from greatterror.model.case_flags import COLONY, HOLDING, SOCIAL_ORDER
from greatterror.model.engine import Engine
from greatterror.model.gulag import (
    COLONY_BELOW_YEARS,
    GF,
    INITIAL_CAMP_TERMS,
    INITIAL_COLONY_TERMS,
    SPLIT_INPUTS,
    SPLIT_PARAMS,
    TERMS,
    YEAR,
    colony_share,
    draw_terms,
    non_political_terms,
    term_range,
    years_held,
)
from greatterror.model.params import BY_NAME
from greatterror.model.steps_social_order import TAKEOVER_TERMS
from greatterror.vocabulary import CHANNELS, Status

#: the paths that pass camp terms: every sentencing channel (vocabulary.CHANNELS), the
#: Special Board's and NKVD troikas' "socially harmful elements" (model/steps_social_order.py,
#: in the Special Board's range), the ordinary courts' non-political convicts
#: (model/steps_courts.py) and the militia's cases the courts convict after the halt
#: (``steps_social_order.TAKEOVER_TERMS``, the colonies' range)
PATHS = (*CHANNELS, "social_order", "ordinary_courts", "militia_courts")


def expected_terms(path: str, e: Engine):
    """The terms the model sets for ``path``, read where it defines them (model/gulag.py)."""
    if path == "ordinary_courts":
        return non_political_terms(e.evidence, e.params)
    if path == "social_order":
        return TERMS["oso"]
    if path == "militia_courts":
        return TAKEOVER_TERMS
    return term_range(path, e.params)


class Recorder:
    """Every camp sentence's path, term range, drawn terms and place (colony or camp), as the
    engine passes it (``Engine.sentence``); and every arrival's days from the sentence and
    place (model/holding.py, ``admit``). The sentence draws its terms in one compiled call
    (model/sentence_kernels.py); the terms recorded are ``draw_terms`` on a copy of the stream
    ``term`` as it was before the call, the same numbers bit for bit
    (tests/test_core_sentence.py)."""

    def __init__(self, mp: pytest.MonkeyPatch) -> None:
        self.draws: dict[str, list] = {}
        self.waits: list[tuple[np.ndarray, np.ndarray]] = []
        sentence = Engine.sentence

        def sentencing(e, day, idx, kind, channel="courts", terms=None):
            idx = np.asarray(idx, dtype=np.int64)
            social = len(idx) > 0 and bool(e.world.cases.has(SOCIAL_ORDER, idx).all())
            path = "ordinary_courts" if terms is not None else channel
            path = "militia_courts" if terms is TAKEOVER_TERMS else path
            path = "social_order" if social else path
            if kind != "camp" or len(idx) == 0:
                return sentence(e, day, idx, kind, channel, terms)
            used = terms or term_range(channel, e.params)
            stream = copy.deepcopy(e.rng.term)
            sentence(e, day, idx, kind, channel, terms)
            years = draw_terms(stream, len(idx), used)
            colony = e.world.cases.has(COLONY, idx).copy()
            self.draws.setdefault(path, []).append((used, years, colony))

        admit = holding.admit

        def admitting(w, e, day, batch):
            batch = np.asarray(batch, dtype=np.int64)
            self.waits.append(
                (day - w.cases.sentence_day[batch], w.cases.has(COLONY, batch).copy())
            )
            admit(w, e, day, batch)

        mp.setattr(Engine, "sentence", sentencing)
        mp.setattr(holding, "admit", admitting)


@pytest.fixture(scope="module")
def sim():
    with pytest.MonkeyPatch.context() as mp:
        recorder = Recorder(mp)
        run = gt.Sim("historical", scale=0.001, seed=3).engine
        run.recorder = recorder
        yield run


def _steady_state(terms, n, credit, mortality, wait_days, rng) -> float:
    """Mean years held of ``n`` sentences on ``terms`` by simulation: each served
    ``term / (1 + credit)`` less the wait, cut short by an exponential death."""
    served = np.maximum(draw_terms(rng, n, terms) / (1 + credit) - wait_days / YEAR, 0.0)
    death = rng.exponential(1.0 / mortality, n) if mortality > 0 else np.inf
    return float(np.minimum(served, death).mean())


def test_non_political_terms_reproduce_the_first_day_stock(sim) -> None:
    """With the social-order bodies' flow of 1935 beside them, a steady inflow on the courts'
    terms holds the non-political stock of 1 January 1935 in the camps and in the colonies,
    the time held simulated (credits, deaths, the colonies' transfer) apart from
    ``years_held``. Fails if the social-order bodies' camp stock is not subtracted: the
    camps would then hold more than the record's non-political prisoners."""
    e = sim.engine
    ev, p = e.evidence, e.params
    itl, cr, itk, oso, troikas = (ev.value(k) for k in SPLIT_INPUTS)
    terms = non_political_terms(ev, p)
    credit, mu = p["workday_credit"], p["gulag_mortality"]
    mu_k, wait = mu * p["colony_mortality_ratio"], p["colony_transfer_days"]
    rng = np.random.default_rng(2)
    drawn = draw_terms(rng, 400_000, terms)
    colony = drawn < COLONY_BELOW_YEARS
    assert abs(colony.mean() - terms.below) < 0.005
    assert drawn[colony].min() >= INITIAL_COLONY_TERMS.low
    assert drawn[~colony].min() >= INITIAL_CAMP_TERMS.low
    assert drawn.max() <= INITIAL_CAMP_TERMS.high
    n = 400_000
    held_k = _steady_state(INITIAL_COLONY_TERMS, n, credit, mu_k, wait, rng)
    held_l = _steady_state(INITIAL_CAMP_TERMS, n, credit, mu, 0.0, rng)
    held_s = _steady_state(TERMS["oso"], n, credit, mu, 0.0, rng)
    assert held_l == pytest.approx(years_held(INITIAL_CAMP_TERMS, credit, mu), rel=0.01)
    # the courts' yearly inflow that holds the colonies' stock, and what it holds in the camps
    inflow = itk / (terms.below * held_k)
    social = (oso + troikas) * (1 - p["exile_share"]) * held_s
    camps = inflow * (1 - terms.below) * held_l + social
    assert camps == pytest.approx(itl - cr, rel=0.02)
    assert social > 0.3 * (itl - cr)  # the subtraction matters: 0.4 million of 0.6
    # without the subtraction the share is the old one, and the camps would overflow
    old = colony_share(itk, held_k, itl - cr, held_l)
    assert old < terms.below - 0.1
    assert itk / (old * held_k) * (1 - old) * held_l + social > 1.3 * (itl - cr)


class Reading:
    """An evidence base that notes every fact read."""

    def __init__(self, evidence) -> None:
        self.evidence = evidence
        self.read: set[str] = set()

    def value(self, fact_id: str) -> float:
        self.read.add(fact_id)
        return self.evidence.value(fact_id)


class Params(dict):
    """Parameters that note every name read."""

    read: set[str]

    def __getitem__(self, name):
        self.read.add(name)
        return super().__getitem__(name)


def test_the_split_reads_only_model_inputs_and_stays_a_share() -> None:
    """The colonies' share is in [0, 1] over the parameters' ranges and for any stock, and
    reads only the model's inputs of 1935 and its parameters: no calibration target
    (``CALIBRATION_IDS``) and no validation figure (``calibration.holdout.MEASURES``)."""
    ev = Reading(load_evidence())
    base = {name: param.default for name, param in BY_NAME.items()}
    params = Params(base)
    params.read = set()
    terms = non_political_terms(ev, params)
    assert 0.0 <= terms.below <= 1.0
    held_out = {m.fact_id for m in MEASURES}
    assert ev.read == set(SPLIT_INPUTS)
    assert all(fid.startswith("IN-") for fid in ev.read)
    assert not ev.read & set(CALIBRATION_IDS) and not ev.read & held_out
    assert params.read == set(SPLIT_PARAMS)
    # over the parameters' ranges
    rng = np.random.default_rng(5)
    for _ in range(200):
        q = dict(base)
        for name in SPLIT_PARAMS:
            low, high = BY_NAME[name].low, BY_NAME[name].high
            q[name] = low + (high - low) * rng.random()
        assert 0.0 <= non_political_terms(ev.evidence, q).below <= 1.0
    # a social-order stock above the camps' non-political stock: every convict to a colony
    assert colony_share(100.0, 1.0, -50.0, 5.0) == 1.0
    assert colony_share(0.0, 1.0, 0.0, 5.0) == 0.0


def test_the_camps_change_only_by_the_counted_flows(sim) -> None:
    """From one day to another the camp and colony prisoners (``Camps.w``) change by the
    admissions less the releases, the deaths and those taken for a new case: no prisoner
    leaves a camp uncounted (Order 00447 took some of them, 1937-38)."""
    e = sim.engine
    inflow = [GF["admitted"]]
    outflow = [GF[k] for k in ("released_term", "released_review", "died_camp", "died_transit")]
    taken = GF["taken_for_case"]
    checked = 0.0
    start = 0
    for until in (400, 900, 1200, 1400, 1700, sim.days):
        held_before = e.world.camps.w
        sim.run(until=until)
        g = e.ledger.gulag[start:until]
        change = g[:, inflow].sum() - g[:, outflow].sum() - g[:, taken].sum()
        assert e.world.camps.w - held_before == pytest.approx(change, abs=1e-6 * e.w_mass)
        checked += g[:, taken].sum()
        start = until
    assert checked > 0  # the test saw prisoners taken for a new case


def test_a_convict_reaches_the_camps_within_a_season(sim) -> None:
    """The etap takes the camp convicts in order of sentence, up to ``etap_capacity`` a day
    (full-population equivalents, model/holding.py), so nobody waits longer than the queue
    ahead of him takes to leave: at most the largest number held awaiting the etap or the
    transfer (``Ledger.holding``) over the capacity, and two days (the day of the sentence,
    the rounding of a day's places). In this run that is
    within a season (under 92 days): a check that the queue drains at the prior capacity, not
    a historical figure. It was under 61 days until Order 00447's first blow (branch pace00447)
    put the July lists' arrests into the first week: 64 days at 1:1,000, seed 3, in the autumn
    of 1937. The colony convicts wait only their transfer, drawn at the
    sentence (geometric, mean ``colony_transfer_days``)."""
    sim.run()
    e = sim.engine
    waits = np.concatenate([w for w, _ in sim.recorder.waits])
    colony = np.concatenate([c for _, c in sim.recorder.waits])
    assert (waits >= 0).all()
    bound = e.ledger.holding.max() / e.params["etap_capacity"] + 2
    assert bound < 92
    assert waits[~colony].max() <= bound
    # the transfer: the mean of the drawn delays (geometric: sd about the mean)
    mean = e.params["colony_transfer_days"]
    assert waits[colony].mean() == pytest.approx(mean, abs=4 * mean / np.sqrt(colony.sum()) + 1)
    # and at the end nobody sentenced to camp is still waiting for the etap
    c = e.world.cases
    waiting = np.flatnonzero(c.unpacked(HOLDING))
    assert (c.has(COLONY, waiting)).all()


def test_every_path_gives_the_terms_the_model_sets_for_it(sim) -> None:
    """Every path that passes camp terms was taken in the run, and each drew its terms on the
    range the model sets for it (model/gulag.py: ``TERMS`` from the acts, ``court_terms``,
    ``non_political_terms``), served in a colony exactly when under three years."""
    sim.run()
    draws = sim.recorder.draws
    # the special troikas (Order 00606, September-November 1938) decide no case in this run
    # (the album procedure has none left for them): pass their sentence directly, last, on
    # people at liberty, after the other tests have read the run's end
    assert set(PATHS) - set(draws) <= {"special_troika"}
    e, day = sim.engine, sim.days - 1
    free = np.flatnonzero(e.world.cases.status == Status.FREE)[:50]
    taken = e.arrest(day, free, "national_polish")
    e.sentence(day, taken, "camp", "special_troika")
    assert set(draws) == set(PATHS)
    for path, rows in draws.items():
        terms = expected_terms(path, sim.engine)
        for used, years, colony in rows:
            assert used == terms, path
            assert years.min() >= terms.low and years.max() <= terms.high, path
            assert (colony == (years < COLONY_BELOW_YEARS)).all(), path
        years = np.concatenate([r[1] for r in rows])
        if path in TERMS or path == "social_order":  # the acts' ranges: all in the camps
            assert (years >= COLONY_BELOW_YEARS).all(), path
    # the militia's cases after the halt: all to a colony
    assert all(colony.all() for _, _, colony in draws["militia_courts"])
    # the ordinary courts send some to the colonies and some to the camps
    colony = np.concatenate([r[2] for r in draws["ordinary_courts"]])
    assert colony.any() and (~colony).any()
