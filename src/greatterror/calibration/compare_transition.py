"""The perturbation kernel of a hypothesis comparison: pyabc's normal kernel with a floor.

pyabc's ``MultivariateNormalTransition`` fits the kernel's covariance to the
particles a hypothesis holds in the last generation. In a comparison of eight
hypotheses with 16-31 free parameters each, a hypothesis can keep one to a few
particles: the sample covariance is then singular (rank below the number of
parameters; with one particle pyabc uses the particle's own absolute values
as variances, zero where a value is zero), and scipy gives a proposal that
lies numerically off that degenerate support a density of exactly zero. pyabc
divides the prior density by this transition density, so the particle's weight
is infinite and the generation's weights are NaN (a comparison of 4 Dec 2026
stopped so, in its third generation: "The population total weight nan is not
normalized").

The kernel here adds ``FLOOR_SD``² to every variance after pyabc's fit. The
parameters are on the logistic scale of their priors (``compare.LogisticModel``),
where every prior has the standard deviation pi / sqrt(3), about 1.81, so the
floor is the same small fraction (about 6%) of every prior's spread. The
kernel is still a proper density that pyabc both samples from and evaluates, so
the importance weights stay exact: a wider kernel lowers the acceptance rate,
it does not bias the posterior.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyabc
import scipy.stats as st

#: The least standard deviation of the kernel in every parameter, on the logistic scale.
FLOOR_SD = 0.1


class FlooredNormalTransition(pyabc.MultivariateNormalTransition):
    """pyabc's multivariate normal kernel whose variances are at least ``FLOOR_SD``²."""

    def fit(self, X: Any, w: np.ndarray) -> None:
        super().fit(X, w)
        fitted: np.ndarray = np.asarray(getattr(self, "cov"))  # noqa: B009 (pyabc sets it untyped)
        self.cov = fitted + np.eye(fitted.shape[0]) * FLOOR_SD**2
        self.normal = st.multivariate_normal(cov=self.cov)
