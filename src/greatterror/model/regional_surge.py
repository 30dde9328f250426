"""A regional NKVD chief's reading of a wave of denunciations in his region (H3, H4).

With ``regions_start_operation`` = 3 a chief starts Order 00447 (model/regional_start.py)
and keeps asking for more (model/steps_quota.py) while the denunciations acted on in his
region run well above what he is used to. Why this signal, and why its change:

- *Denunciations, not the register work.* Harris places the regional escalation in the
  denunciations the calls for vigilance set off after the August 1936 trial: "Party
  officials, enterprise directors and specialists began to denounce one another. Workers
  denounced the bosses" (F003:81); H4's regional variation is "explained by local factors
  (... the local volume of denunciations)" (seed_system.md section 3, H4's predictions,
  l.1042: the seed system's own prediction, with no F-reference; the overshoot it cites,
  F002:732-734 and 1185, is of local leaders and courts: the January 1938 decree against
  mass expulsions from the Party, and the courts under the decree of 2 October 1937); the
  centre solicited such signals (Stalin, F002:1103-1104; M12). The
  NKVD's routine work on its own registers (M23), which is the bulk of the political arrests
  outside the mass operations in every year from 1935 (docs/hypotheses-log.md, prior
  predictive check), is not a signal of new enemies and is left out.
- *Its change, not its level.* Harris describes a "fresh wave of calls for vigilance" after
  the trial, and the denunciations it set off (F003:81), a surge against what went before, and a chief who must show vigilance against his own
  record (M15: "the penalty for 'lack of vigilance' exceeds the penalty for excess",
  seed_system.md line 635). So the chief compares his region's recent rate (half-life
  ``regional_signal_half_life``) with his own baseline (half-life
  ``regional_baseline_half_life``); the ratio does not depend on the region's size.
- *Read with the country's.* A rate of a few cases is noise, and at a sampled scale one
  sampled arrest would be a surge in a small region. A chief reads his region's rates
  together with the Union's, each weighed by its adults, the Union's counting as
  ``regional_pooling_adults`` adults (the calls for vigilance and the trials' reports reached
  every region through the central press, F003:81; M09): a large region follows its own
  wave, a small one mostly the country's. The rates and their ratio are in full-population
  equivalents; the guard below is not, so the rule in people depends on the sampling scale.
- *Not from a case or two.* A chief reads a surge only from at least
  ``regional_surge_min_cases`` cases in his recent window (his own and his share of the
  Union's, as read), counted in sampled cases: a resolution guard of the sampled model, not
  a historical figure. At the full population it asks for a few people and never binds; at
  1:1,000, where one sampled case is 1,000 people, it keeps one sampled denunciation from
  starting a region (docs/hypotheses-log.md, prior predictive check). In people it asks for
  3,000 at 1:1,000 and 30,000 at 1:10,000: where and whether a region starts is a result at
  the run's scale. It counts the cases' decayed sum, without the start-of-run correction
  that the ratio needs (``resolved``).

No random draw; nothing here runs unless the switch is 3.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from greatterror.model.state import Institutions


def surging(p: dict[str, float]) -> bool:
    """Whether the chiefs read the surge of denunciations (``regions_start_operation`` = 3)."""
    return float(p["regions_start_operation"]) > 2.5


def decay(half_life: float) -> float:
    """One day's decay factor for a half-life in days."""
    return float(0.5 ** (1.0 / max(half_life, 1e-9)))


def update(
    inst: Institutions,
    p: dict[str, float],
    adults: NDArray[np.float64],
) -> None:
    """Fold the day's denunciation arrests (``Institutions.region_denounced``, per region,
    full-population equivalents) into the chief's recent signal and his baseline, both as
    arrests per 1,000 adults per day (exponentially weighted means), and clear the day's count."""
    today = 1000.0 * inst.region_denounced / adults
    for arr, hl in (
        (inst.region_signal, p["regional_signal_half_life"]),
        (inst.region_baseline, p["regional_baseline_half_life"]),
    ):
        d = decay(float(hl))
        arr *= d
        arr += (1.0 - d) * today
    inst.region_denounced[:] = 0.0


def surge(
    inst: Institutions, p: dict[str, float], adults: NDArray[np.float64], days: int
) -> NDArray[np.float64]:
    """Per region, the recent rate over the baseline, each read with the Union's: for a region
    of ``a`` adults, (a x recent + A x Union's recent) / (a x baseline + A x Union's baseline),
    A = ``regional_pooling_adults``. ``days``: the days folded in so far; both means are
    divided by their weight so far (1 - decay^days), so that the baseline of a run's first
    year is not read as low. 1 where no denunciation has been acted on yet."""
    days = max(int(days), 1)
    fast = 1.0 - decay(float(p["regional_signal_half_life"])) ** days
    slow = 1.0 - decay(float(p["regional_baseline_half_life"])) ** days
    pool = float(p["regional_pooling_adults"])
    total = float(adults.sum())
    union_recent = float((inst.region_signal * adults).sum()) / total / fast
    union_base = float((inst.region_baseline * adults).sum()) / total / slow
    recent = adults * inst.region_signal / fast + pool * union_recent
    base = adults * inst.region_baseline / slow + pool * union_base
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(base > 0.0, recent / np.where(base > 0.0, base, 1.0), 1.0)
    return np.asarray(ratio, dtype=np.float64)


def resolved(
    inst: Institutions,
    p: dict[str, float],
    adults: NDArray[np.float64],
    case_weight: float,
) -> NDArray[np.bool_]:
    """Per region, whether the cases a chief reads in his recent window (his region's, and
    the Union's at the weight ``regional_pooling_adults``, as in ``surge``) reach
    ``regional_surge_min_cases`` sampled cases of ``case_weight`` people each.

    The count is the decayed sum of the cases folded in so far, each weighed by
    decay^(its age in days): the mean ``region_signal`` over (1 - decay). It is not divided
    by the start-of-run correction (1 - decay^days) that ``surge`` applies to its rates:
    that correction is right for a ratio of rates, but it would count one real case early
    in a run as several (review20 F4: one case as 3.4 on day 15 at a half-life of 30 days),
    and two sampled cases in December 1934 would then start a region against a guard of
    three."""
    one_day = 1.0 - decay(float(p["regional_signal_half_life"]))
    pool = float(p["regional_pooling_adults"])
    union_signal = float((inst.region_signal * adults).sum()) / float(adults.sum())
    # people: the rates are per 1,000 adults a day, and signal / (1 - decay) is their decayed sum
    cases = (adults * inst.region_signal + pool * union_signal) / 1000.0 / one_day
    return np.asarray(cases >= float(p["regional_surge_min_cases"]) * case_weight)
