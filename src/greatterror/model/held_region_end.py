"""What becomes of the Order 00447 cases held for a sanction once their region's operation
has ended (rule R1 of docs/design/halt-backlog.md; review19 F1).

A case that fits neither of its region's limits and is not sentenced ahead of the sanction
waits for the region's next increase (model/troika.py). Once the operation has ended in the
region (15 March or 1 August 1938, ``steps_policy._end_operation``) no increase can come.
No source read says what happened to such cases then (NOT FOUND, searched 5 Dec 2026 for
review19: the order, Naumov, Jansen and Petrov, Werth on the limits and their end). The
model therefore makes the choice an explicit fixed parameter, ``held_after_region_end``:

- 1 (the default, the model as branch halt3 left it): they stay held, in custody awaiting
  sentence, until the halt of November 1938, whose review takes them
  (``steps_halt.review_held``, rule R4). This is what makes the pool at the halt; it runs
  against the direction of Order 00447's own counts, which show fewer arrests than
  convictions (V-nkvd-011138-00447-arr), not a pool of unsentenced arrests;
- 0: on the region's end date (or on the day the troika holds one in a region already
  ended) they leave the operation and go to the Special Board, which sentenced the cases
  of the other operations outside the troikas and the album (the design's rule R5 sends
  the halt's reviewed cases to it or to the courts; before the halt the courts would not
  know the case's charge, ``charges.kept_at_halt``, so the alternative uses the Board only).

No number is drawn either way. Apart from model/troika.py because it moves cases between
institutions (the ledger's ``left_operation``, the Special Board's queue), not a verdict.
"""

from __future__ import annotations

import numpy as np

from greatterror.model.engine import Engine
from greatterror.model.steps_halt import leave_operation
from greatterror.model.world import World
from greatterror.vocabulary import CH, Status


def waits_for_halt(e: Engine) -> bool:
    """``held_after_region_end``: whether a held case of an ended region waits for the halt."""
    return bool(round(float(e.params["held_after_region_end"])))


def send_on(w: World, e: Engine, day: int) -> None:
    """With ``held_after_region_end`` 0: the held cases of the regions whose operation has
    ended leave it and go to the Special Board's queue today, in the order they were held;
    the others stay held. With 1, nothing happens."""
    inst = w.institutions
    if waits_for_halt(e) or len(inst.held_for_sanction) == 0 or not inst.op_closed.any():
        return
    held = inst.held_for_sanction.clear()
    ended = inst.op_closed[w.people["region"][held]]
    inst.held_for_sanction.push(held[~ended])
    gone = held[ended]
    gone = gone[w.cases.status[gone] == Status.AWAITING_SENTENCE].astype(np.int64)
    if len(gone) == 0:
        return
    inst.held_sent_on += float(e.weights(gone).sum())
    leave_operation(w, e, day, gone)
    inst.queues[CH["oso"]].push(gone)
