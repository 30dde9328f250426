"""The Special Board's social-order cases and the militia troikas (model/steps_social_order.py).

Two runs of the historical scenario at 1:1000 (seed 1): with the default inflow, recording
everyone the step sentenced and how and each day's rates of the two bodies, and with the inflow
at 0 (the bodies never sat). The courts' takeover of the militia's caseload after the halt is
recorded apart (``courts``) and compared with a third run without it
(``militia_cases_to_courts_share`` 0).
"""

from __future__ import annotations

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model import steps_social_order as so
from greatterror.model.case_flags import COLONY, HOLDING, SOCIAL_ORDER
from greatterror.model.engine import Engine
from greatterror.model.gulag import (
    COLONY_BELOW_YEARS,
    INITIAL_COLONY_TERMS,
    TERMS,
    YEAR,
)
from greatterror.model.registers import ordinary_profile
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.model.summary import _years
from greatterror.population.codes import MIN_ARREST_AGE
from greatterror.vocabulary import EV, NON_POLITICAL, OP, Status

SCALE, SEED = 0.001, 1
RATE = "social_order_convictions_per_year"
TO_COURTS = "militia_cases_to_courts_share"


@pytest.fixture(scope="module")
def runs():
    """(run with the inflow, [(day, people, sentences passed)] by the two bodies, run without
    the inflow, {day: (the Special Board's rate, the militia troikas' rate)}, [(day, people,
    sentences passed)] by the courts after the halt)."""
    scenario, evidence = load_scenario("historical"), load_evidence()
    calls: list[tuple[int, np.ndarray, list[tuple[str, str, int]]]] = []
    courts: list[tuple[int, np.ndarray, list[tuple[str, str, int]]]] = []
    step, sentence, draw = so.SocialOrderBoards.step, Engine.sentence, so.draw_convicts
    take_over = so.SocialOrderBoards.courts_take_over
    rates_today = so.rates_today
    inside: list[list] = []
    rates: dict[int, tuple[float, float]] = {}

    def recording_rates(*args):
        out = rates_today(*args)
        rates[today[0]] = out
        return out

    today = [0]

    def recording_step(self, w, e, day):
        today[0] = day
        inside.append([[], [], []])
        try:
            step(self, w, e, day)
        finally:
            drawn, passed, by_courts = inside.pop()
        if passed:
            # a day's sentences are all the bodies' or all the courts' (after the halt)
            (courts if by_courts else calls).append((day, np.concatenate(drawn), passed))

    def recording_take_over(self, w, e, day, rate):
        inside[-1][2].append(True)
        return take_over(self, w, e, day, rate)

    def recording_draw(w, counts, rng):
        out = draw(w, counts, rng)
        inside[-1][0].append(out.copy())
        return out

    def recording_sentence(self, day, idx, kind, channel="courts", terms=None):
        if inside:
            inside[-1][1].append((kind, channel, len(idx)))
        return sentence(self, day, idx, kind, channel, terms)

    mp = pytest.MonkeyPatch()
    mp.setattr(so.SocialOrderBoards, "step", recording_step)
    mp.setattr(Engine, "sentence", recording_sentence)
    mp.setattr(so, "draw_convicts", recording_draw)
    mp.setattr(so, "rates_today", recording_rates)
    mp.setattr(so.SocialOrderBoards, "courts_take_over", recording_take_over)
    try:
        on = simulate(scenario, SCALE, SEED, evidence=evidence)
    finally:
        mp.undo()
    off = simulate(scenario, SCALE, SEED, {RATE: 0.0}, evidence)
    return on, calls, off, rates, courts


def test_the_rules_the_board_until_order_00447_the_militia_until_the_halt() -> None:
    """The Special Board's social-order work goes on before Order 00447 and the halt, and never
    after; the militia troikas sit until the halt, whatever the operations."""
    assert so.board_sitting(set(), halted=False, ended_before=False)
    assert so.board_sitting({"national_polish"}, halted=False, ended_before=False)
    assert not so.board_sitting({"kulak_00447"}, halted=False, ended_before=False)
    assert not so.board_sitting(set(), halted=True, ended_before=False)
    # a dated end: once ended, not again, even if Order 00447 stops running
    assert not so.board_sitting(set(), halted=False, ended_before=True)
    assert so.militia_sitting(halted=False)
    assert not so.militia_sitting(halted=True)
    share = so.militia_share(load_evidence())
    assert share == pytest.approx(122_000 / (122_000 + 33_823))
    assert so.rates_today(100.0, share, set(), False, False) == pytest.approx(
        (100.0 * (1 - share), 100.0 * share)
    )
    assert so.rates_today(100.0, share, {"kulak_00447"}, False, False) == (0.0, 100.0 * share)
    assert so.rates_today(100.0, share, set(), False, True) == (0.0, 100.0 * share)
    assert so.rates_today(100.0, share, set(), True, False) == (0.0, 0.0)
    # after the halt (only) the courts take the militia troikas' caseload, at their rate
    assert so.courts_rate(100.0, share, 1.0) == pytest.approx(100.0 * share)
    assert so.courts_rate(100.0, share, 0.0) == 0.0
    # the NKVD counts them while the Special Board sits; afterwards by the module's reading
    assert so.counted_by_nkvd(True)
    assert so.counted_by_nkvd(False) == so.COUNTED_AFTER_00447


def _day_00447_starts(sim) -> int:
    """The first day with an Order 00447 arrest in the ledger."""
    cube = sim.ledger.cube()
    days = np.flatnonzero(cube[:, :, OP["kulak_00447"], EV["arrested"]].sum(axis=1))
    return int(days[0])


def _halt_day(sim) -> int:
    """The scenario's day of the halt (the resolution of 17 November 1938)."""
    scenario = sim.scenario
    return min((e.date - scenario.start).days for e in scenario.events if e.action == "halt")


def test_the_board_stops_at_order_00447_the_militia_at_the_halt(runs) -> None:
    """In the run: the Special Board's rate is positive every day before Order 00447's first
    arrest and zero from then on; the militia troikas' is positive until the halt and zero
    after; people are convicted after Order 00447 starts, and none after the halt."""
    on, calls, _, rates, _ = runs
    sim = on.simulation
    start, halt = _day_00447_starts(sim), _halt_day(sim)
    assert start < halt < sim.days
    days = np.array(sorted(rates))
    board = np.array([rates[d][0] for d in days])
    militia = np.array([rates[d][1] for d in days])
    assert (board[days < start] > 0).all() and (board[days >= start] == 0).all()
    assert (militia[days < halt] > 0).all() and (militia[days > halt] == 0).all()
    # the militia troikas keep their 1935 share of the rate after Order 00447 starts
    assert militia[days == start][0] == pytest.approx(militia[0])
    assert board[0] / (board[0] + militia[0]) == pytest.approx(33_823 / (33_823 + 122_000))
    after = [day for day, _, _ in calls if day >= start]
    assert len(after) > 50  # about 160 people at 1:1000 from August 1937 to the halt
    assert max(after) > halt - 60  # ... until the halt
    assert max(day for day, _, _ in calls) <= halt


def test_after_order_00447_they_are_not_the_nkvds_convictions(runs) -> None:
    """Before Order 00447 the bodies' convicts are the NKVD's (arrested in ordinary work);
    after it the militia troikas' are non-political cases (the module's reading of the 1953
    series): never arrested, counted in the non-political events, not in the NKVD's."""
    on, calls, _, _, _ = runs
    sim = on.simulation
    c, start = sim.cases, _day_00447_starts(sim)
    before = np.concatenate([p for d, p, _ in calls if d < start])
    after = np.concatenate([p for d, p, _ in calls if d >= start])
    after = after[c.has(SOCIAL_ORDER, after)]  # still on the bodies' case (no later arrest)
    assert len(after) > 50
    assert (c.op[after] == NON_POLITICAL).all()
    assert (c.arrests[after] == 0).all()
    before = before[c.has(SOCIAL_ORDER, before)]
    assert len(before) > 100 and (c.op[before] == OP["ordinary"]).all()
    assert (c.arrests[before] >= 1).all()
    cube = sim.ledger.cube()
    sentenced = [EV["convicted_camp"], EV["convicted_exile"]]
    passed = float(sim.weights(after).sum())
    assert cube[start:, :, NON_POLITICAL][..., sentenced].sum() >= passed - 1e-6


def test_convictions_never_to_death(runs) -> None:
    _, calls, _, _, _ = runs
    assert len(calls) > 100
    kinds = {(kind, channel) for _, _, passed in calls for kind, channel, k in passed if k}
    assert kinds <= {("exile", "courts"), ("camp", "oso")}  # exile has no channel of its own
    assert ("camp", "oso") in kinds


def test_switch_off_is_identical_before_the_first_conviction_and_different_after(runs) -> None:
    on, calls, off, _, _ = runs
    first = min(day for day, _, _ in calls)
    a, b = on.simulation.ledger.cube(), off.simulation.ledger.cube()
    assert np.array_equal(a[:first], b[:first])
    assert not np.array_equal(a[first:], b[first:])
    y_on, y_off = on.summary["yearly"], off.summary["yearly"]
    assert y_on["1935"]["convicted"] > y_off["1935"]["convicted"]
    assert y_on["1936"]["convicted"] > y_off["1936"]["convicted"]


def test_they_are_adults_at_liberty_of_the_ordinary_convicts_profile(runs) -> None:
    on, calls, _, _, _ = runs
    sim = on.simulation
    people = np.concatenate([p for _, p, _ in calls])
    people = people[sim.cases.op[people] == OP["ordinary"]]
    assert len(people) > 100
    assert (sim.pop["age"][people] >= MIN_ARREST_AGE).all()
    assert not sim.is_elite[people].any()
    assert (sim.pop["region"][people] != sim.inst.camps_region).all()
    share = ordinary_profile().male_share
    assert share is not None
    male = float(sim.pop["male"][people].mean())
    assert abs(male - share) <= 4.0 * np.sqrt(share * (1 - share) / len(people)) + 0.01


def test_camp_terms_are_the_special_boards(runs) -> None:
    on, calls, _, _, _ = runs
    c = on.simulation.cases
    people = np.concatenate([p for _, p, _ in calls])
    days = np.concatenate([np.full(len(p), d) for d, p, _ in calls])
    # still on the bodies' case: not released and arrested again later (a later arrest, in
    # ordinary work, goes to the courts with their terms)
    people = people[c.arrest_day[people] == days]
    ours = np.isin(
        c.op[people], [OP["ordinary"], NON_POLITICAL]
    )  # the NKVD's, or not (after 00447)
    held = people[(c.status[people] == Status.CAMP) & ours]
    held = held[c.release_day[held] >= 0]
    assert len(held) > 10
    length = c.release_day[held].astype(np.int64) - c.sentence_day[held]
    # the work-day credits of non-political convicts (model/credits.py, until June 1939)
    # shorten a term by at most the factor 1 + workday_credit
    credit = float(on.simulation.params["workday_credit"])
    assert (length >= np.floor(TERMS["oso"].low * YEAR / (1.0 + credit))).all()
    assert (length <= np.ceil(TERMS["oso"].high * YEAR)).all()


def test_people_are_conserved_with_the_bodies(runs) -> None:
    """Each of them was sentenced once, the day of the arrest (or, after Order 00447, of the
    non-political case); the ledger's arrests and sentences agree with the final states, as in
    the run without them."""
    on, calls, _, _, _ = runs
    sim = on.simulation
    c, cube, w = sim.cases, sim.ledger.cube(), sim.pop.weights()
    start = _day_00447_starts(sim)
    people = np.concatenate([p for _, p, _ in calls])
    assert len(np.unique(people)) == len(people)
    counted = np.concatenate([p for d, p, _ in calls if d < start])
    assert (c.arrests[counted] >= 1).all()
    assert (w * c.arrests).sum() == pytest.approx(cube[..., EV["arrested"]].sum())
    assert w[c.status == Status.SHOT].sum() == pytest.approx(cube[..., EV["executed"]].sum())
    touched = (c.status != Status.FREE) & (sim.pop["region"] != sim.inst.camps_region)
    touched &= c.op != OP["non_political"]
    assert (c.arrests[touched] > 0).all()
    # every one of them was sentenced the day of the arrest: before Order 00447 counted under
    # the ordinary operation, afterwards under the non-political category
    assert sum(k for _, _, p in calls for _, _, k in p) == len(people)
    sentenced = [EV["convicted_camp"], EV["convicted_exile"]]
    ordinary = cube[:start, :, OP["ordinary"]][..., sentenced]
    assert ordinary.sum() >= float(sim.weights(counted).sum()) - 1e-6
    assert sim.world.camps.hold_n == int(np.count_nonzero(c.unpacked(HOLDING)))


def test_the_boards_convicts_are_held_as_non_political_prisoners() -> None:
    """The Gulag counted the 'socially harmful elements' apart from the counter-revolutionaries,
    and they earned work-day credits as the courts' convicts did: the flag that says so is set
    by the step and cleared by a later arrest (a new case)."""
    import greatterror as gt

    sim = gt.Sim("historical", scale=0.001, seed=1)
    sim.run(until="1936-06-01")
    cases = sim.engine.world.cases
    flagged = np.flatnonzero(cases.unpacked(SOCIAL_ORDER))
    assert len(flagged) > 0
    assert (cases.op[flagged] == OP["ordinary"]).all()
    assert cases.ordinary_offence(flagged).all()
    engine = sim.engine.engine
    # as if released at the end of the term and arrested again later: a new case
    freed = flagged[(cases.status[flagged] == Status.CAMP) & ~cases.has(HOLDING, flagged)][:20]
    cases.status[freed] = Status.FREE
    again = engine.arrest(int(sim.engine.day), freed, "ordinary")
    assert len(again) > 0
    assert not cases.has(SOCIAL_ORDER, again).any()


def test_the_bodies_draw_no_investigation_lengths() -> None:
    """Their arrests put no investigation on the calendar and draw nothing from the
    investigations' ``duration`` stream, so every other case's investigation length is the
    same with the bodies as without them (common random numbers). Fails if their arrests
    schedule an investigation again (``Engine.arrest(..., investigate=True)``)."""
    import greatterror as gt

    sim = gt.Sim("historical", scale=SCALE, seed=SEED)
    step = so.SocialOrderBoards.step
    seen: list[tuple[int, bool, int]] = []

    def watched(self, w, e, day):
        before = e.rng.duration.bit_generator.state
        arrests = e.arrests
        step(self, w, e, day)
        seen.append((e.arrests - arrests, e.rng.duration.bit_generator.state == before, day))

    mp = pytest.MonkeyPatch()
    mp.setattr(so.SocialOrderBoards, "step", watched)
    try:
        sim.run(until="1935-03-31")
    finally:
        mp.undo()
    assert sum(n for n, _, _ in seen) > 0  # the bodies arrested people in these months
    assert all(same for _, same, _ in seen)
    assert sim.engine.world.cases.unpacked(SOCIAL_ORDER).any()


def test_the_militia_troikas_exiles_after_order_00447_are_in_the_summary(runs) -> None:
    """After Order 00447 the militia troikas' exiles are non-political cases (and after the
    halt the courts' exiles of the militia's cases; the ordinary courts' own convicts are never
    exiled), and summary.json's ``non_political`` block reports them year by year as the
    ledger holds them (review of 4 Dec 2026: they were in no block)."""
    on, calls, _, _, _ = runs
    sim = on.simulation
    start = _day_00447_starts(sim)
    exiled_after = sum(k for d, _, p in calls if d >= start for kind, _, k in p if kind == "exile")
    assert exiled_after > 0
    cube = sim.ledger.cube()
    per_day = cube[:, :, NON_POLITICAL, EV["convicted_exile"]].sum(axis=1)
    assert per_day[:start].sum() == 0.0
    block = on.summary["non_political"]
    years = _years(sim)
    for year in np.unique(years).tolist():
        expected = float(per_day[years == year].sum())
        assert block[str(year)]["exiled"] == pytest.approx(expected)
    assert sum(v["exiled"] for v in block.values()) > 0


def test_the_counting_reading_changes_nothing_before_order_00447(runs, monkeypatch) -> None:
    """The reading of the 1953 series (``COUNTED_AFTER_00447``) decides only how the militia
    troikas' cases after Order 00447 are counted: the runs under both readings are the same
    event for event before that day, and after it the reading that counts them has more of
    the NKVD's (ordinary) convictions and fewer non-political ones."""
    on, _, _, _, _ = runs
    monkeypatch.setattr(so, "COUNTED_AFTER_00447", True)
    counted = simulate(load_scenario("historical"), SCALE, SEED, evidence=load_evidence())
    start = _day_00447_starts(on.simulation)
    a, b = on.simulation.ledger.cube(), counted.simulation.ledger.cube()
    assert np.array_equal(a[:start], b[:start])
    sentenced = [EV["convicted_camp"], EV["convicted_exile"]]
    ordinary = OP["ordinary"]
    assert (
        b[start:, :, ordinary][..., sentenced].sum() > a[start:, :, ordinary][..., sentenced].sum()
    )
    assert (
        b[start:, :, NON_POLITICAL][..., sentenced].sum()
        < a[start:, :, NON_POLITICAL][..., sentenced].sum()
    )


@pytest.fixture(scope="module")
def without_takeover():
    """The historical run with nobody taking over the militia's caseload after the halt."""
    return simulate(load_scenario("historical"), SCALE, SEED, {TO_COURTS: 0.0}, load_evidence())


def test_after_the_halt_the_courts_take_the_militias_caseload(runs) -> None:
    """The militia troikas pass no sentence after the halt; from the halt on the ordinary courts
    convict the militia's cases, at about the troikas' own rate (Poisson, 4 sd)."""
    on, calls, _, _, courts = runs
    sim = on.simulation
    halt = _halt_day(sim)
    assert max(day for day, _, _ in calls) <= halt
    assert not any(k for d, _, p in calls if d > halt for _, _, k in p)
    assert courts and min(day for day, _, _ in courts) >= halt
    assert max(day for day, _, _ in courts) > sim.days - 60  # ... to the end of the run
    people = np.concatenate([p for _, p, _ in courts])
    years = (sim.days - halt) / 365.0
    share = so.militia_share(load_evidence())
    expected = float(sim.params[RATE]) * share * float(sim.params[TO_COURTS]) * years * SCALE
    assert abs(len(people) - expected) <= 4.0 * np.sqrt(expected)
    assert float(sim.weights(people).sum()) == pytest.approx(len(people) / SCALE, rel=0.05)


def test_the_courts_convicts_are_exiled_or_sent_to_a_colony_for_a_short_term(runs) -> None:
    """The courts' convicts after the halt are non-political cases (never the NKVD's arrests,
    not flagged as the bodies' social-order cases), sentenced by the troikas' rule in kind: exile
    with ``exile_share`` (binomial, 4 sd), otherwise deprivation of liberty on
    ``TAKEOVER_TERMS``, the colonies' range (never the Special Board's 3-5 years, never a camp
    for 3-10 years): all of them to a colony, with terms that end, many before the run does."""
    on, calls, _, _, courts = runs
    sim = on.simulation
    c = sim.cases
    kinds = {(kind, channel) for _, _, passed in courts for kind, channel, k in passed if k}
    assert kinds == {("camp", "courts"), ("exile", "courts")}
    exiled = sum(k for _, _, p in courts for kind, _, k in p if kind == "exile")
    total = sum(k for _, _, p in courts for _, _, k in p)
    share = float(sim.params["exile_share"])
    assert abs(exiled - share * total) <= 4.0 * np.sqrt(total * share * (1.0 - share))
    people = np.concatenate([p for _, p, _ in courts])
    days = np.concatenate([np.full(len(p), d) for d, p, _ in courts])
    assert len(np.unique(people)) == len(people)
    troikas = np.concatenate([p for _, p, _ in calls])
    assert not np.isin(people, troikas).any()  # one case record each
    mine = c.arrest_day[people] == days  # still on this case (not arrested again later)
    people = people[mine]
    assert len(people) > 100
    assert (c.op[people] == NON_POLITICAL).all()
    assert (c.arrests[people] == 0).all()
    assert not c.has(SOCIAL_ORDER, people).any()
    in_exile = c.status[people] == Status.EXILE
    assert in_exile.any() and not c.has(COLONY, people[in_exile]).any()
    held = people[~in_exile]
    assert len(held) > 100
    assert c.has(COLONY, held).all()  # every term under three years: a colony
    assert so.TAKEOVER_TERMS.low == INITIAL_COLONY_TERMS.low
    assert so.TAKEOVER_TERMS.high <= COLONY_BELOW_YEARS and so.TAKEOVER_TERMS.mid is None
    assert (c.release_day[held] >= 0).all()  # every term's end is on the calendar
    length = c.release_day[held].astype(np.int64) - c.sentence_day[held]
    credit = float(sim.params["workday_credit"])
    alive = c.status[held] != Status.DIED_IN_CUSTODY
    low, high = so.TAKEOVER_TERMS.low * YEAR, so.TAKEOVER_TERMS.high * YEAR
    assert (length[alive] >= np.floor(low / (1.0 + credit)) - 1).all()
    assert (length[alive] <= np.ceil(high) + 1).all()
    # terms that expire: half a year to three years, many over by the end of the run
    assert (c.status[held] == Status.RELEASED).sum() > 0.2 * len(held)


def test_the_takeover_changes_nothing_before_the_halt(runs, without_takeover) -> None:
    """With and without the courts' takeover the run is the same event for event until the
    halt (its draws come after it), and different after: more non-political sentences."""
    on, _, _, _, _ = runs
    halt = _halt_day(on.simulation)
    a, b = on.simulation.ledger.cube(), without_takeover.simulation.ledger.cube()
    assert np.array_equal(a[:halt], b[:halt])
    assert not np.array_equal(a[halt:], b[halt:])
    sentenced = EV["convicted_camp"]
    assert a[halt:, :, NON_POLITICAL, sentenced].sum() > b[halt:, :, NON_POLITICAL, sentenced].sum()
    np_on, np_off = on.summary["non_political"], without_takeover.summary["non_political"]
    assert np_on["1939"]["sentenced"] > np_off["1939"]["sentenced"] + 50_000


def test_people_are_conserved_with_the_courts_takeover(runs) -> None:
    """After the takeover every person is in one state: the ledger's arrests, executions and
    holding agree with the final states, and the courts' convicts are counted as sentenced in
    the non-political category (not as arrests)."""
    on, _, _, _, courts = runs
    sim = on.simulation
    c, cube, w = sim.cases, sim.ledger.cube(), sim.pop.weights()
    assert (w * c.arrests).sum() == pytest.approx(cube[..., EV["arrested"]].sum())
    assert w[c.status == Status.SHOT].sum() == pytest.approx(cube[..., EV["executed"]].sum())
    assert sim.world.camps.hold_n == int(np.count_nonzero(c.unpacked(HOLDING)))
    halt = _halt_day(sim)
    people = np.concatenate([p for _, p, _ in courts])
    passed = float(sim.weights(people).sum())
    assert cube[halt:, :, NON_POLITICAL, EV["convicted_camp"]].sum() >= passed - 1e-6
    assert sum(k for _, _, p in courts for _, _, k in p) == len(people)


def test_without_a_halt_nobody_takes_over_and_the_militia_sits_on() -> None:
    """A scenario without the halt runs: the militia troikas sit to the end and the courts'
    takeover never starts (no sentence with the courts' terms from this step)."""
    scenario = load_scenario("historical")
    scenario = scenario.model_copy(
        update={"events": [e for e in scenario.events if e.action != "halt"]}
    )
    step = so.SocialOrderBoards.courts_take_over
    taken: list[int] = []

    def watched(self, w, e, day, rate):
        taken.append(day)
        return step(self, w, e, day, rate)

    mp = pytest.MonkeyPatch()
    mp.setattr(so.SocialOrderBoards, "courts_take_over", watched)
    try:
        run = simulate(scenario, SCALE, SEED, evidence=load_evidence())
    finally:
        mp.undo()
    assert not taken
    assert not run.simulation.world.policy.halted
    c = run.simulation.cases
    late = c.unpacked(SOCIAL_ORDER) & (c.arrest_day >= run.simulation.days - 180)
    assert late.any()  # the militia troikas still sentenced in the run's last half year
