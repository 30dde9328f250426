"""The centre's reading of the reports of uncovered enemies: a desk of finite size, or linear.

Why. Under M02 every arrest is reported up the hierarchy, a share
``report_false_positive_share`` of the innocent as uncovered enemies (model/steps_signals.py),
and every naming acted on is an uncovered conspiracy (M01). Until 6 December 2026 each such
report raised the perceived threat by ``threat_per_conspiracy``, decaying with
``threat_half_life``: a linear reading, so the threat grew with the absolute number of reports,
that is with the scale of the arrests. Under H3's priors the loop (threat, M03's arrest
intensity, more reports, more threat) has a gain above one; bounded by the NKVD's capacity to
arrest (model/nkvd_capacity.py) it settled at a threat in the hundreds, which the leader's
perceived cost, a share of the elite and of the adults lost (model/leader.py), could never
match at any weight in the prior, so the cost rule (M22) could not halt H3
(docs/hypotheses-log.md, "The NKVD's capacity and H3's and H4's priors" and the hyp36 section).

What the texts say reached the centre. Harris: "Reports on general discontent filled volumes
too large to digest, but reports of sabotage, terrorist acts and counter-revolutionary
conspiracies, often exaggerated and taken out of context, regularly crossed the desks of
Soviet leaders" (F003:31): the leaders read a selection, the reports of enemies, not the
whole flow. Stalin, to the February-March 1937 plenum: "the centre sees and knows only a
part" (F002:1098), and in June 1937: "we do not always see the whole picture. We cannot know
what is going on all over the country" (F002:1107). seed_system.md's hook for M01 is "a
leader's threat belief updated from reports in which a share p_false are false positives"
(line 387), for M02 "a reporting filter at each level" (line 397).

The rule. Where the scenario's ``centre_reading`` is "desk" the reports of uncovered enemies
(false positives, M02; namings acted on, M01; real discoveries, M24 and M25) are not added to
the threat one by one. They are held in
view by the centre, a stock ``Institutions.reports_read`` that fades with
``threat_half_life``, and the centre takes in at most a desk's worth of them: at most
``centre_reading_capacity`` reports a day, so at most D = capacity x half-life / ln 2 in
view. The threat they make is

    threat_from_reports = threat_per_conspiracy x D x (1 - exp(-S / D)),   S the stock in view,

which is ``threat_per_conspiracy`` x S, the old linear reading, while S is small against D,
and tends to ``threat_per_conspiracy`` x D when the reports exceed what the desk can take: the
threat then measures what crosses the desk, not the absolute number of reports behind it. At
a steady flow of E reports a day the stock reads as R (1 - exp(-E / R)) reports a day (R the
capacity), the flow read from summaries. The saturation is applied to the stock, not to each
day's lumpy flow, so that a sampled person's weight (1,000 at 1:1,000) is not taken in as a
burst: S is counted in full-population reports (weights), and a run at 1:1,000 and one at
1:100 with the same history of reports give the same threat (tests/test_centre_reading.py).
The other source of threat, foreign crises (``threat_per_crisis``), decays as before and is added.

``centre_reading_capacity`` is fixed, a stated prior: no text gives how many reports of
enemies the leaders read (NOT FOUND in the seeds). The order of magnitude: the centre followed
the Kirov case report by report (F003:65, 73), in which the Leningrad NKVD alone arrested 843
"former Zinovievites" in ten weeks, about 12 a day; "volumes too large to digest" (F003:31)
lie above. 100 a day is the geometric middle of 10 to 1,000. With it the threat from reports
cannot exceed ``threat_per_conspiracy`` x 100 x half-life / ln 2 (0.005 to 5.3 over H3's prior
on ``threat_per_conspiracy``, 1e-7 to 1e-4, at a half-life of 365 days).

Which scenarios. Until branch desk2 (6 December 2026) the desk came with M02 (H3 and H4 only)
and the other hypothesis scenarios read their reports linearly, a difference between the
hypotheses that seed_system.md's table of mechanisms does not contain (docs/hypotheses-log.md, "The
desk elsewhere"). The reading is now the scenario's ``centre_reading`` (model/scenario.py),
apart from any mechanism: every hypothesis scenario sets "desk", with the same fixed capacity;
the historical and endogenous scenarios, fitted with the linear reading, keep "linear" (the
default), so their runs are unchanged. Under "linear" M02's false positives raise the threat by
``threat_per_conspiracy`` each, as the namings do.
"""

from __future__ import annotations

import math
from typing import Any

from greatterror.model.state import Institutions

PARAMS = ("centre_reading_capacity", "threat_half_life", "threat_per_conspiracy")


def through_desk(e: Any) -> bool:
    """Whether the centre reads the reports through its desk: the scenario's
    ``centre_reading`` ("desk" or "linear"), one rule for every kind of report."""
    return bool(e.scenario.centre_reading == "desk")


def desk(p: Any) -> float:
    """The reports the centre can hold in view: ``centre_reading_capacity`` a day over the
    threat's mean life (half-life / ln 2), in full-population reports."""
    return (
        float(p["centre_reading_capacity"]) * max(float(p["threat_half_life"]), 1e-9) / math.log(2)
    )


def reading(stock: float, p: Any) -> float:
    """The threat the centre takes from ``stock`` reports of enemies in view (full-population
    reports): linear while the desk is far from full, at most ``threat_per_conspiracy`` x desk."""
    d = desk(p)
    return float(p["threat_per_conspiracy"]) * d * -math.expm1(-max(stock, 0.0) / d)


def report(inst: Institutions, per_report: float, weight: float, read: bool) -> None:
    """Reports of uncovered enemies (``weight``, full-population) reach the centre: read
    through the desk (``read``, ``through_desk``) they wait for the day's reading
    (``read_reports``), otherwise each raises the threat by ``per_report``
    (``threat_per_conspiracy``) at once."""
    if read:
        inst.reports_unread += weight
    else:
        inst.threat += per_report * weight


def read_reports(inst: Institutions, p: Any, decay: float, named: float) -> None:
    """One day of the centre's reading (perception, step 4): the threat from other sources
    and the reports in view fade by ``decay``; the reports since the last reading (decayed
    once, as the threat they were added to before) and today's namings acted on (``named``,
    added after the decay, as before) come into view; the threat is the other sources plus
    the desk's reading of the stock."""
    other = (inst.threat - inst.threat_read) * decay
    inst.reports_read = (inst.reports_read + inst.reports_unread) * decay + max(named, 0.0)
    inst.reports_unread = 0.0
    inst.threat_read = reading(inst.reports_read, p)
    inst.threat = other + inst.threat_read
