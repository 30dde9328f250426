"""Conservation of convictions: a person's conviction in a case counts once in the yearly
convictions (review of 4 Dec 2026, finding on the void sentences of the halt).

The halt (M22) voids the mass operations' death sentences not yet carried out
(``steps_halt.unexecuted``) and sends their cases to the review, which releases them or
sends them to the Special Board or the courts; a case sentenced there is sentenced a second
time in the same case. The record's yearly series (Popov 1992, GARF f.9401: 'convicted by the
NKVD's organs') count the sentences passed, and the void one was passed and counted in its
year: the new sentence replaces it and is not a second conviction. The invariant: over the
run, the yearly convictions sum to the weight of the distinct (person, case) pairs sentenced
in a political case, a case being the person's arrest count (``Cases.arrests``, raised by
every new case). Run: the counterfactual halt of January 1938 (``earlier_halt``), whose
review finds the troikas' last death sentences, at 1:1,000 (a few seconds).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import greatterror as gt
from greatterror.vocabulary import NON_POLITICAL, Status

SCALE, SEED = 0.005, 1
EARLIER_HALT = "counterfactuals/earlier_halt"


def test_a_void_sentence_passed_again_is_one_conviction() -> None:
    sim = gt.Sim(EARLIER_HALT, scale=SCALE, seed=SEED, pars={"halt_release_share": 0.0})
    e = sim.engine.engine
    cases = sim.engine.world.cases
    seen: dict[tuple[int, int], float] = {}
    again: list[int] = []
    sentence = e.sentence

    def watched(day: int, idx: Any, kind: str, *args: Any, **kwargs: Any) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        political = idx[cases.op[idx] != NON_POLITICAL]
        void = (cases.status[political] == Status.AWAITING_SENTENCE) & (
            cases.sentence_day[political] >= 0
        )
        again.extend(political[void].tolist())
        weights = e.weights(political)
        for person, case, weight in zip(
            political.tolist(), cases.arrests[political].tolist(), weights.tolist(), strict=True
        ):
            seen[(person, case)] = weight
        sentence(day, idx, kind, *args, **kwargs)

    e.sentence = watched
    try:
        sim.run()
    finally:
        del e.sentence
    # the test can fail: some void sentences were passed again
    assert len(again) > 0, "no void sentence was passed again: nothing tested"
    assert all((p, int(cases.arrests[p])) in seen for p in again)
    yearly = sum(v["convicted"] for v in sim.results.summary["yearly"].values())
    assert yearly == pytest.approx(sum(seen.values()), rel=1e-9)
