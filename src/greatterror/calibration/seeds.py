"""Fitting seeds and validation seeds: two ranges that never meet.

A fit judged on the seeds it was fitted with would report its own luck as
agreement with the record. So every run a fit makes (the population of a
fit, each particle's simulation, the re-check of candidate points before a
fit is applied) uses a seed of ``FIT_SEED_BASE`` (1,000,000) or more, and
every validation run (docs/validation.md's in-sample and out-of-sample
tables, the posterior predictive check of ``greatterror calibrate show
--check``) uses seeds below it, 1 to 10 by default. The functions here are
the only places those seeds are made, and they refuse a seed of the other
range (tests/test_refit.py).

The gate that decides whether a fitted point replaces the shipped values
(calibration/gate.py) runs outside every range a fit reaches. A fit's
populations are built from ``population_seed`` (``FIT_SEED_BASE`` plus a fit
seed, so 1,000,000 to 1,999,999), and the elite layer of a population depends
on that seed alone, not on the scale (population/build.py): a gate seed inside
that range would give the gate the elite layer a fit or its re-check selected
points on (review14 F4). So the gate's seeds start at ``GATE_SEED_BASE``
(2,000,000), above every population seed:

- ``GATE_SEEDS``, 2,000,001-2,000,010: gate 2's runs at 1:100, the validity
  check (calibration/validity.py) on the first three;
- ``margin_seeds(n)``, 2,100,001-2,100,000 + n: gate 1's fresh runs at the
  fit's scale, after the re-check seeds have chosen the point, so that the test
  of the margin does not reuse the runs the choice was made on (review14 F3).

The gate's runs take population and streams from the one seed (model/run.py
``simulate``). A fit's simulation seeds are hashed over [FIT_SEED_BASE,
SEED_CEILING) and so may, with a chance of about one in 10^8 per run, equal a
gate seed; that would share a run's streams, never its population.
tests/test_gate.py checks that the named ranges do not meet.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

#: Fitting seeds start here; validation seeds lie below.
FIT_SEED_BASE = 1_000_000
#: A fit's own ``--seed`` (from which its seeds derive) is 0 to this.
MAX_FIT_SEED = FIT_SEED_BASE - 1
#: The validation seeds of docs/validation.md.
VALIDATION_SEEDS: tuple[int, ...] = tuple(range(1, 11))
#: The apply gate's seeds start above every fit's population seed (population_seed).
GATE_SEED_BASE = 2_000_000
#: Gate 2's runs at 1:100 (calibration/gate.py), ten as in the validation tables.
GATE_SEEDS: tuple[int, ...] = tuple(GATE_SEED_BASE + i for i in range(1, 11))
#: Gate 1's fresh runs at the fit's scale: MARGIN_SEED_BASE + 1, + 2, ...
MARGIN_SEED_BASE = 2_100_000
#: At most this many margin seeds (they stay below GATE_SEED_BASE + 200,000).
MAX_MARGIN_SEEDS = 99_999
#: Simulation seeds of a fit lie in [FIT_SEED_BASE, SEED_CEILING).
SEED_CEILING = 2**31


class SeedRangeError(ValueError):
    """A seed from the wrong range: the message names the option and the allowed values."""


def check_fit_seed(seed: int, field: str = "--seed") -> int:
    """A fit's own seed, from which its population and simulation seeds derive."""
    if not 0 <= seed <= MAX_FIT_SEED:
        raise SeedRangeError(
            f"{field}: {seed} is out of range; allowed values: 0 to {MAX_FIT_SEED:,}"
        )
    return seed


def check_fit_seeds(
    seed: int, count: int, field: str = "--seed", counted: str = "--repeats"
) -> int:
    """The first of ``count`` consecutive fit seeds (``seed``, ``seed + 1``, ...; a
    comparison's repeats): each must be a fit seed, so the last one bounds the first."""
    check_fit_seed(seed, field)
    if (last := seed + count - 1) > MAX_FIT_SEED:
        raise SeedRangeError(
            f"{field}: {seed} is out of range with {counted} {count} (its runs' fit seeds go "
            f"to {last:,}); allowed values: 0 to {MAX_FIT_SEED - count + 1:,}"
        )
    return seed


def check_validation_seeds(seeds: Iterable[int], field: str = "--seeds") -> tuple[int, ...]:
    """Validation seeds: each below the fitting range (and not negative)."""
    out = tuple(int(s) for s in seeds)
    bad = [s for s in out if not 0 <= s < FIT_SEED_BASE]
    if bad or not out:
        raise SeedRangeError(
            f"{field}: {', '.join(map(str, bad)) or 'none given'}; validation seeds are 0 to "
            f"{FIT_SEED_BASE - 1:,} (seeds from {FIT_SEED_BASE:,} up are the fits' own)"
        )
    return out


def is_fit_seed(seed: int) -> bool:
    return FIT_SEED_BASE <= seed < SEED_CEILING


def population_seed(seed: int) -> int:
    """The seed of a fit's synthetic population."""
    return FIT_SEED_BASE + check_fit_seed(seed)


def _hashed(*parts: bytes) -> int:
    digest = hashlib.blake2b(digest_size=8)
    for part in parts:
        digest.update(part)
    return FIT_SEED_BASE + int.from_bytes(digest.digest(), "little") % (
        SEED_CEILING - FIT_SEED_BASE
    )


def simulation_seed(seed: int, values: dict[str, float]) -> int:
    """A particle's simulation seed: the fit seed and its parameter values, hashed."""
    parts = [str(check_fit_seed(seed)).encode()]
    for name in sorted(values):
        parts += [name.encode(), np.float64(values[name]).tobytes()]
    return _hashed(*parts)


def recheck_seeds(seed: int, count: int) -> tuple[int, ...]:
    """Other fit seeds on which ``calibrate apply`` re-runs its candidate points.

    Each is a fit seed (so its population and simulation seeds lie in the
    fitting range) other than the fit's own, so that the choice between
    candidates is not made on the population and streams that selected them.
    """
    check_fit_seed(seed)
    return tuple((seed + 1 + i) % FIT_SEED_BASE for i in range(count))


def margin_seeds(count: int) -> tuple[int, ...]:
    """Gate 1's seeds: fresh, so that the margin is not tested on the runs that chose the point."""
    if not 1 <= count <= MAX_MARGIN_SEEDS:
        raise SeedRangeError(f"margin seeds: {count}; allowed: 1 to {MAX_MARGIN_SEEDS:,}")
    return tuple(MARGIN_SEED_BASE + i for i in range(1, count + 1))
