"""One writer at a time per workspace: an advisory lock on ``.bokslut/lock``.

Every command that changes the workspace (import, build, the recovery of an
interrupted import, bringing the ledger store up to date) holds this lock while
it writes. Readers do not take it: they read an immutable snapshot of the store
(:mod:`bokslut.ledger.store`), so they never make a writer wait and never see
half of a write.

``flock`` locks belong to the open file, so the kernel releases the lock when
the process dies, however it dies: a killed command never leaves the workspace
locked. Deleting ``.bokslut/`` while nobody holds the lock is safe (the file is
made again); the holder checks after locking that the file it locked is still
the one at the path, so a lock file deleted under a waiting command is not
trusted.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from bokslut.diagnostics import BokslutError
from bokslut.workspace.layout import Layout

# How long a writer waits for another before it gives up (seconds); BOKSLUT_LAS_VANTAN overrides.
DEFAULT_WAIT = 5.0
WAIT_ENV = "BOKSLUT_LAS_VANTAN"
_POLL = 0.05


class WorkspaceBusy(BokslutError):
    """Another command holds the workspace's writer lock."""


def lock_path(layout: Layout) -> Path:
    return layout.cache / "lock"


def default_wait() -> float:
    text = os.environ.get(WAIT_ENV, "").strip()
    if not text:
        return DEFAULT_WAIT
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise BokslutError(f"{WAIT_ENV}={text!r}: ska vara ett antal sekunder, t.ex. 5") from None
    if not 0 <= value <= 3600:
        raise BokslutError(f"{WAIT_ENV}={text!r}: ska vara mellan 0 och 3600 sekunder")
    return value


def _holder(path: Path) -> str:
    with contextlib.suppress(OSError, ValueError):
        text = path.read_text(encoding="ascii").strip()
        if text.isascii() and text.isdigit():
            return text
    return "okänd"


def _open_locked(path: Path, deadline: float) -> int:
    """An fd of ``path`` holding the exclusive lock, or WorkspaceBusy after ``deadline``."""
    while True:
        # Symlinks here could make bokslut write its pid into any file: remove the link
        # (never what it points to); .bokslut/ is a cache and is made again. An OSError
        # (read-only, no permission) goes up as it is: the shells name the path and what
        # to do, and a reader falls back to a temporary cache.
        for link in (path.parent, path):
            if link.is_symlink():
                link.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise BokslutError(f"{path}: arbetsytan kan inte låsas ({exc.strerror or exc})") from None
            if time.monotonic() >= deadline:
                raise WorkspaceBusy(
                    f"arbetsytan används av ett annat kommando (pid {_holder(path)}) – försök igen"
                ) from None
            time.sleep(_POLL)
            continue
        # The file may have been deleted (with .bokslut/) between open and lock: then the
        # lock guards nothing, and the next command would make and lock a new file.
        try:
            same = os.fstat(fd).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


@contextlib.contextmanager
def writer_lock(layout: Layout, wait: float | None = None) -> Iterator[None]:
    """Hold the workspace's writer lock; wait at most ``wait`` seconds for another holder."""
    path = lock_path(layout)
    deadline = time.monotonic() + (default_wait() if wait is None else wait)
    fd = _open_locked(path, deadline)
    try:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
