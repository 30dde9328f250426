"""The named tuples the kernels take (``model/kernels.py``), so that arrays go by name.

A kernel reads ``cases.status`` rather than its fifth argument: two arrays
given in each other's place fail to compile instead of running silently.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray


class CaseArrays(NamedTuple):
    """The per-person case arrays (``state.Cases``), as the kernels read and change them."""

    status: NDArray[np.uint8]
    op: NDArray[np.uint8]
    arrest_day: NDArray[np.int16]
    sentence_day: NDArray[np.int16]
    #: the case flags, one bit each (model/case_flags.py)
    flags: NDArray[np.uint8]
    arrests: NDArray[np.uint8]


class Layers(NamedTuple):
    """Per person: region and layer; per layer (mass, elite): the full-population weight."""

    region: NDArray[np.integer]
    is_elite: NDArray[np.bool_]
    weight_of_layer: NDArray[np.float64]


class ArrestOrder(NamedTuple):
    """What an arrest opens: the operation, the day, and whether camp prisoners may be taken."""

    op_code: int
    day: int
    allow_in_camp: bool
    camps_region: int


class Closing(NamedTuple):
    """How cases close: the new status, and the sentence day (-1: leave it as it is)."""

    status: int
    sentence_day: int


class Limits(NamedTuple):
    """The regions' Order 00447 limits and their use, per category."""

    limit1: NDArray[np.float64]
    used1: NDArray[np.float64]
    limit2: NDArray[np.float64]
    used2: NDArray[np.float64]


class TroikaQueue(NamedTuple):
    """The troika's waiting cases, in queue order: region, weight, two uniforms (one
    draws the wished category, one decides a case that only partly fits a limit), and
    whether the case is of the first category's July list (model/order_start.py)."""

    region: NDArray[np.int64]
    weight: NDArray[np.float64]
    u_wish: NDArray[np.float64]
    u: NDArray[np.float64]
    first: NDArray[np.bool_]


class ConfessionRule(NamedTuple):
    """Today's confession probability, the loyalty boost, the party code it applies to."""

    base: float
    boost: float
    member: int
    capitulation: bool
