"""Preview composition in worker processes, with a hard time limit and a kill.

A writer's chapter text is untrusted code. The sandbox (:mod:`bokslut.compose.sandbox`)
stops a runaway chapter, but only after its own limit, and it runs in the thread that
asked: in the server that was a worker thread held – and the GIL shared – for up to that
long. Here every preview runs in one of a few separate processes. Each keeps its own
:class:`~bokslut.web.engine.ReportCache` of the workspace (the report's data is computed
there, once per state of the data files, and never pickled across); a request sends only
the chapter's name and text, and gets back the composed chapter or its findings.

The clock starts when the worker begins composing (after any recomputation of the data).
A worker that has not answered within ``timeout`` seconds is killed and replaced by a fresh
one on the next request, and the writer gets a Swedish message. When every worker is busy a
request waits up to ``wait`` seconds and is then told to try again: one writer's loop costs
at most one process for at most ``timeout`` seconds, never the server's threads or the
other writers' saves.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import queue
import threading
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path

from bokslut.compose.sandbox import MAX_SECONDS
from bokslut.diagnostics import error
from bokslut.web.engine import Composed, ReportCache, preview
from bokslut.workspace.layout import Layout

# The sandbox stops a chapter after MAX_SECONDS; the kill is the backstop for what it cannot see
# (a long call inside a library, a worker that hangs), so it comes a little later.
DEFAULT_TIMEOUT = MAX_SECONDS + 5
# Recomputing the report's data in a fresh worker (reading the ledger) can take a while.
START_TIMEOUT = 600.0


class PreviewBusy(Exception):
    """Every preview worker stayed busy for the whole wait."""


def _serve(root: str, conn: multiprocessing.connection.Connection) -> None:
    """A worker's loop: (chapter file, text) in, ("start", None) then ("done", Composed) out."""
    layout = Layout(Path(root))
    cache = ReportCache(layout)
    while True:
        try:
            chapter_file, text = conn.recv()
        except (EOFError, OSError):
            return
        snapshot = cache.get()
        conn.send(("start", None))
        try:
            result = preview(snapshot, layout, chapter_file, text)
        except Exception:  # a bug in composing; the writer gets a message, the worker lives on
            result = Composed(None, (error("förhandsgranskningen misslyckades av ett oväntat fel"),))
        conn.send(("done", result))


@dataclass
class _Worker:
    process: BaseProcess
    conn: multiprocessing.connection.Connection

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class PreviewPool:
    def __init__(
        self,
        layout: Layout,
        workers: int = 2,
        timeout: float = DEFAULT_TIMEOUT,
        wait: float = 30.0,
    ) -> None:
        self.layout = layout
        self.timeout = timeout
        self.wait = wait
        # spawn, not fork: the server has threads, and a forked copy of a lock held by one of
        # them would never be released in the child.
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(workers):
            self._idle.put(None)  # started on first use
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self.killed = 0

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_serve, args=(str(self.layout.root), child), daemon=True, name="bokslut-forhandsgranskning"
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            self.killed += 1
        self._idle.put(None)  # the slot gets a fresh worker on its next use

    def preview(self, chapter_file: str, text: str) -> Composed:
        try:
            worker = self._idle.get(timeout=self.wait)
        except queue.Empty:
            raise PreviewBusy from None
        if worker is not None and not worker.process.is_alive():  # ended while idle (e.g. out of memory)
            worker.kill()
            with self._lock:
                if worker in self._all:
                    self._all.remove(worker)
            worker = None
        if worker is None:
            worker = self._start()
        try:
            worker.conn.send((chapter_file, text))
            if not worker.conn.poll(START_TIMEOUT):
                self._retire(worker)
                return Composed(None, (error("förhandsgranskningen kom inte igång; försök igen"),))
            worker.conn.recv()  # "start": the data is ready, the chapter's clock runs from here
            if not worker.conn.poll(self.timeout):
                self._retire(worker)
                return Composed(
                    None,
                    (
                        error(
                            f"förhandsgranskningen tog längre tid än gränsen ({self.timeout:g} s) och "
                            "avbröts – finns det en slinga i texten som inte tar slut? Inget är sparat."
                        ),
                    ),
                )
            _, result = worker.conn.recv()
        except (EOFError, OSError):
            self._retire(worker)
            return Composed(None, (error("förhandsgranskningen avbröts (processen tog slut); försök igen"),))
        self._idle.put(worker)
        assert isinstance(result, Composed)
        return result

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            w.kill()
