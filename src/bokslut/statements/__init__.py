"""Financial statements as data: RR, BR, kassaflödesanalys, noter, drift,
investeringar, balanskrav, nyckeltal and the interim result (docs/statements.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bokslut.parts import ReportPart
from bokslut.statements.build import STATEMENT_ORDER, Statements, compute, note_numbers
from bokslut.table import Value
from bokslut.workspace.config import Config
from bokslut.workspace.layout import Layout

if TYPE_CHECKING:
    from bokslut.ledger.rowfiles import Verify

__all__ = [
    "STATEMENT_ORDER",
    "Statements",
    "StatementsPart",
    "build_part",
    "compute",
    "compute_for",
    "note_numbers",
]


@dataclass(frozen=True, slots=True)
class StatementsPart(ReportPart):
    """The statements' part of the report, carrying the computed statements and their
    context, so the ledger checks over the composed report need not compute them again
    (on a large ledger that is most of the time a check takes)."""

    statements: Statements | None = None


def compute_for(layout: Layout, config: Config, *, verify: Verify = "stat") -> Statements:
    """Open (and if needed refresh) the workspace's ledger store and compute everything.

    ``verify="full"`` reads every byte of the store's cache and of data/ledger first
    (:func:`bokslut.ledger.store.open_store`): what a report publishes is never read
    from a damaged cache.
    """
    from bokslut.ledger.queries import ledger_files
    from bokslut.ledger.store import open_store

    with open_store(layout, verify=verify) as store:
        result = compute(store.con, layout, config)
        return Statements(
            result.tables,
            result.values,
            tuple(store.findings) + result.findings,
            result.context,
            store_findings=tuple(store.findings),
            ledger_files=ledger_files(store.con),
        )


def build_part(layout: Layout, config: Config, known: Mapping[str, Value | int]) -> ReportPart:
    """Every statement table and named value, for the report composer."""
    del known  # the statements depend only on the ledger, budget and forecast
    s = compute_for(layout, config, verify="full")  # the report: every byte it is computed from is checked
    return StatementsPart(tables=s.tables, values=s.values, findings=s.findings, statements=s)
