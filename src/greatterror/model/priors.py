"""Prior distributions of the parameters, as declared in data/parameters.csv.

A prior is a kind and its arguments. Every prior must be proper (a finite
total mass) and give positive probability only inside the parameter's
declared range, so that anything drawn from it is a value ``--set`` would
accept. The kinds, and how their arguments read:

- ``uniform A B``: uniform on [A, B];
- ``loguniform A B``: uniform in log on [A, B], with 0 < A < B;
- ``normal MU SIGMA``: normal, truncated to the parameter's range [low, high];
- ``beta ALPHA BETA``: a beta distribution stretched over [low, high];
- ``fixed``: not a distribution; the parameter is never fitted.

Each prior is also a frozen SciPy distribution (``frozen``): pyabc, SALib
(through the inverse CDF) and the checks all draw from that one object.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

PriorKind = Literal["uniform", "loguniform", "normal", "beta", "fixed"]
PRIOR_KINDS: tuple[str, ...] = ("uniform", "loguniform", "normal", "beta", "fixed")
N_ARGS = {"uniform": 2, "loguniform": 2, "normal": 2, "beta": 2, "fixed": 0}


class Prior(BaseModel):
    """A parameter's prior, with the range it is truncated to."""

    model_config = ConfigDict(frozen=True)
    kind: PriorKind
    args: tuple[float, ...]
    low: float
    high: float

    def problem(self) -> str | None:
        """Why this prior is improper or leaves the range; None when it is sound."""
        if len(self.args) != N_ARGS[self.kind]:
            return f"{self.kind} takes {N_ARGS[self.kind]} arguments, got {len(self.args)}"
        if not all(math.isfinite(a) for a in self.args):
            return "arguments must be finite numbers"
        if self.kind in ("uniform", "loguniform"):
            a, b = self.args
            if not a < b:
                return f"needs A < B, got {a:g} and {b:g}"
            if self.kind == "loguniform" and a <= 0:
                return f"log-uniform needs a lower bound above 0, got {a:g}"
            if a < self.low or b > self.high:
                return f"support [{a:g}, {b:g}] leaves the range [{self.low:g}, {self.high:g}]"
        if self.kind == "normal" and not self.args[1] > 0:
            return f"needs SIGMA > 0, got {self.args[1]:g}"
        if self.kind == "beta" and not (self.args[0] > 0 and self.args[1] > 0):
            return "needs ALPHA > 0 and BETA > 0"
        if self.kind in ("normal", "beta") and not self.low < self.high:
            return "the parameter's range is empty"
        return None

    @property
    def support(self) -> tuple[float, float]:
        """The interval the prior puts its mass on."""
        if self.kind in ("uniform", "loguniform"):
            return (self.args[0], self.args[1])
        return (self.low, self.high)

    def scipy_spec(self) -> tuple[str, tuple[float, ...], dict[str, float]]:
        """The SciPy distribution's name, positional and keyword arguments."""
        if self.kind == "uniform":
            a, b = self.args
            return ("uniform", (), {"loc": a, "scale": b - a})
        if self.kind == "loguniform":
            return ("loguniform", self.args, {})
        if self.kind == "normal":
            mu, sigma = self.args
            bounds = ((self.low - mu) / sigma, (self.high - mu) / sigma)
            return ("truncnorm", bounds, {"loc": mu, "scale": sigma})
        if self.kind == "beta":
            return ("beta", self.args, {"loc": self.low, "scale": self.high - self.low})
        raise ValueError("a fixed parameter has no prior distribution")

    def frozen(self) -> Any:
        """The prior as a frozen ``scipy.stats`` distribution."""
        import scipy.stats

        name, args, kwargs = self.scipy_spec()
        return getattr(scipy.stats, name)(*args, **kwargs)

    def describe(self) -> str:
        """The prior as a short formula, e.g. ``loguniform(1e-06, 0.005)``."""
        if self.kind == "fixed":
            return "fixed"
        if self.kind == "normal":
            mu, sigma = self.args
            return f"normal({mu:g}, {sigma:g}) in [{self.low:g}, {self.high:g}]"
        if self.kind == "beta":
            return f"beta({self.args[0]:g}, {self.args[1]:g}) on [{self.low:g}, {self.high:g}]"
        return f"{self.kind}({self.args[0]:g}, {self.args[1]:g})"
