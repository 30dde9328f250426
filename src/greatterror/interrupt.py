"""What Ctrl-C does to a command: one line on stderr and exit code 130, never a traceback.

A user who interrupts a command (Ctrl-C, or SIGINT from another program) meant to stop it;
a traceback would read as a bug. Python raises ``KeyboardInterrupt`` wherever the main
process is when the signal arrives (a Numba kernel runs to its end first, since Python
handles signals only between bytecodes); the ``finally`` and ``except BaseException``
blocks on the way out remove a run's partial folder and stop the output worker
(docs/reliability.md), and the command line then prints :data:`MESSAGE` and exits with
:data:`INTERRUPTED`, 128 + SIGINT, as a shell reports a process the signal ended. The
interrupt can also come while the command line's modules are still being imported (Numba,
the population's modules: a few seconds on a loaded machine), before the root command's
net exists; :func:`exit_quietly` covers that. This module imports nothing of the project,
so that it can be the first thing the command line imports, and it sits outside the cli
package so that the calibration's two point-fit scripts (calibration/leader_rule.py,
search.py) use it without depending on the command line (review23 F12). The command line
imports it from here (cli/app.py); the re-export cli/interrupt.py, which nothing imported, is
gone (review24 F6).
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator

#: exit code of an interrupted command: 128 + SIGINT
INTERRUPTED = 130
MESSAGE = "interrupted: the command stopped before it finished"


def interrupted() -> int:
    """Print the one line that says the command was interrupted; return the exit code.

    Called on the way out, after the cleanup of the blocks unwound. The objects left are then
    frozen out of the cycle collector: the interpreter's last collection at exit took 5-7 s
    after an interrupt during a 1:100 population build (py-spy: ``gc_collect_main``, on a
    loaded two-core machine, 5 Dec 2026), and 1.5 s in all with the freeze; the memory goes
    back to the system when the process ends."""
    with contextlib.suppress(OSError, ValueError):  # stderr closed: the exit code says it
        sys.stderr.write(f"{MESSAGE}\n")
        sys.stderr.flush()
    gc.freeze()
    return INTERRUPTED


@contextlib.contextmanager
def exit_quietly() -> Iterator[None]:
    """Within this block, an interrupt exits the process with :func:`interrupted`."""
    try:
        yield
    except KeyboardInterrupt:
        raise SystemExit(interrupted()) from None
