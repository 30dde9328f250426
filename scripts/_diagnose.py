"""What the diagnostic scripts share: the historical run from their command-line options.

``--set`` is read by the CLI's own parser (``greatterror.cli.run.parse_sets``: parameters and
mechanism switches, e.g. ``M22=off``), so a script accepts what ``greatterror run --set`` does
and refuses it the same way: one line naming the field, exit code 2, before any work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

import numpy as np

import greatterror as gt
from greatterror.cli.run import parse_sets
from greatterror.model import steps_halt, steps_policy
from greatterror.population.codes import Elite


def options(description: str | None, until: str | None = None) -> argparse.ArgumentParser:
    """The options every diagnostic script takes (``--until`` if it runs to a date)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--scale", type=float, default=0.001)
    ap.add_argument("--seed", type=int, default=1)
    if until is not None:
        ap.add_argument("--until", default=until, help="last day, YYYY-MM-DD")
    ap.add_argument("--set", action="append", default=[], help="parameter=value or M12=off")
    return ap


def historical_sim(args: argparse.Namespace) -> gt.Sim:
    """The historical scenario at the options' scale, seed and ``--set``; exit 2 if refused."""
    try:
        pars, switches = parse_sets(args.set)
        return gt.Sim(
            "historical", scale=args.scale, seed=args.seed, pars=pars, mechanisms=switches
        )
    except ValueError as exc:  # ParameterError and SimError name the field and what is allowed
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def until_date(args: argparse.Namespace) -> dt.date:
    """``--until`` as a date; exit 2 naming the option if it is not one."""
    try:
        return dt.date.fromisoformat(args.until)
    except ValueError:
        print(f"error: --until {args.until!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        raise SystemExit(2) from None


def elite_group(flags: int, mass: str = "") -> str:
    """The elite group a person's flags put him in, for the scripts' tables (``mass`` if none)."""
    if flags & int(Elite.ARMY_HIGH_COMMAND):
        return "army high command"
    if flags & int(Elite.ARMY_OFFICER):
        return "army officer"
    if flags & int(Elite.NKVD_OFFICER | Elite.NKVD_LEADERSHIP):
        return "NKVD officer"
    if flags & int(Elite.CC_1934 | Elite.APPARATUS_1934 | Elite.REGIONAL_SECRETARY):
        return "party-state elite"
    if flags:
        return "other elite"
    return mass


def trace_halted_operations(n_cases: int) -> np.ndarray:
    """The operation each case had when the halt (or the end of an operation) took it out,
    -1 if none: wraps ``leave_operation`` where the halt (and, before R4-R5, the policy
    step) calls it. The array fills as the simulation runs; call before ``run``."""
    halted_op = np.full(n_cases, -1, dtype=np.int16)
    for module in (steps_halt, steps_policy):
        if not hasattr(module, "leave_operation"):
            continue
        leave = module.leave_operation

        def left(world: Any, eng: Any, day: int, idx: np.ndarray, leave: Any = leave) -> None:
            halted_op[idx] = world.cases.op[idx]
            leave(world, eng, day, idx)

        module.leave_operation = left  # type: ignore[attr-defined]
    return halted_op
