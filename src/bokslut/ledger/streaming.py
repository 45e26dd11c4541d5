"""A large SIE file streamed into an import's staging area, begun before the store is open.

The file is copied into the staging area (:class:`Copy`) and scanned in a thread from the
moment the import holds the writer lock and has finished any interrupted import
(:func:`bokslut.sie.fastscan.stream_fast`): the copy and the scanner's workers run without
the GIL while the import loads DuckDB and its settings and opens the store. Only then,
once the store has given the file its id, does anything else get written: the pieces
scanned meanwhile wait (a few of them; then the scan waits too), each checked already
(:mod:`bokslut.sie.running`). From then on each piece is written as it comes
(:class:`~bokslut.ledger.indexer.StagedWriter`) and summed on the way: a file of a gigabyte
or more writes its rows past the page cache (:class:`~bokslut.ledger.directfile.DirectFile`),
a smaller one has its files followed (synced and summed, :class:`~bokslut.ledger.rowfiles.Follower`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import io
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bokslut.diagnostics import BokslutError, Finding
from bokslut.ledger import journal
from bokslut.ledger.parsed import StagedRows, fiscal_period

if TYPE_CHECKING:
    from bokslut.ledger.indexer import StagedWriter
    from bokslut.ledger.rowfiles import Follower
    from bokslut.ledger.store import Store
    from bokslut.sie.distinct import ShortValues
    from bokslut.sie.fastscan import Piece, Streamed
    from bokslut.sie.model import SieFile
    from bokslut.sie.running import RunningChecks

_T = TypeVar("_T")

# The most [granser] sie_mb can allow (1 TiB, bokslut.workspace.config.Granser); not imported
# from there, since loading the settings (pydantic) is what the scan runs beside.
LARGEST_SIE_BYTES = 1024 * 1024 * 1024 * 1024

# The first size of the table a streamed file's short values are encoded with: a piece of
# 32 MB holds up to some hundred thousand distinct object keys (6 MB; pages only touched as used).
SHORT_SLOTS = 1 << 18

# The first size of the checks' table of object pairs for a streamed file: a region's
# 100 000 objects in use fit without growing it (6 MB; pages only touched as used).
PAIR_SLOTS = 1 << 18

# Scanned pieces held while the store opens (a piece is tens of MB of Arrow): enough for the
# scan to run through the store's opening, bounded whatever the file's size.
BACKLOG = 4

# From this size of a streamed file on, its rows and vouchers are written past the page cache
# (bokslut.ledger.directfile). Below it, the kernel takes them into its cache for less than
# the copies into our own buffers cost: alternating (docs/scale.md, twenty-third session),
# 450 MB files took 0.04-0.29 s longer past the cache, a 1.1 GB file of long texts 0.16-0.58 s
# less and a 4.5 GB file 1.1 s less, as a growing cache of dirty pages slows its writer.
DIRECT_FROM_BYTES = 1 << 30

# How far below the import's main thread the threads that copy, scan, check and write a large
# file run (a nice increment: on Linux each thread has its own, and a thread starts its
# threads with it). While they run, the main thread loads DuckDB and the settings and opens
# the store, which the pieces wait for; with four busy threads beside it at the same priority
# it had well under a core (0.27 s of processor time over 0.66 s and more), so the scan
# stood still at the backlog's end and the writer began late (docs/scale.md, 21st session).
BACKGROUND_NICE = 10


def _to_the_background() -> None:
    """The calling thread put :data:`BACKGROUND_NICE` below the process's main thread (so
    calling it again changes nothing). Only on Linux, where a thread's priority is its own
    (elsewhere the call would set the whole process's); where it is not permitted, nothing
    changes."""
    if sys.platform != "linux":
        return
    with contextlib.suppress(OSError):
        main = os.getpriority(os.PRIO_PROCESS, os.getpid())  # the main thread's id is the process's
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(19, main + BACKGROUND_NICE))


def _in_the_background(fn: Callable[..., _T], *args: object) -> _T:
    _to_the_background()
    return fn(*args)


class Copy:
    """A large file copied into the staging area in a thread (and its copy synced), its digest
    taken on the way.

    Begun as soon as the import holds the writer lock, before the scan: the copy and the
    digest run without the GIL on the processor that the import's start (loading modules,
    which holds the GIL) leaves idle, instead of beside the scan, which uses both."""

    def __init__(self, staging: journal.Staging, name: str, fd: int, seen: os.stat_result) -> None:
        self.name = name
        self._seen = seen
        self._fd: int | None = os.dup(fd)  # the file that is read, whatever its path is given to
        self._closing = threading.Lock()  # stop() may be called by two threads (Ctrl-C)
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bokslut-copy")
        self._copied = self._pool.submit(
            _in_the_background, staging.copy_in, name, self._fd, seen.st_size, self._stop
        )

    def digest(self) -> str:
        """The file's digest (:mod:`bokslut.ledger.filehash`), once copied; raises OSError if the
        copy failed."""
        digest = self._copied.result()
        if digest is None:
            raise OSError(errno.ECANCELED, "the copy was stopped")
        return digest

    def finish(self, source: Path) -> None:
        """Wait for the copy; raises OSError if it failed (the importer says so, as for any copy)
        and BokslutError if the file changed since it was read."""
        try:
            self._copied.result()
            assert self._fd is not None
            now = os.fstat(self._fd)
        finally:
            self.stop()
        if not journal.same_file_as_read(now, self._seen):
            raise journal.changed_while_read(source)

    def stop(self) -> None:
        """Stop copying (the copy is removed) unless it is done; wait for the thread either way."""
        if not self._copied.done():
            self._stop.set()
        self._pool.shutdown(wait=True)
        with self._closing:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


@dataclass(frozen=True, slots=True)
class StreamedFile:
    """A large file streamed into the staging area: its header records, rows and copy."""

    stat: os.stat_result  # as it was read: the copy is of the same file
    digest: str
    sie: SieFile  # header, chart and balances; the rows are in ``staged``
    staged: StagedRows
    checked: Callable[[], list[Finding]]  # the checks' findings, asked for while the store indexes
    copy: Copy


class _Stopped(Exception):
    """The import no longer wants the file read."""


@dataclass(frozen=True, slots=True)
class _Target:
    store: Store
    file_id: int


class Streaming:
    """One large file being scanned in a thread; see the module's description."""

    def __init__(
        self, path: Path, f: io.BufferedReader, staging: journal.Staging, stem: str, warm_up: bool = False
    ) -> None:
        self.path = path
        self.stat = os.fstat(f.fileno())
        self._f = f
        self._staging = staging
        self._stem = stem
        self.copy: Copy | None = self._copy()
        self._loaded = threading.Event()  # the scanner's kernels are loaded
        self._ready = threading.Event()  # the store is open: pieces are written from now on
        self._stopped = threading.Event()
        self._target: _Target | None = None
        self._backlog: list[Piece] = []
        self._checks: RunningChecks | None = None
        # The pieces' accounts and object keys encoded with one table (scanning thread; made
        # there, as the modules with kernels are loaded there).
        self._short: ShortValues | None = None
        # Made by begin() before it sets ``_ready``; from then on used by the scanning thread
        # only, and by result() once that thread is done.
        self._writer: StagedWriter | None = None
        self._follower: Follower | None = None
        # Pieces are written (Parquet and sums, which let the GIL go) in a thread of their own,
        # one batch at a time, while the scanning thread checks the next piece.
        self._writing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bokslut-write")
        self._written: Future[None] | None = None
        # The checks' findings, made in a thread of their own once the file is scanned: while the
        # last pieces are written and the store begins to index, not after (see _scan).
        self._checking = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bokslut-checks")
        self._found: Future[list[Finding]] | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bokslut-scan")
        self._scanned = self._pool.submit(self._scan, warm_up)

    @staticmethod
    def start(path: Path, staging: journal.Staging, stem: str, *, warm_up: bool = False) -> Streaming | None:
        """``path`` being scanned from now on, if it is a file large enough to stream; else None
        (also when it cannot be opened: the exact reader says why). Its rows go to ``staging``
        under names that begin with ``stem``. ``warm_up``: the import has only begun (the
        store is not open): the scanner's kernels are loaded first, and this waits for that
        (see below). The file's copy begins at once either way."""
        from bokslut.sie import reader

        try:
            size = path.stat().st_size
        except OSError:
            return None
        if size < reader.FAST_PATH_MIN_BYTES or not path.is_file():
            return None
        try:
            # Opened up to the largest limit a workspace may set ([granser] sie_mb): its own limit
            # is applied in begin(), once the settings are read. Opened with the built-in 2 GB
            # default instead, a region's larger file was read whole by the exact reader.
            f = reader.open_input(path, LARGEST_SIE_BYTES)
        except BokslutError:
            return None
        streaming = Streaming(path, f, staging, stem, warm_up)
        # Loading the scanner and its compiled kernels holds the GIL, and the scanner's workers
        # run beside the rest of the import's start (which holds it too) only once they are
        # loaded: so the import waits for that first.
        try:
            streaming._loaded.wait()
        except BaseException:  # Ctrl-C: the caller never gets the scan to stop it
            streaming.stop()
            raise
        return streaming

    def _copy(self) -> Copy | None:
        """The file's copy begun, unless the staging area cannot be written yet: a symlinked
        cache folder, which the store replaces as it opens (then :meth:`begin` begins it), or one
        that cannot be made."""
        try:
            self._staging.folder_for_writing()
        except (BokslutError, OSError):  # begin() says what is wrong, where it did before
            return None
        return self._new_copy()

    def _new_copy(self) -> Copy:
        return Copy(self._staging, f"{self._stem}.kopia", self._f.fileno(), self.stat)

    def begin(self, store: Store, max_bytes: int) -> bool:
        """Let the pieces be written, to the staging area under a new file id of ``store``. Call under
        the writer lock once the store is open. False when the file is over the workspace's
        limit: then it is not streamed (and the exact reader says so)."""
        if self.stat.st_size > max_bytes:
            self.stop()
            return False
        from bokslut.ledger.indexer import StagedWriter
        from bokslut.ledger.rowfiles import Follower
        from bokslut.ledger.sums import report_dims

        folder = self._staging.folder_for_writing()
        self.copy = self.copy or self._new_copy()
        self._target = _Target(store, store.take_file_id())
        direct = self.stat.st_size >= DIRECT_FROM_BYTES
        dims = report_dims(store.layout)
        self._writer = StagedWriter(folder, self._stem, self._target.file_id, dims, direct)
        if not direct:
            self._follower = Follower((self._writer.vouchers_path, self._writer.rows_path))
        self._ready.set()
        return True

    def result(self) -> StreamedFile | None:
        """The file streamed, once scanned to its end; None when the exact reader must read it."""
        try:
            streamed = self._scanned.result()
        except BaseException:
            self.stop()
            raise
        # Its thread ends now, not whenever this object is collected: the command leaves at
        # once only when no thread of its own is left (cli._leave).
        self._pool.shutdown()
        if streamed is None:
            self.stop()
            assert self._target is not None
            self._target.store.give_back_file_id(self._target.file_id)
            return None
        try:
            self._write_backlog()  # the file was scanned to its end before the store was open
            self._wait_written()
            self._writing.shutdown()
            writer, follower, checks = self._writer, self._follower, self._checks
            assert writer is not None and checks is not None
            assert self.copy is not None
            # The fiscal year's end as the store records it (Parsed.period): the year sums are
            # made with the monthly ones, from memory, not read back in the store's transaction.
            period = fiscal_period(streamed.sie, checks.first_date)
            year_end = period[2] if period is not None else None
            staged = writer.close(checks.vouchers, checks.counted, checks.first_date, year_end)
            if follower is not None:
                staged = dataclasses.replace(staged, summed=follower.finish())
            digest = self.copy.digest()  # the copy is done long before, as a rule
        except BaseException:
            self.stop()
            raise
        finally:
            self._f.close()
        found, checking = self._found, self._checking
        assert found is not None

        def checked() -> list[Finding]:
            try:
                return found.result()
            finally:
                checking.shutdown()

        return StreamedFile(self.stat, digest, streamed.sie, staged, checked, self.copy)

    def stop(self) -> None:
        """Stop scanning and copying, wait for the threads, and throw away what was written.
        Safe to call more than once."""
        self._stopped.set()
        self._ready.set()
        self._pool.shutdown(wait=True)
        self._checking.shutdown(wait=True, cancel_futures=True)
        self._writing.shutdown(wait=True, cancel_futures=True)
        if self.copy is not None:
            self.copy.stop()
        if self._follower is not None:
            self._follower.close()
        if self._writer is not None:
            self._writer.discard()
        self._f.close()

    def _scan(self, warm_up: bool) -> Streamed | None:
        # The scanner's workers and the checks' thread are started from this thread, and so
        # run at its priority; so is the writing thread, unless the main thread starts it
        # (see _write_pieces).
        _to_the_background()
        try:
            from bokslut.sie import fastscan, prebuilt, reader
            from bokslut.sie.distinct import ShortValues
            from bokslut.sie.running import RunningChecks

            if warm_up and not prebuilt.exports():  # prebuilt kernels load at once
                with contextlib.suppress(OSError):  # no temporary file: they load on first use
                    _warm_up()
        finally:
            self._loaded.set()
        self._checks = RunningChecks(str(self.path), pair_slots=PAIR_SLOTS)
        self._short = ShortValues(SHORT_SLOTS)
        streamed = fastscan.stream_fast(
            self._f, str(self.path), self._consume, reader.ExactLines, reader.sniff, reset=self._reset
        )
        if streamed is not None:
            # Begun now, beside the writing of the last pieces: at the import's serial end they
            # took as long as the store's inserts (a region's 300 000 declared objects looked
            # up), on the same two cores.
            self._found = self._checking.submit(self._checks.findings, streamed.sie)
        return streamed

    def _consume(self, piece: Piece) -> None:
        if self._stopped.is_set():
            raise _Stopped
        assert self._checks is not None
        from bokslut.sie.distinct import encoded

        # Encoded once, for the checks, the rows file and the sums.
        piece = dataclasses.replace(piece, rows=encoded(piece.rows, self._short))
        self._checks.add(piece.vouchers, piece.rows)
        self._backlog.append(piece)
        if len(self._backlog) < BACKLOG and not self._ready.is_set():
            return
        self._ready.wait()
        if self._stopped.is_set():
            raise _Stopped
        self._write_backlog()

    def _write_backlog(self) -> None:
        """Hand the pieces waiting to the writing thread, once it has written the last ones
        (so at most one batch is held beyond the scan's own); a failure to write them is
        raised here, or by :meth:`_wait_written`."""
        self._wait_written()
        pieces, self._backlog = self._backlog, []
        if pieces:
            self._written = self._writing.submit(self._write_pieces, pieces)

    def _write_pieces(self, pieces: list[Piece]) -> None:
        # (started from the main thread when the whole file was scanned before the store opened)
        _to_the_background()
        assert self._writer is not None
        for piece in pieces:
            self._writer.write(piece.vouchers, piece.rows, piece.others)
        if self._follower is not None:
            self._follower.kick()

    def _wait_written(self) -> None:
        written, self._written = self._written, None
        if written is not None:
            written.result()

    def _reset(self) -> None:
        # A late piece changed the encoding: the file is scanned again from the start.
        from bokslut.ledger.indexer import StagedWriter
        from bokslut.ledger.rowfiles import Follower
        from bokslut.sie.running import RunningChecks

        self._backlog.clear()
        with contextlib.suppress(Exception):  # what failed is thrown away with the old writer
            self._wait_written()
        self._checks = RunningChecks(str(self.path), pair_slots=PAIR_SLOTS)
        old, target = self._writer, self._target
        if self._ready.is_set() and old is not None and target is not None:
            old.discard()
            folder = old.vouchers_path.parent
            self._writer = StagedWriter(folder, self._stem, old.file_id, old.dims, old.direct)
            if self._follower is not None:
                self._follower.close()
                self._follower = Follower((self._writer.vouchers_path, self._writer.rows_path))


# A file for :func:`_warm_up`: a voucher in CP437 (as most SIE files are), with an object.
_WARM_UP = (
    '#FLAGGA 0\n#SIETYP 4\n#RAR 0 20230101 20231231\n#DIM 1 "Ansvar"\n#VER A 1 20230105 "Åäö"\n'
    '{\n#TRANS 1930 {} 1.00\n#TRANS 3010 {1 "10"} -1.00 "" "Öre"\n}\n'
).encode("cp437")


def _warm_up() -> None:
    """Load the kernels the scanner and the running checks use, by streaming a small file."""
    from bokslut.sie import fastscan, reader
    from bokslut.sie.distinct import encoded
    from bokslut.sie.running import RunningChecks

    checks = RunningChecks("")
    fd, name = tempfile.mkstemp(prefix="bokslut-")
    Path(name).unlink()
    with os.fdopen(fd, "rb") as f:
        os.write(fd, _WARM_UP)
        os.lseek(fd, 0, os.SEEK_SET)
        fastscan.stream_fast(
            f, "", lambda p: checks.add(p.vouchers, encoded(p.rows)), reader.ExactLines, reader.sniff
        )
