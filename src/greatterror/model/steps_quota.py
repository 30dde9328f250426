"""Step 19 (M15, M16): regions that fill their limits ask for more; the centre answers.

Order 00447 gave each region a limit, and the regions asked for more as they
filled it (M15, over-zeal). The record has three ways a request was met:

- by a dated decision (the Politburo's of 31 January and 17 February 1938,
  and the earlier increases known from secondary sources, ``limit_increases.csv``):
  a request is answered by the region's next dated decision if that decision belongs to
  the request's period (``answered_by_dated``): a request made before the operation's
  extension (31 January 1938, G12-24) by a decision made on or before that day, one made
  from the extension on by any later decision. The record answered requests differently in
  the two periods: in 1937 mostly by the NKVD's own allocations, about 260,000 without a
  written Politburo sanction (Naumov, G3-inc-unsanctioned-1937; the dated increases of 1937
  are of this kind or sum them, G3-inc-ukr-050937, G3-inc-bssr-010138), from the extension
  by the Politburo's dated decisions, with few own allocations (26,600 in January-March
  1938). A decision of the second period is not the answer to a request of the first: the
  Far Eastern krai's limit of 1 August 1938 (G3-inc-dvk-010838) does not answer its requests
  of autumn 1937, which go to the rule and the commissar's sanction like any region's (before
  branch fareast2, a region's requests waited for its dated decisions until its last one,
  however far off). Nor does a decision the record marks as made after the region's
  operation had ended (``Event.after_region_end``, ``within_operation``): the krai's of 1
  August 1938, so from the extension its requests are refused like those of any region with
  no decision to come. Which decisions are to come, the extension's day and the regions' ends
  are read from the record (the historical timeline, ``Scenario.record_events``), not from a
  counterfactual's own: a run that drops an increase learns it is not taken on its date
  (``record_dated``);
- by the rule: the answer comes after a lag (``approval_lag_days``, geometric),
  and is yes with ``approval_probability``, times ``late_approval_factor`` once
  the planned term of the operation is over (the centre's stance; a dated extension of
  the operation, ``extend_operation``, starts a new term);
- by the People's Commissar's own sanction: in the operation's first, planned term
  (``operation_term_days`` from the launch; the order's four months, G3-start), a
  share ``after_fact_share`` of the requests of a region without dated increases
  is sanctioned by Yezhov at once and stands: Naumov's comparison of the NKVD's
  summaries of allocated limits with the Politburo's decisions found about 260,000
  of the increases of 1937 allocated without a written Politburo sanction, and
  only 26,600 in January-March 1938 (evidence G3-inc-unsanctioned-1937; the
  Ukrainian increases of September 1937, G3-inc-ukr-050937, were of this kind).
  These allocations were the NKVD's own and were not reviewed, so none of them is
  withdrawn (``commissar_sanction``);
- after the fact: after the first term (and, for a request a dated decision answers,
  at any time), on a share ``after_fact_share`` of its requests the region's
  troika goes on sentencing at once, as if granted, and the sanction follows.
  If the centre then refuses, the part not yet used is withdrawn; sentences
  already passed stand.

From the operation's extension (the Politburo's decision of 31 January 1938, G12-24) the
limits of a region are raised only by the dated decisions still to come for it: the
extension named the regions and their new limits, and elsewhere the operation was to end by
15 March; a request is refused at once unless granted as asked (``requests_granted_as_asked``,
the hypotheses' setting), the troika does not act on it ahead of a sanction, and the requests
pending on the day for the rule's answer lapse in every region (``_politburo_decides``). A
region with a dated decision still to come (Ukraine, East Siberia, Sverdlovsk) may still act
ahead of it on a provisional increase, which the decision replaces when it comes
(``answer_with_dated_increase``; review12 F12).
Until issue 9 (branch pace00447) the rule went on granting requests into the summer of
1938, about twice the increases the record dates or estimates for 1938 (docs/validation.md).

A request asks for ``request_size`` times the region's initial limits, split between the
categories as the increases whose split the evidence gives (77% category 1,
``limits.increase_cat1_share``): the regions asked mostly for the first category, and the
troikas' share of death sentences follows (model/troika.py).

``requests_granted_as_asked`` is the share of requests the centre grants at once,
as asked, whatever its stance: 0 where the centre's limits set the operation's size
and timing (H1, the historical scenario), 1 where regional requests do (H3, H4).
With M16 off there are no central limits: every request raises the region's own
target at once, and the dated decisions do not apply. Every increase is logged
(``Institutions.increases``) and reported in summary.json (``limit_requests``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.dated_answers import (
    answered_by_dated,
    last_dated,
    next_dated,
    record_dated,
    record_extension_day,
    within_operation,
)
from greatterror.model.engine import Engine
from greatterror.model.loop import Component
from greatterror.model.operation_term import chiefs_alarmed, days_into_term, from_below
from greatterror.model.quota_requests import (
    AWAITS_DATED,
    clear_requests,
    close_requests,
    log_increase,
)
from greatterror.model.world import World


class QuotaDynamics(Component):
    """Step 19 (M15, M16): regions near their limits ask for more; the centre answers,
    before or after the region's troika has acted on the request."""

    name = "quota_dynamics"
    mechanisms = ("M15", "M16")
    params = (
        "after_fact_share",
        "approval_lag_days",
        "approval_probability",
        "late_approval_factor",
        "operation_term_days",
        "request_interval",
        "request_size",
        "request_threshold",
        "requests_granted_as_asked",
        "regions_start_operation",
        "regional_start_threshold",
        "regional_surge_ratio",
        "regional_baseline_half_life",
        "regional_signal_half_life",
        "regional_pooling_adults",
        "regional_surge_min_cases",
    )
    reads = ("policy", "institutions", "registers", "campaign")
    writes = ("institutions",)

    def __init__(self) -> None:
        self.dated_ready = False
        #: the record's dated decisions that answer a region's requests, per region and day
        #: (``record_dated``, ``within_operation``)
        self.dated: NDArray[np.bool_] = np.zeros((0, 0), dtype=bool)
        #: the day of the operation's extension in the record (-1: none)
        self.extension = -1

    def step(self, w: World, e: Engine, day: int) -> None:
        if "kulak_00447" not in w.policy.operations or not self.on(e, "M15"):
            return
        ceiling = self.on(e, "M16")
        if not self.dated_ready:
            self.dated_ready = True
            if ceiling:
                after_end = record_dated(w, e, after_region_end=True)
                self.dated = within_operation(record_dated(w, e), after_end)
                self.extension = record_extension_day(e)
                w.institutions.dated_until[:] = last_dated(self.dated)
        if ceiling:
            _politburo_decides(w, day)
            _not_taken(w, e, day, self.dated)
        _answers(w, e, day)
        _requests(w, e, day, ceiling, (self.dated, self.extension))


def _not_taken(w: World, e: Engine, day: int, dated: NDArray[np.bool_]) -> None:
    """Requests left waiting for a dated increase the run does not take (a counterfactual
    that drops it) go to the centre's approval rule on the day the record has it (or once
    the record's last increase for their region is past), answered after its lag, as a
    request of a region without dated increases. In a run that keeps the record's increases
    none is left: the increase answers the request on its day (``answer_with_dated_increase``,
    in the policy step, which runs before this one), so no draw is made and the run is
    unchanged."""
    inst = w.institutions
    today = dated[:, day] if dated.shape[0] else np.zeros(len(inst.pending_day), dtype=bool)
    waiting = np.flatnonzero(
        (inst.pending_day == AWAITS_DATED) & ((inst.dated_until <= day) | today)
    )
    if len(waiting) == 0:
        return
    lag = e.rng.quota.geometric(1.0 / max(e.params["approval_lag_days"], 1.0), size=len(waiting))
    inst.pending_day[waiting] = day + lag


def _approval(w: World, e: Engine, day: int) -> float | NDArray[np.float64]:
    """The centre's stance: once the planned term is over it grants extensions more sparingly.

    The term runs from the launch (from each region's own start, when the regions start the
    operation: ``days_into_term``), or from the operation's last extension by a dated
    decision (the Politburo's of 31 January 1938, G12-24), which starts a new one. One
    probability for every region, or one per region."""
    p = e.params
    pol = w.policy
    extended = pol.extended.get("kulak_00447")
    since = day - extended if extended is not None else days_into_term(w, p, day)
    late = np.asarray(since) >= p["operation_term_days"]
    factor = np.where(late, p["late_approval_factor"], 1.0)
    if factor.ndim == 0:
        return float(p["approval_probability"] * float(factor))
    return np.asarray(p["approval_probability"] * factor, dtype=np.float64)


def _answers(w: World, e: Engine, day: int) -> None:
    """The centre's answers due today, by its approval rule."""
    inst = w.institutions
    due = np.flatnonzero(inst.pending_day == day)
    if len(due) == 0:
        return
    approval = _approval(w, e, day)
    yes = e.rng.quota.random(len(due)) < (
        approval[due] if isinstance(approval, np.ndarray) else approval
    )
    date, codes = e.date(day), w.people.regions
    for r, granted in zip(due.tolist(), yes.tolist(), strict=True):
        ahead = bool(inst.pending_ahead[r])
        c1, c2 = float(inst.pending_cat1[r]), float(inst.pending_cat2[r])
        if granted:
            inst.approvals += 1
            if not ahead:
                inst.limit_cat1[r] += c1
                inst.limit_cat2[r] += c2
            log_increase(inst, date, codes[r].code, c1, c2, "approved", ahead)
        else:
            inst.refusals += 1
            if ahead:
                # what the troika has not yet used of it is withdrawn; sentences stand
                inst.limit_cat1[r] -= c1
                inst.limit_cat2[r] -= c2
    clear_requests(inst, due)


def only_dated(extended: int | None, dated_until: NDArray[np.int32], day: int) -> NDArray[np.bool_]:
    """Per region, whether its limits can now be raised only by the centre's dated decisions:
    from the operation's extension (the Politburo's decision of 31 January 1938, G12-24,
    which came with new limits for the regions it named, G3-inc-310138), in a region with no
    dated increase still to come.

    The extension was the Politburo's answer to the regions' requests of the winter: it
    named 22 regions and their new limits, and the operation was to end by 15 March
    elsewhere (G12-24a). After it the NKVD's own allocations were few (26,600 in
    January-March 1938 against about 260,000 in 1937; Naumov, G3-inc-unsanctioned-1937), so
    a request is neither granted by the approval rule nor acted on ahead of a sanction.
    Before the extension, and with no extension, False everywhere."""
    if extended is None or day < extended:
        return np.zeros(len(dated_until), dtype=bool)
    return np.asarray(dated_until <= day, dtype=bool)


def _politburo_decides(w: World, day: int) -> None:
    """On the day of the extension, the requests still pending for the rule's answer lapse in
    every region, and those waiting for a dated decision in the regions it leaves to its
    dated decisions (``only_dated``): a troika that had sentenced ahead of the sanction keeps
    its sentences, the part of the increase not yet used is withdrawn. A request made before
    the extension is no request a later decision answers (``answered_by_dated``), so one
    pending for the rule does not wait for a region's decision still to come; a request
    already waiting for a decision to come goes on waiting for it."""
    extended = w.policy.extended.get("kulak_00447")
    if extended != day:
        return
    inst = w.institutions
    only = only_dated(extended, inst.dated_until, day)
    close_requests(
        inst, np.flatnonzero((only & (inst.pending_day != -1)) | (inst.pending_day >= 0))
    )


def _requests(
    w: World,
    e: Engine,
    day: int,
    ceiling: bool,
    record: tuple[NDArray[np.bool_], int],
) -> None:
    """Regions that have filled their limit to ``request_threshold`` ask for more; where only
    the centre's dated decisions raise the limits (``only_dated``), a request not granted as
    asked (``requests_granted_as_asked``, the hypotheses' setting) is refused at once.
    ``record``: the record's dated decisions and extension day (``answered_by_dated``)."""
    inst, p = w.institutions, e.params
    limit = inst.limit_cat1 + inst.limit_cat2
    fill = limit_fill(limit, inst.used_cat1 + inst.used_cat2, inst.arrested_00447)
    asking = (
        (fill >= p["request_threshold"])
        & (day - inst.last_request >= p["request_interval"])
        & (limit > 0)
        & (inst.pending_day == -1)
        & ~inst.op_closed
    )
    if from_below(p):
        # a chief who started the operation himself asks for more only while the enemies
        # uncovered in his region keep his perceived threat at his threshold
        adults = np.maximum(w.registers.region_adults * e.w_mass, 1.0)
        # step 30 folds today's denunciations in after this step: the signal holds day days
        asking &= chiefs_alarmed(
            p, inst, w.levers.campaign, adults, day, e.w_mass, folded_today=False
        )
    regions = np.flatnonzero(asking)
    if len(regions) == 0:
        return
    inst.last_request[regions] = day
    inst.requests += len(regions)
    extra = p["request_size"] * (inst.initial_cat1[regions] + inst.initial_cat2[regions])
    if from_below(p):
        # a chief who started the operation himself asks for people already found and
        # registered beyond his limit (Gorky, G3-req-gorky-040238): no more than his
        # registers still hold, so his requests end as they run dry
        register = w.registers.kulak.sizes()[regions] * e.w_mass
        extra = np.minimum(extra, np.maximum(register - inst.arrested_00447[regions], 0.0))
        keep = extra > 0
        regions, extra = regions[keep], extra[keep]
        if len(regions) == 0:
            return
    # answered by a dated decision of the request's period, or by the rule and the commissar
    dated = answered_by_dated(next_dated(record[0], regions, day), day, record[1])
    # split as the increases whose split the evidence gives (limits.increase_cat1_share)
    cat1 = extra * e.increase_cat1_share
    cat2 = extra - cat1
    rng = e.rng.quota
    u = rng.random((2, len(regions)))
    # without central limits (M16 off) a request raises the region's own target at once
    as_asked = (u[0] < p["requests_granted_as_asked"]) | (not ceiling)
    # after the extension only the dated decisions raise the limits: a request not granted
    # as asked is refused at once, and the troika does not act on it
    refused = ~as_asked & only_dated(
        w.policy.extended.get("kulak_00447"), inst.dated_until[regions], day
    )
    inst.refusals += int(refused.sum())
    # the region's troika sentences in these proportions once its limits are used up
    inst.asked_share[regions[~refused]] = e.increase_cat1_share
    ahead = ~as_asked & ~refused & (u[1] < p["after_fact_share"])
    # in the first term the People's Commissar sanctions these himself, at once and for good
    since = days_into_term(w, p, day)
    own = ahead & commissar_sanction(
        since[regions] if isinstance(since, np.ndarray) else since,
        float(p["operation_term_days"]),
        dated,
    )
    date, codes = e.date(day), w.people.regions
    for k in np.flatnonzero(as_asked | own).tolist():
        r = int(regions[k])
        inst.approvals += 1
        inst.limit_cat1[r] += cat1[k]
        inst.limit_cat2[r] += cat2[k]
        kind = "as_asked" if as_asked[k] else "commissar"
        log_increase(inst, date, codes[r].code, cat1[k], cat2[k], kind, bool(own[k]))
    rest = np.flatnonzero(~as_asked & ~own & ~refused)
    if len(rest) == 0:
        return
    waiting = regions[rest]
    inst.pending_cat1[waiting] = cat1[rest]
    inst.pending_cat2[waiting] = cat2[rest]
    inst.pending_ahead[waiting] = ahead[rest]
    # the troika acts on the request at once; the centre's answer follows
    inst.limit_cat1[waiting] += np.where(ahead[rest], cat1[rest], 0.0)
    inst.limit_cat2[waiting] += np.where(ahead[rest], cat2[rest], 0.0)
    lag = rng.geometric(1.0 / max(p["approval_lag_days"], 1.0), size=len(rest))
    inst.pending_day[waiting] = np.where(dated[rest], AWAITS_DATED, day + lag)


def limit_fill(
    limit: NDArray[np.float64], sentenced: NDArray[np.float64], arrested: NDArray[np.float64]
) -> NDArray[np.float64]:
    """How far each region has filled its limit, as its NKVD chief counted it: by the people
    arrested under the order, or by its troika's sentences if these are more (0 without a
    limit).

    The limits were numbers of people "subject to repression", and the regions asked for
    more as their arrests approached them, long before their troikas had sentenced that
    many: Omsk asked on 15 August 1937, ten days into the operation, to raise its
    category-1 limit eightfold (evidence G3-req-omsk-150837); Gorky asked on 4 February
    1938 for people already found and registered beyond its limit (G3-req-gorky-040238).
    Counted by sentences alone, a region asked only once its troika had caught up with
    its arrests, a month or more later (the arrest-to-sentence lag of
    ``kulak_investigation_days``, IN-00447-lag-perm), and its operation stalled meanwhile
    at its arrest goal (docs/validation-log.md, "Order 00447's pace in autumn 1937").
    """
    done = np.maximum(sentenced, arrested)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(limit > 0, done / limit, 0.0)


def commissar_sanction(
    days_since_launch: int | NDArray[np.int64], term_days: float, dated: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """Whether a request acted on before the Politburo's sanction is the People's
    Commissar's own final allocation (True) or waits for the centre's answer (False).

    Yezhov allocated most of the increases of 1937 himself, without a written Politburo
    sanction (about 260,000), and few after the operation's first term (26,600 in
    January-March 1938; Naumov, evidence G3-inc-unsanctioned-1937): so only within the
    first, planned term of the operation, counted from its launch (from each region's own
    start when the regions start it, ``days_into_term``; not from a later extension, which
    the Politburo decided together with new limits, G3-inc-310138).
    A request that a dated decision answers (``dated``, ``answered_by_dated``) waits for
    it: the evidence dates that region's increase, which is then the sanction.
    """
    return (days_since_launch < term_days) & ~dated
