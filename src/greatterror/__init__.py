"""greatterror: an agent-based simulation of Soviet state repression, 1934-1940.

The package holds a sourced evidence base (``greatterror.evidence``), a
synthetic population of the 1937 USSR (``greatterror.population``) and the
simulation of the repression system (``greatterror.model``). The Python
API is ``gt.Sim``, ``gt.Population``, ``gt.Ensemble`` and ``gt.Paired`` (``greatterror.api``),
which the command line and the dashboard use too.
"""

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from greatterror.api import (
        Ensemble,
        Paired,
        Population,
        Results,
        Sim,
        SimError,
        posterior_draws,
    )

try:
    __version__ = version("greatterror")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "Ensemble",
    "Paired",
    "Population",
    "Results",
    "Sim",
    "SimError",
    "__version__",
    "posterior_draws",
]

_API = {"Ensemble", "Paired", "Population", "Results", "Sim", "SimError", "posterior_draws"}


def __getattr__(name: str) -> object:
    """The API classes, imported on first use so that ``greatterror --help`` stays quick."""
    if name in _API:
        from greatterror import api

        return getattr(api, name)
    raise AttributeError(f"module 'greatterror' has no attribute {name!r}")
