"""A file lock around Numba's cache writes and reads, so that processes sharing a cache cannot
corrupt it.

Numba's on-disk cache is not safe for two processes at once (numba/numba#10128, open; the
maintainers suggest a file lock, which Numba does not have). ``IndexDataCacheFile.save`` reads
a kernel's index, picks a data file name the index does not use, writes the index, then the
data file. Two processes saving two signatures of one kernel can therefore lose one entry, or
leave the index naming the other signature's code; a process loading between the index write
and the data write can read a data file of that name left from older sources. The product
runs processes on one cache: ``greatterror calibrate --workers N`` (pyabc's forked workers),
Dask workers, ``gt.Ensemble``'s workers, ``hypotheses compare``, ``sensitivity``, ``hypotheses
reference build --workers N``, and several ``greatterror run`` started together; the first run
after an install or an edit compiles in all of them at once.

``install`` wraps three methods of that class: ``save`` and ``flush`` (which empties an index:
``compiled.drop_stale_caches``) hold an exclusive ``fcntl.flock`` on one lock file per cache
folder, ``load`` a shared one; reads still run together, and a lock is held only for the file
work (compiling happens before ``save``). The lock file, ``numba-cache.lock``, stays in the
folder: removing it while another process holds it would let a third take the lock on a new
file. It lives where the caches do (``__pycache__`` or ``NUMBA_CACHE_DIR``), which git ignores
and the package data (pyproject.toml: CSV and TOML files only) leaves out.

Checked against numba 0.68.1 (pyproject.toml allows ``>=0.60,<1``). The class is an internal
of Numba's: if it or one of the three methods is missing, nothing is patched and no error is
raised (the cache is then as safe as Numba makes it). POSIX only (``fcntl``): elsewhere nothing
is patched. The patch applies to every Numba cache in the process, not only this package's.

Where the lock cannot be had, the cache works as Numba alone makes it and the run goes on: a
folder that can be neither written nor read (``_open`` gives None), or a file system without
``flock``, where it raises on every call (Lustre mounted without it: ENOSYS; NFS without lockd:
ENOLCK; some FUSE and SMB mounts: EOPNOTSUPP). The second is logged once a process (logged,
not warned: ``-W error`` would make a warning an error again). A process forked while one of
its threads holds a lock (pyabc's or an ensemble's workers, forked while another thread loads
a kernel) closes its copies of the held descriptors at once: they share the parent's lock, so
other processes would wait for the child to exit, and the child would wait for itself if it
saved into that folder.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

#: the lock file, one in each cache folder
LOCK_NAME = "numba-cache.lock"

#: the methods wrapped, and whether each takes the exclusive lock
LOCKED_METHODS = {"save": True, "flush": True, "load": False}

#: set on Numba's class once patched (a second ``install``, e.g. from a copy of this module,
#: must not lock twice: one process's two locks on one file would wait for each other)
MARK = "_greatterror_cache_lock"

#: descriptors of the locks this process holds now (closed in a forked child; see the module)
_HELD: set[int] = set()

#: the reason the first lock that could not be had was logged for (once a process)
_WARNED: list[str] = []


def lock_path(folder: str) -> str:
    return os.path.join(folder, LOCK_NAME)


def _open(path: str) -> int | None:
    """The lock file opened (created if missing), or None if the folder cannot be written nor
    the file read: then no process can write caches there either."""
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
        with contextlib.suppress(OSError):
            return os.open(path, flags, 0o666)
    return None


@contextlib.contextmanager
def locked(folder: str, exclusive: bool) -> Iterator[None]:
    """Hold the cache folder's lock, exclusive or shared, for the ``with`` block."""
    import fcntl

    fd = _open(lock_path(folder))
    if fd is None:
        yield
        return
    _HELD.add(fd)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        except OSError as error:  # no flock on this file system: as Numba alone
            _warn_unlocked(str(error))
        yield
    finally:
        if fd in _HELD:  # not if a fork inside the block closed the child's copy
            _HELD.discard(fd)
            os.close(fd)  # releases the lock


def _warn_unlocked(reason: str) -> None:
    """Say once a process that the caches go unlocked; never an error."""
    if _WARNED:
        return
    _WARNED.append(reason)
    logging.getLogger(__name__).warning(
        "Numba's cache is used without a lock (%s): processes compiling at once are then "
        "only as safe as Numba alone makes them",
        reason,
    )


def _close_held_in_child() -> None:
    """In a forked child: close the copies of the parent's held lock descriptors (closing a
    copy does not release the parent's lock; it stops the child from holding it too)."""
    for fd in list(_HELD):
        _HELD.discard(fd)
        with contextlib.suppress(OSError):
            os.close(fd)


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_close_held_in_child)


def _wrap(original: Callable[..., Any], exclusive: bool) -> Callable[..., Any]:
    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        folder = getattr(self, "_cache_path", None)
        if not isinstance(folder, str):  # Numba's internals changed: as Numba does
            return original(self, *args, **kwargs)
        with locked(folder, exclusive):
            return original(self, *args, **kwargs)

    return method


@functools.cache
def install() -> bool:
    """Lock Numba's cache files across processes (once a process; forked children inherit it).
    True if Numba's class is patched (now or before)."""
    try:
        import fcntl  # noqa: F401  (POSIX only)

        from numba.core.caching import IndexDataCacheFile
    except ImportError:
        return False
    if getattr(IndexDataCacheFile, MARK, False):
        return True
    originals: list[Callable[..., Any]] = []
    for name in LOCKED_METHODS:
        method = getattr(IndexDataCacheFile, name, None)
        if not callable(method):  # another Numba: leave its cache as it is
            return False
        originals.append(method)
    for (name, exclusive), original in zip(LOCKED_METHODS.items(), originals, strict=True):
        setattr(IndexDataCacheFile, name, _wrap(original, exclusive))
    setattr(IndexDataCacheFile, MARK, True)
    return True
