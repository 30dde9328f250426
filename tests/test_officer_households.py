"""The households of the officers below the elite (issue 9): Order 00486 reaches their wives.

The elite layer's officers (the army's command staff below the high command, the NKVD's
state-security officers) were single rows until branch army37, so the order, which named the
wives of the men the Military Collegium and the military tribunals convicted, reached none
of theirs (model/families.py). Their households are drawn on a stream of their own and
inserted after them (population/elite.py ``officer_households``).
"""

from __future__ import annotations

import numpy as np
import pytest

from greatterror.model.families import wives_of
from greatterror.population.build import POPULATION_STREAM
from greatterror.population.codes import ADULT_AGE, Elite
from greatterror.population.elite import OFFICER_ELITE, elite_layer, officer_households
from greatterror.population.groups import Groups
from greatterror.population.inputs import load_inputs
from greatterror.population.spec import build_spec


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, POPULATION_STREAM, stream]))


@pytest.fixture(scope="module")
def layers() -> tuple[dict, dict]:
    inputs = load_inputs()
    spec = build_spec(inputs)
    plain = elite_layer(inputs.regions, spec, _rng(1, 100_000))
    copy = {k: v.copy() for k, v in plain.items()}
    return plain, officer_households(copy, spec, _rng(1, 100_001))


def test_every_other_row_keeps_its_attributes_and_order(layers) -> None:
    plain, full = layers
    inserted = np.zeros(len(full["elite"]), dtype=bool)
    sizes = full["_sizes"]
    starts = np.cumsum(sizes) - sizes
    officer = (full["elite"][starts] & OFFICER_ELITE) != 0
    for s, n in zip(starts[officer].tolist(), sizes[officer].tolist(), strict=True):
        inserted[s + 1 : s + n] = True
    for name, values in plain.items():
        if name != "_sizes":
            assert np.array_equal(full[name][~inserted], values), name
    assert np.array_equal(sizes[~officer], plain["_sizes"][~officer])
    assert (plain["_sizes"][officer] == 1).all()
    assert (full["elite"][inserted] == int(Elite.ELITE_FAMILY)).all()


def test_officers_have_households_and_most_have_a_wife(layers) -> None:
    _, full = layers
    sizes = full["_sizes"]
    indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    household = np.repeat(np.arange(len(sizes)), sizes)
    officers = np.flatnonzero(
        ((full["elite"] & OFFICER_ELITE) != 0) & ((full["elite"] & Elite.ELITE_FAMILY) == 0)
    )
    assert len(officers) > 150_000
    wives, _ = wives_of(
        Groups(indptr=indptr, members=None),
        household[officers],
        full["age"],
        full["male"],
        officers,
    )
    # the census households' prior gives an adult woman to about two officers in three
    assert 0.55 < len(wives) / len(officers) < 0.8
    assert (full["age"][wives] >= ADULT_AGE).all() and not full["male"][wives].any()
