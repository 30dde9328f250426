"""Named random streams, one per kind of decision (common random numbers).

Two scenarios that share a seed draw denunciations from the same stream,
sentences from the same stream, and so on, so their outputs differ only
where their rules differ; comparisons between runs are paired. The show trials draw from
four streams, one per kind of decision (the leadership's list and who is brought back, the
names given in a case's interrogations, the verdicts, the investigations a case opens or
extends: their lengths and their interrogations' uniforms), so that a change to one leaves
the others' draws in place (review finding F8: one stream served all three). The isolation
is of the draws, not of their consequences: a trial case's confessor still names
accomplices on the ``naming`` stream and is sentenced on the channels' streams, so a trial
parameter can move the mass operations' outcomes a little (tests/test_trial_cases.py).
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.typing import NDArray

STREAMS = (
    "denunciation",
    "register",
    "national",
    "investigation",
    "duration",
    "operation",
    "cascade",
    "review",
    "naming",
    "sentencing",
    "execution",
    "gulag",
    "holding",
    "term",
    "quota",
    "elite",
    "trial_list",
    "trial_names",
    "trial_verdict",
    "trial_interrogation",
    "release",
    "family",
    "purge",
    "army",
    "army_ties",
    "cadres",
    "party",
    "covert",
    "detection",
    "economy",
    "vengeance",
    "signals",
    "courts",
    "provocation",
    "social_order",
    "reception",
    "transfer",
    "colony_deaths",
    "debility",
    "opposition",
    "first_category",
    "no_sentence",
    "regional_start",
    "no_sentence_investigation",
    "list_selection",
    "halt_review",
    "sanction_wait",
)


class Streams:
    """A run's streams: one ``Generator`` per name of ``STREAMS``, as attributes.

    Compiled code draws from them through ``pointers`` (model/stream_pointers.py). A copy or
    a pickle has its own generators, in the same states, and builds its own pointer table:
    the original's would point into the original's generators."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._gens = {
            name: np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(name.encode())]))
            for name in STREAMS
        }
        # plain attributes: ``__getattr__`` runs only for a name that is not one (a
        # Python-level call per draw otherwise, tens of thousands a run)
        self.__dict__.update(self._gens)

    def __getattr__(self, name: str) -> np.random.Generator:
        # through ``__dict__``: an instance being unpickled has no ``_gens`` yet, and
        # ``self._gens`` would call this method again, without end
        try:
            return self.__dict__["_gens"][name]
        except KeyError:
            raise AttributeError(f"no random stream named {name!r}") from None

    @property
    def pointers(self) -> NDArray[np.uint64]:
        """The streams' pointer table for compiled draws, rows in the order of ``STREAMS``
        (model/stream_pointers.py), made once; it keeps the generators alive."""
        table = self.__dict__.get("_pointers")
        if table is None:
            from greatterror.model.stream_pointers import pointer_table

            table = pointer_table([self._gens[name] for name in STREAMS])
            self.__dict__["_pointers"] = table
        return table

    def __setattr__(self, name: str, value: object) -> None:
        """Refuses to replace a stream: the pointer table would go on drawing from the old one
        (which it keeps alive), while Python draws from the new one."""
        if name in STREAMS:
            raise AttributeError(f"random stream {name!r} cannot be replaced")
        super().__setattr__(name, value)

    def __getstate__(self) -> dict[str, object]:
        """The state without the pointer table, which a copy rebuilds for its generators."""
        state = dict(self.__dict__)
        state.pop("_pointers", None)
        return state
