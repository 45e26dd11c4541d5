"""The ledger's drill-down index, written in the background while the server answers.

Writing the index of a large ledger takes seconds to minutes (about 8 s on 5 M rows); a
server starts writing it when it starts and again when it sees new data, so that no reader
waits for it on the first voucher page. Until it is there, the pages read the store's views
(slower, the same figures): see :func:`bokslut.ledger.drilldown.prepare`.
"""

from __future__ import annotations

import logging
import threading

from bokslut.diagnostics import BokslutError
from bokslut.ledger.drilldown import prepare
from bokslut.ledger.store import open_store
from bokslut.workspace.layout import Layout

log = logging.getLogger("bokslut.webb")


class IndexBuilder:
    """One background thread at a time writing the index of every fiscal year's ledger files."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False  # the data changed while a build ran: build once more after it
        self._idle = threading.Event()
        self._idle.set()

    def start(self) -> None:
        """Write what is missing of the index, in the background; returns at once."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._again = True
                return
            self._idle.clear()
            self._thread = threading.Thread(target=self._run, name="härledningsindex", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether no build is running (after waiting at most ``timeout`` seconds for it)."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            try:
                with open_store(self.layout) as store:
                    for year in store.fiscal_years():
                        prepare(store, year)
            except (BokslutError, OSError) as exc:
                # The pages then read the store's views; the next change of the data tries again.
                log.warning("härledningsindexet kunde inte skrivas: %s", exc)
            except Exception:  # a background thread has no caller to tell: log, never die silently
                log.exception("härledningsindexet kunde inte skrivas")
            with self._lock:
                if not self._again:
                    self._thread = None
                    self._idle.set()
                    return
                self._again = False
