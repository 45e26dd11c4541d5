"""Fastställande: the report built once more, in a process of its own, and frozen.

The build is ``bokslut build`` itself (:func:`bokslut.pipeline.build.build_report`), so the
frozen files are byte for byte those the command line makes of the same folder. It runs
in a separate process because the chapters are untrusted code and a whole build is the
largest thing the web ever does: the process gets an address-space limit (memory), a
limit on the size of any file it writes, and a wall-clock limit after which it is killed;
the server meanwhile only waits on a pipe, so the other users' pages, saves and previews
go on. The folder it writes is watched as it grows, and a build that outgrows the output
limit is killed too.

The build writes into a scratch folder under ``.bokslut-webb/bygger/``; only a finished
build, its files checked against its SHA256SUMS, is renamed into
``.bokslut-webb/versioner/N/``, and only then is the version recorded as fastställd. A
killed or failed build leaves nothing in the versions folder and the report låst.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import multiprocessing
import multiprocessing.connection
import os
import resource
import shutil
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bokslut.diagnostics import BokslutError, Finding
from bokslut.web.db import WEB_DIR
from bokslut.web.engine import frozen_folder
from bokslut.workspace.layout import Layout

MEGABYTE = 1024 * 1024
# How often the parent looks at the growing output while it waits.
_WATCH_SECONDS = 0.2
_STILL_LOCKED = "Rapporten är fortfarande låst för fastställande och ingen version har fastställts."


@dataclass(frozen=True, slots=True)
class FreezeLimits:
    """What one fastställande may use.

    ``memory_mb`` is the build process's address space: a normal build reserves far more
    than it touches (the ledger database, the PDF renderer's threads), about 2.4 GB for a
    small municipality's report, so the limit is set well above that.
    """

    seconds: float = 900.0
    memory_mb: int = 8192
    output_mb: int = 2048


class FreezeBusy(BokslutError):
    """Another fastställande of the workspace is running."""


def _limit_self(memory_bytes: int, file_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    # Past the file limit a write then fails (EFBIG) instead of the signal killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _build(
    root: str,
    out: str,
    formats: tuple[str, ...],
    memory_bytes: int,
    file_bytes: int,
    conn: multiprocessing.connection.Connection,
) -> None:
    """The build process: ("klar", "") or (kind, message, findings) on the pipe."""
    _limit_self(memory_bytes, file_bytes)
    answer: tuple[object, ...]
    try:
        from bokslut.pipeline.areas import report_parts
        from bokslut.pipeline.build import build_report
        from bokslut.workspace.config import load_config

        layout = Layout(Path(root))
        config = load_config(layout.config)
        build_report(layout, config, [report_parts], formats, out_dir=Path(out), quiet=True)
        answer = ("klar", "", ())
    except BokslutError as exc:
        answer = ("fel", exc.message, tuple(exc.findings))
    except MemoryError:
        answer = ("minne", "", ())
    except OSError as exc:
        answer = ("storlek", "", ()) if exc.errno == errno.EFBIG else ("oväntat", "", ())
    except Exception as exc:
        # A library in native code (the ledger database, the PDF renderer) says "out of
        # memory" in an exception of its own when the address-space limit is reached.
        answer = ("minne" if "memory" in type(exc).__name__.casefold() else "oväntat", "", ())
    with contextlib.suppress(OSError, MemoryError):
        conn.send(answer)


def _size(folder: Path) -> int:
    total = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                total += (Path(dirpath) / name).lstat().st_size
    return total


def _failed(reason: str, findings: Sequence[Finding] = ()) -> BokslutError:
    return BokslutError(f"Rapporten kunde inte fastställas: {reason} {_STILL_LOCKED}", findings)


def _too_long(seconds: float) -> BokslutError:
    return _failed(
        f"bygget tog längre tid än gränsen ({seconds:g} s) och avbröts – finns det ett kapitel med "
        "en slinga som inte tar slut, eller bygger något kapitel en mycket stor text?"
    )


def _too_big(output_mb: int) -> BokslutError:
    return _failed(
        f"bygget blev större än gränsen ({output_mb} MB) och avbröts – bygger något kapitel en "
        "mycket stor text eller tabell?"
    )


def _out_of_memory(memory_mb: int) -> BokslutError:
    return _failed(
        f"bygget behövde mer minne än gränsen ({memory_mb} MB) och avbröts – bygger något kapitel "
        "en mycket stor text eller lista?"
    )


def _run_build(layout: Layout, out: Path, formats: tuple[str, ...], limits: FreezeLimits) -> None:
    """Build into ``out`` in a limited process; raises BokslutError (Swedish) when it fails."""
    output_bytes = limits.output_mb * MEGABYTE
    # spawn, not fork: the server has threads, and a forked copy of a lock one of them holds
    # would never be released in the child.
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=_build,
        args=(str(layout.root), str(out), formats, limits.memory_mb * MEGABYTE, output_bytes, child),
        daemon=True,
        name="bokslut-faststallande",
    )
    process.start()
    child.close()
    deadline = time.monotonic() + limits.seconds
    try:
        while not parent.poll(_WATCH_SECONDS):
            if time.monotonic() > deadline:
                raise _too_long(limits.seconds)
            if _size(out.parent) > output_bytes:
                raise _too_big(limits.output_mb)
            if not process.is_alive() and not parent.poll(0):
                raise _failed("byggprocessen tog slut oväntat (för mycket minne?) – försök igen.")
        try:
            kind, message, findings = parent.recv()
        except (EOFError, OSError):
            raise _failed("byggprocessen tog slut oväntat (för mycket minne?) – försök igen.") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(timeout=10)
        parent.close()
    if kind == "fel":
        raise _failed("rapporten har fel, se nedan." if findings else str(message), findings)
    if kind == "minne":
        raise _out_of_memory(limits.memory_mb)
    if kind == "storlek":
        raise _too_big(limits.output_mb)
    if kind != "klar":
        raise _failed("ett oväntat fel uppstod när rapporten byggdes – försök igen.")


def _checked_sums(folder: Path, output_mb: int) -> str:
    """The build's SHA256SUMS, after every file it names has been read back and matched."""
    from bokslut.pipeline.build import SUMS_NAME

    sums = (folder / SUMS_NAME).read_text(encoding="utf-8")
    for line in sums.splitlines():
        digest, _, name = line.partition("  ")
        if hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest:
            raise _failed(f"filen {name} stämmer inte med byggets SHA256SUMS.")
    if _size(folder) > output_mb * MEGABYTE:
        raise _too_big(output_mb)
    return sums


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _one_at_a_time(layout: Layout) -> Iterator[None]:
    folder = layout.root / WEB_DIR / "las"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / "faststallande.lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FreezeBusy(
                "Rapporten fastställs redan (av någon annan) – vänta tills det är klart."
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def freeze(
    layout: Layout,
    version_id: int,
    formats: tuple[str, ...],
    limits: FreezeLimits,
    record: Callable[[str, str], bool],
) -> bool:
    """Build the report into the versions folder and ``record(folder, sums)`` it.

    ``record`` runs with the build in place and says whether the version was still låst
    and is now fastställd; when it is not, the build is removed again. Raises BokslutError
    (FreezeBusy when another fastställande runs) with the versions folder untouched.
    """
    with _one_at_a_time(layout):
        scratch_root = layout.root / WEB_DIR / "bygger"
        scratch_root.mkdir(parents=True, exist_ok=True)
        for leftover in scratch_root.iterdir():  # of a server killed during a fastställande
            shutil.rmtree(leftover, ignore_errors=True)
        scratch = scratch_root / f"{version_id}-{os.getpid()}"
        scratch.mkdir()
        try:
            built = scratch / "rapport"
            _run_build(layout, built, formats, limits)
            sums = _checked_sums(built, limits.output_mb)
            target = frozen_folder(layout, version_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():  # a build never recorded (the server stopped before it was)
                aside = scratch / "gammal"
                target.replace(aside)
            built.replace(target)
            _sync_folder(target.parent)
            if record(target.relative_to(layout.root).as_posix(), sums):
                return True
            shutil.rmtree(target, ignore_errors=True)
            return False
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
