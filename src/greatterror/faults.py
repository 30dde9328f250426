"""A pause point for the crash-safety tests: stop at a named phase of a run until killed.

The tests of docs/reliability.md kill a run with SIGKILL during the
simulation, while its files are written and while it is being recorded,
and then check that the registry and the output folder are each complete
or absent. To kill at a known phase, they set ``GREATTERROR_PAUSE_AT`` to
the phase's name; the run prints ``paused at PHASE`` to stderr and sleeps.
Unset (always, outside those tests), this does nothing.
"""

from __future__ import annotations

import os
import sys
import time

PAUSE_ENV = "GREATTERROR_PAUSE_AT"
PHASES = ("simulation", "writing", "registry")
_LONGEST_PAUSE_SECONDS = 60.0


def pause_point(phase: str) -> None:
    if os.environ.get(PAUSE_ENV) != phase:
        return
    sys.stderr.write(f"paused at {phase}\n")
    sys.stderr.flush()
    time.sleep(_LONGEST_PAUSE_SECONDS)
