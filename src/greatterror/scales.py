"""The range of population scales a run accepts (1:100,000 to 1:1), and the smallest scale at
which the historical scenario's outputs no longer depend on the scale.

Kept apart from ``population/build.py`` so that the command line can check a
``--scale`` without importing the population builder and its Numba kernels.
"""

from __future__ import annotations

MIN_SCALE, MAX_SCALE = 1e-5, 1.0

#: The smallest scale at which the historical scenario's calibration targets agree with those
#: at 1:100 and 1:30 within seed noise (measured on validation seeds 1-10: docs/calibration.md,
#: "Scale"). Below it, Order 00447's regional limits (300 to 1,000 people in a quarter of the
#: regions) are a fraction of one sampled person, so the regions' requests for more, which
#: wait for their used limit to pass a threshold, come later and fewer, and the mass
#: operation's figures fall by about 4% at 1:1,000 and 9% at 1:2,000.
SCALE_FREE_FROM = 0.003


def scale_warning(scale: float, what: str = "a fit") -> str | None:
    """A warning for ``what`` (a fit, a comparison, a screening, a counterfactual) run below
    ``SCALE_FREE_FROM``; None at or above it. The CLI prints it (cli/output.py ``warn_scale``)."""
    if scale >= SCALE_FREE_FROM:
        return None
    return (
        f"--scale {scale:g} (1:{1 / scale:,.0f}) is below {SCALE_FREE_FROM:g} "
        f"(1:{1 / SCALE_FREE_FROM:,.0f}), the "
        "smallest scale at which the historical scenario's outputs do not depend on the scale; "
        'Order 00447\'s figures come out lower than at 1:100 (docs/calibration.md, "Scale"), '
        f"so {what} here is biased and must be checked at 1:100"
    )
