"""The purge of the purgers (M21, issue 9 item 7): its size and pace follow the stated rule.

At a change of chief each stratum of the NKVD's elite layer loses a binomial share of its
members at liberty (the senior officers ``purge_of_purgers_leadership``; the rank and file
``purge_of_purgers`` during the terror, ``purge_of_purgers_after_halt`` after the halt), and
each is arrested after ``purge_of_purgers_delay`` days plus an exponential wait of mean
``purge_of_purgers_days``. The elite layer is at full size at every scale, so 1:10,000 runs
have the whole officer corps.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model.scenario import load_scenario
from greatterror.model.sim import Simulation
from greatterror.model.steps_cadres import purge_nkvd
from greatterror.model.summary import build_summary
from greatterror.population.build import build_population
from greatterror.population.codes import Elite
from greatterror.vocabulary import Status

SCALE, SEED = 0.0001, 5


def _scheduled(halted: bool) -> tuple[Simulation, dict[int, tuple[np.ndarray, np.ndarray]]]:
    """The arrests one purge schedules, by stratum: (rows, delays)."""
    sim = Simulation(
        load_scenario("historical"), build_population(SCALE, SEED), SEED, load_evidence()
    )
    w, e = sim.world, sim.engine
    w.policy.halted = halted
    got: list[tuple[np.ndarray, np.ndarray]] = []
    e.schedule_after = lambda day, kind, idx, delays: got.append((idx, delays))  # type: ignore[method-assign]
    purge_nkvd(w, e, 100)
    out = {}
    for idx, delays in got:
        flags = w.people["elite"][idx]
        bit = int(Elite.NKVD_LEADERSHIP) if (flags & Elite.NKVD_LEADERSHIP).all() else 0
        bit = bit or int(Elite.NKVD_OFFICER)
        assert ((flags & bit) != 0).all(), "a purge draw mixes the strata"
        out[bit] = (idx, delays)
    return sim, out


def _stratum(sim: Simulation, bit: int) -> int:
    heads = sim.registers.elite_heads
    return int(((sim.pop["elite"][heads] & bit) != 0).sum())


@pytest.mark.parametrize("halted", [False, True])
def test_each_stratum_loses_its_share(halted: bool) -> None:
    sim, got = _scheduled(halted)
    p = sim.params
    rank = p["purge_of_purgers_after_halt" if halted else "purge_of_purgers"]
    for bit, share in (
        (int(Elite.NKVD_LEADERSHIP), p["purge_of_purgers_leadership"]),
        (int(Elite.NKVD_OFFICER), rank),
    ):
        n, k = _stratum(sim, bit), len(got[bit][0])
        assert len(np.unique(got[bit][0])) == k, "an officer is drawn twice"
        sd = (n * share * (1 - share)) ** 0.5
        assert abs(k - n * share) <= 4 * sd + 1, (bit, k, n * share)
    # the senior officers are at higher risk than the rank and file
    lead = len(got[int(Elite.NKVD_LEADERSHIP)][0]) / _stratum(sim, int(Elite.NKVD_LEADERSHIP))
    assert lead > 2 * len(got[int(Elite.NKVD_OFFICER)][0]) / _stratum(sim, int(Elite.NKVD_OFFICER))


def test_the_arrests_follow_the_delay_then_a_constant_hazard() -> None:
    sim, got = _scheduled(False)
    p = sim.params
    delays = got[int(Elite.NKVD_OFFICER)][1].astype(float)
    delay, mean = p["purge_of_purgers_delay"], p["purge_of_purgers_days"]
    assert delays.min() >= delay, "an officer is arrested before the purge begins"
    waits = delays - delay + 0.5  # floored to whole days
    # an exponential wait: mean and the share within one mean (1 - 1/e), not a window
    assert abs(waits.mean() - mean) < 5 * mean / len(waits) ** 0.5
    within = float((waits <= mean).mean())
    assert abs(within - (1 - np.exp(-1))) < 0.05
    assert (waits > 2 * mean).mean() > 0.08, "the purge runs on beyond a fixed window"


def test_in_a_run_none_is_taken_before_the_purge_begins_and_most_under_yezhov() -> None:
    sim = Simulation(
        load_scenario("historical"), build_population(SCALE, SEED), SEED, load_evidence()
    )
    sim.run()
    summary = build_summary(sim, "historical")
    bins = summary["nkvd_cadres"]["arrested_by_half_month"]
    total = sum(bins.values())
    assert total == summary["elites"]["nkvd_officers"]["arrested"]
    appointed = dt.date(1936, 9, 26)
    begins = appointed + dt.timedelta(days=int(sim.params["purge_of_purgers_delay"]) + 1)
    early = sum(n for day, n in bins.items() if dt.date.fromisoformat(day) < begins.replace(day=1))
    assert early == 0, f"{early} officers arrested before Yezhov's purge begins"
    # Yezhov's purge of Yagoda's cadres is mostly done by his removal (25 Nov 1938); the
    # same run without the purge takes few officers, and the purge adds at least its share.
    # The names the purged officers give reach their colleagues (the elite cascade), so the
    # total is above the share (1.3-1.5 times it at seeds 5-7), but not unbounded
    yezhov = _by_removal(bins)
    expected = sim.params["purge_of_purgers"] * _stratum(sim, int(Elite.NKVD_OFFICER))
    none = Simulation(
        load_scenario("historical"),
        build_population(SCALE, SEED),
        SEED,
        load_evidence(),
        overrides={"purge_of_purgers": 0.0},
    )
    none.run()
    without = _by_removal(
        build_summary(none, "historical")["nkvd_cadres"]["arrested_by_half_month"]
    )
    assert without < 0.1 * expected
    assert 0.7 * expected < yezhov - without
    assert yezhov < 2.0 * expected + 110


def _by_removal(bins: dict[str, float]) -> float:
    return sum(n for day, n in bins.items() if day < "1938-11-16")


def test_the_purge_takes_released_officers_and_not_those_in_custody() -> None:
    """An officer released (after investigation, other measures or a review) is at liberty
    and can be taken by a later chief's purge; one in custody cannot (review11 F8)."""
    sim = Simulation(
        load_scenario("historical"), build_population(SCALE, SEED), SEED, load_evidence()
    )
    w, e = sim.world, sim.engine
    heads = w.registers.elite_heads
    officers = heads[(w.people["elite"][heads] & int(Elite.NKVD_OFFICER)) != 0]
    released, held = officers[: len(officers) // 2], officers[len(officers) // 2 :]
    w.cases.status[released] = Status.RELEASED
    w.cases.status[held] = Status.CAMP
    got: list[np.ndarray] = []
    e.schedule_after = lambda day, kind, idx, delays: got.append(idx)  # type: ignore[method-assign]
    e.params["purge_of_purgers"] = 1.0
    purge_nkvd(w, e, 100)
    taken = np.concatenate(got)
    assert np.isin(released, taken).all()
    assert not np.isin(held, taken).any()
