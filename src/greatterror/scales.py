"""The range of population scales a run accepts (1:100,000 to 1:1).

Kept apart from ``population/build.py`` so that the command line can check a
``--scale`` without importing the population builder and its Numba kernels.
"""

from __future__ import annotations

MIN_SCALE, MAX_SCALE = 1e-5, 1.0
