"""How a long ledger command says what it is doing: a callback given one Swedish line at a time.

Its own module, so that the importer can take a callback before it loads the store (DuckDB).
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str], None]


def no_progress(_: str) -> None:
    """A progress callback that says nothing."""
