"""The validity tests' key properties, checked on a fitted point before it is applied.

A fit minimises a distance to the calibration targets and knows nothing of who is arrested
and shot; a point can hit the yearly series with a model the record rules out (women a
larger share of those shot than the record allows, children arrested). The refit script
(scripts/refit_historical.py) runs these checks on the candidate scenario and refuses to
write it into the shipped scenario if any fails. The thresholds are issue 9's (item 10),
from the record: they are checks here and inputs nowhere; tests/test_lines.py and
tests/test_model.py check the same properties on the shipped scenario.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from greatterror.calibration.seeds import GATE_SEEDS
from greatterror.model.gulag import GF
from greatterror.vocabulary import LINES_OF, OP, Status

#: Issue 9, item 10: the least share of men among those sentenced to death (the record:
#: 95% in Leningrad, G6-men-shot; Ilic 2006 puts women at about 5% of those repressed).
MIN_MALE_SHARE_SHOT = 0.90
#: The record's figures a threshold here rests on (the men's share above; the age limits
#: below are the issue's, not a figure of the record). A fitted point is applied only if its
#: runs hold the thresholds, so these figures constrain the fit: the validation table shows
#: them with the checks of in-sample quantities (holdout.py, ``Measure.gate``), never out of
#: sample (tests/test_validation_set.py).
RECORD_FIGURES = ("G6-men-shot",)
#: Issue 9, item 10: no one younger is arrested ...
MIN_AGE_ARRESTED = 12
#: ... and under-16s are less than this share of arrests.
MAX_UNDER_16_SHARE = 0.01
#: The scale and seeds of the check: 1:100 over three seeds outside the validation range, the
#: first three of the apply gate's (calibration/seeds.py ``GATE_SEEDS``, 2,000,001-2,000,003,
#: above every fit's population seed since review14 F4), so that choosing whether to apply a fit looks at no validation run (review of 5 Dec 2026,
#: F3: it ran on validation seeds 1-3 until then) and the gate's runs of the fitted point
#: serve both (calibration/gate.py). The tests (tests/test_lines.py, tests/test_model.py)
#: check the shipped scenario on seeds 1-3.
SCALE = 0.01
SEEDS = GATE_SEEDS[:3]


@dataclass(frozen=True)
class Finding:
    """One property of one run: its value, its limit, and whether it holds."""

    seed: int
    name: str
    value: float
    limit: str
    ok: bool

    def line(self) -> str:
        mark = "ok" if self.ok else "FAILS"
        return f"seed {self.seed}: {self.name} = {self.value:.4g} (needs {self.limit}): {mark}"


def check_simulation(sim: Any, seed: int) -> list[Finding]:
    """The key properties of one finished simulation (model/sim.py ``Simulation``)."""
    c, pop = sim.cases, sim.pop
    out: list[Finding] = []
    arrested = np.flatnonzero(c.arrests)
    age = pop["age"][arrested]
    weight = sim.weights(arrested) * c.arrests[arrested]
    youngest = float(age.min()) if len(age) else float("inf")
    out.append(
        Finding(
            seed,
            "youngest age arrested",
            youngest,
            f">= {MIN_AGE_ARRESTED}",
            youngest >= MIN_AGE_ARRESTED,
        )
    )
    under_16 = float(weight[age < 16].sum() / weight.sum()) if weight.sum() > 0 else 0.0
    out.append(
        Finding(
            seed,
            "share of under-16s among arrests",
            under_16,
            f"< {MAX_UNDER_16_SHARE}",
            under_16 < MAX_UNDER_16_SHARE,
        )
    )
    shot = np.flatnonzero((c.status == Status.SHOT) | (c.status == Status.SENTENCED_DEATH))
    w = sim.weights(shot)
    male = pop["male"][shot].astype(bool)
    share = float(w[male].sum() / w.sum()) if w.sum() > 0 else 0.0
    out.append(
        Finding(
            seed,
            "share of men among those sentenced to death",
            share,
            f">= {MIN_MALE_SHARE_SHOT}",
            share >= MIN_MALE_SHARE_SHOT,
        )
    )
    on_lines = np.isin(c.op, [OP[op] for op in LINES_OF]) & (c.arrests > 0)
    off_line = float(np.count_nonzero(on_lines & (c.line == 0)))
    out.append(Finding(seed, "operation victims without a line", off_line, "0", off_line == 0))
    expired = float(sim.ledger.gulag[:, GF["released_term"]].sum())
    out.append(Finding(seed, "releases at the end of a term", expired, "> 0", expired > 0))
    return out


def check_scenario(
    scenario: Any,
    scale: float = SCALE,
    seeds: Iterable[int] = SEEDS,
    overrides: dict[str, Any] | None = None,
) -> list[Finding]:
    """Run ``scenario`` at ``scale`` on each seed and check every run."""
    from greatterror.evidence.loader import load_evidence
    from greatterror.model.run import simulate

    evidence = load_evidence()
    out: list[Finding] = []
    for seed in seeds:
        sim = simulate(scenario, scale, seed, overrides, evidence).simulation
        out.extend(check_simulation(sim, seed))
    return out


def failures(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if not f.ok]
