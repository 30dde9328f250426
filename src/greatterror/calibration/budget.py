"""A simulation budget that also binds inside a generation (the hypothesis comparison's).

pyabc's ``max_total_nr_simulations`` (``ABCSMC.run``, the fit's
``--max-simulations``) is checked only after a generation is complete. A
comparison's first threshold is a quantile of a few prior draws; an unlucky
one accepts almost nothing, and its first generation then samples for hours
before any check. pyabc's samplers can stop a generation themselves at
``max_eval`` evaluations (``check_max_eval``); ``cap_sampler`` sets that limit
to what is left of the budget when each generation starts. A generation
stopped so is not stored (pyabc discards a sample that is not complete), and
the run ends there; ``--resume`` with the same settings tries it again.

The Dask sampler does not honour ``max_eval`` (pyabc 0.13): with
``--dask-scheduler`` the budget is checked only between generations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def cap_sampler(sampler: Any, remaining: Callable[[], float]) -> Any:
    """``sampler``, whose every generation stops after ``remaining()`` evaluations at most.

    The calibration sample from the prior (``all_accepted``) is left alone: it
    needs exactly one evaluation per particle.
    """
    original = sampler.sample_until_n_accepted

    def capped(
        n: int,
        simulate_one: Any,
        t: int,
        *,
        max_eval: float = float("inf"),
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        limit = max_eval if all_accepted else min(max_eval, max(remaining(), 0))
        return original(
            n, simulate_one, t, max_eval=limit, all_accepted=all_accepted, ana_vars=ana_vars
        )

    sampler.check_max_eval = True
    sampler.sample_until_n_accepted = capped
    return sampler


def simulations_left(budget: int | None, history: Any) -> float:
    """What is left of ``budget`` after the simulations a run has stored (inf without one)."""
    if budget is None:
        return float("inf")
    return float(budget - int(history.total_nr_simulations or 0))
