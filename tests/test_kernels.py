"""The Numba kernels compute exactly what the NumPy expressions they replaced computed."""

from __future__ import annotations

import compiled_calls as cc
import numpy as np
import pytest

from greatterror.model import kernels as mk
from greatterror.model.case_flags import CONFESSED, LINKED, NAMED
from greatterror.model.ledger import Ledger
from greatterror.population import kernels as pk
from greatterror.population import kernels_search as pks
from greatterror.vocabulary import AT_LIBERTY, STATUSES, Status


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)


def test_searches_match_numpy(rng) -> None:
    cum = np.cumsum(rng.random(7))
    x = rng.random(1000) * cum[-1]
    expected = np.searchsorted(cum, x, side="right")
    out = np.zeros(1000, dtype=np.uint8)
    pks.categories_into(cum, x, np.empty(0, dtype=np.int64), out)
    np.testing.assert_array_equal(out, expected)
    at = np.sort(rng.choice(5000, size=1000, replace=False))
    out = np.zeros(5000, dtype=np.uint8)
    pks.categories_into(cum, x, at, out)
    np.testing.assert_array_equal(out[at], expected)


def test_place_workplaces_is_a_stable_grouping(rng) -> None:
    labels = rng.integers(-1, 40, size=2000).astype(np.int32)
    members = np.empty(2000, dtype=np.int32)
    workplace = labels.copy()
    counts = pk.place_workplaces(workplace, 40, 100, np.int64(7), members)
    inside = np.flatnonzero(labels >= 0)
    expected = inside[np.argsort(labels[inside], kind="stable")] + 100
    np.testing.assert_array_equal(members[: counts.sum()], expected)
    np.testing.assert_array_equal(counts, np.bincount(labels[inside], minlength=40))
    np.testing.assert_array_equal(workplace[inside], labels[inside] + 7)
    assert (workplace[labels < 0] == -1).all()


def test_label_runs_cuts_a_shuffle_into_groups(rng) -> None:
    """label_runs against the NumPy expression it replaced (groups.cut_into_groups)."""
    sizes = rng.integers(1, 9, size=30).astype(np.int64)
    n = int(sizes.sum())
    targets = np.sort(rng.choice(3 * n, size=n, replace=False)).astype(np.int64)
    order = rng.permutation(n)
    label = np.full(3 * n, -1, dtype=np.int32)
    pk.label_runs(order, sizes, np.int64(5), targets, label)
    want = np.full(3 * n, -1, dtype=np.int32)
    by_position = np.empty(n, dtype=np.int32)
    by_position[order] = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes) + 5
    want[targets] = by_position
    np.testing.assert_array_equal(label, want)


def test_wives_kernel_matches_the_numpy_rule(rng) -> None:
    """model/families.run_wives (households as runs) against the member-list NumPy path."""
    from greatterror.model.families import wives_of
    from greatterror.population.groups import Groups

    sizes = rng.integers(1, 7, size=80)
    indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(indptr[-1])
    household = np.full(n + 5, -1, dtype=np.int32)  # 5 people in no household
    household[:n] = np.repeat(np.arange(80), sizes)
    age = rng.integers(0, 70, size=n + 5).astype(np.uint8)
    male = rng.random(n + 5) < 0.5
    convicted = rng.choice(n + 5, size=40, replace=False).astype(np.int64)
    runs = Groups(indptr=indptr, members=None)
    listed = Groups(indptr=indptr, members=np.arange(n, dtype=np.int32))
    got = wives_of(runs, household[convicted], age, male, convicted)
    want = wives_of(listed, household[convicted], age, male, convicted)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)
    wives, children = got
    assert len(wives) > 0
    assert not male[wives].any() and (age[wives] >= 16).all()
    assert not np.isin(wives, convicted).any()
    for wife, k in zip(wives, children, strict=True):
        g = household[wife]
        members = np.arange(indptr[g], indptr[g + 1])
        assert k == int((age[members] < 16).sum())
        assert (male[members] & np.isin(members, convicted)).any()  # her husband was convicted


def test_distinct_values(rng) -> None:
    values = rng.integers(0, 50, size=300)
    np.testing.assert_array_equal(mk.distinct_sorted(values), np.unique(values))
    _, first = np.unique(values, return_index=True)
    np.testing.assert_array_equal(mk.first_distinct(values, 20), values[np.sort(first)][:20])
    codes = rng.integers(0, 256, size=1000).astype(np.uint8)
    np.testing.assert_array_equal(mk.count_values(codes, 256), np.bincount(codes, minlength=256))
    flags = np.where(np.arange(1000) % 3 == 0, CONFESSED, 0).astype(np.uint8)
    before = flags.copy()
    mk.mark_where(codes, 8, flags, LINKED)
    np.testing.assert_array_equal(flags, before | np.where((codes & 8) != 0, LINKED, 0))


def test_open_cases_matches_the_numpy_rules(rng) -> None:
    n = 500
    status = rng.integers(0, len(STATUSES), size=n).astype(np.uint8)
    region = rng.integers(0, 4, size=n).astype(np.uint8)
    is_elite = rng.random(n) < 0.1
    idx = rng.integers(0, n, size=200)
    before = status.copy()
    op, arrests = np.zeros(n, np.uint8), np.full(n, 255, np.uint8)
    arrest_day, sentence_day = np.full(n, -1, np.int16), np.full(n, 5, np.int16)
    flags = np.full(n, 0xFF, dtype=np.uint8)  # every flag: only ``CONFESSED`` is cleared
    cases = mk.CaseArrays(status, op, arrest_day, sentence_day, flags, arrests)
    people = mk.Layers(region, is_elite, np.array([100.0, 1.0]))
    got, got_region, got_weight, left, left_w = cc.open_cases(
        idx, cases, people, mk.ArrestOrder(op_code=2, day=9, allow_in_camp=True, camps_region=3)
    )
    unique = np.unique(idx)
    ok = AT_LIBERTY[before[unique]] | ((before[unique] == Status.CAMP) & (region[unique] == 3))
    np.testing.assert_array_equal(got, unique[ok])
    np.testing.assert_array_equal(got_region, region[got])
    np.testing.assert_array_equal(got_weight, np.where(is_elite[got], 1.0, 100.0))
    from_camp = got[before[got] == Status.CAMP]
    assert left == len(from_camp)
    assert left_w == pytest.approx(np.where(is_elite[from_camp], 1.0, 100.0).sum())
    assert (status[got] == Status.INVESTIGATION).all() and (op[got] == 2).all()
    assert (arrest_day[got] == 9).all() and (sentence_day[got] == -1).all()
    assert (flags[got] == 0xFF ^ CONFESSED).all() and (arrests[got] == 255).all()
    untouched = np.setdiff1d(np.arange(n), got)
    assert (flags[untouched] == 0xFF).all()


def test_ledger_sums_in_the_order_added(rng) -> None:
    ledger = Ledger(3, 2)
    expected = np.zeros(ledger.shape)
    for _ in range(50):
        day, event = int(rng.integers(3)), int(rng.integers(ledger.shape[3]))
        region = rng.integers(0, 2, size=4)
        op = rng.integers(0, ledger.shape[2], size=4).astype(np.uint8)
        w = rng.random(4)
        scalar = bool(rng.random() < 0.5)  # arrest passes one operation code for the batch
        ledger.add(day, region, int(op[0]) if scalar else op, event, w)
        np.add.at(expected, (day, region, np.full(4, op[0]) if scalar else op, event), w)
    np.testing.assert_array_equal(ledger.cube(), expected)


def test_calendar_keeps_the_order_of_the_dictionaries_it_replaced(rng) -> None:
    """Batches first, then small batches, each in the order scheduled (model/calendar.py)."""
    from greatterror.model.calendar import SMALL_BATCH, Calendar

    days = 40
    cal = Calendar(days)
    arrays: dict[int, list[np.ndarray]] = {}  # the former calendar: arrays by day ...
    singles: dict[int, list[int]] = {}  # ... and single people by day
    for day in range(days):
        for size in (rng.integers(0, 2 * SMALL_BATCH), rng.integers(0, 5)):
            idx = rng.integers(0, 10_000, size=size).astype(np.int64)
            delays = rng.integers(0, 15, size=size)
            cal.add("k", idx, delays + day)
            if size <= SMALL_BATCH:
                for person, due in zip(idx.tolist(), (delays + day).tolist(), strict=True):
                    if due < days:
                        singles.setdefault(due, []).append(person)
            else:
                order = np.argsort(delays, kind="stable")
                for d in np.unique(delays).tolist():
                    if day + d < days:
                        arrays.setdefault(day + d, []).append(idx[order][delays[order] == d])
        if day % 7 == 0:
            whole = rng.integers(0, 10_000, size=3).astype(np.int64)
            cal.add_batch("k", whole, day + 1)
            if day + 1 < days:
                arrays.setdefault(day + 1, []).append(whole)
        parts = [*arrays.pop(day, []), np.array(singles.pop(day, []), dtype=np.int64)]
        np.testing.assert_array_equal(cal.take("k", day), np.concatenate(parts))
        assert len(cal.take("k", day)) == 0  # taken once
    assert len(cal.take("other", 3)) == 0
    used, _, free = cal._state.tolist()
    assert free == used  # every day was taken: all entries are free for use again


def _channels_by_numpy(op, marked, elite, circle, halted, accel, special, album, lists):
    """The NumPy expression ``Simulation.channel_for`` was before model/channels.py."""
    from greatterror.vocabulary import CH, NATIONAL_OP, OP

    channel = np.full(len(op), CH["courts"], dtype=np.intp)
    channel[marked] = CH["oso"]
    if not halted and accel:
        channel[op == OP["kulak_00447"]] = CH["troika"]
        national = NATIONAL_OP[op]
        if special:
            channel[national] = CH["special_troika"]
        elif album:
            channel[national] = CH["album"]
    channel[(op == OP["family"])] = CH["oso"]
    # the list procedure: from the execution lists the first secretary's circle too
    channel[(elite | (lists & circle)) & (op == OP["elite"])] = CH["military_collegium"]
    return channel


@pytest.mark.parametrize(
    "flags",
    [
        (h, a, s, b, li)
        for h in (0, 1)
        for a in (0, 1)
        for s in (0, 1)
        for b in (0, 1)
        for li in (0, 1)
    ],
)
def test_channels_match_the_numpy_rules(rng, flags) -> None:
    from greatterror.model.channels import channel_table, channels_of
    from greatterror.vocabulary import OPERATIONS

    halted, accel, special, album, lists = (bool(f) for f in flags)
    n = 400
    op = rng.integers(0, len(OPERATIONS), size=n).astype(np.uint8)
    marks = (rng.integers(0, 4, size=n) * (rng.random(n) < 0.3)).astype(np.uint8)
    is_elite = rng.random(n) < 0.2
    # int8 as PERSON_DTYPES["patron"]
    patron = np.where(rng.random(n) < 0.3, rng.integers(0, 5, size=n), -1).astype(np.int8)
    circle = ~is_elite & (patron >= 0)
    idx = rng.integers(0, n, size=150)
    table = channel_table(not halted and accel, special, album, lists)
    expected = _channels_by_numpy(
        op[idx], marks[idx] != 0, is_elite[idx], circle[idx], halted, accel, special, album, lists
    )
    got = channels_of(idx, op, marks, is_elite, patron, table)
    np.testing.assert_array_equal(got, expected)


def test_affordable_head_matches_cumsum_and_searchsorted(rng) -> None:
    from greatterror.model.channels import affordable

    is_elite = rng.random(300) < 0.1
    queue = rng.integers(0, 300, size=120).astype(np.int32)
    weights = np.where(is_elite[queue], 1.0, 87.3)
    cum = np.cumsum(weights)
    for budget in (0.0, 50.0, 87.3, 1000.5, 5000.0, cum[-1], cum[-1] + 1, np.inf):
        n = len(queue) if np.isinf(budget) else int(np.searchsorted(cum, budget, side="right"))
        got_n, spent = affordable(queue, is_elite, 87.3, 1.0, budget)
        assert got_n == n
        assert spent == (float(cum[n - 1]) if n else 0.0)


def test_close_cases_matches_the_numpy_bookkeeping(rng) -> None:
    n = 300
    status = rng.integers(0, len(STATUSES), size=n).astype(np.uint8)
    sentence_day = np.full(n, -1, np.int16)
    op = rng.integers(0, 9, size=n).astype(np.uint8)
    region = rng.integers(0, 5, size=n).astype(np.uint8)
    is_elite = rng.random(n) < 0.2
    idx = rng.choice(n, size=80, replace=False).astype(np.int64)
    before = status.copy()
    for day in (-1, 12):  # -1 leaves the sentence day as it is
        none = np.zeros(n, dtype=np.uint8)
        cases = mk.CaseArrays(status, op, sentence_day, sentence_day, none, op)
        ops, reg, w, was_camp = cc.close_cases(
            idx,
            mk.Closing(Status.SHOT, day),
            cases,
            mk.Layers(region, is_elite, np.array([50.0, 1.0])),
        )
        np.testing.assert_array_equal(ops, op[idx])
        np.testing.assert_array_equal(reg, region[idx])
        np.testing.assert_array_equal(w, np.where(is_elite[idx], 1.0, 50.0))
        np.testing.assert_array_equal(was_camp, before[idx] == Status.CAMP)
        assert (status[idx] == Status.SHOT).all() and (sentence_day[idx] == max(day, -1)).all()
        before = status.copy()


def test_thin_matches_the_numpy_rejection_step(rng) -> None:
    people = rng.choice(10_000, size=500, replace=False).astype(np.int32)
    w = rng.random(500) * 50.0
    pick = rng.integers(0, 500, size=3000)
    u = rng.random(3000)
    expected = people[pick[u < w[pick] / 50.0]]
    np.testing.assert_array_equal(mk.thin(pick, u, w, 50.0, people), expected)


def _cases(rng, n: int) -> mk.CaseArrays:
    return mk.CaseArrays(
        status=np.zeros(n, dtype=np.uint8),
        op=rng.integers(0, 9, size=n).astype(np.uint8),
        arrest_day=np.zeros(n, dtype=np.int16),
        sentence_day=np.zeros(n, dtype=np.int16),
        flags=(
            np.where(rng.random(n) < 0.2, CONFESSED, 0) | np.where(rng.random(n) < 0.5, LINKED, 0)
        ).astype(np.uint8),
        arrests=np.zeros(n, dtype=np.uint8),
    )


def _copy(cases: mk.CaseArrays) -> mk.CaseArrays:
    return mk.CaseArrays(*(a.copy() for a in cases))


@pytest.mark.parametrize("capitulation", [False, True])
@pytest.mark.parametrize("hold", [False, True])
def test_investigation_kernels_match_the_rules_of_the_component(rng, capitulation, hold) -> None:
    from greatterror.model.steps_investigation import (
        confessions_reference,
        dispositions_reference,
    )
    from greatterror.vocabulary import MASS_OP

    n = 400
    party = rng.integers(0, 3, size=n).astype(np.uint8)
    is_elite = rng.random(n) < 0.3
    fast, slow = _cases(rng, n), None
    slow = _copy(fast)
    idx = rng.choice(n, size=150, replace=False).astype(np.int64)
    u = rng.random((2, len(idx)))
    rule = mk.ConfessionRule(base=0.4, boost=0.7, member=1, capitulation=capitulation)
    got = mk.confessions(idx, u, party, rule, fast.flags)
    want = confessions_reference(idx, u, party, rule, slow.flags)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    np.testing.assert_array_equal(fast.flags, slow.flags)
    assert 0 < len(got[0]) < len(idx)
    conf, silent, u_silent = got
    got = mk.dispositions(conf, silent, u_silent, fast, is_elite, MASS_OP, 0.3, hold)
    want = dispositions_reference(conf, silent, u_silent, slow, is_elite, MASS_OP, 0.3, hold)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    np.testing.assert_array_equal(fast.status, slow.status)
    assert len(got[0]) and len(got[1]) and (len(got[2]) > 0) == hold


@pytest.mark.parametrize("with_members", [True, False])
def test_naming_kernels_match_the_rule_of_the_component(rng, with_members) -> None:
    from greatterror.model.steps_investigation import naming_reference

    n = 1000  # more people than workplace positions (at most 20 * 39)
    workplace = np.where(rng.random(n) < 0.8, rng.integers(0, 20, size=n), -1).astype(np.int32)
    sizes = rng.integers(1, 40, size=20)
    indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    members = rng.integers(0, n, size=int(indptr[-1])).astype(np.int32)
    members = members if with_members else members[:0]
    confessors = rng.choice(n, size=60, replace=False).astype(np.int64)
    k = rng.poisson(1.5, size=60)
    u = rng.random(2 * int(k.sum()))  # enough for every name, whatever the workplaces
    flags = np.where(rng.random(n) < 0.3, LINKED, 0) | np.where(rng.random(n) < 0.5, NAMED, 0)
    flags = flags.astype(np.uint8)
    want_flags = flags.copy()
    named, by = naming_reference(confessors, k, workplace, u, indptr, members, 0.6, want_flags)
    who, wp = mk.namers(confessors, k, workplace)
    u = np.concatenate([u[: len(wp)], u[len(wp) : 2 * len(wp)]])
    got_named, got_by = mk.named_colleagues(who, wp, u, indptr, members, 0.6, flags)
    np.testing.assert_array_equal(got_named, named)
    np.testing.assert_array_equal(got_by, by)
    np.testing.assert_array_equal(flags, want_flags)
    assert len(named) > 10


@pytest.mark.parametrize("ceiling", [True, False])
@pytest.mark.parametrize("budget", [0.0, 30.0, np.inf])
def test_troika_verdicts_match_the_rule_of_the_component(rng, budget, ceiling) -> None:
    from greatterror.model.troika import troika_reference

    n, regions = 300, 6
    cases = mk.TroikaQueue(
        region=rng.integers(0, regions, size=n).astype(np.int64),
        weight=np.where(rng.random(n) < 0.1, 1.0, 2.5),
        u_wish=rng.random(n),
        u=rng.random(n),
        first=rng.random(n) < 0.3,
    )
    fallback = rng.random(regions)

    def limits() -> mk.Limits:
        return mk.Limits(
            limit1=np.full(regions, 40.0), used1=np.zeros(regions),
            limit2=np.full(regions, 60.0), used2=np.zeros(regions),
        )  # fmt: skip

    fast, slow = limits(), limits()
    ahead = rng.random(n) < 0.5  # a case fitting neither limit: beyond them, or held (R1)
    verdict, spent = mk.troika_verdicts(cases, fast, float(budget), ceiling, fallback, ahead)
    want, want_spent = troika_reference(cases, slow, float(budget), ceiling, fallback, ahead)
    np.testing.assert_array_equal(verdict, want)
    assert spent == want_spent
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a, b)
    decided = verdict > 0
    assert spent == pytest.approx(cases.weight[decided].sum())
    assert fast.used1.sum() + fast.used2.sum() == pytest.approx(spent)
    if budget == 0.0:
        assert (verdict == -1).all()
    if budget == np.inf:
        # no case waits for the troika: each is sentenced, beyond the limits if drawn ahead of
        # the sanction, else held for it (-2: a case fitting neither limit, rule R1)
        assert ((verdict > 0) | ((verdict == -2) & ~ahead)).all()
        assert ceiling or (verdict > 0).all()
        if ceiling:
            assert (verdict == -2).any()
            assert (verdict >= 3).any()
            # a case goes beyond the limits only once its region has (about) filled both
            for r in np.unique(cases.region[verdict >= 3]):
                first = np.flatnonzero((cases.region == r) & (verdict >= 3))[0]
                before = (cases.region[:first] == r) & (verdict[:first] <= 2)
                assert cases.weight[:first][before].sum() > 100.0 - 2 * 2.5
        else:
            # without limits the wish is drawn with the constant share and always given
            wished = cases.u_wish < fallback[cases.region]
            np.testing.assert_array_equal(verdict, np.where(wished, 1, 2))


@pytest.mark.parametrize("with_members", [True, False])
def test_register_draws_match_the_numpy_expression(rng, with_members) -> None:
    from greatterror.model.registers import draw_in_groups, drawable

    sizes = rng.integers(0, 30, size=12) * (rng.random(12) < 0.8)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    members = rng.integers(0, 10_000, size=int(sizes.sum())).astype(np.int32)
    counts = rng.poisson(2.0, size=12)
    # the NumPy expression the kernels replaced
    kept = np.where(sizes > 0, counts, 0)
    regions = np.repeat(np.arange(12), kept)
    u = rng.random(int(kept.sum()))
    pos = starts[regions] + (u * sizes[regions]).astype(np.int64)
    expected = members[pos] if with_members else pos
    assert drawable(counts, sizes) == kept.sum()
    got = draw_in_groups(counts, sizes, u, starts, members if with_members else members[:0])
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("channel", ["album", "military_collegium", "oso", "courts"])
def test_split_verdicts_matches_the_numpy_masks(rng, channel) -> None:
    from greatterror.model.channels import split_verdicts

    batch = rng.integers(0, 10_000, size=300).astype(np.int32)
    u, v = rng.random(300), rng.random(300)
    # the NumPy masks of _decide that the kernel replaced, with "other measures" after exile
    exile = np.zeros(300, dtype=bool)
    other = np.zeros(300, dtype=bool)
    if channel in ("album", "military_collegium"):
        death, death_p, exile_p, other_p = u < 0.6, 0.6, -1.0, -1.0
    elif channel == "oso":
        death, death_p, exile_p, other_p = np.zeros(300, dtype=bool), -1.0, 0.2, 0.05
        exile, other = v < 0.2, (v >= 0.2) & (v < 0.25)
    else:
        death, death_p, exile_p, other_p = u < 0.1, 0.1, 0.2, 0.15
        exile = ~death & (v < 0.2)
        other = ~death & (v >= 0.2) & (v < 0.35)
    got = split_verdicts(batch, u, v, death_p, exile_p, other_p)
    np.testing.assert_array_equal(got[0], batch[death])
    np.testing.assert_array_equal(got[1], batch[exile & ~death])
    np.testing.assert_array_equal(got[2], batch[other & ~death])
    np.testing.assert_array_equal(got[3], batch[~death & ~exile & ~other])


def test_split_verdicts_without_other_measures_is_the_three_way_split(rng) -> None:
    """A body that cannot pass other measures (-1) splits exactly as before they existed."""
    from greatterror.model.channels import split_verdicts

    batch = rng.integers(0, 10_000, size=300).astype(np.int32)
    u, v = rng.random(300), rng.random(300)
    death, exile, other, camp = split_verdicts(batch, u, v, 0.1, 0.2, -1.0)
    assert len(other) == 0
    np.testing.assert_array_equal(death, batch[u < 0.1])
    np.testing.assert_array_equal(exile, batch[(u >= 0.1) & (v < 0.2)])
    np.testing.assert_array_equal(camp, batch[(u >= 0.1) & (v >= 0.2)])


def test_arrays_given_in_the_wrong_place_do_not_compile(rng) -> None:
    """The case arrays and the people's arrays are named tuples: swapped, they fail to type."""
    from numba.core.errors import TypingError

    n = 50
    cases = _cases(rng, n)
    people = mk.Layers(np.zeros(n, np.uint8), np.zeros(n, bool), np.array([10.0, 1.0]))
    order = mk.ArrestOrder(op_code=1, day=3, allow_in_camp=False, camps_region=-1)
    idx = np.arange(5, dtype=np.int64)
    with pytest.raises(TypingError):
        cc.open_cases(idx, people, cases, order)
    with pytest.raises(TypingError):
        cc.close_cases(idx, mk.Closing(Status.SHOT, 3), people, cases)
    assert len(cc.open_cases(idx, cases, people, order)[0]) == 5


def test_nonzero_by_blocks_is_flatnonzero(rng) -> None:
    """model/blocks.nonzero_by_blocks against np.flatnonzero, blocks that do and do not
    divide the length, and an empty population."""
    from greatterror.model.blocks import nonzero_by_blocks

    status = rng.integers(0, 6, size=1003).astype(np.uint8)
    want = np.flatnonzero((status == 2) | (status == 5))
    for block in (1, 7, 100, 1003, 5000):
        got = nonzero_by_blocks(lambda s: (status[s] == 2) | (status[s] == 5), len(status), block)
        np.testing.assert_array_equal(got, want)
    assert nonzero_by_blocks(lambda s: status[s] > 0, 0).size == 0


def test_wives_of_refuses_everyones_households(rng) -> None:
    """``wives_of`` takes the household of each convicted; everyone's list (the old argument)
    would be read by position and name wrong wives, so it is refused."""
    from greatterror.model.families import wives_of
    from greatterror.population.groups import Groups

    sizes = rng.integers(1, 7, size=20)
    indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(indptr[-1])
    everyone = np.repeat(np.arange(20), sizes).astype(np.int32)
    age = np.full(n, 30, dtype=np.uint8)
    male = np.arange(n) % 2 == 0
    convicted = np.array([0, 2], dtype=np.int64)
    with pytest.raises(ValueError, match="2 convicted; give the household of each convicted"):
        wives_of(Groups(indptr=indptr, members=None), everyone, age, male, convicted)
