"""The national operations' sentencing channel: the album procedure, then the special troikas.

Under the album procedure (Order 00485, August 1937) regional NKVD chiefs and
procurators sent lists ("albums") to Moscow, where the People's Commissar and
the Procurator-General (the "dvoika") passed sentence; from 15 September 1938
(Politburo decision, NKVD Order 00606) special troikas in the regions took
over the cases still pending (G4-album, G4-special-troikas). Neither body had
a fixed throughput: as lists piled up the centre reviewed larger albums at
more sessions, and the special troikas were created because the backlog had
grown. So the channel's daily capacity follows the pending caseload of the
national operations, with an elasticity and a lag:

    capacity(t) = album_capacity * (1 + B(t - L) / (album_capacity * L)) ** elasticity

where B is the caseload pending before the album and the special troikas
together (full-population cases) and L is ``album_capacity_lag_days``: when
the caseload is L days of the base throughput, capacity has grown by a factor
of 2 ** elasticity. Elasticity 0 is the fixed capacity of earlier versions.

However hard the centre pushed, though, every album passed through the same two
men: the People's Commissar (or Frinovsky) and the Procurator-General (or his
deputy) signed each list (Order 00485; G4-album). Their time is the ceiling,
``album_dvoika_ceiling`` cases a day, on which the elastic rule stops:

    capacity(t) = min(rule above, album_dvoika_ceiling)

The one day's output of the dvoika found is 551 names on 18 October 1937, under
two minutes a case in a sixteen-hour day (Conquest, The Great Terror: A
Reassessment, 1990); the record of the lag is qualitative: in the Harbin
operation's first weeks the Commission decided an album within two or three days,
and the delay then grew (Potapova 2020); in July 1938 Frinovsky and his aides took
the overdue albums on a train through the regions and decided them on the way
(Kotkin, Stalin: Waiting for Hitler, 2017, citing Khaustov and Samuelson, Stalin,
NKVD i repressii, 2009, p. 323). Without the ceiling the rule kept up with the
national operations' arrests all the time (at most about 1,300 cases waiting, 1:100)
and the special troikas had a few hundred cases to decide, against 13,909 of the
Harbin operation alone (V-natop-har-sptroika; issue 9, branch albumhalt).

The special troikas, though, were not one body in Moscow: order 00606 set one in
each republic, krai and oblast, made up of the party's first secretary, the
regional NKVD chief and the procurator, "the same composition in which they had
existed before" (Mozokhin, Pravo na repressii, 2006, on the Politburo decision of
15 September 1938, AP RF f.3 op.58 d.212 l.195), i.e. the regional troikas of
Order 00447. Their throughput is therefore that of the regional troikas working
in parallel (``troika_capacity``, all regions together), not the centre's: with
the centre's capacity they could decide only about a tenth of a backlog of two
hundred thousand cases in their two months (issue 9, docs/validation.md).

They had two months for the cases (Order 00606, para. 3; the Politburo decision of
15 September 1938 after Mozokhin 2006; G4-special-troikas: ``SPECIAL_TROIKA_TERM_DAYS``),
and where thousands of cases came back to a region they worked until mid-November,
where a few hundred (Armenia, Georgia) they finished in October (Potapova 2020,
V-halt-albums-*). So they decide each day an even share of what is left over the
days left of their term, within the regional troikas' throughput: a rule without a
parameter whose pace is a prior (no daily count of their sentences was found), and which
spreads the work of all regions alike, the small regions' too. At the regional troikas'
throughput alone (``troika_capacity``, 20,000 a day, which does not bind) they decided the
album's backlog of about 113,000 cases within a week of 15 September (branch albumhalt).
"""

from __future__ import annotations

from typing import Any

from greatterror.model.ledger import Ledger
from greatterror.model.state import Institutions
from greatterror.vocabulary import CH

#: The channels of the national operations' cases (model/channels.py).
NATIONAL_CHANNELS = ("album", "special_troika")
#: the special troikas' term: two months from 15 September 1938 (Order 00606, para. 3), to
#: 15 November, when Stalin's directive suspended their work (G4-special-troikas, G3-end)
SPECIAL_TROIKA_TERM_DAYS = 61

PARAMS = (
    "album_capacity",
    "album_capacity_elasticity",
    "album_capacity_lag_days",
    "album_dvoika_ceiling",
)


def pending_caseload(ledger: Ledger, day: int) -> float:
    """National-operation cases pending at the end of ``day`` (0 before the run)."""
    if day < 0:
        return 0.0
    return float(sum(ledger.backlog[day, CH[name]] for name in NATIONAL_CHANNELS))


def national_capacity(params: dict[str, Any], ledger: Ledger, day: int) -> float:
    """Cases a day the album procedure or the special troikas decide (module docstring)."""
    base = float(params["album_capacity"])
    lag = max(round(float(params["album_capacity_lag_days"])), 1)
    pending = pending_caseload(ledger, day - lag)
    elastic = base * (1.0 + pending / (base * lag)) ** float(params["album_capacity_elasticity"])
    return min(elastic, float(params["album_dvoika_ceiling"]))


def special_troika_capacity(params: dict[str, Any], pending: float, days_left: int) -> float:
    """Cases a day the special troikas decide, all regions together (module docstring): an even
    share of the ``pending`` cases over the ``days_left`` of their term, at most the regional
    troikas' throughput (a budget of its own beside Order 00447's troikas); on the term's last
    day and after it, all that is left within that throughput."""
    return min(float(params["troika_capacity"]), pending / max(days_left, 1))


def hand_over_to_special_troikas(inst: Institutions, special_troikas: bool) -> None:
    """Order 00606: once the special troikas sit, the cases still waiting for the album
    procedure go to them, in the order they were waiting."""
    album = inst.queues[CH["album"]]
    if special_troikas and len(album):
        inst.queues[CH["special_troika"]].push(album.clear())
        inst.carry[CH["album"]] = 0.0
