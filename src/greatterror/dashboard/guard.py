"""One run at a time per connected user.

A user is a browser session (solara's session id, kept in a cookie), so two
tabs of one browser share the allowance. The guard is the server's own
record of which sessions have a run going; it holds nothing from the
client but the session id solara issued.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from greatterror.dashboard.engine import InputProblem


class RunGuard:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[str] = set()

    def busy(self, session: str) -> bool:
        with self._lock:
            return session in self._running

    @contextmanager
    def hold(self, session: str) -> Iterator[None]:
        """Mark the session as running for the duration; refuse a second run."""
        with self._lock:
            if session in self._running:
                raise InputProblem(
                    "run: another run of yours is still going; wait for it to finish "
                    "(one run at a time per user)"
                )
            self._running.add(session)
        try:
            yield
        finally:
            with self._lock:
                self._running.discard(session)


#: the server's one guard, shared by the Run and Compare pages
GUARD = RunGuard()
