"""The ordinary courts' non-political convicts (model/steps_courts.py, issue 9).

Two runs of the historical scenario at 1:1000 (a few seconds each): with the default
inflow of non-political sentences, every sentence recorded as the engine passes it, and
with no such inflow (the paired counterfactual). In both the militia troikas' convicts after
Order 00447 (model/steps_social_order.py) are counted as the NKVD's
(``COUNTED_AFTER_00447`` patched), and nobody takes over the militia's caseload after the
halt (``militia_cases_to_courts_share`` 0), so that the ``non_political`` category holds this
step's convicts and the first day's prisoners only; tests/test_social_order.py tests the
shipped reading and the takeover.
"""

from __future__ import annotations

import numpy as np
import pytest

from greatterror.calibration.series import CONVICTED as SERIES_CONVICTED
from greatterror.evidence.loader import load_evidence
from greatterror.model import steps_courts, steps_social_order
from greatterror.model.case_flags import COLONY, HOLDING
from greatterror.model.engine import Engine
from greatterror.model.gulag import COLONY_BELOW_YEARS, YEAR, non_political_terms
from greatterror.model.registers import Registers, ordinary_profile
from greatterror.model.run import simulate
from greatterror.model.scenario import load_scenario
from greatterror.population.codes import MIN_ARREST_AGE
from greatterror.vocabulary import EV, NON_POLITICAL, OP, POLITICAL_OPERATIONS, Status

SCALE, SEED = 0.001, 1
CONVICTED = [EV[k] for k in SERIES_CONVICTED]
#: the militia's cases after the halt not taken over by the courts (step 29's, not this step's)
NO_TAKEOVER = {"militia_cases_to_courts_share": 0.0}
#: what ``Registers.draw_ordinary`` returned in the fixture's run with the inflow
DRAWN: list[np.ndarray] = []


@pytest.fixture(scope="module")
def runs():
    """(run with the inflow, the people it sentenced, the initial non-political prisoners,
    run without the inflow); ``DRAWN``: everyone ``Registers.draw_ordinary`` returned in the
    first run (ordinary arrests of people on no register and the courts' candidates)."""
    scenario, evidence = load_scenario("historical"), load_evidence()
    drawn: list[np.ndarray] = []
    draw_ordinary = Registers.draw_ordinary

    def recording_draw(self, counts, pop, rng):
        out = draw_ordinary(self, counts, pop, rng)
        drawn.append(out.copy())
        return out

    sentenced: list[np.ndarray] = []
    free_before: list[bool] = []
    original = steps_courts.convict_non_political
    mp = pytest.MonkeyPatch()

    def recording(e, day, idx, terms):
        idx = np.asarray(idx, dtype=np.int64)
        free_before.append(bool((e.world.cases.status[idx] == Status.FREE).all()))
        sentenced.append(idx.copy())
        return original(e, day, idx, terms)

    initial: list[np.ndarray] = []
    start = Engine._initial_terms

    def start_recording(self, world):
        start(self, world)
        initial.append(np.flatnonzero(world.cases.op == NON_POLITICAL))

    mp.setattr(steps_courts, "convict_non_political", recording)
    mp.setattr(Engine, "_initial_terms", start_recording)
    mp.setattr(Registers, "draw_ordinary", recording_draw)
    counted = pytest.MonkeyPatch()
    counted.setattr(steps_social_order, "COUNTED_AFTER_00447", True)
    try:
        try:
            on = simulate(scenario, SCALE, SEED, NO_TAKEOVER, evidence=evidence)
        finally:
            mp.undo()
        off = simulate(
            scenario, SCALE, SEED, {**NO_TAKEOVER, "nonpolitical_sentences_per_year": 0.0}, evidence
        )
    finally:
        counted.undo()
    assert all(free_before)
    DRAWN.append(np.concatenate(drawn))
    return on, np.concatenate(sentenced), initial[0], off


def test_non_political_convicts_are_adults_at_liberty_of_the_mass_population(runs) -> None:
    on, sentenced, _, _ = runs
    sim = on.simulation
    assert len(sentenced) > 100
    assert len(np.unique(sentenced)) == len(sentenced)  # drawn only from people never held
    assert (sim.pop["age"][sentenced] >= MIN_ARREST_AGE).all()
    assert not sim.is_elite[sentenced].any()
    assert (sim.pop["region"][sentenced] != sim.inst.camps_region).all()


def _within(share: float, expected: float, n: int) -> bool:
    """A binomial share of ``n`` draws within four standard errors (and 1 point) of expected."""
    return abs(share - expected) <= 4.0 * np.sqrt(expected * (1 - expected) / n) + 0.01


def test_non_political_convicts_have_the_one_profile_of_ordinary_convicts(runs) -> None:
    """Their sex and ages are those of ``registers.ordinary_profile`` (the share of men among
    camp and colony prisoners, from data/population/marginals.csv; the census adults' ages),
    and they are drawn by the same code as ordinary work's arrests of people on no register."""
    on, sentenced, _, _ = runs
    sim, profile = on.simulation, ordinary_profile()
    assert profile.male_share is not None and 0.5 < profile.male_share < 1.0
    assert np.isin(sentenced, DRAWN[-1]).all()  # every convict came from draw_ordinary
    male = sim.pop["male"][sentenced]
    assert _within(float(male.mean()), profile.male_share, len(sentenced))
    age = sim.pop["age"][sentenced].astype(np.int64)
    assert (age >= profile.age_low).all() and (age <= profile.age_high).all()
    # of each sex, the ages of the mass population's adults (not a younger or older group)
    mass = np.flatnonzero(~sim.is_elite & (sim.pop["region"] != sim.inst.camps_region))
    adults = mass[sim.pop["age"][mass] >= profile.age_low]
    for sex in (True, False):
        pool = sim.pop["age"][adults[sim.pop["male"][adults] == sex]].astype(np.float64)
        got = age[male == sex]
        assert len(got) > 20
        assert abs(got.mean() - pool.mean()) < 4.0 * pool.std() / np.sqrt(len(got)) + 0.5


def test_ordinary_arrests_have_the_same_profile(runs) -> None:
    """Everyone ``draw_ordinary`` returned (both routes) is an adult, men in the profile's share."""
    on, _, _, _ = runs
    sim, profile, drawn = on.simulation, ordinary_profile(), DRAWN[-1]
    assert profile.male_share is not None
    assert len(drawn) > 1000
    assert (sim.pop["age"][drawn] >= MIN_ARREST_AGE).all()
    assert _within(float(sim.pop["male"][drawn].mean()), profile.male_share, len(drawn))


def test_they_are_counted_apart_from_the_political_convictions(runs) -> None:
    on, sentenced, _, off = runs
    sim, s = on.simulation, on.summary
    cube = sim.ledger.cube()
    weight = float(sim.weights(sentenced).sum())
    np_sentenced = cube[:, :, NON_POLITICAL, EV["convicted_camp"]].sum()
    assert np_sentenced == pytest.approx(weight)
    assert sum(v["sentenced"] for v in s["non_political"].values()) == pytest.approx(weight)
    political = [OP[name] for name in POLITICAL_OPERATIONS]
    yearly = sum(v["convicted"] for v in s["yearly"].values())
    assert yearly == pytest.approx(cube[:, :, political][..., CONVICTED].sum())
    assert yearly + np_sentenced == pytest.approx(cube[..., CONVICTED].sum())
    for row in s["targets"]:
        if row["id"].startswith("G1-") and row["id"].endswith("-conv"):
            year = row["id"].split("-")[1]
            assert row["simulated"] == s["yearly"][year]["convicted"]
    assert "non_political" not in s["operations"]
    assert "non_political" not in s["demography"]["convicted"]
    # they were never arrested: no arrest is counted for them
    never_again = sentenced[sim.cases.op[sentenced] == NON_POLITICAL]
    assert (sim.cases.arrests[never_again] == 0).all()
    assert off.summary["non_political"]["1937"]["sentenced"] == 0.0


def test_people_are_conserved_with_the_new_inflow(runs) -> None:
    """Every non-political convict is held, released or dead, or was taken for a new
    (political) case; the ledger's releases and deaths of the category agree with that."""
    on, sentenced, initial, _ = runs
    sim = on.simulation
    c, cube = sim.cases, sim.ledger.cube()
    ever = np.union1d(sentenced, initial)
    still = ever[c.op[ever] == NON_POLITICAL]
    assert np.isin(c.status[still], [Status.CAMP, Status.RELEASED, Status.DIED_IN_CUSTODY]).all()
    moved = ever[c.op[ever] != NON_POLITICAL]
    assert (c.arrests[moved] > 0).all()
    # nobody reaches a non-free state outside the Gulag's unit without an arrest but them
    touched = np.flatnonzero((c.status != Status.FREE) & (c.arrests == 0))
    touched = touched[sim.pop["region"][touched] != sim.inst.camps_region]
    assert np.isin(touched, sentenced).all()
    out = cube[:, :, NON_POLITICAL][..., [EV["released"], EV["died_in_custody"]]].sum()
    done = still[np.isin(c.status[still], [Status.RELEASED, Status.DIED_IN_CUSTODY])]
    w_done, w_moved = float(sim.weights(done).sum()), float(sim.weights(moved).sum())
    assert w_done - 1e-6 <= out <= w_done + w_moved + 1e-6
    # the camp count is the camp roll's live prisoners, none of them still in a prison
    roll = np.unique(sim.world.camps.roll.peek())
    assert sim.world.camps.n == int(((c.status[roll] == Status.CAMP) & ~c.has(HOLDING, roll)).sum())
    held = np.flatnonzero(c.unpacked(HOLDING))
    assert sim.world.camps.hold_n == len(held)


def test_their_terms_expire(runs) -> None:
    on, sentenced, _, _ = runs
    sim = on.simulation
    c = sim.cases
    terms = non_political_terms(load_evidence(), sim.params)
    held = sentenced[(c.op[sentenced] == NON_POLITICAL) & (c.status[sentenced] == Status.CAMP)]
    ends = c.release_day[held].astype(np.int64)
    last_day = sim.days - 1
    assert ((ends > last_day) | (ends == -1)).all()  # nobody is held past his term
    length = ends[ends >= 0] - c.sentence_day[held][ends >= 0]
    # served less the work-day credits (model/credits.py) at most, in full at least
    credit = 1.0 + float(sim.params["workday_credit"])
    assert (length >= np.floor(terms.low * YEAR / credit)).all()
    assert (length <= np.ceil(terms.high * YEAR)).all()
    # released from their own term (a later political case may end in a review's early release)
    released = sentenced[
        (c.status[sentenced] == Status.RELEASED) & (c.op[sentenced] == NON_POLITICAL)
    ]
    assert len(released) > 0
    assert (c.release_day[released] <= last_day).all()
    # short terms are served in colonies, long ones in camps
    assert c.has(COLONY, held).any() and (~c.has(COLONY, held)).any()
    # in a camp for at least three years served in full, at most ten (the 1929 division, the
    # first day's camp terms): long terms, not a prior capped at four and a half years
    camp = held[~c.has(COLONY, held) & (c.release_day[held] >= 0)]
    served = c.release_day[camp].astype(np.int64) - c.sentence_day[camp]
    assert (served >= np.floor(COLONY_BELOW_YEARS * YEAR / credit)).all()
    assert np.quantile(served, 0.9) > 6.0 * YEAR / credit


def test_the_gulag_stock_and_deaths_include_them(runs) -> None:
    on, sentenced, _, off = runs
    g_on, g_off = on.summary["gulag"], off.summary["gulag"]
    for year in ("1936", "1937", "1938"):
        row = g_on["stock_1jan"][year]
        assert 0 < row["non_political_camps"] <= row["camps"]
        assert 0 < row["non_political_colonies"] <= row["colonies"]
        total_on = row["camps"] + row["colonies"]
        total_off = g_off["stock_1jan"][year]["camps"] + g_off["stock_1jan"][year]["colonies"]
        assert total_on > total_off
    # the courts' convicts die in custody like every prisoner (the camp deaths are drawn on the
    # whole stock, whatever the operation). A year's deaths with and without the inflow are not
    # compared: at 1:1,000 they are about 40 sampled deaths, a binomial draw on the stock whose
    # noise exceeds what the inflow adds, and a change of the population's draws (the regional
    # counts of the nationalities) reversed their order at this seed (43,025 against 44,020)
    died = sentenced[on.simulation.world.cases.status[sentenced] == Status.DIED_IN_CUSTODY]
    assert len(died) > 0
    target = next(r for r in on.summary["targets"] if r["id"] == "G8-deaths-1936")
    assert target["simulated"] == pytest.approx(g_on["yearly"]["1936"]["died_camp"])
