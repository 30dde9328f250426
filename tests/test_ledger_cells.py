"""The ledger's cell kernels (model/ledger_cells.py) against the rules they compute.

``cell_ids``, ``scatter_cells`` and ``merge_cells`` are what ``Ledger._flush`` calls; the
summary's sums from them are compared with the dense cube's in tests/test_fast_paths.py.
Here each kernel is compared, bit for bit, with its rule written plainly in Python or NumPy:

- ``cell_ids``: an event's cell is the flat index of (day, region, operation, event) in the
  C-ordered cube (``np.ravel_multi_index``); a buffered call gives one operation for all
  its events, or (code -1) one per event, taken in order from ``op_arrays``;
- ``scatter_cells``: ``np.add.at(counts, cells, weights)``, which adds in the order given;
- ``merge_cells``: the cells with their values, and the new events added to their cell one
  by one in the order given, starting from the cell's value (or zero); cells ascending.

Hypothesis draws the inputs; the hand-made cases hold the edges (no events, a cell hit
many times, weights whose sum depends on the order).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from greatterror.model.ledger_cells import add_events, cell_ids, merge_cells, scatter_cells

SHAPE = (5, 3, 4, 6)  # days, regions, operations, events: small, so cells repeat
KERNEL = settings(max_examples=60, deadline=None)  # the first call compiles (or loads)
#: weights whose sums depend on the order of the additions
WEIGHTS = st.sampled_from([1.0, 0.1, 1e16, -1e16, 3.0e-8, 1234.567, 0.0, -0.0])


def cell_ids_rule(meta, region, op_arrays, shape) -> np.ndarray:
    """The cell of each buffered event, in the order added."""
    ops = iter(op_arrays.tolist())
    out = []
    k = 0
    for day, code, event, n in meta.tolist():
        for _ in range(n):
            op = next(ops) if code < 0 else code
            out.append(np.ravel_multi_index((day, int(region[k]), op, event), shape))
            k += 1
    assert next(ops, None) is None  # every per-event operation was used
    return np.array(out, dtype=np.int64)


def merge_cells_rule(cells, values, new_cells, new_weights):
    """The old cells' values, with each new event added to its cell in the order given."""
    value = dict(zip(cells.tolist(), values.tolist(), strict=True))
    for c, w in zip(new_cells.tolist(), new_weights.tolist(), strict=True):
        value[c] = value.get(c, 0.0) + w
    keys = sorted(value)
    return np.array(keys, dtype=np.int64), np.array([value[c] for c in keys], dtype=np.float64)


def _same(got: np.ndarray, want: np.ndarray) -> bool:
    return got.dtype == want.dtype and got.shape == want.shape and got.tobytes() == want.tobytes()


@st.composite
def buffered_calls(draw):
    """A ledger's buffer: rows (day, operation or -1, event, n), the events' regions and
    the per-event operations of the -1 rows."""
    days, regions, ops, events = SHAPE
    meta, region, op_arrays = [], [], []
    for _ in range(draw(st.integers(0, 6))):
        n = draw(st.integers(0, 5))  # the ledger never buffers n = 0; the kernel allows it
        per_event = draw(st.booleans())
        code = -1 if per_event else draw(st.integers(0, ops - 1))
        meta.append((draw(st.integers(0, days - 1)), code, draw(st.integers(0, events - 1)), n))
        region += draw(st.lists(st.integers(0, regions - 1), min_size=n, max_size=n))
        if per_event:
            op_arrays += draw(st.lists(st.integers(0, ops - 1), min_size=n, max_size=n))
    return (
        np.array(meta, dtype=np.int64).reshape(-1, 4),
        np.array(region, dtype=np.int64),
        np.array(op_arrays, dtype=np.int64),
    )


@KERNEL
@given(buffered_calls())
def test_cell_ids_are_the_flat_indices_of_the_cube(calls) -> None:
    meta, region, op_arrays = calls
    got = cell_ids(meta, region, op_arrays, *SHAPE[1:])
    assert _same(got, cell_ids_rule(meta, region, op_arrays, SHAPE))


def test_cell_ids_by_hand() -> None:
    """One call with one operation for its two events, one with an operation per event."""
    meta = np.array([[2, 1, 5, 2], [0, -1, 0, 2]], dtype=np.int64)
    region = np.array([0, 2, 1, 1], dtype=np.int64)
    op_arrays = np.array([3, 0], dtype=np.int64)
    got = cell_ids(meta, region, op_arrays, *SHAPE[1:])
    #  ((day * regions + region) * ops + op) * events + event
    want = [((2 * 3 + 0) * 4 + 1) * 6 + 5, ((2 * 3 + 2) * 4 + 1) * 6 + 5]
    want += [((0 * 3 + 1) * 4 + 3) * 6 + 0, ((0 * 3 + 1) * 4 + 0) * 6 + 0]
    assert got.tolist() == want
    empty = cell_ids(np.empty((0, 4), np.int64), region[:0], op_arrays[:0], *SHAPE[1:])
    assert empty.dtype == np.int64 and len(empty) == 0
    # the test can fail: the per-event operations taken in another order give other cells
    assert not np.array_equal(cell_ids(meta, region, op_arrays[::-1].copy(), 3, 4, 6), got)


@KERNEL
@given(st.lists(st.tuples(st.integers(0, 9), WEIGHTS), max_size=40))
def test_scatter_cells_adds_as_numpy_add_at(events) -> None:
    cells = np.array([c for c, _ in events], dtype=np.int64)
    weights = np.array([w for _, w in events], dtype=np.float64)
    counts = np.linspace(-2.0, 7.0, 10)  # not zero: the events are added to what is there
    want = counts.copy()
    np.add.at(want, cells, weights)
    scatter_cells(counts, cells, weights)
    assert _same(counts, want)


def test_scatter_cells_by_hand() -> None:
    """Ties add in the order given: the second order gives other bits, and the kernel follows."""
    counts = np.zeros(3)
    scatter_cells(counts, np.array([1, 1, 1], dtype=np.int64), np.array([1e16, 1.0, -1e16]))
    assert counts.tolist() == [0.0, (1e16 + 1.0) - 1e16, 0.0]
    counts = np.zeros(3)
    scatter_cells(counts, np.array([1, 1, 1], dtype=np.int64), np.array([1e16, -1e16, 1.0]))
    assert counts.tolist() == [0.0, 1.0, 0.0]
    before = counts.copy()
    scatter_cells(counts, np.empty(0, dtype=np.int64), np.empty(0))
    assert _same(counts, before)


@st.composite
def cells_and_events(draw):
    """Sorted distinct cells with values, and events sorted by cell (ties in drawn order)."""
    cells = sorted(draw(st.sets(st.integers(0, 30), max_size=12)))
    values = [draw(WEIGHTS) for _ in cells]
    new_cells = sorted(draw(st.lists(st.integers(0, 30), max_size=25)))
    new_weights = [draw(WEIGHTS) for _ in new_cells]
    return (
        np.array(cells, dtype=np.int64),
        np.array(values, dtype=np.float64),
        np.array(new_cells, dtype=np.int64),
        np.array(new_weights, dtype=np.float64),
    )


@KERNEL
@given(cells_and_events())
def test_merge_cells_adds_each_cells_events_in_order(data) -> None:
    got_cells, got_values = merge_cells(*data)
    want_cells, want_values = merge_cells_rule(*data)
    assert _same(got_cells, want_cells)
    assert _same(got_values, want_values)


@KERNEL
@given(cells_and_events(), st.randoms(use_true_random=False))
def test_add_events_sorts_the_events_stably_first(data, random) -> None:
    """``add_events`` (the ledger's call) takes the events in any order: each cell's events
    are added in the order given, whatever the order of the cells."""
    cells, values, new_cells, new_weights = data
    order = list(range(len(new_cells)))
    random.shuffle(order)
    shuffled_cells, shuffled_weights = new_cells[order], new_weights[order]
    got = add_events(cells, values, shuffled_cells, shuffled_weights)
    want = merge_cells_rule(cells, values, shuffled_cells, shuffled_weights)
    assert _same(got[0], want[0]) and _same(got[1], want[1])


def test_merge_cells_by_hand() -> None:
    cells, values = np.array([2, 5], dtype=np.int64), np.array([1.5, 1e16])
    new_cells = np.array([0, 5, 5, 5, 9], dtype=np.int64)
    new_weights = np.array([0.25, 1.0, -1e16, 1.0, -0.0])
    out_cells, out_values = merge_cells(cells, values, new_cells, new_weights)
    assert out_cells.tolist() == [0, 2, 5, 9]
    # cell 5: its value, then its events one by one; cell 9: zero plus -0.0 is +0.0
    assert out_values.tolist() == [0.25, 1.5, ((1e16 + 1.0) - 1e16) + 1.0, 0.0]
    assert not np.signbit(out_values[3])
    # no events: the cells as they were; no cells: the events' sums
    same_cells, same_values = merge_cells(cells, values, new_cells[:0], new_weights[:0])
    assert _same(same_cells, cells) and _same(same_values, values)
    only_cells, only_values = merge_cells(cells[:0], values[:0], new_cells, new_weights)
    assert only_cells.tolist() == [0, 5, 9]
    assert only_values.tolist() == [0.25, (1.0 - 1e16) + 1.0, 0.0]
    nothing = merge_cells(cells[:0], values[:0], new_cells[:0], new_weights[:0])
    assert len(nothing[0]) == len(nothing[1]) == 0
