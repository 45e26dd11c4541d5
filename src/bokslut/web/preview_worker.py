"""One worker process of :mod:`bokslut.web.preview_pool`: what it is asked, what it answers, its loop.

This module imports little, so that a server can start its first worker before it imports the
rest of the web application (:func:`bokslut.cli.web_cmds.app_from_environment`): the worker
imports the composer and reads the report's data while the server imports itself. What the
loop needs is imported inside it, in the worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from bokslut.diagnostics import Finding

# spawn, not fork: the server has threads, and a forked copy of a lock held by one of them
# would never be released in the child.
CONTEXT = multiprocessing.get_context("spawn")

# A worker writes "file\nsha256" of the chapter it is composing into its slot (shared memory),
# so the pool knows which chapter it was on when it had to kill it.
_SLOT_BYTES = 512


@dataclass(frozen=True, slots=True)
class Job:
    """What a worker composes: chapter ``chapter_file`` with ``text`` among the others, or
    (``chapter_file`` None) the whole report from the chapter files."""

    chapter_file: str | None
    text: str = ""
    # The Swedish subject of the messages: "förhandsgranskningen", "avsnittet", "rapporten".
    what: str = "förhandsgranskningen"


@dataclass(frozen=True, slots=True)
class Shown:
    """A worker's answer: the composed chapters as HTML (None when they could not be composed)
    and the findings; ``state`` is the data's state they were composed from (see
    :func:`bokslut.web.engine.data_state`), () when the worker gave none."""

    html: str | None
    findings: tuple[Finding, ...]
    # False for a passing state (a worker killed or busy): a page does not keep such an answer.
    kept: bool = True
    state: tuple[tuple[str, int, int], ...] = ()


@dataclass
class Worker:
    process: BaseProcess
    conn: multiprocessing.connection.Connection
    slot: Any

    def on(self) -> tuple[str, str] | None:
        """(file, SHA-256) of the chapter the worker is composing, if it has begun one."""
        name, _, sha = bytes(self.slot.value).decode("utf-8", errors="replace").partition("\n")
        return (name, sha) if name and sha else None

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def start_worker(root: Path) -> Worker:
    """A new worker process for the workspace at ``root``; it reads the report's data at once."""
    parent, child = CONTEXT.Pipe()
    slot = CONTEXT.Array("c", _SLOT_BYTES, lock=False)
    process = CONTEXT.Process(
        target=serve,
        args=(str(root), child, slot),
        daemon=True,
        name="bokslut-forhandsgranskning",
    )
    process.start()
    child.close()
    return Worker(process, parent, slot)


def serve(root: str, conn: multiprocessing.connection.Connection, slot: Any) -> None:
    """A worker's loop: (Job, bad chapters, seconds) in, ("start", None) then ("done", Shown) out."""
    from bokslut.diagnostics import error
    from bokslut.web.engine import Guard, ReportCache, compose_report, preview, sha256_hex
    from bokslut.web.report_html import chapters_html
    from bokslut.workspace.layout import Layout

    layout = Layout(Path(root))
    cache = ReportCache(layout)
    # The data, read while nobody waits for this worker yet; if that fails, the first job
    # computes it again and answers with what went wrong.
    with contextlib.suppress(Exception):
        cache.get()

    def started(name: str, text: str) -> None:
        slot.value = f"{name}\n{sha256_hex(text)}".encode()[: _SLOT_BYTES - 1]

    while True:
        try:
            job, bad, seconds = conn.recv()
        except (EOFError, OSError):
            return
        # Fresh: what is composed is kept under the data's state, so it must be of that state.
        snapshot = cache.get(fresh=True)
        guard = Guard(bad, started, seconds)
        conn.send(("start", None))
        try:
            if job.chapter_file is None:
                composed = compose_report(snapshot, layout, guard)
            else:
                composed = preview(snapshot, layout, job.chapter_file, job.text, guard)
            doc = composed.document
            html = None if doc is None else chapters_html(doc, snapshot.data)
            kept = composed.kept and not snapshot.passing
            result = Shown(html, composed.findings, kept, snapshot.fingerprint)
        except Exception:  # a bug in composing; the writer gets a message, the worker lives on
            result = Shown(None, (error(f"{job.what} kunde inte sättas ihop av ett oväntat fel"),))
        conn.send(("done", result))
