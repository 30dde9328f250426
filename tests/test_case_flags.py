"""The case flags as bits of one byte (model/case_flags.py, ``Cases.has`` ... ``put``) behave as
the seven boolean arrays they replaced: each flag reads and writes its own bit only, on indices,
masks and single people, with repeated indices as NumPy's assignment treats them."""

from __future__ import annotations

import numpy as np

from greatterror.model.case_flags import COLONY, FLAGS, HOLDING, LINKED
from greatterror.model.state import Cases


def test_each_flag_behaves_as_its_own_boolean_array() -> None:
    rng = np.random.default_rng(5)
    n = 400
    cases = Cases.empty(n)
    bools = {name: np.zeros(n, dtype=bool) for name in FLAGS}
    for _ in range(300):
        name = str(rng.choice(list(FLAGS)))
        bit, old = FLAGS[name], bools[name]
        idx = rng.integers(0, n, size=int(rng.integers(0, 30)))  # repeats, any order
        action = int(rng.integers(4))
        if action == 0:
            cases.set(bit, idx)
            old[idx] = True
        elif action == 1:
            cases.clear(bit, idx)
            old[idx] = False
        elif action == 2:
            value = rng.random(len(idx)) < 0.5
            cases.put(bit, idx, value)
            old[idx] = value
        else:
            mask = rng.random(n) < 0.1
            cases.set(bit, mask)
            old[mask] = True
        for other, array in bools.items():
            np.testing.assert_array_equal(cases.unpacked(FLAGS[other]), array, other)
        probe = rng.integers(0, n, size=20)
        np.testing.assert_array_equal(cases.has(bit, probe), old[probe])
        assert bool(cases.has(bit, int(probe[0]))) == bool(old[probe[0]])
    assert all(array.any() for array in bools.values())


def test_the_bits_are_distinct_and_a_wrong_bit_is_seen() -> None:
    bits = list(FLAGS.values())
    assert len(set(bits)) == len(bits) and all(b & (b - 1) == 0 and b < 256 for b in bits)
    cases = Cases.empty(3)
    cases.set(HOLDING, np.array([1]))
    assert cases.has(HOLDING, np.array([0, 1, 2])).tolist() == [False, True, False]
    assert not cases.has(COLONY, 1) and not cases.has(LINKED, 1)
    cases.put(COLONY, 1, True)
    cases.clear(HOLDING, 1)
    assert cases.flags.tolist() == [0, COLONY, 0]
