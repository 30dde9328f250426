"""What the model knows and the regime did not: who really conspired, dissented or sabotaged.

Most explanations of the Terror hold that nearly everyone arrested was
innocent of the charges; the "fifth column" explanation (H5) holds that a
real conspiracy existed and was destroyed. To let a run say how many of
those arrested were real conspirators and how many were not, the people
who really were are drawn at the start and kept here (M24, M25), with the
real saboteurs found by the hunt for "wreckers" (M11), and, in the variant of
H5 in which the NKVD itself was penetrated (H5b), the conspirators among its
officers and the people they arrested on the conspiracy's behalf.

The other mechanisms of this group keep their counts here too: reports sent
up the hierarchy (M02), plan failures and their attribution (M10, M11), the
leader's personal enemies (M27), the centre's signals (M28) and killings
abroad (M29). Everything is empty or zero while its mechanism is off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray


def _none() -> NDArray[np.int64]:
    return np.empty(0, dtype=np.int64)


@dataclass
class GroundTruth:
    """The people who really acted against the regime, and the counts of this group's steps."""

    #: M24: real conspirators and foreign agents (elite layer and mass population), ascending
    conspirators: NDArray[np.int64] = field(default_factory=_none)
    #: M25: people engaged in small real opposition activity (talk, circles, protest)
    dissidents: NDArray[np.int64] = field(default_factory=_none)
    #: M24, the penetrated NKVD (H5b): conspirators among the NKVD's officers, ascending
    provocateurs: NDArray[np.int64] = field(default_factory=_none)
    #: the people they arrested, batch by batch, and the weight of each batch at its arrest
    provoked: list[NDArray[np.int64]] = field(default_factory=list)
    provoked_w: list[float] = field(default_factory=list)
    #: the provocateurs the hunt for conspirators found and arrested, batch by batch
    exposed: list[NDArray[np.int64]] = field(default_factory=list)
    #: M11: managers arrested for a failure that really was sabotage, batch by batch
    wreckers: list[NDArray[np.int64]] = field(default_factory=list)
    #: M27: the leader's personal enemies (old oppositionists, those who crossed him)
    enemies: NDArray[np.int64] = field(default_factory=_none)
    #: M02: weighted reports of uncovered enemies sent up: real ones and false positives
    reports_true: float = 0.0
    reports_false: float = 0.0
    #: M11/M10: weighted plan failures, the sabotage among them, and suspicions acted on
    failures: float = 0.0
    sabotage: float = 0.0
    attributed: float = 0.0
    doctrine_suspicions: float = 0.0
    #: M28: the centre's signals so far, and the local expectation of the central line
    signals_vigilance: int = 0
    signals_restraint: int = 0
    line: float = 0.0
    #: M29: the killings abroad counted, as rows of data/killings_abroad.csv
    abroad: list[dict[str, Any]] = field(default_factory=list)

    def guilty(self) -> NDArray[np.int64]:
        """Everyone who really acted: conspirators (in the NKVD too), dissidents and
        saboteurs (unique)."""
        parts = [self.conspirators, self.provocateurs, self.dissidents, *self.wreckers]
        return np.unique(np.concatenate(parts)) if any(len(p) for p in parts) else _none()

    def counts(self) -> dict[str, Any]:
        """summary.json ``mechanism_counts``: what M02, M10, M11, M27, M28 and M29 did."""
        return {
            "reports": {"true": self.reports_true, "false_positives": self.reports_false},
            "wrecking": {
                "failures": self.failures,
                "sabotage": self.sabotage,
                "attributed": self.attributed,
                "doctrine_suspicions": self.doctrine_suspicions,
            },
            "personal_enemies": {"people": len(self.enemies)},
            "signals": {"vigilance": self.signals_vigilance, "restraint": self.signals_restraint},
            "killings_abroad": {
                "established": sum(r["attribution"] == "established" for r in self.abroad),
                "contested": sum(r["attribution"] == "contested" for r in self.abroad),
                "list": list(self.abroad),
            },
        }
