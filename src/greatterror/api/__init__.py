"""The Python API: ``Sim``, ``Population``, ``Ensemble`` and their results.

The command line and the dashboard call these same classes, so a notebook,
the CLI and the web page run one code path. Import them from the package
root (``import greatterror as gt; gt.Sim(...)``).
"""

from greatterror.api.ensemble import Ensemble
from greatterror.api.paired import Paired
from greatterror.api.posterior import posterior_draws
from greatterror.api.results import Results
from greatterror.api.sim import Sim, SimError
from greatterror.population.people import Population

__all__ = ["Ensemble", "Paired", "Population", "Results", "Sim", "SimError", "posterior_draws"]
