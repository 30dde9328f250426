"""M02 and M28: what reaches the centre from below, and what reaches the regions from above.

M02 (seed_system.md lines 385-400): "Domestic reporting stressed sabotage,
terror and conspiracy and left out popular acquiescence. Informants and
agents tailored their reports to what their superiors expected." Harris:
"reports of sabotage, terrorist acts and counter-revolutionary conspiracies,
often exaggerated and taken out of context" (F003:31); TULIP relayed what
"'The Boss' wanted to hear" (F002:119); officials "systematically
communicated false information up to the central authorities" (F002:1404,
likely Rittersporn). The hook: "A reporting filter at each level, with
parameters for the share of reports about threats"; for M01, "a share
p_false are false positives".

Here every arrest is reported up the hierarchy. The arrest of someone who
really acted (M11, M24, M25) is a true report; the arrest of anyone else is
passed up as an uncovered enemy with probability
``report_false_positive_share``: a false positive. Yesterday's false
positives are reports of uncovered enemies, as a confessed naming is (M01);
true discoveries are reported in their own steps. The centre reads them at
the next step, perception, through a desk of finite size where the scenario
says so (``centre_reading``, every hypothesis scenario; model/centre_reading.py: at most ``centre_reading_capacity`` reports a
day, each read one worth M01's ``threat_per_conspiracy``), and the threat
drives the NKVD's intensity (M03) and the leader's rule. Reports are counted
(``truth.reports_true``, ``reports_false``).

M28 (lines 897-910): "The centre sends contradictory signals. It
reprimands rather than destroys (Postyshev, Sheboldaev), readmits
(Yenukidze) ... and promises to 'absolve the beguiled'" (Getty and Naumov,
F002:432-436, "genuine indecision"; Getty and Manning, F002:1233-1238;
Medvedev, F002:814-824; Rittersporn, F002:1184-1185). The hook: "Central
signals with noise, or alternating signs. Local agents respond to their
expectation of the central line."

Here the centre sends signals at random times (``signal_rate`` a year), each
a call for vigilance or, with probability ``signal_restraint_share``, for
restraint. The regions' expectation of the central line adds each signal
(+1 or -1) and fades with ``signal_half_life``; the NKVD's arrest intensity
and the vigilance campaign are multiplied by exp(``signal_amplitude`` x
expectation), so a run zigzags around the course the other mechanisms set.
"""

from __future__ import annotations

import math

import numpy as np

from greatterror.model.centre_reading import report, through_desk
from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.world import World
from greatterror.vocabulary import EV


class Reporting(Component):
    """Step 3 (M02): yesterday's arrests reported up; false positives go to the centre's reading."""

    name = "reporting"
    mechanisms = ("M02",)
    gate = ("M02",)
    params = ("report_false_positive_share", "threat_per_conspiracy")
    reads = ("cases", "truth")
    writes = ("institutions", "truth")

    def step(self, w: World, e: Engine, day: int) -> None:
        if day == 0 or not self.on(e, "M02"):
            return
        share = e.params["report_false_positive_share"]
        total = float(e.ledger.day_totals(day - 1, EV["arrested"]).sum())
        if total == 0.0:
            return
        t = w.truth
        guilty = t.guilty()
        real = guilty[w.cases.arrest_day[guilty] == day - 1] if len(guilty) else guilty
        true_w = float(e.weights(real).sum()) if len(real) else 0.0
        false_w = share * max(total - true_w, 0.0)
        t.reports_true += true_w
        t.reports_false += false_w
        # read by the centre at the next perception, through its desk, or each worth
        # threat_per_conspiracy at once under a linear reading (model/centre_reading.py)
        per = e.params["threat_per_conspiracy"]
        report(w.institutions, per, false_w, read=through_desk(e))


class CentralSignals(Component):
    """Step 6 (M28): the centre's zigzags move the regions' expectation of the line, and the
    day's arrest intensity and campaign factor with it."""

    name = "central_signals"
    mechanisms = ("M28",)
    gate = ("M28",)
    params = ("signal_amplitude", "signal_half_life", "signal_rate", "signal_restraint_share")
    reads = ("intensity", "campaign", "truth")
    writes = ("intensity", "campaign", "truth")

    def step(self, w: World, e: Engine, day: int) -> None:
        if not self.on(e, "M28"):
            return
        p, t, rng = e.params, w.truth, e.rng.signals
        t.line *= 0.5 ** (1.0 / max(p["signal_half_life"], 1e-9))
        n = int(rng.poisson(p["signal_rate"] / 365.0))
        if n:
            restraint = int(np.count_nonzero(rng.random(n) < p["signal_restraint_share"]))
            t.signals_restraint += restraint
            t.signals_vigilance += n - restraint
            t.line += (n - restraint) - restraint
        factor = math.exp(p["signal_amplitude"] * t.line)
        w.levers.intensity *= factor
        w.levers.campaign *= factor
