"""The proposal of a hypothesis comparison: one logistic product per hypothesis, mixed with the prior.

pyabc perturbs each accepted particle of a hypothesis with a kernel fitted to
that hypothesis's particles of the last generation, and weighs a new particle
by its prior density over the kernel's density (Toni et al. 2009). In a
comparison of eight hypotheses with 14-33 free parameters each (6 December 2026), a hypothesis
often holds fewer particles than it has parameters. pyabc's
``MultivariateNormalTransition`` then fits a singular covariance (rank at
most the particle count less one; with one particle it uses the particle's
own absolute values as variances). A floor added to that covariance made it
proper, but in the null directions the kernel's standard deviation was the
floor, far below the prior's: each such direction multiplied the kernel's
density by 16 or more against the prior's, so a hypothesis with many more
parameters than particles got weights 1e-9 to 1e-22 of another's, and the
model probabilities after the first generation were decided by how many
parameters each hypothesis had beyond its particles, not by the data (docs/hypotheses.md, "The perturbation kernel";
``scripts/diagnose_compare_weights.py`` shows it from a database).

The kernel of 6 December (branch cmpkernel) is component-wise: each parameter is perturbed independently
by a normal whose variance is twice the weighted variance of the hypothesis's
particles in that parameter (Beaumont, Cornuet, Marin & Robert 2009,
"Adaptive approximate Bayesian computation", Biometrika 96(4):983-990;
Filippi, Barnes, Cornebise & Stumpf 2013, "On optimality of kernels for
approximate Bayesian computation using sequential Monte Carlo", Stat. Appl.
Genet. Mol. Biol. 12(1):87-107, compare it with the multivariate kernel). A
diagonal variance needs two particles, not one more than the parameters, to
be positive in every direction, and a parameter the data do not constrain
keeps the prior's spread in it.

The weighted variance is estimated with ``PSEUDO`` (one) pseudo-particle at
the prior's variance: (n_e s² + pi²/3) / (n_e + 1), n_e the weights' effective
size (Kish). The parameters are on the logistic scale of their priors
(``compare.LogisticModel``), where every prior has variance pi²/3 (standard
deviation about 1.81). This is one rule for any particle count: a single
particle, or weights that rest on one particle, give a kernel as wide as the
prior instead of pyabc's rule for one particle (its absolute values as
variances) or a fixed floor, which with degenerate weights would again be the
kernel's width in every direction. At an effective size of 60 the pseudo-
particle adds a floor of sd 0.33 (18% of the prior's spread). The
pseudo-particle is a stated choice, not taken from a source.

A proposal not centred on the particles (review23 F11). The component-wise kernel is still a
mixture of normals centred on the particles, and in d parameters the data leave free
such a mixture of tens of particles is much denser than the prior near its own draws:
in a toy of two models of equal evidence, 4 against 16 parameters of which only one is
read, ~20 particles each, the 4-parameter model got 0.71, 0.91 and 0.99 of the
probability in generations 2-4 (mean of 10 seeds; ``scripts/toy_compare_kernel.py``).
Each free parameter lowers the log weight of a typical particle by about 0.4 and
widens its spread, whatever the kernel's width, so a hypothesis's probability falls
with its parameter count (``scripts/first_step_weights.py``). The proposal is therefore an
independence proposal (``IndependentLogisticTransition``, and the comparison's
``DefensiveLogisticTransition`` below, which mixes it with the prior): every new particle of a hypothesis is drawn from one
product of logistic distributions (the priors' family on this scale) whose means and
variances are the weighted particles' pooled with the pseudo-particle above, not
around an old particle (an independence proposal, as in adaptive importance sampling:
Oh & Berger 1992, "Adaptive importance sampling in Monte Carlo integration", J. Stat.
Comput. Simul. 41:143-168; Cappe, Guillin, Marin & Robert 2004, "Population Monte
Carlo", J. Comput. Graph. Stat. 13:907-929). In a parameter the data leave free, the
proposal is then close to the prior and the weight's factor close to one. In the same
toy the 4-parameter model got 0.55, 0.55 and 0.63; a normal instead of a logistic
family (``IndependentNormalTransition``) 0.59, 0.55 and 0.69. What is left comes from
the proposal's means and variances estimated from a few effective particles in every
free direction. The cost: one product distribution fits a curved or correlated
posterior worse than a mixture around the particles, so fewer proposals are accepted
there (not measured on the hypotheses).

The defensive mixture (review23 F1). An independence proposal narrower than the prior in
some direction (a parameter the data inform weakly, or an inert one whose variance was
estimated from a few effective particles) has lighter tails there than the prior, and
the weights prior/proposal then have an unbounded variance: in the toy above (4 against
16 parameters, seed 2) the 16-parameter model's effective size fell to about 1 and the
quantile threshold with it, and one generation needed some 30,000 simulations instead of
1,000-2,000. The comparison's proposal (``DefensiveLogisticTransition``) is therefore
the mixture (1 - a) x the fitted product + a x the prior (Hesterberg 1995, "Weighted
average importance sampling and defensive mixture distributions", Technometrics
37:185-194; Owen & Zhou 2000, "Safe and effective importance sampling", JASA
95:135-143): a draw comes from the prior with probability a, and ``pdf`` is the
mixture's density, so the weights stay exact and prior/proposal <= 1/a everywhere.
a = ``DEFENSIVE_SHARE`` = 0.1, a stated choice, not fitted to the toys: it bounds every
weight at ten times the prior's, and it costs at most one proposal in ten drawn from the
prior, whose acceptance after the first generations is low (a tenth of the simulations
at most); 0.2 would halve the bound and double that cost.

Each kernel is a proper density that pyabc both samples from (``rvs_single``) and
evaluates (``pdf``), so the importance weights stay exact. ``FlooredNormalTransition``,
the kernel of comparisons made before 6 December 2026, and
``ComponentwiseNormalTransition``, the kernel between 6 December and review23, stay so
that ``scripts/diagnose_compare_weights.py`` can reconstruct their weights and the
tests and toys can show their failures.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyabc
import scipy.stats as st

#: Standard deviation of every prior on the logistic scale (the standard logistic distribution).
PRIOR_SD = math.pi / math.sqrt(3.0)
#: Pseudo-particles at the prior's variance in the variance estimate.
PSEUDO = 1.0
#: Kernel variance over the particles' weighted variance (Beaumont et al. 2009).
VARIANCE_FACTOR = 2.0
#: The prior's share in the comparison's proposal (the module's docstring, "The defensive mixture").
DEFENSIVE_SHARE = 0.1
#: The floor of the kernel of comparisons made before 6 December 2026 (``FlooredNormalTransition``).
OLD_FLOOR_SD = 0.1


def weighted_variances(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Each column's variance under the normalised weights ``w`` (zero for one particle)."""
    w = np.asarray(w, dtype=float) / float(np.sum(w))
    mean = w @ x
    variances: np.ndarray = w @ (x - mean) ** 2
    return variances


class ComponentwiseNormalTransition(pyabc.MultivariateNormalTransition):
    """A normal kernel with diagonal covariance 2 x the variances shrunk toward the prior's.

    Sampling and the density are pyabc's (``MultivariateNormalTransition.rvs_single``
    and ``pdf``: a mixture over the particles with their weights); only the fit differs.
    """

    def fit(self, X: Any, w: np.ndarray) -> None:
        self._X_arr = np.asarray(X.values, dtype=float)
        w = np.asarray(w, dtype=float) / float(np.sum(w))
        ess = 1.0 / float(np.sum(w**2))
        shrunk = (ess * weighted_variances(self._X_arr, w) + PSEUDO * PRIOR_SD**2) / (ess + PSEUDO)
        self.cov = np.diag(VARIANCE_FACTOR * shrunk)
        self.normal = st.multivariate_normal(cov=self.cov)
        self._range = np.arange(len(self._X_arr))


class FlooredNormalTransition(pyabc.MultivariateNormalTransition):
    """The former kernel: pyabc's multivariate fit plus ``OLD_FLOOR_SD``² on every variance."""

    def fit(self, X: Any, w: np.ndarray) -> None:
        super().fit(X, w)
        fitted: np.ndarray = np.asarray(getattr(self, "cov"))  # noqa: B009 (pyabc sets it untyped)
        self.cov = fitted + np.eye(fitted.shape[0]) * OLD_FLOOR_SD**2
        self.normal = st.multivariate_normal(cov=self.cov)


def pooled_moments(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's mean and variance over the weighted particles pooled with ``PSEUDO``
    pseudo-particles from the prior (mean 0, variance ``PRIOR_SD``²), the particles
    counting as their effective size (Kish).

    The pseudo-particle also moves the mean toward 0 and, where the particles lie away
    from 0, widens the variance by the between-means term (particles at 3 with sd 0.2
    and an effective size of 20 give a pooled variance of 0.603, sd 0.78): the proposal is
    then wider than the particles in that direction, which costs acceptance, not exactness
    (review23 F2; ``scripts/toy_compare_kernel.py --observed 3``)."""
    w = np.asarray(w, dtype=float) / float(np.sum(w))
    ess = 1.0 / float(np.sum(w**2))
    mean = w @ x
    pooled_mean = ess * mean / (ess + PSEUDO)
    spread = ess * (weighted_variances(x, w) + (mean - pooled_mean) ** 2)
    prior = PSEUDO * (PRIOR_SD**2 + pooled_mean**2)
    pooled_var: np.ndarray = (spread + prior) / (ess + PSEUDO)
    return pooled_mean, pooled_var


class IndependentNormalTransition(pyabc.transition.Transition):
    """An independence proposal: one normal with the particles' pooled means and variances,
    mixed with the prior in the share ``DEFENSIVE`` (zero here: no mixture).

    Every new particle is drawn from the same product of normals, not around an old
    particle, so the density that weighs it has no peaks at the old particles (the module's
    docstring, "A proposal not centred on the particles"). Kept for the toys; the comparison uses
    ``DefensiveLogisticTransition``.

    Its draws (the choice between the prior and the product, and either draw) come from numpy's
    global state, not from a named stream of their own: pyabc forces it (review24 F8). pyabc
    draws the model, the old particle and its own transitions' perturbations from that state,
    and its samplers pickle the transition into each worker and reseed only the global state
    there (pyabc 0.13.0, ``sampler/multicore_evaluation_parallel.py``, ``work``:
    ``np.random.seed()`` before the first draw; ``sampler/eps_mixin.py``,
    ``_global_full_submit_function_pickle``, likewise for each Dask batch). A Generator held by the transition would reach
    every worker and every batch in the same state and propose the same particles in each.
    With one core the global state is seeded per run (compare.py, ``spec.seed * 1000 +
    spec.index``); with workers pyabc seeds them from the system's entropy, so such runs are
    not reproducible draw by draw, whichever stream the proposal used."""

    #: The family of each parameter's proposal, and its standard deviation at scale 1.
    FAMILY: Any = st.norm
    SD_PER_SCALE = 1.0
    #: The prior's share in the proposal (the module's docstring, "The defensive mixture").
    DEFENSIVE = 0.0

    def fit(self, X: Any, w: np.ndarray) -> None:
        self._columns = list(X.columns)
        mean, var = pooled_moments(np.asarray(X.values, dtype=float), w)
        self._mean, self._sd = mean, np.sqrt(var) / self.SD_PER_SCALE
        self.cov = np.diag(var)  # the fitted product's covariance (read by the diagnosis script)

    def rvs_single(self) -> Any:
        if self.DEFENSIVE > 0.0 and np.random.uniform() < self.DEFENSIVE:
            draw = st.logistic.rvs(size=len(self._columns))  # the prior on the logistic scale
        else:
            draw = self.FAMILY.rvs(self._mean, self._sd)
        return pyabc.Parameter(dict(zip(self._columns, np.atleast_1d(draw).tolist(), strict=True)))

    def pdf(self, x: Any) -> Any:
        if hasattr(x, "columns"):  # a DataFrame of particles
            values = np.asarray(x[self._columns].to_numpy(), dtype=float)
        else:  # one particle (a pyabc Parameter or a Series)
            values = np.array([x[name] for name in self._columns], dtype=float)
        density = self.FAMILY.logpdf(values, self._mean, self._sd).sum(axis=-1)
        if self.DEFENSIVE > 0.0:
            prior = st.logistic.logpdf(values).sum(axis=-1)
            density = np.logaddexp(
                math.log1p(-self.DEFENSIVE) + density, math.log(self.DEFENSIVE) + prior
            )
        return np.exp(density) if np.ndim(density) else float(np.exp(density))


class IndependentLogisticTransition(IndependentNormalTransition):
    """The independence proposal with logistic instead of normal margins (the priors' family),
    without the prior in the mixture: the proposal of review23, kept for the toys (F1)."""

    FAMILY = st.logistic
    SD_PER_SCALE = PRIOR_SD


class DefensiveLogisticTransition(IndependentLogisticTransition):
    """The comparison's proposal: (1 - ``DEFENSIVE_SHARE``) x the logistic product +
    ``DEFENSIVE_SHARE`` x the prior (Hesterberg 1995), so that prior / proposal <= 1 / share."""

    DEFENSIVE = DEFENSIVE_SHARE
