"""The flat wrappers (model/flatcalls.py): arguments in the named tuples' order, and the rule.

``open_cases_flat`` (15 arguments) and ``close_cases_flat`` (13) take the named tuples' arrays
one by one, for speed (the module's docstring). Numba types the arguments, not their names, so
two arrays of one dtype given in each other's place would compile and run. Three guards:

- the wrappers' parameter names are the named tuples' ``_fields`` in order, so reordering a
  tuple or a signature fails here; and a call built by name from ``_fields`` equals the
  call by ``*tuple`` that the engine makes;
- in a run, every call the engine and the transitions make passes each array under its own
  name (bound to the signature and compared by identity with the world's arrays);
- ``open_cases_flat`` against its rule in NumPy, on hand-made and Hypothesis-drawn cases
  (``close_cases_flat`` has its rule in tests/test_speed7_kernels.py).
"""

from __future__ import annotations

import inspect
from functools import reduce
from operator import add

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greatterror.evidence.loader import load_evidence
from greatterror.model import engine_reference
from greatterror.model import transitions as transitions_module
from greatterror.model.arrays import ArrestOrder, CaseArrays, Closing, Layers
from greatterror.model.case_flags import CONFESSED, NAMED, SOCIAL_ORDER
from greatterror.model.flatcalls import close_cases_flat, open_cases_flat
from greatterror.model.scenario import load_scenario
from greatterror.model.sim import Simulation
from greatterror.model.state import Cases
from greatterror.population.build import build_population
from greatterror.vocabulary import AT_LIBERTY, OP, STATUSES, Status

#: what ``open_cases_flat`` writes after the opening besides the named tuples' arrays: a new
#: case's line (its flags are in ``CaseArrays.flags``)
NEW_CASE_FLAGS = ("line",)
#: ``close_cases_flat``'s names for ``Closing``'s fields (``status`` and ``sentence_day``
#: name the case arrays)
CLOSING_NAMES = {"status": "new_status", "sentence_day": "sentence_day_of_closing"}
OPEN_ARGS = ("idx", *CaseArrays._fields, *Layers._fields, *ArrestOrder._fields, *NEW_CASE_FLAGS)
CLOSE_ARGS = (
    "idx", *(CLOSING_NAMES[f] for f in Closing._fields), *CaseArrays._fields, *Layers._fields,
    "hold",
)  # fmt: skip


def _parameters(kernel) -> tuple[str, ...]:
    return tuple(inspect.signature(kernel.py_func).parameters)


def test_the_wrappers_take_the_named_tuples_fields_in_order() -> None:
    assert _parameters(open_cases_flat) == OPEN_ARGS
    assert _parameters(close_cases_flat) == CLOSE_ARGS
    assert set(CLOSING_NAMES) == set(Closing._fields)
    assert len(OPEN_ARGS) == 15 and len(CLOSE_ARGS) == 13


def _world(n: int, rng: np.random.Generator) -> tuple[Cases, Layers]:
    cases = Cases.empty(n)
    cases.status[:] = rng.integers(0, len(STATUSES), size=n)
    cases.op[:] = rng.integers(0, 5, size=n)
    cases.arrest_day[:] = rng.integers(-1, 900, size=n)
    cases.sentence_day[:] = rng.integers(-1, 900, size=n)
    cases.flags[:] = rng.integers(0, 128, size=n)  # every flag, in any mix
    cases.arrests[:] = rng.choice([0, 1, 2, 254, 255], size=n)
    cases.line[:] = rng.integers(0, 5, size=n)
    people = Layers(
        rng.integers(0, 4, size=n).astype(np.int16), rng.random(n) < 0.3, np.array([250.5, 1.0])
    )
    return cases, people


def _arrays(cases: Cases) -> dict[str, np.ndarray]:
    return {f: getattr(cases, f) for f in (*CaseArrays._fields, *NEW_CASE_FLAGS)}


def _copy(cases: Cases) -> Cases:
    other = Cases.empty(len(cases.status))
    for name, a in _arrays(cases).items():
        getattr(other, name)[:] = a
    return other


def _same_cases(a: Cases, b: Cases) -> bool:
    return all(_same(x, getattr(b, name)) for name, x in _arrays(a).items())


def _same(got, want) -> bool:
    if isinstance(want, np.ndarray):
        return got.dtype == want.dtype and got.tobytes() == want.tobytes()
    return bool(got == want) and type(got) is type(want)


def test_a_call_by_name_equals_the_engines_call_by_position() -> None:
    """Each call built from the named tuples' ``_fields`` by keyword (Numba binds them to the
    signature) gives what the engine's positional ``*tuple`` call gives."""
    rng = np.random.default_rng(1)
    by_position, people = _world(300, rng)
    by_name = _copy(by_position)
    idx = rng.integers(0, 300, size=120).astype(np.int64)
    order = ArrestOrder(op_code=3, day=17, allow_in_camp=True, camps_region=2)
    flags = tuple(getattr(by_position, f) for f in NEW_CASE_FLAGS)
    got = open_cases_flat(idx, *by_position.arrays(), *people, *order, *flags)
    kwargs = {
        "idx": idx,
        **by_name.arrays()._asdict(),
        **people._asdict(),
        **order._asdict(),
        **{f: getattr(by_name, f) for f in NEW_CASE_FLAGS},
    }
    want = open_cases_flat(**kwargs)
    assert all(_same(g, w) for g, w in zip(got, want, strict=True))
    assert _same_cases(by_position, by_name)
    closing = Closing(status=int(Status.CAMP), sentence_day=40)
    idx = got[0][::2].copy()
    got = close_cases_flat(idx, *closing, *by_position.arrays(), *people, True)
    want = close_cases_flat(
        idx=idx,
        **{CLOSING_NAMES[f]: v for f, v in closing._asdict().items()},
        **by_name.arrays()._asdict(),
        **people._asdict(),
        hold=True,
    )
    assert all(_same(g, w) for g, w in zip(got, want, strict=True))
    assert _same_cases(by_position, by_name)


# --- the engine's calls in a run -----------------------------------------------------------


def test_the_engine_passes_each_array_under_its_own_name(monkeypatch) -> None:
    """A 1:10,000 run to the end of 1937; every call of either wrapper is bound to the
    wrapper's signature and each argument compared with what the caller meant by that name:
    the world's case arrays and flags, the engine's people arrays, and the operation, day,
    status and sentence day of the ``Engine.arrest`` or ``Transitions._close`` call. The
    arrests go through the NumPy code of ``Engine.arrest`` (``engine_reference``): the
    compiled arrest passes the core's fields, each the engine's array of its name
    (tests/test_core_holder.py), and is held equal to that code (tests/test_core_arrest.py);
    the closings are the sentences' (release and death in custody are compiled too)."""
    seed = 3
    sim = Simulation(
        load_scenario("historical"), build_population(1e-4, seed), seed, load_evidence()
    )
    engine, cases = sim.engine, sim.world.cases
    caller: dict[str, object] = {}
    calls = {"open": 0, "close": 0}
    close = engine._close

    def arresting(day, idx, op, *args, **kwargs):  # type: ignore[no-untyped-def]
        caller.update(day=day, idx=np.asarray(idx), op=op)
        return engine_reference.arrest_reference(engine, day, idx, op, *args, **kwargs)

    def closing(day, idx, status, event, sentence_day=-1, hold=False, uncounted=None):  # type: ignore[no-untyped-def]
        caller.update(day=day, idx=idx, status=status, sentence_day=sentence_day, hold=hold)
        return close(day, idx, status, event, sentence_day, hold, uncounted)

    def checked(kernel, kind):  # type: ignore[no-untyped-def]
        signature = inspect.signature(kernel.py_func)

        def call(*args):  # type: ignore[no-untyped-def]
            bound = signature.bind(*args).arguments
            for name in CaseArrays._fields:
                assert bound[name] is getattr(cases, name), name
            for name in Layers._fields:
                assert bound[name] is getattr(engine, name), name
            if kind == "open":
                assert bound["op_code"] == OP[caller["op"]] and bound["day"] == caller["day"]
                assert np.isin(bound["idx"], caller["idx"]).all()
                assert isinstance(bound["allow_in_camp"], bool)
                for name in NEW_CASE_FLAGS:
                    assert bound[name] is getattr(cases, name), name
            else:
                assert bound["idx"] is caller["idx"] and bound["hold"] is caller["hold"]
                assert bound["new_status"] == caller["status"]
                assert bound["sentence_day_of_closing"] == caller["sentence_day"]
            calls[kind] += 1
            return kernel(*args)

        return call

    monkeypatch.setattr(engine, "arrest", arresting)
    monkeypatch.setattr(engine, "_close", closing)
    monkeypatch.setattr(engine_reference, "open_cases_flat", checked(open_cases_flat, "open"))
    monkeypatch.setattr(transitions_module, "close_cases_flat", checked(close_cases_flat, "close"))
    sim.run(until=1125)  # to the end of 1937
    assert calls["open"] > 100 and calls["close"] > 100


# --- open_cases_flat against its rule -------------------------------------------------------


def open_cases_flat_rule(idx, cases: Cases, people: Layers, order: ArrestOrder) -> tuple:
    """The arrest in NumPy: the distinct people of ``idx`` (ascending) at liberty, or, if
    allowed, camp prisoners of the camps' region, get a new case: under investigation, of
    the operation, arrested on the day, no sentence day, not confessed, one arrest more
    (255 at most), on line 0, not named, not of the social-order bodies. Returns them, their
    regions and weights, how many (and what weight, added in order) left a camp, and
    ``np.sum`` of the weights."""
    people_idx = np.unique(idx)
    before = cases.status[people_idx]
    from_camp = (before == Status.CAMP) & (people.region[people_idx] == order.camps_region)
    opened = people_idx[AT_LIBERTY[before] | (order.allow_in_camp & from_camp)]
    weight = people.weight_of_layer[people.is_elite[opened].astype(np.intp)]
    left = cases.status[opened] == Status.CAMP
    cases.status[opened] = Status.INVESTIGATION
    cases.op[opened] = order.op_code
    cases.arrest_day[opened] = order.day
    cases.sentence_day[opened] = -1
    cases.clear(CONFESSED, opened)
    cases.arrests[opened] = np.minimum(cases.arrests[opened].astype(int) + 1, 255)
    cases.line[opened] = 0
    cases.clear(NAMED, opened)
    cases.clear(SOCIAL_ORDER, opened)
    left_w = reduce(add, weight[left].tolist(), 0.0)
    total = float(np.sum(weight))
    return opened, people.region[opened], weight, int(np.count_nonzero(left)), left_w, total


def _check_open(idx, cases: Cases, people: Layers, order: ArrestOrder) -> tuple:
    rule = _copy(cases)
    flags = tuple(getattr(cases, f) for f in NEW_CASE_FLAGS)
    got = open_cases_flat(idx, *cases.arrays(), *people, *order, *flags)
    want = open_cases_flat_rule(idx, rule, people, order)
    assert all(_same(g, w) for g, w in zip(got, want, strict=True))
    for name, a in _arrays(cases).items():
        assert _same(a, getattr(rule, name)), name
    return got


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 60),
    st.integers(0, 2**32 - 1),
    st.integers(0, 80),
    st.booleans(),
    st.integers(-1, 4),
    st.integers(0, 2000),
)
def test_open_cases_flat_equals_the_rule(n, seed, size, allow, camps_region, day) -> None:
    rng = np.random.default_rng(seed)
    cases, people = _world(n, rng)
    idx = rng.integers(0, n, size=size).astype(np.int64)  # repeats, any order
    order = ArrestOrder(op_code=int(rng.integers(0, 20)), day=day, allow_in_camp=allow,
                        camps_region=camps_region)  # fmt: skip
    _check_open(idx, cases, people, order)


def test_open_cases_flat_by_hand() -> None:
    n = 6
    cases, _ = _world(n, np.random.default_rng(0))
    cases.status[:] = [Status.FREE, Status.CAMP, Status.CAMP, Status.SHOT, Status.RELEASED, 1]
    cases.arrests[:] = [0, 1, 255, 0, 3, 0]
    people = Layers(np.array([0, 2, 1, 0, 2, 1], np.int16), np.array([0, 1, 0, 0, 0, 0], bool),
                    np.array([250.5, 1.0]))  # fmt: skip
    order = ArrestOrder(op_code=OP["elite"], day=900, allow_in_camp=True, camps_region=2)
    idx = np.array([4, 1, 4, 3, 2, 0], dtype=np.int64)  # 4 twice; 3 is shot; 2 in another camp
    opened, region, weight, left, left_w, total = _check_open(idx, cases, people, order)
    # 0 free, 1 in the camps' region (left a camp), 4 released (once); 5 is not in idx
    assert opened.tolist() == [0, 1, 4] and region.tolist() == [0, 2, 2]
    assert weight.tolist() == [250.5, 1.0, 250.5] and (left, left_w) == (1, 1.0)
    assert total == 502.0 and cases.arrests[[0, 1, 4]].tolist() == [1, 2, 4]
    # nothing to open: empty results, nothing written
    before = _copy(cases)
    got = _check_open(np.empty(0, dtype=np.int64), cases, people, order)
    assert [len(a) for a in got[:3]] == [0, 0, 0] and got[3:] == (0, 0.0, 0.0)
    assert all(_same(a, getattr(before, k)) for k, a in _arrays(cases).items())


@pytest.mark.parametrize("swap", [("flags", "arrests"), ("arrest_day", "sentence_day")])
def test_swapped_arrays_of_one_dtype_are_caught_by_the_rule(swap) -> None:
    """The test above can fail: two arrays of the same dtype given in each other's place
    compile and run, and the rule sees the difference (the reason for the signature test)."""
    rng = np.random.default_rng(4)
    cases, people = _world(50, rng)
    rule = _copy(cases)
    args = {**cases.arrays()._asdict(), **{f: getattr(cases, f) for f in NEW_CASE_FLAGS}}
    a, b = swap
    assert args[a].dtype == args[b].dtype
    args[a], args[b] = args[b], args[a]
    order = ArrestOrder(op_code=2, day=33, allow_in_camp=False, camps_region=0)
    idx = np.arange(50, dtype=np.int64)
    open_cases_flat(idx, *(args[f] for f in CaseArrays._fields), *people, *order,
                    *(args[f] for f in NEW_CASE_FLAGS))  # fmt: skip
    open_cases_flat_rule(idx, rule, people, order)
    assert any(not _same(getattr(cases, k), getattr(rule, k)) for k in _arrays(cases))
