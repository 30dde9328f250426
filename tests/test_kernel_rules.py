"""Compiled kernels that no other test names, each against its rule written here plainly.

- ``kulak_head`` (population/kernels_marks.py): the household member who carries the former
  kulak mark (``marks_first`` calls it; tests/test_population_kernels.py tests that one);
- ``take_due`` (model/calendar.py), through ``Calendar.take`` as the engine calls it, and
  once by hand: the day's people, batches first, and the entries freed for use again;
- ``draw_profiled`` (model/line_draws.py): the first of a person's random picks who fits
  the line's profile;
- ``_at_liberty`` and ``_lost`` (model/purge_state.py), reached only through ``at_liberty``
  and ``Cadres._lost_among``, which are tested here.

Hypothesis draws the inputs; the hand-made cases hold the edges (empty groups, no tries,
ties between candidates, ages at the bounds).
"""

from __future__ import annotations

import numpy as np
from compiled_calls import kulak_head
from hypothesis import given, settings
from hypothesis import strategies as st

from greatterror.model.calendar import SMALL_BATCH, Calendar, take_due
from greatterror.model.line_draws import draw_profiled
from greatterror.model.purge_state import Cadres, at_liberty
from greatterror.population import kernels as pk
from greatterror.vocabulary import AT_LIBERTY, STATUSES

KERNEL = settings(max_examples=60, deadline=None)  # the first call compiles (or loads)
HEAD_MAN, HEAD_WOMAN = 30, 45  # the ages of ``kulak_head``'s rule (kernels.CODES A30, A45)


# --- kulak_head -----------------------------------------------------------------------------


def kulak_head_rule(start: int, size: int, age: np.ndarray, male: np.ndarray) -> int:
    """The first man aged 30 or more; failing him, the first woman aged 45 or more; or -1."""
    members = range(start, start + size)
    men = [i for i in members if male[i] and age[i] >= HEAD_MAN]
    women = [i for i in members if not male[i] and age[i] >= HEAD_WOMAN]
    return men[0] if men else women[0] if women else -1


def test_kulak_heads_ages_are_the_codes() -> None:
    assert pk.CODES[pk.A30] == HEAD_MAN and pk.CODES[pk.A45] == HEAD_WOMAN


@KERNEL
@given(
    st.lists(st.tuples(st.integers(0, 90), st.booleans()), max_size=12),
    st.integers(0, 12),
    st.integers(0, 12),
)
def test_kulak_head_equals_the_rule(people, start, size) -> None:
    age = np.array([a for a, _ in people], dtype=np.uint8)
    male = np.array([m for _, m in people], dtype=np.bool_)
    start = min(start, len(people))
    size = min(size, len(people) - start)  # a household is a run of the people
    got = kulak_head(pk.CODES, start, size, age, male)
    assert got == kulak_head_rule(start, size, age, male)


def test_kulak_head_by_hand() -> None:
    def head(ages: list[int], men: list[bool], start: int = 0) -> int:
        age, male = np.array(ages, dtype=np.uint8), np.array(men, dtype=np.bool_)
        return kulak_head(pk.CODES, start, len(ages) - start, age, male)

    assert head([50, 30], [False, True]) == 1  # a man of 30 before an older woman
    assert head([29, 45], [True, False]) == 1  # no man of 30: the woman of 45
    assert head([29, 44], [True, False]) == -1  # neither
    assert head([31, 60], [True, True]) == 0  # a tie: the first man
    assert head([60, 45], [False, False]) == 0  # a tie: the first woman
    assert head([70, 10, 40], [True, False, True], start=1) == 2  # only the household's run
    assert head([], []) == -1  # an empty household


# --- take_due (Calendar.take) ---------------------------------------------------------------


class CalendarRule:
    """Per kind and day a list of batches and a list of small batches, in the order added."""

    def __init__(self, days: int) -> None:
        self.days = days
        self.lists: dict[tuple[str, int], tuple[list[int], list[int]]] = {}

    def add(self, kind: str, idx: np.ndarray, due: np.ndarray, offset: int) -> None:
        row = 1 if len(idx) <= SMALL_BATCH else 0
        for person, day in zip(idx.tolist(), (due + offset).tolist(), strict=True):
            if day < self.days:
                self.lists.setdefault((kind, day), ([], []))[row].append(person)

    def add_batch(self, kind: str, idx: np.ndarray, day: int) -> None:
        if day < self.days:
            self.lists.setdefault((kind, day), ([], []))[0].extend(idx.tolist())

    def take(self, kind: str, day: int) -> list[int]:
        batches, small = self.lists.pop((kind, day), ([], []))
        return batches + small


def _entries_in_use(cal: Calendar) -> int:
    return sum(int(k.lists[:, 2].sum()) for k in cal._kinds.values())


def _free_list(cal: Calendar) -> list[int]:
    out, e = [], int(cal._state[1])
    while e >= 0:
        out.append(e)
        e = int(cal._entries[0, e])
    return out


CALENDAR_OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "batch", "take", "take"]),
        st.sampled_from(["a", "b"]),
        st.sampled_from([0, 1, 3, SMALL_BATCH, SMALL_BATCH + 1, 90]),
        st.integers(0, 2**32 - 1),
    ),
    max_size=40,
)


@KERNEL
@given(CALENDAR_OPS)
def test_calendar_take_equals_the_rule_and_frees_its_entries(ops) -> None:
    days = 12
    cal, rule = Calendar(days), CalendarRule(days)
    for what, kind, size, seed in ops:
        rng = np.random.default_rng(seed)
        day = int(rng.integers(0, days + 2))
        if what == "take":
            if day < days:
                assert cal.take(kind, day).tolist() == rule.take(kind, day)
        else:
            idx = rng.integers(0, 10_000, size=size).astype(np.int64)
            if what == "add":
                due, offset = rng.integers(0, days + 3, size=size), int(rng.integers(0, 3))
                cal.add(kind, idx, due, offset)
                rule.add(kind, idx, due, offset)
            else:
                cal.add_batch(kind, idx, day)
                rule.add_batch(kind, idx, day)
        used, _, free = cal._state.tolist()
        assert used - free == _entries_in_use(cal)  # every entry is in a list or free
        assert len(set(_free_list(cal))) == len(_free_list(cal)) == free
    for kind in ("a", "b"):
        for day in range(days):
            assert cal.take(kind, day).tolist() == rule.take(kind, day)
            assert not cal._kinds.get(kind) or not cal._kinds[kind].marked[day]
    assert cal._state[2] == cal._state[0]  # all taken: every entry ever used is free


def test_take_due_by_hand() -> None:
    """Day 1: a batch list of entries 3 -> 0 and a small list of entry 2; entry 1 is free.
    The people come out batch first; the lists' entries join the free list, the day's lists
    are emptied and unmarked, and the other day is left as it was."""
    lists = np.full((2, 3, 2), -1, dtype=np.int64)
    lists[:, 2] = 0
    lists[0, :, 1] = [3, 0, 2]  # first entry, last entry, count
    lists[1, :, 1] = [2, 2, 1]
    entries = np.array([[-1, -1, -1, 0], [70, 99, 50, 60]], dtype=np.int64)  # next, person
    state = np.array([4, 1, 1], dtype=np.int64)  # used, head of the free list, free
    mark = np.array([0, 1], dtype=np.uint8)
    out = take_due(lists, entries, state, mark, 1)
    assert out.tolist() == [60, 70, 50]
    assert state.tolist()[0] == 4 and state[2] == 4
    freed, e = [], int(state[1])
    while e >= 0:
        freed.append(e)
        e = int(entries[0, e])
    assert sorted(freed) == [0, 1, 2, 3]
    assert (lists[:, 0, 1] == -1).all() and (lists[:, 2, 1] == 0).all() and mark[1] == 0
    assert (lists[:, 0, 0] == -1).all() and (lists[:, 2, 0] == 0).all()
    empty = take_due(lists, entries, state, mark, 0)  # a day with no one: nothing changes
    assert len(empty) == 0 and empty.dtype == np.int64 and state.tolist()[1:] == [int(state[1]), 4]


# --- draw_profiled --------------------------------------------------------------------------


def draw_profiled_rule(
    region, starts, sizes, members, u, want_male, age, male, lo, hi, tries, taken
):
    """For entry k: ``tries`` picks from group ``region[k]``, position ``starts[r] +
    floor(u * size)`` (a member there, or the position itself without ``members``); the first
    pick of the wanted sex, aged within [lo, hi] and not taken; -1 if none fits."""
    out = np.full(len(region), -1, dtype=np.int64)
    for k, r in enumerate(region.tolist()):
        if sizes[r] <= 0:
            continue
        pos = starts[r] + np.floor(u[k * tries : (k + 1) * tries] * sizes[r]).astype(np.int64)
        people = members[pos].astype(np.int64) if len(members) else pos
        fits = (male[people] == want_male[k]) & (age[people] >= lo) & (age[people] <= hi)
        if len(taken):
            fits &= ~taken[people]
        if fits.any():
            out[k] = people[np.argmax(fits)]
    return out


@st.composite
def profile_draws(draw):
    n = draw(st.integers(1, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    age = rng.integers(0, 90, size=n).astype(np.uint8)
    male = rng.random(n) < 0.5
    listed = draw(st.booleans())  # groups of listed members, or runs of the people
    groups = draw(st.integers(1, 4))
    if listed:
        members = rng.integers(0, n, size=draw(st.integers(0, 20))).astype(np.int32)
        room = len(members)
    else:
        members, room = np.empty(0, dtype=np.int32), n
    starts = rng.integers(0, room + 1, size=groups).astype(np.int64)
    sizes = np.array([rng.integers(0, room - s + 1) for s in starts], dtype=np.int64)
    tries = draw(st.integers(0, 5))
    k = draw(st.integers(0, 12))
    region = rng.integers(0, groups, size=k).astype(np.int64)
    u = rng.random(k * tries)
    want_male = rng.random(k) < 0.5
    lo = draw(st.integers(0, 60))
    hi = lo + draw(st.integers(0, 40))
    taken = rng.random(n) < 0.3 if draw(st.booleans()) else np.zeros(0, dtype=np.bool_)
    return region, starts, sizes, members, u, want_male, age, male, lo, hi, tries, taken


@KERNEL
@given(profile_draws())
def test_draw_profiled_equals_the_rule(args) -> None:
    got = draw_profiled(*args)
    want = draw_profiled_rule(*args)
    assert got.dtype == want.dtype and got.tolist() == want.tolist()


def test_draw_profiled_by_hand() -> None:
    """Group 0 holds people 0-3 (positions), group 1 is empty. Four picks each."""
    age = np.array([20, 40, 40, 70], dtype=np.uint8)
    male = np.array([True, True, False, True])
    starts, sizes = np.array([0, 4], dtype=np.int64), np.array([4, 0], dtype=np.int64)
    none = np.empty(0, dtype=np.int32)
    u = np.array([0.0, 0.3, 0.6, 0.9] * 3)  # picks positions 0, 1, 2, 3
    region = np.array([0, 0, 1], dtype=np.int64)
    want_male = np.array([True, False, True])
    args = (region, starts, sizes, none, u, want_male, age, male, 30, 69, 4)
    # a man of 30-69: person 1 (person 0 is too young, 3 too old); a woman: person 2;
    # an empty group: -1
    assert draw_profiled(*args, np.zeros(0, dtype=np.bool_)).tolist() == [1, 2, -1]
    taken = np.array([False, True, False, False])
    assert draw_profiled(*args, taken).tolist() == [-1, 2, -1]  # the only man fits, taken
    # listed members: group 0 is members[0:2] = people 3 and 1; ages 70 then 40
    members = np.array([3, 1], dtype=np.int32)
    listed = (region[:1], starts[:1], np.array([2]), members, u[:4], want_male[:1], age, male)
    assert draw_profiled(*listed, 30, 69, 4, np.zeros(0, dtype=np.bool_)).tolist() == [1]
    assert draw_profiled(*listed, 30, 69, 1, np.zeros(0, dtype=np.bool_)).tolist() == [-1]
    assert draw_profiled(*args[:4], u[:0], *args[5:10], 0, taken).tolist() == [-1, -1, -1]


# --- at_liberty and Cadres._lost_among (model/purge_state.py) ------------------------------


@st.composite
def officers_world(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 40))
    status = rng.integers(0, len(STATUSES), size=n).astype(np.uint8)
    k = draw(st.integers(0, n))
    officers = rng.choice(n, size=k, replace=False).astype(np.int64)  # not sorted
    replaced = rng.random(k) < 0.3
    people = rng.integers(0, n, size=draw(st.integers(0, 2 * n))).astype(np.int64)  # repeats
    return status, officers, replaced, people


@KERNEL
@given(officers_world())
def test_at_liberty_and_the_lost_equal_their_rules(world) -> None:
    status, officers, replaced, people = world
    pos = np.flatnonzero(~replaced)
    assert at_liberty(status, officers, pos).tolist() == AT_LIBERTY[status[officers[pos]]].tolist()
    k = len(officers)
    cadres = Cadres(
        officers, np.zeros(k, np.int64), replaced.copy(), np.zeros(1), np.zeros(1), np.zeros(3), 0.0
    )
    got = cadres._lost_among(status, people)
    # the officers among ``people`` not yet replaced and not at liberty, by position ascending
    want = np.flatnonzero(np.isin(officers, people) & ~replaced & ~AT_LIBERTY[status[officers]])
    assert got.tolist() == want.tolist()
    # ``take_lost`` without the changed people looks at every officer, with them only at them
    everyone = Cadres(
        officers, np.zeros(k, np.int64), replaced.copy(), np.zeros(1), np.zeros(1), np.zeros(3), 0.0
    )
    all_lost = np.flatnonzero(~replaced & ~AT_LIBERTY[status[officers]])
    assert everyone.take_lost(status, 1).tolist() == all_lost.tolist()
    assert everyone.replaced.tolist() == (replaced | ~AT_LIBERTY[status[officers]]).tolist()
    assert len(everyone.take_lost(status, 1)) == 0  # no case opened since the last look
