"""Step 11b (M22): the review of the cases pending when the mass operations were halted.

The directive of 15 November 1938 suspended the troikas' and the album
procedure's work; the resolution of 17 November abolished them, and Beria's
order of 26 November 1938 had the pending cases re-investigated under
procuratorial supervision and sent to the courts or the Special Board, or
dropped (evidence base G3-end, G12-30, G12-32; Jansen and Petrov, *Stalin's
Loyal Executioner*, 2002). The cases therefore left the system over the
following months, not on one day: each pending case is reviewed on a day
drawn within ``halt_review_days`` of the halt (the scheduling is in
``steps_policy._halt``), and the review releases it or sends it on.
"""

from __future__ import annotations

from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.world import World
from greatterror.vocabulary import CH, Status

#: The calendar kind of a pending case's review after the halt.
HALT_REVIEW = "halt_review"


class HaltReview(Component):
    """Step 11b (after the halt of M22): a case pending at the halt, reviewed today, is released (with
    probability ``halt_release_share``) or sent to the Special Board (``halt_oso_share`` of
    the rest) or to the ordinary courts."""

    name = "halt_review"
    params = ("halt_oso_share", "halt_release_share")
    reads = ("cases",)
    writes = ("cases", "camps", "institutions")

    def step(self, w: World, e: Engine, day: int) -> None:
        due = e.due(day, HALT_REVIEW)
        if len(due) == 0:
            return
        due = due[w.cases.status[due] == Status.AWAITING_SENTENCE]
        if len(due) == 0:
            return
        rng = e.rng.release
        u = rng.random((2, len(due)))
        freed = u[0] < e.params["halt_release_share"]
        e.release(day, due[freed])
        rest, u_rest = due[~freed], u[1][~freed]
        oso = u_rest < e.params["halt_oso_share"]
        queues = w.institutions.queues
        queues[CH["oso"]].push(rest[oso])
        queues[CH["courts"]].push(rest[~oso])
