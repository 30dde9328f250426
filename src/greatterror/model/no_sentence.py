"""The cases a special troika passed no sentence on (autumn 1938): sent back for investigation.

Why: the mass operations' own statistics count fewer sentences than arrests. The Polish
operation arrested 143,810 people and sentenced 139,835 (Petrov and Roginsky, "Pol'skaya
operatsiya NKVD 1937-1938 gg.", in Repressii protiv polyakov i pol'skikh grazhdan, Moscow:
Zven'ya, 1997, p. 33; V-natop-pol-arr, V-natop-pol-conv): 3,975 (2.8%) arrested under the
order ended in no sentence under it. Before this module every arrest of a mass operation
ended in a sentence under it (review13, objection 7).

The one per-case figure found of a body passing no sentence is the special troikas' in the
Harbin operation: in their two months (mid-September to mid-November 1938) they reviewed
13,909 of its cases, convicted 13,113 and passed no sentence on 796, 5.7% (Potapova 2020,
table 6, from the NKVD's last summary, her note 272; IN-sptroika-nosent-har). The parameter
``special_troika_no_sentence_share`` is that share, applied to every special troika's case
of every national operation: a stated extension of one operation's figure, not a fit. The
number of cases the Harbin special troikas reviewed (13,909) stays a validation figure
(V-natop-har-sptroika): the model counts the cases they decided, sentenced or sent back,
which the share does not change. No
such figure was found for the album procedure (the NKVD-Procurator Commission) nor for
Order 00447's troikas (NOT FOUND: the order's arrests, 702,656 to 1 Nov 1938, are fewer
than its troikas' sentences, about 767,000, because the troikas also sentenced people
arrested before the order and camp prisoners, so the order's own counts show no gap to
read; docs/validation.md), and none for deaths under investigation in 1937-38: those
bodies keep the rule that every case they receive is sentenced.

What became of the 796 is not in the figure. A case without a sentence leaves its operation
(``steps_halt.leave_operation``: its arrest stays the operation's, as in the NKVD's counts,
and it is counted in the summary's ``left_operation``) and is investigated again as a case
of the NKVD's ordinary work (``Engine.reinvestigate``, its length that of an ordinary
investigation): released if he does not confess (``release_without_confession``), else sent
to the Special Board or the courts (``Investigation.channel_for``). The new investigation
draws a fresh confession (one who confessed the first time may now be silent: retractions
are recorded in the reviews of 1939, not counted) but names no one: he named whom he named
in his first interrogation, and the record gives no basis for a second round of names from
the re-investigated (``Cases.returned`` holds the arrest day of the case sent back, plus one;
``steps_investigation`` skips naming for it while that case lasts). Which cases are sent
back is drawn on the stream ``no_sentence``, the length of their new investigation on
``no_sentence_investigation``, so that a change of the share does not move the lengths
drawn for the others, and no other decision's draws move.
"""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.steps_halt import leave_operation
from greatterror.model.world import World
from greatterror.vocabulary import Status

#: the named streams of this module (model/streams.py): who is sent back, and how long the
#: new investigation lasts
STREAM = "no_sentence"
INVESTIGATION_STREAM = "no_sentence_investigation"


def send_back(w: World, e: Engine, day: int, batch: np.ndarray) -> np.ndarray:
    """Of ``batch`` (a special troika's cases decided today), send back for investigation
    those it passes no sentence on (``special_troika_no_sentence_share``); returns which of
    ``batch`` are kept, to be sentenced (a boolean mask)."""
    if len(batch) == 0:
        return np.ones(0, dtype=bool)
    share = float(e.params["special_troika_no_sentence_share"])
    back = e.rng.no_sentence.random(len(batch)) < share
    if back.any():
        returned = np.asarray(batch[back], dtype=np.int64)
        leave_operation(w, e, day, returned)
        w.cases.status[returned] = Status.INVESTIGATION
        w.cases.returned[returned] = w.cases.arrest_day[returned] + 1  # 0 is "none"
        e.reinvestigate(day, returned, INVESTIGATION_STREAM, "ordinary")
    return ~back
