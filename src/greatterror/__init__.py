"""greatterror: an agent-based simulation of Soviet state repression, 1934-1940.

The package holds a sourced evidence base (``greatterror.evidence``), a
synthetic population of the 1937 USSR (``greatterror.population``) and the
simulation of the repression system (``greatterror.model``).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("greatterror")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
