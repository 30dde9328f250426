"""The acceptance threshold of fits and comparisons: a quantile that never lands on the runaway tie.

A simulation stopped as a runaway gets one fixed statistic on every target
(``simulator.RUNAWAY_STATISTIC``), so all runaways of a generation lie at the
same, largest distance. When they are more than ``1 - alpha`` of the draws
(half or more of the draws from the priors of several hypothesis scenarios),
the alpha-quantile of the distances is that distance, and a threshold
``d <= epsilon`` accepts every draw: the "posterior" is then the prior. The
trial comparison of 3 December 2026 met this in one run of three
(docs/hypotheses.md). Here, when two or more draws share the largest distance (a tie) and
the quantile lies above every distance but the largest, it is taken again over the distances
below the largest, so the runaways are never accepted while any other draw exists. A single
largest distance is not a tie and is left to pyabc's rule: taking it for one made a high
quantile of a few draws fall to the second-lowest distance, and a tiny comparison then
accepted almost nothing (4 Dec 2026). This module imports pyabc, which is
optional, so it is only imported when a comparison is built.
"""

from __future__ import annotations

from typing import Any

import pyabc


class BelowTieQuantileEpsilon(pyabc.QuantileEpsilon):
    """pyabc's quantile threshold, taken below the largest distance when it would equal it."""

    def _update(self, t: int, weighted_distances: Any) -> None:
        super()._update(t, weighted_distances)
        distances = weighted_distances.distance.to_numpy()
        top = distances.max()
        below = distances < top
        tie = len(distances) - int(below.sum()) >= 2  # a single largest distance is no tie
        # interpolated between the last distance below the tie and the tie, or on it
        if tie and below.any() and self._look_up[t] > distances[below].max():
            super()._update(t, weighted_distances[below])
