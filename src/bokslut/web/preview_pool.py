"""Every composition of the writers' chapters in worker processes, with a hard time limit and a kill.

A writer's chapter text is untrusted code. The sandbox (:mod:`bokslut.compose.sandbox`)
stops a runaway chapter, but only after its own limit, and it runs in the thread that
asked: in the server that was a worker thread held – and the GIL shared – for up to that
long. Here every composition of chapter text – the editor's preview, a section's page, the
whole report's page – runs in one of a few separate processes. Each keeps its own
:class:`~bokslut.web.engine.ReportCache` of the workspace (the report's data is computed
there, once per state of the data files, and never pickled across); a request sends only
what to compose (a chapter's name and text, or "the report"), and gets back the composed
chapters as the page's HTML (:mod:`bokslut.web.report_html`) or their findings.

A worker (:mod:`bokslut.web.preview_worker`) reads the report's data as soon as it starts,
before it is asked for anything. ``bokslut serve`` starts the first one before it imports the
web application and the others at the end of its warm-up (:meth:`bokslut.web.app.Web.warm_up`):
the first page then finds a worker with its imports done and the data in memory.

The clock starts when the worker begins composing (after any recomputation of the data).
A worker that has not answered within ``timeout`` seconds is killed and replaced by a fresh
one on the next request, and the writer gets a Swedish message. When every worker is busy a
request waits up to ``wait`` seconds and is then told to try again: one writer's loop costs
at most one process for at most ``timeout`` seconds, never the server's threads or the
other writers' saves.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence

from bokslut.compose.sandbox import MAX_SECONDS
from bokslut.diagnostics import error
from bokslut.web.engine import sha256_hex
from bokslut.web.preview_worker import Job, Shown, Worker, start_worker
from bokslut.workspace.layout import Layout

# The sandbox stops a chapter after MAX_SECONDS; the kill is the backstop for what it cannot see
# (a long call inside a library, a worker that hangs), so it comes a little later.
DEFAULT_TIMEOUT = MAX_SECONDS + 5
# Recomputing the report's data in a fresh worker (reading the ledger) can take a while.
START_TIMEOUT = 600.0


class PreviewBusy(Exception):
    """Every preview worker stayed busy for the whole wait."""


def _too_long(job: Job, seconds: float) -> str:
    if job.what == "förhandsgranskningen":
        return (
            f"förhandsgranskningen tog längre tid än gränsen ({seconds:g} s) och "
            "avbröts – finns det en slinga i texten som inte tar slut? Inget är sparat."
        )
    where = "kapitlets text" if job.chapter_file is not None else "något av kapitlen"
    return (
        f"{job.what} tog längre tid än gränsen ({seconds:g} s) att sätta ihop och avbröts – "
        f"troligen har {where} en slinga som inte tar slut eller bygger en mycket stor text. "
        "Rätta texten i redigeraren; det som är sparat är oförändrat."
    )


class PreviewPool:
    def __init__(
        self,
        layout: Layout,
        workers: int = 2,
        timeout: float = DEFAULT_TIMEOUT,
        wait: float = 30.0,
        started: Sequence[Worker] = (),
    ) -> None:
        """``started``: workers already started for this workspace (by :func:`start_worker`),
        taken into the pool's slots; the other slots start theirs on first use."""
        self.layout = layout
        self.timeout = timeout
        self.wait = wait
        # Last in, first out: a started worker (imports done, data in memory) is taken before
        # an empty slot that would start a new one.
        self._idle: queue.Queue[Worker | None] = queue.LifoQueue()
        adopted = list(started)
        for w in adopted[workers:]:
            w.kill()
        adopted = adopted[:workers]
        for _ in range(workers - len(adopted)):
            self._idle.put(None)
        for w in adopted:
            self._idle.put(w)
        self._all: list[Worker] = list(adopted)
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0
        # (file, SHA-256 of text) of chapter texts whose worker was killed; never composed again.
        self._bad: set[tuple[str, str]] = set()

    @property
    def bad(self) -> frozenset[tuple[str, str]]:
        with self._lock:
            return frozenset(self._bad)

    def _start(self) -> Worker:
        worker = start_worker(self.layout.root)
        with self._lock:
            self._all.append(worker)
        return worker

    def _retire(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            self.killed += 1
        self._idle.put(None)  # the slot gets a fresh worker on its next use

    def start(self, count: int | None = None) -> None:
        """Start up to ``count`` (all) workers of the free slots now; returns at once.

        Each reads the report's data as it starts, so the first page does not wait for a
        new process to import bokslut and read the ledger.
        """
        if self._closed:
            return
        slots: list[Worker | None] = []
        while count is None or len(slots) < count:
            try:
                slots.append(self._idle.get_nowait())
            except queue.Empty:
                break
        # Started ones first back into the LIFO queue, then the new ones: a new one is taken first.
        started = [w for w in slots if w is not None]
        fresh = [self._start() for w in slots if w is None]
        for w in started + fresh:
            self._idle.put(w)

    def preview(self, chapter_file: str, text: str) -> Shown:
        """``text`` as the editor's preview of ``chapter_file``; PreviewBusy when no worker is free."""
        return self.run(Job(chapter_file, text))

    @staticmethod
    def busy(job: Job) -> Shown:
        """The message shown when every worker stayed busy for the whole wait."""
        return Shown(
            None,
            (
                error(
                    f"{job.what} kan inte visas just nu: alla processer som sätter ihop texten är "
                    "upptagna – ladda om sidan om en stund"
                ),
            ),
        )

    def run(self, job: Job) -> Shown:
        """``job`` composed in a worker; raises PreviewBusy when no worker is free for the wait.

        When a worker is killed on another chapter than the one ``job`` is about (a section's
        page composes the whole report), the job runs once more without that chapter, so one
        writer's loop does not take the other writers' pages with it.
        """
        result, culprit = self._run_once(job)
        own = None if job.chapter_file is None else (job.chapter_file, sha256_hex(job.text))
        if culprit is not None and culprit != own:
            result, _ = self._run_once(job)
        return result

    def _run_once(self, job: Job) -> tuple[Shown, tuple[str, str] | None]:
        """The composed job, and the chapter a worker was killed on (if it was)."""
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
            worker.slot.value = b""
            worker.conn.send((job, self.bad, self.timeout))
            if not worker.conn.poll(START_TIMEOUT):
                self._retire(worker)
                return Shown(
                    None,
                    (error(f"{job.what} kunde inte sättas ihop (kom inte igång); försök igen"),),
                    kept=False,
                ), None
            worker.conn.recv()  # "start": the data is ready, the chapter's clock runs from here
            if not worker.conn.poll(self.timeout):
                culprit = worker.on()
                self._retire(worker)
                if culprit is not None:
                    with self._lock:
                        if len(self._bad) >= 1000:  # a bound, however many loops are written
                            self._bad.clear()
                        self._bad.add(culprit)
                return Shown(None, (error(_too_long(job, self.timeout)),), kept=False), culprit
            _, result = worker.conn.recv()
        except (EOFError, OSError):
            self._retire(worker)
            return Shown(
                None,
                (
                    error(
                        f"{job.what} kunde inte sättas ihop: processen tog slut (för mycket minne?) – "
                        "försök igen, och se efter om texten bygger något mycket stort"
                    ),
                ),
                kept=False,
            ), None
        self._idle.put(worker)
        assert isinstance(result, Shown)
        return result, None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
        for w in workers:
            w.kill()
