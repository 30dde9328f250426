"""The show trials' cases (M07; model/trial_cases.py, model/steps_trials.py; issue 9).

Validity, not only software: a prisoner linked to the 'centre' is held for a trial only while
a trial's case holds him, never longer than its preparation window; the members a trial's
case left out of its dock pass into the next pending case of their kind if of its group; a dock is the
leadership's list, never larger, and the names given in the case add people to its
investigation, not to the dock; every defendant is a prominent person of the trial's group
(the 1934 CC or a prominent former oppositionist for a civilian trial, the high command for
the army's) arrested before the trial; the list takes those already in custody before it
arrests anyone for the purpose; nobody is sentenced at a trial before his arrest; a prisoner
serving a sentence can be brought back, an earlier trial's defendant only by the share the
published trials give (none at a share of 0); the Sixteen's dock holds no CC member; the same
seed gives the same docks; the size of the dock is not the court's bound; the verdicts follow
the charge (a lesser charge at the Military Collegium's share for an elite case). One historical run at 1:1,000 (the elite layer is at full size
at every scale) and one with the verdicts' shares at their ends and a smaller list.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from typing import Any

import numpy as np
import pytest

from greatterror.evidence.loader import load_evidence
from greatterror.model import steps_trials
from greatterror.model.case_flags import CONFESSED, LINKED
from greatterror.model.params import BY_NAME
from greatterror.model.scenario import load_scenario
from greatterror.model.sim import Simulation
from greatterror.model.trial_cases import (
    TrialCase,
    TrialCases,
    build_cases,
    group_name,
    in_group,
    open_session,
)
from greatterror.paths import evidence_dir
from greatterror.population.build import build_population
from greatterror.population.codes import Elite
from greatterror.vocabulary import ARMY_FLAGS, Status

SCALE, SEED = 0.001, 1
WINDOW = BY_NAME["trial_preparation_days"].default
BOUND = BY_NAME["trial_max_defendants"].default
LIST = BY_NAME["trial_dock_size"].default


def _simulate(pars: dict[str, float] | None = None) -> dict[str, Any]:
    pop = build_population(SCALE, SEED)
    sim = Simulation(load_scenario("historical"), pop, SEED, load_evidence(), pars)
    e = sim.engine
    out: dict[str, Any] = {
        "sim": sim, "sentenced": [], "elsewhere": [], "violations": [], "held_days": {},
        "kept_sentenced": [], "docks": [], "whole_holds": [],
    }  # fmt: skip
    sentence = e.sentence

    def sentencing(day: int, idx: np.ndarray, *args: Any, **kw: Any) -> None:
        if sys._getframe(1).f_code.co_name == "_trial":
            idx = np.asarray(idx, dtype=np.int64).copy()
            c = sim.world.cases
            out["sentenced"].append(
                (day, idx, c.arrest_day[idx].copy(), c.has(CONFESSED, idx).copy())
            )
        elif len(idx):
            idx = np.asarray(idx, dtype=np.int64).copy()
            out["elsewhere"].append((day, idx, sim.world.cases.arrest_day[idx].copy()))
            out["kept_sentenced"].extend(_kept(sim.world, idx, day))
        sentence(day, idx, *args, **kw)

    e.sentence = sentencing  # type: ignore[method-assign]
    trials = next(c for c in sim.loop if isinstance(c, steps_trials.ShowTrials))
    step = trials.step
    since: dict[tuple[int, int], int] = {}
    whole: dict[int, tuple[int, set[int]]] = {}

    def checked(w: Any, eng: Any, day: int) -> None:
        step(w, eng, day)
        held = w.signals.held
        k = w.trial_cases.case_of(held, day)
        if len(held) and (k < 0).any():
            out["violations"].append(day)
        # held for one case: a member carried to the next case starts a new hold
        now = set(zip(held.tolist(), k.tolist(), strict=True))
        for key in now:
            since.setdefault(key, day)
        for key in list(since):
            if key not in now:
                out["held_days"][key] = max(out["held_days"].get(key, 0), day - since.pop(key))
        # a prisoner's whole hold, through every case that carried him
        people = set(held.tolist())
        for person, case in now:
            whole.setdefault(person, (day, set()))[1].add(case)
        for person in list(whole):
            if person not in people:
                began, cases = whole.pop(person)
                out["whole_holds"].append((began, day, sorted(cases)))

    trials.step = checked  # type: ignore[method-assign]
    out["openings"] = []
    out["serving"] = []
    open_case = steps_trials.open_case

    def opening(w: Any, eng: Any, day: int, case: Any) -> None:
        # who of the trial's group was in custody and free to be listed, before the list
        heads = w.registers.elite_heads.astype(np.int64)
        st = w.cases.status[heads]
        tried = np.isin(heads, np.fromiter(w.trial_cases.tried, dtype=np.int64))
        serving = (st == Status.CAMP) & tried
        custody = (st == Status.INVESTIGATION) | serving
        free = w.trial_cases.case_of(heads, day) < 0
        group = in_group(w.people, heads, group_name(case)) & free
        liberty = heads[(st == Status.FREE) | (st == Status.RELEASED)]
        open_case(w, eng, day, case)
        out["openings"].append(
            (case, day, set(heads[group & custody].tolist()), set(liberty.tolist()))
        )
        out["serving"].append(set(heads[group & serving].tolist()))

    steps_trials.open_case = opening  # type: ignore[assignment]
    dock = steps_trials.dock

    def docking(w: Any, eng: Any, case: Any, pool: np.ndarray) -> Any:
        # who sat in the dock and whether each had confessed, read before the trial
        res = dock(w, eng, case, pool)
        chosen = res[0] if isinstance(res, tuple) else res
        out["docks"].append((case.trial, chosen.copy(), w.cases.has(CONFESSED, chosen).copy()))
        return res

    steps_trials.dock = docking  # type: ignore[assignment]
    try:
        sim.run()
    finally:
        steps_trials.open_case = open_case
        steps_trials.dock = dock
    out["cases"] = {c.trial: c for c in sim.world.trial_cases.cases}
    out["trials"] = {t["id"]: t for t in sim.trials}
    return out


def _kept(w: Any, idx: np.ndarray, day: int) -> list[tuple[str, int, int]]:
    """(trial, person, day) for each of ``idx`` who is a member of a pending trial's case,
    on its list or of its group, on ``day``: he should be kept for the trial, not sentenced."""
    out = []
    for case in w.trial_cases.cases:
        if not case.pending(day) or not case.members:
            continue
        mine = idx[np.isin(idx, np.fromiter(case.members, dtype=np.int64))]
        ours = np.isin(mine, np.asarray(case.listed, dtype=np.int64))
        ours |= in_group(w.people, mine, group_name(case))
        out.extend((case.trial, int(i), day) for i in mine[ours].tolist())
    return out


@pytest.fixture(scope="module")
def run() -> dict[str, Any]:
    return _simulate()


def test_a_case_opens_a_preparation_window_before_its_trial() -> None:
    ev = [type("E", (), {"action": "show_trial", "trial": t})() for t in ("a", "military_b")]
    cases = build_cases({30: [ev[0]], 600: [ev[1]]}, 180.0)
    assert [(c.trial, c.opens, c.day, c.military) for c in cases] == [
        ("a", 0, 30, False),
        ("military_b", 420, 600, True),
    ]
    tc = TrialCases(cases)
    cases[1].opened = True
    cases[1].members = {5, 7}
    idx = np.array([5, 6, 7])
    assert tc.case_of(idx, 500).tolist() == [1, -1, 1]
    assert tc.case_of(idx, 601).tolist() == [-1, -1, -1]  # after its date the case is over


def test_no_prisoner_is_held_without_a_pending_trial(run) -> None:
    assert run["violations"] == []
    assert len(run["sim"].world.signals.held) == 0


def test_no_prisoner_is_held_longer_than_the_preparation_window(run) -> None:
    assert run["held_days"], "nobody was ever held for a trial"
    assert max(run["held_days"].values()) <= WINDOW


def test_a_prisoner_carried_on_is_held_from_the_first_case_to_the_last_trial(run) -> None:
    """Each hold is bounded per case above; a prisoner carried through several cases is held
    in all no earlier than his first case opened and no later than his last case's trial
    (review17 F12)."""
    cases = run["sim"].world.trial_cases.cases
    assert run["whole_holds"], "nobody was ever held for a trial"
    assert any(len(ks) > 1 for _, _, ks in run["whole_holds"]), "nobody was carried on"
    for began, ended, ks in run["whole_holds"]:
        first = min(cases[k].opens for k in ks)
        last = max(cases[k].day for k in ks)
        assert first <= began and ended <= last, (began, ended, ks)
        assert ended - began <= last - first


def _docks(run: dict[str, Any]) -> dict[str, tuple[int, np.ndarray, np.ndarray]]:
    """Each trial held: its day, the people sentenced at it and their arrest days then."""
    start = run["sim"].engine.start
    by_day: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for day, idx, arrest_day, _ in run["sentenced"]:
        by_day.setdefault(day, []).append((idx, arrest_day))
    out = {}
    none = np.empty(0, dtype=np.int64)
    for tid, t in run["trials"].items():
        day = (dt.date.fromisoformat(t["date"]) - start).days
        got = by_day.get(day, [(none, none)])
        out[tid] = (day, np.concatenate([g[0] for g in got]), np.concatenate([g[1] for g in got]))
    return out


def test_the_dock_holds_only_the_cases_members_linked_by_names(run) -> None:
    """A member of a trial's case is on the leadership's list, a man named in the case by
    another member, or a prisoner linked to the centre whose investigation ended in the
    window; every member is linked to the centre; the leading figure heads the list."""
    sim, cases = run["sim"], run["cases"]
    docks = _docks(run)
    assert len(docks) >= 4
    named = 0
    for case in cases.values():
        if case.trial not in docks:
            continue
        assert set(docks[case.trial][1].tolist()) <= case.members
        assert set(case.joined) == case.members
        assert sim.cases.has(LINKED, np.fromiter(case.members, dtype=np.int64)).all()
        assert case.head < 0 or case.head == case.listed[0]
        for i, how in case.joined.items():
            assert how in ("listed", "named", "window", "carried")
            if how == "named":  # named in the case by another member
                named += 1
                assert any(n == i and by in case.members and by != i for by, n in case.names)
            if how == "carried":  # a member of an earlier case of its kind, not in its dock
                assert any(
                    k.day < case.day and k.military == case.military and i in k.members
                    for k in cases.values()
                ), (case.trial, i)
    assert named > 0, "no case grew by names"


def test_the_dock_is_the_groups_people_the_case_holds(run) -> None:
    """The dock is the case's members of the trial's group it holds on the date (the list, and
    the named or window members who confessed), at most ``trial_dock_size``; a member
    outside the group stays in the investigation, not in the dock."""
    docks = _docks(run)
    grown = 0
    for case in run["cases"].values():
        if case.trial not in docks:
            continue
        dock = docks[case.trial][1]
        assert set(dock.tolist()) <= case.members, case.trial
        assert in_group(run["sim"].world.people, dock, group_name(case)).all(), case.trial
        assert run["trials"][case.trial]["defendants"] == len(dock) <= LIST
        grown += len(case.members) > len(case.listed)
    assert grown >= 2, "no case's investigation grew beyond its list"


def test_the_next_pending_case_takes_over_the_members_left_out_of_a_dock(run) -> None:
    """The names given in one trial's case opened the next (the Sixteen's named Pyatakov,
    Sokolnikov, Radek and Serebryakov, the Seventeen's centre; report1936, report1937): on a
    trial's date its case's members not in the dock who are of the group of the next case of
    their kind pending that day pass into it; none passes into a case that opens later (the
    Twenty-One's, after the Seventeen) nor across kinds (the army's)."""
    cases, docks = run["cases"], _docks(run)
    pop = run["sim"].world.people
    seventeen, sixteen = cases["trial_of_17_1937"], cases["trial_of_16_1936"]
    carried = [i for i, how in seventeen.joined.items() if how == "carried"]
    assert carried, "the Sixteen's case passed no one to the Seventeen's"
    left_out = sixteen.members - set(docks["trial_of_16_1936"][1].tolist())
    assert set(carried) <= left_out
    assert in_group(pop, np.asarray(carried, dtype=np.int64), group_name(seventeen)).all()
    for tid in ("trial_of_21_1938", "military_1937", "trial_of_16_1936"):
        assert "carried" not in cases[tid].joined.values(), tid


def test_the_docks_vary_with_the_models_state(run) -> None:
    """The list is the group's people in custody when the case opens (at most the cap), or,
    if none is, its one leading figure arrested for it: a case whose group has no one in
    custody starts from one man, and the docks are not one constant (under the rule of
    5 December 2026 every list and dock was ``trial_dock_size``, 20, at every trial)."""
    sizes = []
    for (case, _day, custody, _liberty), serving in zip(
        run["openings"], run["serving"], strict=True
    ):
        if custody:
            # the list is the group under investigation, and the earlier defendants serving
            # a term whom the case brings back (a share of them, trial_bring_back_share)
            assert set(case.listed) <= custody, case.trial
            under = len(custody - serving)
            assert min(LIST, under) <= len(case.listed) <= min(LIST, len(custody)), case.trial
        else:
            assert len(case.listed) <= 1, case.trial
        sizes.append(len(case.listed))
    assert min(sizes) < LIST, "every list is the cap: the state does not set it"
    docks = [t["defendants"] for t in run["trials"].values()]
    assert len(set(docks)) >= 3, docks


def test_the_trials_of_1934_35_take_no_member_of_the_central_committee(run) -> None:
    """The Leningrad centre's defendants were young Leningrad Zinovievists and the Moscow
    centre's former Zinovievist leaders, none of the 1934 Central Committee (lenoe2010;
    data/trial_groups.csv): neither case takes a CC member, so none arrests one at liberty
    on the day of Kirov's murder (under the rule of 5 December 2026 the Leningrad centre's
    list arrested 4 CC members on day 0, of whom 2 were shot by February 1935)."""
    flags = run["sim"].world.people["elite"].astype(np.int64)
    cc = int(Elite.CC_1934)
    seen = 0
    for case, day, _custody, liberty in run["openings"]:
        if case.trial not in ("leningrad_centre_1934", "moscow_centre_1935"):
            continue
        seen += 1
        members = np.fromiter(case.members, dtype=np.int64)
        assert not (flags[members] & cc).any(), case.trial
        assert day != 0 or not any(flags[i] & cc for i in set(case.listed) & liberty)
    assert seen == 2


def test_the_sixteen_take_no_member_of_the_central_committee(run) -> None:
    """The Sixteen's 'united Trotskyite-Zinovievite centre' held no member of the 1934 Central
    Committee (report1936; data/trial_groups.csv ``united_centre``): its dock has none, where
    under branch docks2's group (the CC and the prominent oppositionists) it could."""
    flags = run["sim"].world.people["elite"].astype(np.int64)
    _day, dock, _arrests = _docks(run)["trial_of_16_1936"]
    assert len(dock) > 0
    assert not (flags[dock] & int(Elite.CC_1934)).any()


def test_every_defendant_is_of_the_trials_group_and_arrested_before_it(run) -> None:
    """Every defendant is of his trial's group (data/trial_charges.csv, data/trial_groups.csv:
    the Leningrad centre's Leningrad former oppositionists, the Moscow centre's prominent
    former oppositionists, not of the CC; the CC and the prominent former oppositionists in
    1937-38, and not of the CC for the Sixteen's 'united centre'; the army's high command for
    its trial, G7-tukh-trial), and was arrested before his trial."""
    sim = run["sim"]
    flags = sim.world.people["elite"].astype(np.int64)
    seen = 0
    for tid, (day, dock, arrest_day) in _docks(run).items():
        case = run["cases"][tid]
        assert in_group(sim.world.people, dock, group_name(case)).all(), tid
        assert case.military or not (flags[dock] & ARMY_FLAGS).any(), tid
        assert ((arrest_day >= 0) & (arrest_day < day)).all(), tid
        seen += len(dock)
    assert seen > 0


def test_the_list_arrests_for_the_case_only_its_leading_figure(run) -> None:
    """The leadership chose its defendants among the prominent people of the group already in
    custody (Zinoviev and Kamenev serving their terms, the Trotskyists held since 1936); a
    list arrests someone at liberty only when no one of the group was in custody, and then
    one man, the case's leading figure."""
    assert len(run["openings"]) >= 4
    for case, _day, custody, liberty in run["openings"]:
        listed = set(case.listed)
        if custody:
            assert listed <= custody, case.trial
        else:
            assert listed <= liberty and len(listed) <= 1, case.trial
            assert not listed or case.head in listed


def test_the_army_case_names_reach_the_high_command_only(run) -> None:
    """The military case (Tukhachevsky's, 11 June 1937): everyone named in it is of the high
    command (the defendants of the record were a marshal, two army commanders and five corps
    commanders, G7-tukh-trial). A civilian case names no officer. Cases grow by names: the
    army's did at seed 1 until the party purge's opening moved to the February-March plenum
    (5 Dec 2026; its case now opens with one leading figure), so the growth is checked over
    all the cases."""
    sim, cases = run["sim"], run["cases"]
    flags = sim.world.people["elite"].astype(np.int64)
    high = int(Elite.ARMY_HIGH_COMMAND)
    military = cases["military_1937"]
    named = [i for i, how in military.joined.items() if how == "named"]
    assert all(flags[i] & high for i in named)
    assert any(how == "named" for c in cases.values() for how in c.joined.values())
    assert military.head < 0 or flags[military.head] & ARMY_FLAGS
    for case in cases.values():
        if not case.military:
            assert not any(flags[i] & ARMY_FLAGS for i in case.members)


def test_no_one_is_sentenced_at_a_trial_before_his_arrest_or_without_confessing(run) -> None:
    """An open trial's defendants had all confessed when the dock was fixed (read in a hook
    on ``dock``, before the trial: until branch trialfix ``_trial`` marked every defendant as
    having confessed, and 5-14 of a 20-man dock were silent, review12 F1, F3); the silent
    sit only in a closed trial's dock, and no trial marks them as having confessed."""
    for day, _idx, arrest_day, _confessed in run["sentenced"]:
        assert (arrest_day < day).all() and (arrest_day >= 0).all()
    cases = run["cases"]
    seen = 0
    for tid, chosen, confessed in run["docks"]:
        if open_session(cases[tid]):
            assert confessed.all(), (tid, int((~confessed).sum()), len(chosen))
            seen += len(chosen)
    assert seen > 0
    at_trial = {
        (day, i): bool(k)
        for day, idx, _a, conf in run["sentenced"]
        for i, k in zip(idx.tolist(), conf.tolist(), strict=True)
    }
    for tid, chosen, confessed in run["docks"]:
        day = cases[tid].day
        assert not any(at_trial[(day, i)] for i in chosen[~confessed].tolist()), tid


def test_a_sentenced_prisoner_can_be_brought_back_and_is_judged_again_only_so(run) -> None:
    brought = set().union(*(c.brought_back for c in run["cases"].values()))
    assert brought, "no prisoner serving a sentence was taken into a trial's case"
    first: dict[int, int] = {}
    for day, idx, arrest_day, _ in run["sentenced"]:
        for i, a in zip(idx.tolist(), arrest_day.tolist(), strict=True):
            if i in first:
                assert a > first[i], "judged at two trials without a new arrest between"
            first[i] = day


def test_the_courts_bound_is_not_the_size_of_the_dock(run) -> None:
    sixteen = run["trials"]["trial_of_16_1936"]
    assert 0 < sixteen["defendants"] < BOUND
    assert sixteen["defendants"] <= sixteen["case_members"]


def test_every_trial_has_a_sourced_charge() -> None:
    path = evidence_dir().parent / "trial_charges.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(evidence_dir() / "sources.csv", encoding="utf-8", newline="") as f:
        keys = {r["key"] for r in csv.DictReader(f)}
    assert {r["trial_id"] for r in rows} == set(load_evidence().trials)
    with open(path.parent / "trial_groups.csv", encoding="utf-8", newline="") as f:
        groups = {g["group"]: g for g in csv.DictReader(f)}
    for r in rows:
        assert r["charge"] in ("terrorism", "treason", "counter_revolution")
        assert set(r["source"].split(";")) <= keys
        assert r["group"] in groups, r["trial_id"]  # every trial has its own described group
        assert r["session"] in ("open", "closed"), r["trial_id"]
        assert set(r["session_source"].split(";")) <= keys, r["trial_id"]
    for g in groups.values():
        assert g["members"] and g["approximation"], g["group"]
        assert set(g["source"].split(";")) <= keys, g["group"]


def test_the_same_seed_gives_the_same_docks(run) -> None:
    """A second run on the same seed gives the same lists, docks and verdicts: the trials'
    draws come from their own named streams (trial_list, trial_names, trial_verdict)."""
    again = _simulate()
    for tid, t in run["trials"].items():
        other = again["trials"][tid]
        assert (t["defendants"], t["death_sentences"]) == (
            other["defendants"],
            other["death_sentences"],
        ), tid
        assert run["cases"][tid].listed == again["cases"][tid].listed, tid
        assert run["cases"][tid].members == again["cases"][tid].members, tid


def test_an_earlier_defendant_serving_a_term_is_brought_back_only_by_the_share(run) -> None:
    """The Trial of the Sixteen brought back 4 of the Moscow centre's 19, and no later trial
    brought back any other earlier defendant serving a term (trial_bring_back_share, 4 of 53).
    At the share's default the lists do not bring back every one serving (under the rule of
    branch docks2 all were, and the Sixteen's list was the cap in every seed); at a share of
    0 none is listed (tested in the run with the shares at their ends below)."""
    serving = sum(len(s) for s in run["serving"])
    pairs = zip(run["openings"], run["serving"], strict=True)
    listed = sum(len(set(c.listed) & s) for (c, *_), s in pairs)
    assert serving >= 10, "too few earlier defendants serving a term to test the rule"
    assert listed < serving / 2, (listed, serving)


def test_the_verdicts_follow_the_charge_and_the_dock_its_cap() -> None:
    out = _simulate(
        {
            "trial_death_share_late": 1.0,
            "collegium_death_share_before_lists": 0.0,
            "trial_dock_size": 5,
            "trial_bring_back_share": 0.0,
        }
    )
    for (case, *_), serving in zip(out["openings"], out["serving"], strict=True):
        assert not set(case.listed) & serving, case.trial  # no one brought back at share 0
    # nor by the names given in a case (review finding F10: until branch trials2 a name
    # brought back every earlier defendant serving a term it reached; at this seed and a
    # share of 0 the Seventeen's and the Twenty-One's cases brought back several)
    by_day: dict[int, set[int]] = {}
    for day, idx, *_ in out["sentenced"]:
        by_day.setdefault(day, set()).update(idx.tolist())
    tried: set[int] = set()  # the defendants of the trials before each case's date
    for day in sorted(by_day):
        for case in out["cases"].values():
            if case.day == day:
                assert not case.brought_back & tried, case.trial
        tried |= by_day[day]
    assert tried
    charges = steps_trials.charges()
    seen = 0
    for tid, t in out["trials"].items():
        assert t["defendants"] <= 5, tid
        if t["defendants"] == 0:
            continue
        seen += 1
        if charges[tid] in steps_trials.CAPITAL_CHARGES:
            assert t["death_sentences"] == t["defendants"], tid
        else:
            assert t["death_sentences"] == 0, tid
    assert seen >= 4


def test_a_case_is_closed_at_its_trial() -> None:
    case = TrialCase("x", 0, 10, False, opened=True)
    assert case.pending(10) and not case.pending(11)
    case.closed = True
    assert not case.pending(5)


def test_a_silent_defendant_is_kept_for_his_trial(run) -> None:
    """While a trial's case is pending, no channel (the Military Collegium, a tribunal, a
    court, the OSO, a troika) sentences a member of the case who is on its list or of the
    trial's group: confessed, he is held for the trial; silent, his investigation goes on
    (Primakov, held from August 1936 until he confessed in May 1937, G7-tukh-trial). Every
    sentence passed outside a trial is checked against the pending cases on its day. Under
    the rule before 5 December 2026 (branch trialdocks, 6d3a7e5) a named member who stayed
    silent went to the Military Collegium and could be shot before the trial."""
    assert not run["kept_sentenced"], run["kept_sentenced"][:5]
    assert sum(len(c.members) for c in run["cases"].values()) > 20
    assert run["elsewhere"]


def test_a_trial_cases_interrogations_leave_the_others_draws_in_place() -> None:
    """The investigations a trial's case opens or extends (``TrialCases.by_trial``) draw
    their interrogations' uniforms on the ``trial_interrogation`` stream (review12 F9):
    whether a case's men are interrogated on a day, and how many, leaves the other
    prisoners' uniforms on the ``investigation`` stream as if the case's men were not
    there. So a trial parameter such as ``trial_bring_back_share`` changes the draws of the
    cases' men only, not the confession draws of the whole population. It does not keep the
    mass operations' convictions identical between two runs: the cases' confessors name
    accomplices on the ``naming`` stream and are sentenced and die on streams shared with
    everyone, so at 1:1,000 seed 1 runs at shares 0.075 and 0.5 part about a month after the
    Sixteen's case opens (the ordinary courts' convictions from day 484), and the mass
    operations' convictions from August 1937 (1.113 against 1.130 million; before this
    change 1.109 against 1.112, within a seed's spread either way)."""
    from types import SimpleNamespace

    from greatterror.model.steps_investigation import Investigation
    from greatterror.model.streams import Streams

    idx = np.arange(10, dtype=np.int64)
    others = idx[~np.isin(idx, [3, 7])]
    world = SimpleNamespace(trial_cases=TrialCases(by_trial={3, 7}))
    alone = SimpleNamespace(rng=Streams(5))
    base = Investigation.interrogation_draws(world, alone, others)  # type: ignore[arg-type]
    with_case = SimpleNamespace(rng=Streams(5))
    u = Investigation.interrogation_draws(world, with_case, idx)  # type: ignore[arg-type]
    assert np.array_equal(u[:, np.isin(idx, others)], base)
    assert np.array_equal(alone.rng.investigation.random(4), with_case.rng.investigation.random(4))
    assert not np.array_equal(u[:, [3, 7]], base[:, :2])  # their own stream
