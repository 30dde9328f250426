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

The special troikas, though, were not one body in Moscow: order 00606 set one in
each republic, krai and oblast, made up of the party's first secretary, the
regional NKVD chief and the procurator, "the same composition in which they had
existed before" (Mozokhin, Pravo na repressii, 2006, on the Politburo decision of
15 September 1938, AP RF f.3 op.58 d.212 l.195), i.e. the regional troikas of
Order 00447. Their throughput is therefore that of the regional troikas working
in parallel (``troika_capacity``, all regions together), not the centre's: with
the centre's capacity they could decide only about a tenth of a backlog of two
hundred thousand cases in their two months (issue 9, docs/validation.md).
"""

from __future__ import annotations

from typing import Any

from greatterror.model.state import Institutions, Ledger
from greatterror.vocabulary import CH

#: The channels of the national operations' cases (model/channels.py).
NATIONAL_CHANNELS = ("album", "special_troika")
PARAMS = ("album_capacity", "album_capacity_elasticity", "album_capacity_lag_days")


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
    return base * (1.0 + pending / (base * lag)) ** float(params["album_capacity_elasticity"])


def special_troika_capacity(params: dict[str, Any]) -> float:
    """Cases a day the special troikas decide, all regions together (module docstring):
    the regional troikas' throughput, a budget of its own beside Order 00447's troikas."""
    return float(params["troika_capacity"])


def hand_over_to_special_troikas(inst: Institutions, special_troikas: bool) -> None:
    """Order 00606: once the special troikas sit, the cases still waiting for the album
    procedure go to them, in the order they were waiting."""
    album = inst.queues[CH["album"]]
    if special_troikas and len(album):
        inst.queues[CH["special_troika"]].push(album.clear())
        inst.carry[CH["album"]] = 0.0
