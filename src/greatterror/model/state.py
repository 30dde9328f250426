"""The state of a simulation: people's case status and the institutions' state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from greatterror.model.arrays import CaseArrays
from greatterror.model.case_flags import HAS, SOCIAL_ORDER, WITH, WITHOUT
from greatterror.vocabulary import CHANNELS, NON_POLITICAL

#: the people a flag helper reads or writes: indices, a mask, or one person
Index: TypeAlias = "NDArray[np.integer] | NDArray[np.bool_] | int | np.integer"


class Queue:
    """A growable FIFO of person indices (a channel's backlog, or the camp roll).

    If given a ``weigh`` function it keeps the running weight of its
    contents, so that the daily backlog is known without summing the queue.
    """

    def __init__(
        self, weigh: Callable[[NDArray[np.integer]], NDArray[np.float64]] | None = None
    ) -> None:
        self._buf = np.empty(1024, dtype=np.int32)
        self._head = 0
        self._tail = 0
        self._weigh = weigh
        self.weight = 0.0

    def __len__(self) -> int:
        return self._tail - self._head

    def push(self, idx: NDArray[np.integer]) -> None:
        n = len(idx)
        if n == 0:
            return
        if self._tail + n > len(self._buf):
            live = self._buf[self._head : self._tail]
            new = np.empty(max(2 * (len(live) + n), 1024), dtype=np.int32)
            new[: len(live)] = live
            self._buf, self._head, self._tail = new, 0, len(live)
        self._buf[self._tail : self._tail + n] = idx
        self._tail += n
        if self._weigh is not None:
            self.weight += float(self._weigh(idx).sum())

    def peek(self, n: int | None = None) -> NDArray[np.int32]:
        end = self._tail if n is None else min(self._head + n, self._tail)
        return self._buf[self._head : end]

    def pop(self, n: int) -> NDArray[np.int32]:
        out = self._buf[self._head : self._head + n].copy()
        self._head += len(out)
        if self._weigh is not None:
            self.weight = 0.0 if len(self) == 0 else self.weight - float(self._weigh(out).sum())
        return out

    def clear(self) -> NDArray[np.int32]:
        return self.pop(len(self))


@dataclass
class Cases:
    """Per-person case arrays; only people ever arrested have non-default values."""

    status: NDArray[np.uint8]
    op: NDArray[np.uint8]
    arrest_day: NDArray[np.int16]
    sentence_day: NDArray[np.int16]
    #: the case's yes/no facts, one bit each (model/case_flags.py: ``CONFESSED``, ``LINKED``,
    #: ``COLONY``, ``NAMED``, ``HOLDING``, ``SOCIAL_ORDER``, ``FIRST_CATEGORY``); read and
    #: written through ``has``, ``set``, ``clear`` and ``put``
    flags: NDArray[np.uint8]
    arrests: NDArray[np.uint8]
    #: the day the camp term ends (-1: none, or beyond the int16 range); model/gulag.py
    release_day: NDArray[np.int16]
    #: the operational line of the last case (``vocabulary.LINES``; 0: none), model/lines.py
    line: NDArray[np.uint8]
    #: the arrest day, plus one, of the case a special troika sent back without a sentence (0:
    #: none; model/no_sentence.py): while the case opened that day lasts, its new investigation
    #: names no one, as he named whom he named in the first. Stored plus one so that "none" is
    #: 0 and the array starts as zeros, which the system gives without writing them: an array
    #: of -1 would be written in full at the start, 2 bytes a person (0.3 GB at 1:1)
    returned: NDArray[np.int16]

    def ordinary_offence(self, idx: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Whether ``idx`` are held for a non-political offence: the courts' convicts
        (``NON_POLITICAL``) and the social-order bodies' (the Gulag counted neither as
        counter-revolutionaries, and both earned work-day credits)."""
        return (self.op[idx] == NON_POLITICAL) | self.has(SOCIAL_ORDER, idx)

    def has(self, flag: int, idx: Index) -> NDArray[np.bool_]:
        """Whether each of ``idx`` has ``flag`` (one bit of model/case_flags.py):
        ``(flags[idx] & flag) != 0``, looked up in a table (``case_flags.HAS``)."""
        return HAS[flag].take(self.flags[idx])

    def set(self, flag: int, idx: Index) -> None:
        """Give ``flag`` (one bit) to ``idx``: ``flags[idx] |= flag``."""
        self.flags[idx] = WITH[flag].take(self.flags[idx])

    def clear(self, flag: int, idx: Index) -> None:
        """Take ``flag`` (one bit) from ``idx``: ``flags[idx] &= ~flag``."""
        self.flags[idx] = WITHOUT[flag].take(self.flags[idx])

    def put(self, flag: int, idx: Index, value: NDArray[np.bool_] | bool) -> None:
        """Set ``flag`` of ``idx`` to ``value`` (as ``array[idx] = value`` did when each
        flag had its boolean array: of an index given twice, the last value stands)."""
        old = self.flags[idx]
        self.flags[idx] = np.where(value, old | flag, old & np.uint8(0xFF ^ flag))

    def unpacked(self, flag: int) -> NDArray[np.bool_]:
        """``flag`` of the whole population as a boolean array: for tests and
        bench/outputs_hash.py, never in a run (it is a byte a person)."""
        return (self.flags & flag) != 0

    def arrays(self) -> CaseArrays:
        """The same arrays as a named tuple, as the kernels take them."""
        return CaseArrays(
            self.status, self.op, self.arrest_day, self.sentence_day, self.flags, self.arrests,
        )  # fmt: skip

    @classmethod
    def empty(cls, n: int) -> Cases:
        return cls(
            status=np.zeros(n, dtype=np.uint8),
            op=np.zeros(n, dtype=np.uint8),
            arrest_day=np.full(n, -1, dtype=np.int16),
            sentence_day=np.full(n, -1, dtype=np.int16),
            flags=np.zeros(n, dtype=np.uint8),
            arrests=np.zeros(n, dtype=np.uint8),
            release_day=np.full(n, -1, dtype=np.int16),
            line=np.zeros(n, dtype=np.uint8),
            returned=np.zeros(n, dtype=np.int16),
        )


@dataclass
class Policy:
    """The levers the centre holds: moved by scripted events or by the leader's decision rule."""

    physical_methods: bool = False
    doctrine: str = "contain"  # "expand" under Yezhov
    chief: str = "yagoda"
    operations: set[str] = field(default_factory=set)
    elite_groups: set[str] = field(default_factory=set)
    album_open: bool = False
    special_troikas: bool = False
    families_order: bool = False
    #: Order 00486 narrowed to the wives who knew of or abetted their husbands' 'crimes'
    #: (October 1938, G4-wives-narrowed): no more wives are arrested under it (model/families.py)
    families_narrowed: bool = False
    #: the Military Collegium sentences elite cases on the Politburo's execution lists
    #: (from the first, 4 October 1936, G12-08; model/collegium.py)
    execution_lists: bool = False
    #: the centre's closed letter on the former oppositionists (29 July 1936, G12-letter; in
    #: an endogenous run Yezhov's appointment by the rule): the NKVD's register of former
    #: oppositionists is worked by the opposition group's hazard (model/opposition_register.py)
    opposition_register: bool = False
    halted: bool = False
    releases: bool = False
    #: the day of each operation's last extension by a dated decision (extend_operation)
    extended: dict[str, int] = field(default_factory=dict)
    #: from the January 1938 plenum on errors in expulsions: the wrongly dismissed return
    reinstatement: bool = False
    #: from the army's commission on the complaints of dismissed commanders (August 1938)
    army_review: bool = False
    #: every policy decision as applied: day, action, operation, who took it
    log: list[dict[str, object]] = field(default_factory=list)
    #: the first day of each decision taken, (action, operation or chief) -> day,
    #: whether or not its mechanism is switched on
    first_day: dict[tuple[str, str | None], int] = field(default_factory=dict)

    def launch_day(self, operation: str) -> int | None:
        """The day ``operation`` was first launched, or None while it has not been.

        The one reading of an operation's launch (``first_day``), so that "not yet
        launched" is never confused with "launched today". It is set whether or not the
        operation's mechanism is switched on: the decision was taken.
        """
        return self.first_day.get(("launch_operation", operation))

    def days_since_launch(self, operation: str, day: int) -> int:
        """Days from ``operation``'s launch to ``day``, for an operation already launched.

        Its callers run while the operation is in ``operations``, which only its launch
        puts it in; asked before the launch, it is a bug in the caller, and says so.
        """
        start = self.launch_day(operation)
        if start is None:
            raise ValueError(f"operation {operation!r} has not been launched by day {day}")
        return day - start


@dataclass
class Institutions:
    """Regional limits and their use, leader perception, channel backlogs."""

    limit_cat1: NDArray[np.float64]
    limit_cat2: NDArray[np.float64]
    initial_cat1: NDArray[np.float64]
    initial_cat2: NDArray[np.float64]
    used_cat1: NDArray[np.float64]
    used_cat2: NDArray[np.float64]
    arrested_00447: NDArray[np.float64]  # Order 00447 arrests (full-population equivalents)
    #: of them, the first category's July list arrested in the first blow (model/order_start.py)
    listed_cat1: NDArray[np.float64]
    #: the goal for which ``goal_persons_00447`` was rounded (operation_00447.persons_left)
    goal_00447: NDArray[np.float64]
    #: that goal in whole sampled people, stochastically rounded
    goal_persons_00447: NDArray[np.float64]
    last_request: NDArray[np.int32]
    threat: float = 0.0
    #: where the scenario's ``centre_reading`` is "desk", the centre's reading of the reports of
    #: uncovered enemies (model/centre_reading.py): reports not yet read, reports in view (both full-population,
    #: the second fading with the threat's half-life), and the part of ``threat`` they make
    reports_unread: float = 0.0
    reports_read: float = 0.0
    threat_read: float = 0.0
    vigilance: float = 0.0
    war: float = 0.0  # the leader's expectation of war, raised by foreign crises
    cost: float = 0.0  # the leader's perception of repression's cost to economy and army
    #: the leader's rule (endogenous runs): for each decision, "action:detail", the highest
    #: ratio of its signal to its threshold while it was not yet taken (1 once taken), so
    #: that a fit of the thresholds sees how near a decision never taken came
    nearest: dict[str, float] = field(default_factory=dict)
    queues: list[Queue] = field(default_factory=list)  # one per channel, made by the simulation
    carry: list[float] = field(default_factory=lambda: [0.0 for _ in CHANNELS])
    requests: int = 0
    approvals: int = 0
    #: a region's request awaiting the centre's answer (model/steps_quota.py,
    #: model/quota_requests.py): the day it is answered (-1: none; ``AWAITS_DATED``: answered
    #: by the region's next dated increase), the amounts asked, and whether its troika acts on
    #: it before the answer
    pending_day: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    pending_cat1: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    pending_cat2: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    pending_ahead: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: the last day of a region's dated increases in the record that answer its requests,
    #: those not marked as made after its operation's end (-1: none;
    #: ``dated_answers.within_operation``); after it, from the
    #: extension, only a request granted as asked raises its limits (``steps_quota.only_dated``)
    dated_until: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    #: Order 00447 ended in the region by a dated decision (``end_operation``): no more
    #: arrests under it, no more requests for higher limits
    op_closed: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: the share of category 1 in the region's last request or limit increase (NaN: none
    #: yet); its troika sentences in these proportions once its limits are used up
    #: (model/troika.py)
    asked_share: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    #: troika sentences passed beyond the region's limit, per region (full-population)
    beyond_limit: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    #: Order 00447 cases held for the sanction of their region's next limit increase (rule
    #: R1, model/troika.py), and per region the limits (both categories) an increase must
    #: pass to release them (NaN: none held)
    held_for_sanction: Queue = field(default_factory=Queue)
    held_limit: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    #: the weight of the held cases the halt's review took (``steps_halt.review_held``), and of
    #: those sent to the Special Board on their region's end (``held_region_end.send_on``)
    held_at_halt: float = 0.0
    held_sent_on: float = 0.0
    #: Order 00447 started from below (model/regional_start.py): per region, the day its
    #: NKVD chief's request to begin was sanctioned (-1: not yet), and his perceived threat
    region_start_day: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    region_signal: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    #: with the chiefs reading a surge of denunciations (``regions_start_operation`` = 3,
    #: model/regional_surge.py): per region, the day's arrests on denunciations (full-population
    #: equivalents; counted by model/steps_denunciation.py only when this array is allocated)
    #: and the chief's baseline, the same signal with ``regional_baseline_half_life``
    region_denounced: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    region_baseline: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    refusals: int = 0
    #: every limit increase applied: date, region, amounts, kind (model/quota_requests.py,
    #: ``log_increase``)
    increases: list[dict[str, object]] = field(default_factory=list)
    #: NKVD officers per region, in experienced-officer equivalents: the operation's
    #: capacity (the NKVD cadres step lowers it while recruits replace arrested officers)
    officers: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    #: region-days on which the denunciations acted on, or ordinary work, asked more arrests
    #: than the officers can make (model/nkvd_capacity.py)
    capacity_bound_days: int = 0
    #: the first day it bound (-1: never)
    capacity_first_bound: int = -1
    #: what the bound turned away, in sampled rows of the mass layer: the expected arrests on
    #: denunciations and of ordinary work cut from the day's means, and the named not taken up
    #: (reported in summary.json, ``nkvd_capacity``)
    capacity_turned_away: dict[str, float] = field(
        default_factory=lambda: {"denunciations": 0.0, "ordinary": 0.0, "named": 0.0}
    )
    #: the day's expected arrests on denunciations per region (sampled rows) and that day
    capacity_taken: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    capacity_taken_day: int = -1
    #: factor on the mean investigation length: the NKVD's capacity at the start over its
    #: capacity today (set by the NKVD cadres step; 1 while no officer has been replaced)
    investigation_slowdown: float = 1.0
    #: investigations under the Code of Criminal Procedure after the halt (M22; set by
    #: ``steps_post_halt.PostHaltRegime``, read by ``Engine.investigation_p``)
    post_halt_procedure: bool = False
    #: the people whose case, pending at the halt, was charged with a grave crime then
    #: (ascending; ``steps_halt.keep_charge``): the courts judge that case on it after the
    #: review, though it has left its operation (``charges.kept_at_halt``)
    grave_at_halt: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: the conspiracy cases were being built: elite investigations opened now are long
    #: (from Yezhov's appointment to the February-March 1937 plenum; model/collegium.py)
    case_building: bool = False
    camps_region: int = -1  # the Gulag's own unit, -1 if the population has none
    #: the bases of the leader's perceived cost (model/leader.py), fixed at the start
    elite_size: int = 1
    adult_weight: float = 0.0
    #: the damage the leader weighs (model/leader.py, ``damage``): people arrested and not
    #: released since the start, in the elite operation and in all, full-population weights
    lost_cadres: float = 0.0
    lost_workforce: float = 0.0
