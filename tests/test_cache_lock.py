"""Numba's cache files are locked across processes (model/cache_lock.py): a save waits for
every other holder of the folder's lock, a load only for an exclusive one, and two processes
saving into one index both keep their entries.

No test measures time: a waiting call is seen waiting in the kernel's lock table
(/proc/locks), and the holder writes a file before it lets go, which a call that waited finds."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from greatterror.model import cache_lock

pytestmark = pytest.mark.skipif(
    not Path("/proc/locks").exists(), reason="needs fcntl and Linux's lock table"
)

#: a bound on waits that only a broken lock or a hung process would reach
HANG = 60.0

HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o666)
fcntl.flock(fd, fcntl.LOCK_EX if sys.argv[2] == "exclusive" else fcntl.LOCK_SH)
print("held", flush=True)
sys.stdin.readline()
open(sys.argv[3], "w").close()  # written while the lock is still held
os.close(fd)
"""


def _cache_file(folder: Path, base: str = "kernel") -> object:
    from numba.core.caching import IndexDataCacheFile

    assert cache_lock.install()
    return IndexDataCacheFile(str(folder), base, source_stamp=("stamp", 1))


def _waiting_on(path: Path) -> bool:
    """Whether a process waits for a lock on ``path`` (Linux: a '->' line of /proc/locks)."""
    inode = f":{path.stat().st_ino} "
    return any(
        "->" in line and inode in line for line in Path("/proc/locks").read_text().split("\n")
    )


@pytest.mark.parametrize(
    ("call", "held", "waits"),
    [
        ("save", "exclusive", True),
        ("save", "shared", True),
        ("load", "exclusive", True),
        ("load", "shared", False),
    ],
)
def test_a_cache_call_waits_for_a_conflicting_lock(
    tmp_path: Path, call: str, held: str, waits: bool
) -> None:
    cache_file = _cache_file(tmp_path)
    getattr(cache_file, "save")(("sig", 0), "code")  # noqa: B009  (something to load)
    lock = Path(cache_lock.lock_path(str(tmp_path)))
    released = tmp_path / "released"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock), held, str(released)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "held"
        seen: dict[str, object] = {}

        args = (("sig", 1), "other") if call == "save" else (("sig", 0),)

        def run() -> None:
            seen["result"] = getattr(cache_file, call)(*args)
            seen["after release"] = released.exists()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        if waits:  # until the call waits on the lock, or (without a lock) has returned
            deadline = time.monotonic() + HANG
            while thread.is_alive() and not _waiting_on(lock) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert thread.is_alive(), f"{call} did not wait for the {held} lock"
        else:
            thread.join(HANG)
            assert not thread.is_alive(), f"{call} waited for a {held} lock"
        holder.stdin.write("go\n")
        holder.stdin.flush()
        thread.join(HANG)
        assert not thread.is_alive()
        assert seen["after release"] is waits
        assert seen["result"] == (None if call == "save" else "code")
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_file_does_not_hinder_dropping_stale_caches(tmp_path: Path) -> None:
    """compiled.drop_stale_caches empties indexes through ``flush``, also under the lock."""
    cache_file = _cache_file(tmp_path)
    getattr(cache_file, "save")(("sig", 0), "code")  # noqa: B009
    getattr(cache_file, "flush")()  # noqa: B009
    assert getattr(cache_file, "load")(("sig", 0)) is None  # noqa: B009
    assert Path(cache_lock.lock_path(str(tmp_path))).exists()


WRITER = """
import os, sys, time
from greatterror.model import cache_lock
from numba.core.caching import IndexDataCacheFile
assert cache_lock.install()
cache_file = IndexDataCacheFile(sys.argv[1], "kernel", source_stamp=("stamp", 1))
me, n = sys.argv[2], int(sys.argv[3])
open(os.path.join(sys.argv[1], "ready-" + me), "w").close()
while not os.path.exists(os.path.join(sys.argv[1], "go")):
    time.sleep(0.001)
for i in range(n):
    cache_file.save((me, i), f"{me}{i}")
"""

#: saves per process: enough for dozens of lost entries without the lock (checked)
SAVES = 150


def test_two_processes_saving_into_one_index_keep_every_entry(tmp_path: Path) -> None:
    """Two processes save different keys into one index at the same moment; every key must
    then load its own data (without the lock, entries are lost or name another's data)."""
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), me, str(SAVES)])
        for me in ("a", "b")
    ]
    try:
        deadline = time.monotonic() + HANG
        while not all((tmp_path / f"ready-{me}").exists() for me in ("a", "b")):
            assert time.monotonic() < deadline and all(w.poll() is None for w in writers)
            time.sleep(0.01)
        (tmp_path / "go").touch()
        assert [w.wait(HANG) for w in writers] == [0, 0]
    finally:
        for w in writers:
            w.kill()
            w.wait()
    cache_file = _cache_file(tmp_path)
    wrong = [
        (me, i)
        for me in ("a", "b")
        for i in range(SAVES)
        if getattr(cache_file, "load")((me, i)) != f"{me}{i}"  # noqa: B009
    ]
    assert not wrong, f"{len(wrong)} of {2 * SAVES} entries lost or wrong: {wrong[:5]}"


def test_runs_lock_the_kernels_caches(tmp_path: Path) -> None:
    """The lock is installed where every process that runs kernels starts
    (compiled.drop_stale_caches), and a kernel's cache folder then holds its lock file."""
    code = (
        "import numpy as np\n"
        "from numba.core.caching import IndexDataCacheFile\n"
        "from greatterror.model import cache_lock, compiled, sorting\n"
        "assert not hasattr(IndexDataCacheFile, cache_lock.MARK)\n"
        "compiled.drop_stale_caches()\n"
        "assert getattr(IndexDataCacheFile, cache_lock.MARK)\n"
        "sorting.merge_sorted(np.arange(3), np.arange(2))\n"
        "print(sorting.merge_sorted._cache.cache_path)\n"
    )
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    folder = Path(out.stdout.strip())
    assert folder.is_relative_to(tmp_path)
    assert list(folder.glob("*.nbc")) and Path(cache_lock.lock_path(str(folder))).exists()


def test_another_numba_is_left_as_it_is() -> None:
    """If Numba's class lacks a method the lock wraps, nothing is patched and nothing fails."""
    code = (
        "from numba.core.caching import IndexDataCacheFile\n"
        "from greatterror.model import cache_lock\n"
        "del IndexDataCacheFile.flush\n"
        "save = IndexDataCacheFile.save\n"
        "assert cache_lock.install() is False\n"
        "assert IndexDataCacheFile.save is save\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("code", ["ENOLCK", "ENOSYS", "EOPNOTSUPP"])
def test_a_file_system_without_flock_runs_unlocked_and_says_so_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    code: str,
) -> None:
    """NFS without lockd, Lustre without ``flock``: the lock's error must not reach the user."""
    import errno
    import fcntl

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    monkeypatch.setattr(cache_lock, "_WARNED", [])
    cache_file = _cache_file(tmp_path)
    with caplog.at_level("WARNING", logger=cache_lock.__name__):
        getattr(cache_file, "save")(("sig", 0), "code")  # noqa: B009
        assert getattr(cache_file, "load")(("sig", 0)) == "code"  # noqa: B009
        getattr(cache_file, "flush")()  # noqa: B009
    said = [r for r in caplog.records if r.name == cache_lock.__name__]
    assert len(said) == 1 and "without a lock" in said[0].getMessage()
    assert not cache_lock._HELD  # every descriptor closed


def _lock_is_taken(path: Path) -> bool:
    """Whether another open of ``path`` (in this process: its own open file description)
    finds a lock on it."""
    import fcntl

    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_forked_child_does_not_keep_the_parents_lock(tmp_path: Path) -> None:
    """A child forked while the lock is held closes its copy: once the parent lets go, the
    lock is free although the child still runs."""
    lock = Path(cache_lock.lock_path(str(tmp_path)))
    ready_r, ready_w = os.pipe()
    stop_r, stop_w = os.pipe()
    with cache_lock.locked(str(tmp_path), exclusive=True):
        pid = os.fork()
        if pid == 0:  # the child: says it runs, then waits until told to stop
            try:
                os.write(ready_w, b"x")
                os.read(stop_r, 1)
            finally:
                os._exit(0)
        assert os.read(ready_r, 1) == b"x"
        assert _lock_is_taken(lock)
    try:
        assert not _lock_is_taken(lock), "the forked child still holds the lock"
    finally:
        os.write(stop_w, b"x")
        os.waitpid(pid, 0)
        for fd in (ready_r, ready_w, stop_r, stop_w):
            os.close(fd)


def test_a_lock_file_that_cannot_be_written_is_locked_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache folder shared read-only (its caches made by another user): the lock file is
    opened for reading and still locked. (Simulated: root may write anywhere.)"""
    lock = Path(cache_lock.lock_path(str(tmp_path)))
    lock.touch()
    real_open = os.open
    modes: list[int] = []

    def read_only(path: str, flags: int, mode: int = 0o777) -> int:
        if str(path) == str(lock):
            modes.append(flags)
            if flags & (os.O_RDWR | os.O_WRONLY | os.O_CREAT):
                raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", read_only)
    with cache_lock.locked(str(tmp_path), exclusive=False):
        monkeypatch.setattr(os, "open", real_open)
        assert _lock_is_taken(lock)
    assert modes == [os.O_RDWR | os.O_CREAT, os.O_RDONLY]
    assert not _lock_is_taken(lock)


def test_a_folder_without_a_lock_file_that_cannot_be_written_runs_unlocked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open
    lock = cache_lock.lock_path(str(tmp_path))

    def refused(path: str, flags: int, mode: int = 0o777) -> int:
        if str(path) == lock:
            raise (PermissionError if flags & os.O_CREAT else FileNotFoundError)(path)
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", refused)
    ran = False
    with cache_lock.locked(str(tmp_path), exclusive=True):
        ran = True
    assert ran and not Path(lock).exists()
