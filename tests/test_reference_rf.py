"""The ABC random forest (reference_rf) on toys whose answer is known.

The 9-way noise toy: 9 hypotheses that cannot be told apart, 29 N(0,1) statistics (as
many as the calibration targets) and no signal. The true prior error is 8/9, and the
posterior probability of any selected hypothesis is 1/9.
"""

from __future__ import annotations

import numpy as np
import pytest

from greatterror.calibration.reference_rf import forest_choice

pytest.importorskip("sklearn")
LABELS = [f"H{i}" for i in range(1, 10)]
NAMES = [f"s{i}" for i in range(29)]


def noise(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n rows per hypothesis of 29 N(0,1) statistics, the same for every hypothesis."""
    rng = np.random.default_rng(seed)
    hypothesis = np.repeat(np.array(LABELS), n)
    return rng.standard_normal((len(hypothesis), len(NAMES))), hypothesis


@pytest.mark.parametrize("n", [10, 30])
def test_lda_axes_do_not_leak_into_the_prior_error_on_a_small_table(n: int) -> None:
    # LDA axes fitted on every row made this 0.68 at n=10 and 0.80 at n=30 (review 25, F1)
    errors = []
    for seed in range(3):
        x, hypothesis = noise(n, seed)
        f = forest_choice("pooled", x, hypothesis, NAMES, LABELS, trees=200, seed=seed)
        assert f.lda_axes == 8
        errors.append(f.prior_error)
    assert abs(np.mean(errors) - 8 / 9) < 0.05, errors


@pytest.mark.parametrize("n", [5, 50])
def test_nine_indistinguishable_hypotheses_give_no_confident_choice(n: int) -> None:
    # the truth: P(selected) = 1/9 and each hypothesis about 1/9 of the votes. Pudlo et al.'s
    # regression forest is conservative here (0.00-0.04 at n=50-100): the bound is 0.25, well
    # below the 0.80-0.97 the leaking LDA axes gave at n=5 (review 25, F1 and F9)
    for seed in range(2):
        x, hypothesis = noise(n, seed)
        f = forest_choice("pooled", x, hypothesis, NAMES, LABELS, trees=200, seed=seed)
        assert 0.0 <= f.posterior < 0.25, (seed, f.posterior)
        assert f.votes[f.selected] < f.trees / 4, (seed, f.votes)


def test_the_forest_seed_is_used() -> None:
    x, hypothesis = noise(10, 0)
    read = [
        forest_choice("pooled", x, hypothesis, NAMES, LABELS, trees=50, seed=s).as_dict()
        for s in (0, 0, 1)
    ]
    assert read[0] == read[1]  # the same seed: the same forest
    assert read[0]["importance"] != read[2]["importance"]  # another seed: another forest
    assert read[0]["votes"] != read[2]["votes"]
