"""The engine's closing transitions: sentence, release, death in custody (model/engine.py).

A case leaves investigation or the camps only through these methods, so that every
change of status is counted in the ledger once, the camp and holding counts follow it,
and the people changed are noted for the steps that watch statuses
(``Engine.status_changes``). ``Engine`` (model/engine.py) inherits them; the opening
transition (``Engine.arrest``) stays there with the calendar and the random streams.

A closing is one compiled call (``flatcalls.close_cases_flat``): the new status, the
ledger's operation, region and weight of each person, whether each was in a camp, and
the weight sums the counts need (those leaving investigation, all of them), which are
NumPy's sums bit for bit (model/pairwise.py), so that no count moves by a bit from the
NumPy code this replaced (docs/performance-log.md, branch speed7).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from greatterror.model.arrays import CaseArrays, Layers
from greatterror.model.case_flags import HOLDING
from greatterror.model.core import CoreHolder
from greatterror.model.core_kernels import end_custody
from greatterror.model.credits import CREDITS_ABOLISHED
from greatterror.model.flatcalls import close_cases_flat
from greatterror.model.gulag import GF, TermRange, term_range
from greatterror.model.ledger import Ledger
from greatterror.model.prison_terms import begin_terms
from greatterror.model.sentence_events import schedule_for_sentence
from greatterror.model.sentence_kernels import CAMP, SENTENCES, sentence_core
from greatterror.model.streams import Streams
from greatterror.model.world import World
from greatterror.vocabulary import EV, NON_POLITICAL, Status

#: the courts whose convicts' wives Order 00486 reached: "convicted by the Military Collegium
#: and the military tribunals in the first and second categories" (the order's text, 15 August
#: 1937, order00486; model/families.py)
ORDER_00486_COURTS = frozenset({"military_collegium", "military_tribunal"})
_ENTERED = GF["entered_holding"]
_LEFT_HOLDING = GF["left_holding"]
_EVENT = {
    "death": EV["convicted_cat1"],
    "camp": EV["convicted_camp"],
    "exile": EV["convicted_exile"],
    "other": EV["convicted_other"],
}
#: The status each sentence leaves a person in: "other measures" (a conditional sentence,
#: corrective labour without deprivation of liberty, expulsion...) end custody at once
_STATUS = {
    "death": Status.SENTENCED_DEATH,
    "camp": Status.CAMP,
    "exile": Status.EXILE,
    "other": Status.RELEASED,
}


class Transitions:
    """Sentence, release and death in custody of one run's cases (``Engine``'s)."""

    world: World | None
    start: dt.date
    evidence: Any
    case_arrays: CaseArrays
    layers: Layers
    ledger: Ledger
    rng: Streams
    params: dict[str, Any]
    weight_of_layer: NDArray[np.float64]
    _layer: NDArray[np.uint8]
    _changed: list[NDArray[np.int64]] | None
    core: CoreHolder
    #: some sentence was void at the halt (``steps_halt.unexecuted``): ``sentence`` then looks
    #: for its re-sentence, which is not counted again (``_void_again``)
    voided: bool = False

    if TYPE_CHECKING:

        def schedule_after(
            self, day: int, kind: str, idx: np.ndarray, delays: np.ndarray
        ) -> None: ...

        def due(self, day: int, kind: str) -> np.ndarray: ...

    def weights(self, idx: np.ndarray) -> NDArray[np.float64]:
        """Full-population equivalents of ``idx`` (mass weight, elite-layer rows 1); ``take``
        is the fancy index ``weight_of_layer[_layer[idx]]`` at half its cost on a few rows."""
        if getattr(idx, "dtype", None) == np.bool_:
            return self.weight_of_layer[self._layer[idx]]
        return self.weight_of_layer.take(self._layer.take(idx))

    def _close(
        self,
        day: int,
        idx: np.ndarray,
        status: int,
        event: int,
        sentence_day: int = -1,
        hold: bool = False,
        uncounted: NDArray[np.bool_] | None = None,
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_], float, int, float]:
        """Move ``idx`` to ``status`` and count ``event`` (a code of ``EV``), except for those
        marked ``uncounted``; with ``hold`` (a camp sentence) mark them as held in a prison
        until the etap. Returns their weights, who was in a camp or a prison awaiting the
        etap before, the sum of the weights, how many are cases of the elite operation and
        the weight of those who were under investigation or awaiting sentence."""
        assert self.world is not None
        world = self.world
        ops, region, weight, was_camp, pretrial_w, total, elite = close_cases_flat(
            idx, status, sentence_day, *self.case_arrays, *self.layers, hold
        )
        if self._changed is not None:
            self._changed.append(idx)
        if uncounted is None:
            self.ledger.add(day, region, ops, event, weight)
        else:
            kept = ~uncounted
            self.ledger.add(day, region[kept], ops[kept], event, weight[kept])
        # the weight of those who were under investigation or awaiting sentence (0.0 if
        # none: subtracting it would leave the float as it was, so it is skipped, a property
        # call the less: model/slots.py)
        if pretrial_w:
            world.camps.pretrial_w -= pretrial_w
        return weight, was_camp, total, elite, pretrial_w

    def _leave_camp(
        self, day: int, idx: np.ndarray, weight: NDArray[np.float64], was_camp: NDArray[np.bool_]
    ) -> None:
        """Take the closed ``idx`` off the camp count, or off the holding count (as
        ``left_holding`` in the Gulag flows) if they had not yet left a prison."""
        if was_camp.any():
            assert self.world is not None
            held = self.world.cases.has(HOLDING, idx) & was_camp
            in_camp = was_camp & ~held
            self.world.camps.n -= int(np.count_nonzero(in_camp))
            self.world.camps.w -= float(weight[in_camp].sum())
            if held.any():
                self._leave_holding(day, idx[held], "left_holding")

    def _leave_holding(self, day: int, idx: np.ndarray, flow: str) -> None:
        """``idx`` (held, awaiting the etap) leave the holding stage, counted as ``flow``."""
        assert self.world is not None
        camps, weight = self.world.camps, float(self.weights(idx).sum())
        self.world.cases.clear(HOLDING, idx)
        camps.hold_n -= len(idx)
        camps.hold_w -= weight
        self.ledger.gulag[day, GF[flow]] += weight

    def release(self, day: int, idx: np.ndarray) -> None:
        """Release ``idx``: from investigation or awaiting sentence (counted apart as well, in
        ``Ledger.released_pretrial``: the ``released`` event also counts the camps' releases),
        or from a camp or a prison awaiting the etap. One compiled call,
        ``core_kernels.release_core`` (``release_reference`` is the NumPy code it replaced)."""
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx):
            self.core.call(end_custody, day, idx, False, _LEFT_HOLDING)

    def die_in_custody(self, day: int, idx: np.ndarray, flow: str = "left_holding") -> None:
        """Death in custody; a prisoner still awaiting the etap is counted as ``flow``. One
        compiled call, ``core_kernels.die_in_custody_core`` (``die_in_custody_reference`` is
        the NumPy code it replaced)."""
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx):
            self.core.call(end_custody, day, idx, True, GF[flow])

    def release_reference(self, day: int, idx: np.ndarray) -> None:
        """``release`` in NumPy (tests/test_core_term_end.py, test_core_arrest.py)."""
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx):
            weight, was_camp, _, _, pretrial_w = self._close(
                day, idx, Status.RELEASED, EV["released"]
            )
            if pretrial_w:  # (adding 0.0 to the sum, never -0.0, leaves it as it is)
                self.ledger.released_pretrial += pretrial_w
            self._leave_camp(day, idx, weight, was_camp)

    def die_in_custody_reference(
        self, day: int, idx: np.ndarray, flow: str = "left_holding"
    ) -> None:
        """``die_in_custody`` in NumPy (tests/test_core_term_end.py, test_core_arrest.py)."""
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx):
            weight, was_camp, _, _, _ = self._close(
                day, idx, Status.DIED_IN_CUSTODY, EV["died_in_custody"]
            )
            assert self.world is not None
            held = self.world.cases.has(HOLDING, idx) & was_camp
            if held.any():
                self._leave_holding(day, idx[held], flow)
            self._leave_camp(day, idx, weight, was_camp & ~held)

    def _void_again(self, idx: NDArray[np.int64]) -> NDArray[np.bool_] | None:
        """Which of ``idx``, about to be sentenced, are sentenced again after their sentence
        was void at the halt (``steps_halt.unexecuted``), or None if none is.

        Such a case awaits sentence while its sentence day is still set: a new case resets
        the day (``kernels.open_cases``), and only the halt puts a sentenced case back to
        awaiting sentence. Its conviction was counted when the void sentence was passed, in
        that year, as the NKVD's yearly statistics counted the sentences passed (Popov 1992,
        GARF f.9401; the operations' totals keep it too): the new sentence replaces it and is
        not counted as a second conviction (docs/ODD.md, section 9). A convention: how the
        series treated an annulled sentence and its replacement was NOT FOUND in a stored
        source; tests/test_conviction_count.py tests the convention.
        """
        assert self.world is not None
        cases = self.world.cases
        again = (cases.status[idx] == Status.AWAITING_SENTENCE) & (cases.sentence_day[idx] >= 0)
        return again if again.any() else None

    def sentence(
        self,
        day: int,
        idx: np.ndarray,
        kind: str,
        channel: str = "courts",
        terms: TermRange | None = None,
    ) -> None:
        """Pass sentence: ``death``, ``camp``, ``exile`` or ``other`` (the 1953 series' "other
        measures": counted as a conviction, the person leaves custody at liberty, never to a
        camp or the holding stage; model/collegium.py).

        A camp sentence carries a term from the range of its ``channel``
        (model/gulag.py), or from ``terms`` if given; its end is put on the calendar
        as ``term_end``, and a colony convict's transfer from the prisons as ``to_colony``
        (model/prison_terms.py). A death sentence's execution follows after a geometric
        delay (stream ``execution``, at least the next day: a verdict passed after step 8
        must still be carried out), stamped with the sentence (model/sentence_events.py).

        One compiled call (``sentence_kernels.sentence_core``); ``sentence_reference`` is the
        same rule in NumPy, the code it replaced (tests/test_core_sentence.py).

        Death and camp sentences of the Military Collegium and the military tribunals (the
        first and second categories of Order 00486's scope) are also a signal
        (``convicted``), read by the families step (M19, model/families.py); the death
        sentences name their ``channel`` for it.
        """
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx) == 0:
            return
        assert self.world is not None
        code = SENTENCES.get(kind)
        if code is None:
            raise ValueError(f"unknown sentence {kind!r}")
        p = self.params
        if code == CAMP:
            t = terms or term_range(channel, p)
            two, mid = t.mid is not None, 0.0 if t.mid is None else float(t.mid)
            low, high, below, judicial = float(t.low), float(t.high), float(t.below), t.judicial
        else:
            low = high = mid = below = 0.0
            two = judicial = False
        self.core.call(
            sentence_core, day, idx, code, self.voided,
            1.0 / max(float(p["execution_delay"]), 1.0),
            1.0 / max(float(p["colony_transfer_days"]), 1.0),
            float(p["workday_credit"]), (CREDITS_ABOLISHED - self.start).days, NON_POLITICAL,
            low, high, two, mid, below, bool(judicial),
        )  # fmt: skip
        if channel in ORDER_00486_COURTS and kind in ("death", "camp"):
            self.world.signals.convicted.append(idx)

    def sentence_reference(
        self,
        day: int,
        idx: np.ndarray,
        kind: str,
        channel: str = "courts",
        terms: TermRange | None = None,
    ) -> None:
        """``sentence`` in NumPy, the code the compiled call replaced: kept as its test's
        reference only (tests/test_core_sentence.py). The rule is ``sentence``'s docstring."""
        idx = np.asarray(idx, dtype=np.int64)
        if len(idx) == 0:
            return
        assert self.world is not None
        world = self.world
        event = _EVENT.get(kind)
        if event is None:
            raise ValueError(f"unknown sentence {kind!r}")
        camp = kind == "camp"
        # a camp sentence: to a prison or transit point first, until the etap (model/holding.py)
        status = _STATUS[kind]
        again = self._void_again(idx) if self.voided else None
        _, _, entered, _, _ = self._close(day, idx, status, event, day, camp, again)
        if kind == "death":
            # at least the next day: a verdict passed after step 8 must still be carried out
            delay = self.rng.execution.geometric(
                1.0 / max(self.params["execution_delay"], 1.0), size=len(idx)
            )
            # stamped with the sentence (its day): a void sentence's execution, still on the
            # calendar, must not fall on a new sentence (model/sentence_events.py)
            schedule_for_sentence(self, day, "execute", idx, delay)
        elif camp:
            camps = world.camps
            camps.holding.push(idx)
            camps.hold_n += len(idx)
            camps.hold_w += entered
            begin_terms(self, day, idx, terms or term_range(channel, self.params))
            self.ledger.gulag[day, _ENTERED] += entered
        if channel in ORDER_00486_COURTS and kind in ("death", "camp"):
            world.signals.convicted.append(idx)
