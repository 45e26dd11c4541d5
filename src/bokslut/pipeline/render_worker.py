"""A second process that renders the PDF and the Word file while the build composes the report.

Most of a build is Python holding its lock: importing the libraries, computing,
composing, then writing each format. A build therefore starts this worker first;
it imports the PDF and Word libraries on the other core while the build imports
and computes, receives the composed document (pickled over a pipe between the two
processes, never through a file), renders its formats and sends the bytes back.

The worker is only a way to be faster: a format it could not render (it did not
start, died, or the renderer raised) is rendered again by the build itself, so
errors are reported exactly as without it. Each format is a function of the
document alone, so the bytes are the same wherever they are made.

    python -m bokslut.pipeline.render_worker pdf docx
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command line starts a worker before it imports the document model
    from bokslut.document import Document

# Format -> (module, function) of its renderer; only these are ever rendered by a worker.
WORKER_RENDERERS: dict[str, tuple[str, str]] = {
    "pdf": ("bokslut.render.pdf", "render_pdf"),
    "docx": ("bokslut.render.docx", "render_docx"),
}
# Rendered on a thread of their own in the worker: Typst lays out the PDF without Python's lock.
THREADED = frozenset({"pdf"})


def renderer(fmt: str) -> Callable[[Document], bytes]:
    module, name = WORKER_RENDERERS[fmt]
    function: Callable[[Document], bytes] = getattr(importlib.import_module(module), name)
    return function


class RenderWorker:
    """The parent's handle on a worker rendering ``formats``."""

    def __init__(self, formats: Sequence[str], command: Sequence[str] | None = None) -> None:
        self.formats = tuple(formats)
        self._results: dict[str, bytes] | None = None
        self._sender: threading.Thread | None = None
        # The worker imports the same bokslut as this process, wherever that was found.
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": package_root + (os.pathsep + path if path else "")}
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [*(command or (sys.executable, "-m", "bokslut.pipeline.render_worker")), *self.formats],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )

    def submit(self, doc: Document) -> None:
        """Send the document; the worker renders while this process writes the other formats."""
        process = self._process
        if process is None or process.stdin is None:
            return
        data = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
        stdin = process.stdin

        def send() -> None:
            # On a thread: the pipe holds less than a document, and the worker reads it only
            # once its imports are done.
            with contextlib.suppress(OSError, ValueError):
                stdin.write(data)
            with contextlib.suppress(OSError, ValueError):
                stdin.close()

        self._sender = threading.Thread(target=send, daemon=True)
        self._sender.start()

    def results(self) -> dict[str, bytes]:
        """What the worker rendered (a format it could not render is missing)."""
        if self._results is None:
            self._results = self._collect()
        return self._results

    def _collect(self) -> dict[str, bytes]:
        process = self._process
        if process is None or process.stdout is None:
            return {}
        out: dict[str, bytes] = {}
        try:
            with contextlib.suppress(EOFError, OSError, pickle.UnpicklingError, ValueError):
                for _ in self.formats:
                    fmt, data = pickle.load(process.stdout)
                    if fmt in self.formats and isinstance(data, bytes):
                        out[fmt] = data
            if self._sender is not None:
                self._sender.join()
            process.wait()
        finally:
            self.close()
        return out

    def close(self) -> None:
        """End the worker (at once when its results are no longer wanted)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def start(formats: Sequence[str]) -> RenderWorker | None:
    """A worker for ``formats``, or None when there is nothing for it or it cannot be started."""
    wanted = [f for f in formats if f in WORKER_RENDERERS]
    if not wanted:
        return None
    try:
        return RenderWorker(wanted)
    except OSError:
        return None  # the build renders everything itself


def _serve(formats: Sequence[str], stdin: IO[bytes], stdout: IO[bytes]) -> None:
    renderers = {fmt: renderer(fmt) for fmt in formats}  # the imports, before the document comes
    try:
        doc = pickle.load(stdin)
    except EOFError:
        return  # the build stopped before there was a document
    from bokslut.document import Document

    if not isinstance(doc, Document):
        return
    results: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        background = {f: pool.submit(renderers[f], doc) for f in formats if f in THREADED}
        for fmt in formats:
            if fmt in background:
                continue
            try:
                results[fmt] = renderers[fmt](doc)
            except Exception:
                results[fmt] = None  # the build renders it again and reports why
        for fmt, job in background.items():
            try:
                results[fmt] = job.result()
            except Exception:
                results[fmt] = None
    for fmt in formats:
        pickle.dump((fmt, results[fmt]), stdout, protocol=pickle.HIGHEST_PROTOCOL)
    stdout.flush()


def main(argv: Sequence[str]) -> None:
    gc.disable()  # one document, then os._exit: nothing to collect that the exit does not free
    formats = [f for f in argv if f in WORKER_RENDERERS]
    _serve(formats, sys.stdin.buffer, sys.stdout.buffer)
    # The build has its bytes (flushed above) and waits for this process to end: freeing
    # Typst's and the document's objects one by one first would only keep it waiting.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
