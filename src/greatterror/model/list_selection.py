"""Which of a first secretary's circle the NKVD puts on the Politburo's execution lists.

Why: the lists did not hold a fallen secretary's whole circle. The regional NKVD sent a
case of the region's nomenklatura to the Military Collegium (its assizes) or kept it in its
own channels, the Special Board and the special collegium of the oblast court. In the Perm
region "more than half" of the raikom and gorkom secretaries arrested in 1937-38, the top
rung of a region's nomenklatura, were sentenced by the Collegium's assizes, and only two of
them by Order 00447's troika (Leibovich, O.L., ed., "Vklyuchen v operatsiyu". Massovyi terror
v Prikam'e v 1937-1938 gg., Moscow: ROSSPEN, 2009, source ``leibovich2009``, the section
"Partiitsy, repressirovannye troikoi" by A. Kabatskov; read in web copies, page NOT VERIFIED).
The others
of a circle were tried where the ordinary political flow was. No count of the circles'
cases by court, nor of the lists' names by rank, was found (docs/ODD.md 7.7).

The rule: from the execution lists (the decision ``execution_lists``) to the halt, a member
of a circle (``people["patron"] >= 0``, of the mass layer) whom the elite operation takes,
with his fallen patron (model/steps_elites.py) or named in one of its cases
(model/steps_investigation.py), is put on the lists with probability ``circle_list_share``
and arrested under the elite operation, whose cases then go to the Collegium
(model/channels.py); otherwise he is taken in the NKVD's ordinary work (operation
``ordinary``: the Special Board if marked, the courts on an ordinary charge if not). The
draw is on its own stream (``list_selection``). Before the lists and after the halt a
circle's cases go to the courts whatever the operation, so nothing is drawn then and the
elite operation takes them as before. The choice is drawn at the arrest, not at the end of
the investigation when the NKVD drew up a list: an assumption, so that the elite operation's
sentences are the list track's (calibration/holdout_dated.py).

The share's value, 0.5, the bottom of "more than half", was chosen with the list track's two
validation figures (``V-mc-conv-3638``, ``V-lists-names-3739``) already read, so they, and
``G8-children``, which the value also moves, are marked as informed by it
(calibration/holdout_dated.py). Until 5 Dec 2026 (branch circles) every such
arrest was the elite operation's, and the
circles' clients were some 59,000 of the 63,000 Collegium sentences of 1 October 1936 - 30
September 1938 (1:1,000, seed 1; `scripts/diagnose_list_track.py`).
"""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.world import World


def lists_open(w: World) -> bool:
    """The Politburo's execution lists are in use: from the decision to the halt."""
    return bool(w.policy.execution_lists and not w.policy.halted)


def arrest_circle(w: World, e: Engine, day: int, idx: np.ndarray) -> np.ndarray:
    """Arrest circle members ``idx`` (mass layer, ``patron >= 0``) whom the elite operation
    takes; while the lists are open a share ``circle_list_share`` is put on them (operation
    ``elite``), the rest are taken in ordinary work (``ordinary``). Returns who was arrested,
    the listed first. Every member of ``idx`` takes one uniform, arrested or not."""
    share = e.params["circle_list_share"]
    idx = np.asarray(idx, dtype=np.int64)
    if len(idx) == 0 or not lists_open(w):
        return e.arrest(day, idx, "elite")
    listed = e.rng.list_selection.random(len(idx)) < share
    on_list = e.arrest(day, idx[listed], "elite")
    ordinary = e.arrest(day, idx[~listed], "ordinary")
    return np.concatenate([on_list, ordinary])
