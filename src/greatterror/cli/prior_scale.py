"""The check of --prior-scale, shared by `hypotheses compare` and `reference choose`.

Both read the option as a factor by which every prior is scaled about its centre
(``compare.scaled_prior``). The joint ABC-SMC comparison draws anew, so it can widen (a
factor above 1) as well as narrow; a reference table's rows were drawn from its priors (the
declared ones, or those scaled by `reference build --prior-scale`) and can only be
reweighted to narrower priors (calibration/reference_prior.py), so `reference choose` takes
a factor below 1 only (review26 F7: the two had a check each, with
different rules).
"""

from __future__ import annotations

import math

from greatterror.cli.output import fail


def check_prior_scales(values: list[float], widen: bool) -> tuple[float, ...]:
    """Each value finite, above 0 and not 1, and below 1 unless ``widen``; distinct. Exit 2
    naming --prior-scale otherwise."""
    for v in values:
        if not widen and v > 1 and math.isfinite(v):
            fail(
                f"--prior-scale: {v:g} widens the table's priors, which reweighting its rows "
                "cannot read (its draws do not reach the widened priors' mass); allowed: "
                "above 0 and below 1. Widened priors need new draws: build a table from them "
                "(reference build --prior-scale F), or use hypotheses compare --prior-scale F"
            )
        if not (math.isfinite(v) and v > 0 and v != 1.0):
            allowed = (
                "a positive finite number other than 1 (below 1 narrows every prior, above 1 "
                "widens it)"
                if widen
                else "a number above 0 and below 1 (1 is the declared priors, read without the "
                "option)"
            )
            fail(f"--prior-scale: {v:g} is not allowed; allowed: {allowed}")
    if len(set(values)) != len(values):
        fail("--prior-scale: a value is given twice; allowed: distinct numbers")
    return tuple(float(v) for v in values)
