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
        try:
            return self._gens[name]
        except KeyError:
            raise AttributeError(f"no random stream named {name!r}") from None
